"""`manage.py create_moderator --email …`: the first administrator of a new site (or promote an
existing account). The address counts as confirmed; two-factor is set up at the first log-in,
which admin asks for before anything else."""

from __future__ import annotations

import getpass
import os
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import Role, User

PASSWORD_ENV = "OPENCONSULT_MODERATOR_PASSWORD"  # noqa: S105 - a variable name


class Command(BaseCommand):
    help = "Create a moderator (or make an existing account one) with a confirmed e-mail address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"Take the password from ${PASSWORD_ENV} instead of asking for it.",
        )
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Also a Django superuser (may delete accounts in admin).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Lower-case, as allauth stores addresses at sign-up and looks them up at log-in.
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an e-mail address.") from exc
        existing = User.objects.filter(email__iexact=email).first()
        password = self._password(options["no_input"], existing is None, email)
        with transaction.atomic():
            user = existing or User(email=email)
            user.role = Role.MODERATOR
            user.is_staff = True
            user.is_active = True
            if options["superuser"]:
                user.is_superuser = True
            if password:
                user.set_password(password)
            user.save()
            EmailAddress.objects.filter(user=user).update(primary=False)
            EmailAddress.objects.update_or_create(
                user=user,
                email__iexact=email,
                defaults={"email": email, "verified": True, "primary": True},
            )
        verb = "is now a moderator" if existing else "created as a moderator"
        self.stdout.write(
            self.style.SUCCESS(f"{email} {verb}.")
            + " Log in at /accounts/login/; the site will ask to set up two-factor "
            "authentication before admin opens."
        )

    def _password(self, no_input: bool, required: bool, email: str) -> str:
        """The new password, validated; empty to keep an existing account's password."""
        if no_input:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password and required:
                raise CommandError(f"Set {PASSWORD_ENV} or run the command without --no-input.")
        else:
            prompt = "Password" if required else "New password (empty: keep the current one)"
            password = getpass.getpass(f"{prompt}: ")
            if password and password != getpass.getpass("Password again: "):
                raise CommandError("The two passwords differ.")
            if not password and required:
                raise CommandError("A new account needs a password.")
        if password:
            try:
                validate_password(password, User(email=email))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        return password
