"""Changes that end every API token of a person, wherever they are made (the site's pages,
allauth's views, Django admin, a shell): a new password, two-factor turned on or off, a new
role. A token made before the change must not keep powers the change was meant to grant or end.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.tokens import tokens_revoke_all

# The fields whose change revokes the person's tokens.
GUARDED_FIELDS = ("password", "role", "email")


@receiver(pre_save, sender=User, dispatch_uid="accounts-note-guarded-changes")
def _note_guarded_changes(sender: type[User], instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    instance._revoke_tokens = False  # type: ignore[attr-defined]
    if instance.pk is None or kwargs.get("raw"):
        return
    fields = [f for f in GUARDED_FIELDS if update_fields is None or f in update_fields]
    if not fields:
        return
    before = User.objects.filter(pk=instance.pk).values(*fields).first()
    if before is not None and any(before[f] != getattr(instance, f) for f in fields):
        instance._revoke_tokens = True  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="accounts-revoke-on-guarded-change")
def _revoke_on_guarded_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    if getattr(instance, "_revoke_tokens", False):
        instance._revoke_tokens = False  # type: ignore[attr-defined]
        tokens_revoke_all(user=instance.pk)


@receiver(post_save, sender=Authenticator, dispatch_uid="accounts-revoke-on-2fa-on")
def _revoke_on_two_factor_on(
    sender: type[Authenticator], instance: Authenticator, **kwargs: Any
) -> None:
    if kwargs.get("created") and instance.type == Authenticator.Type.TOTP:
        tokens_revoke_all(user=instance.user_id)


@receiver(post_delete, sender=Authenticator, dispatch_uid="accounts-revoke-on-2fa-off")
def _revoke_on_two_factor_off(
    sender: type[Authenticator], instance: Authenticator, **kwargs: Any
) -> None:
    if instance.type == Authenticator.Type.TOTP:
        tokens_revoke_all(user=instance.user_id)
