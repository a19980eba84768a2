"""API tokens: the API's log-in, which asks for what the site's log-in asks and shares its limits;
tokens made at each log-in, listed and revoked by their owner, and revoked for everyone who
changes their password, two-factor set-up or role (accounts/signals.py).

Only a hash of a token is stored; the token itself is shown once, in the log-in's response.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, User

# One message for every wrong part: it never tells whether the password was right.
WRONG_CREDENTIALS = "E-mail address, password or two-factor code is wrong."
# What allauth's forms raise when a limit is reached.
_LIMIT_CODES = {"too_many_login_attempts", "rate_limited"}


class LogInRefused(Exception):
    """Wrong e-mail address, password or code (or a code missing where one is needed)."""


class LogInLocked(Exception):
    """Too many failed attempts for this account or from this address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed log-in attempts. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


class EmailUnconfirmed(Exception):
    """Right credentials, but the address has never been confirmed."""


def _retry_after() -> int:
    rates = ratelimit.get_rates(app="allauth.account", action="login_failed")
    return int(max((rate.duration for rate in rates), default=60))


def log_in_for_token(request: HttpRequest, *, email: str, password: str, code: str) -> User:
    """Check an API log-in exactly as the site's log-in does, and return the person.

    The attempt counts against allauth's `login_failed` limits under the same keys as the web
    log-in (per client address and per account: an account locked on the site is locked here,
    and the reverse), and the two-factor code goes through allauth's own form, with its
    per-account limit, recovery codes and refusal of a code already used. The attempt is taken
    back from the limits only when everything was right, so a right password with a missing or
    wrong code still counts as a failure.

    Raises LogInLocked, LogInRefused or EmailUnconfirmed; writes only to the cache (the limits,
    the used codes) and, for a recovery code, marks it used.
    """
    key = get_adapter(request)._get_login_attempts_cache_key(request, email=email)
    usage = ratelimit.consume(request, app="allauth.account", action="login_failed", key=key)
    if usage is None:
        raise LogInLocked(_retry_after())
    user = authenticate(request, email=email, password=password)
    if not isinstance(user, User):
        raise LogInRefused(WRONG_CREDENTIALS)
    if Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN).exists():
        if not code:
            raise LogInRefused(WRONG_CREDENTIALS)
        form = AuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            errors = form.errors.as_data().get("code", [])
            if any(error.code in _LIMIT_CODES for error in errors):
                raise LogInLocked(_retry_after())
            raise LogInRefused(WRONG_CREDENTIALS)
    usage.rollback()
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True):
        raise EmailUnconfirmed("Confirm your e-mail address first.")
    return user


CLIENT_MAX_LENGTH = ApiToken._meta.get_field("client").max_length or 200


def token_create(*, user: User, client: str = "") -> tuple[ApiToken, str]:
    """Make a new token for `user` and return it with its secret (never stored). Expired tokens
    are deleted, and the oldest live ones beyond OPENCONSULT_TOKENS_PER_USER are revoked."""
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        token, secret = ApiToken.objects.create(user=user, client=client[:CLIENT_MAX_LENGTH])
        keep = max(1, settings.OPENCONSULT_TOKENS_PER_USER)
        stale = ApiToken.objects.filter(user=user).order_by("-created", "-pk")[keep:]
        ApiToken.objects.filter(pk__in=[t.pk for t in stale]).delete()
    return token, secret


def tokens_live(*, user: User) -> list[ApiToken]:
    """The tokens of `user` that still work, newest first."""
    return list(ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created"))


def token_revoke(*, user: User, token_key: str) -> bool:
    """Revoke the token of `user` that starts with `token_key`; False when there is none."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)


def tokens_revoke_all(*, user: User | int) -> int:
    """Revoke every token of `user`; returns how many there were."""
    user_id = user.pk if isinstance(user, User) else user
    deleted, _ = ApiToken.objects.filter(user_id=user_id).delete()
    return int(deleted)
