"""Load demo users and answered Q&As. Safe to run again; refused under production settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import DoctorProfile, DoctorStatus, Role, Sex, User
from forum import services
from forum.archive import RecordError, qa_import_record
from forum.models import AskingFor, Duration, Question, Specialty
from forum.services import question_assess_archived
from forum.similarity.services import entries_index
from forum.specialties import ensure_specialties

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "qa.jsonl"

DEMO_USERS: tuple[dict[str, Any], ...] = (
    {
        "email": "patient@demo.openconsult.test",
        "password": "demo-patient-pass",
        "role": Role.PATIENT,
    },
    {
        "email": "neurologist@demo.openconsult.test",
        "password": "demo-doctor-pass",
        "role": Role.DOCTOR,
    },
    {
        "email": "moderator@demo.openconsult.test",
        "password": "demo-moderator-pass",
        "role": Role.MODERATOR,
    },
)


class Command(BaseCommand):
    help = "Create demo users and the demo archive of answered questions (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("seed_demo is refused under production settings.")
        with transaction.atomic():
            specialties = self._specialties()
            users = [self._user(spec) for spec in DEMO_USERS]
            self._doctor(users[1], specialties["neurology"])
            users[2].is_staff = True
            users[2].save(update_fields=["is_staff"])
            imported = self._archive(specialties)
            self._patient_question(users[0])
        self.stdout.write(self.style.SUCCESS(f"Demo archive: {imported} answered Q&As."))
        self.stdout.write("Demo log-ins (two-factor codes come from the TOTP secret):")
        for spec, user in zip(DEMO_USERS, users, strict=True):
            line = f"  {spec['role']:<10} {spec['email']:<36} password: {spec['password']}"
            secret = self._totp_secret(user)
            if secret:
                line += f"  TOTP secret: {secret}"
            self.stdout.write(line)

    def _specialties(self) -> dict[str, Specialty]:
        ensure_specialties()
        return {s.slug: s for s in Specialty.objects.all()}

    def _user(self, spec: dict[str, Any]) -> User:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            user = User.objects.create_user(
                email=spec["email"],
                password=spec["password"],
                role=spec["role"],
                birth_year=timezone.now().year - 27,
                sex=Sex.FEMALE,
            )
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if (
            spec["role"] != Role.PATIENT
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, TOTP_SECRETS[spec["role"]])
        return user

    def _totp_secret(self, user: User) -> str:
        auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        return decrypt(auth.data["secret"]) if auth else ""

    def _doctor(self, user: User, neurology: Specialty) -> None:
        profile, _ = DoctorProfile.objects.get_or_create(
            user=user,
            defaults={
                "display_name": "Dr. Demo Neurologist",
                "licence_number": "DEMO-NEURO-0001",
                "issuing_authority": "OpenConsult demo medical board",
                "country": "Demo",
                "bio": "Demo account: a verified neurologist for trying the site.",
                "status": DoctorStatus.VERIFIED,
                "reviewed_at": timezone.now(),
            },
        )
        profile.specialties.add(neurology)

    def _archive(self, specialties: dict[str, Specialty]) -> int:
        imported: list[int] = []
        with DEMO_FILE.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    outcome = qa_import_record(json.loads(line), specialties=specialties)
                except (json.JSONDecodeError, RecordError) as exc:
                    raise CommandError(f"{DEMO_FILE.name} line {number}: {exc}") from exc
                question_assess_archived(question_id=outcome.question.pk)
                imported.append(outcome.question.pk)
        entries_index(question_ids=imported)
        return len(imported)

    def _patient_question(self, patient: User) -> None:
        if Question.objects.filter(author=patient).exists():
            return
        services.question_create(
            author=patient,
            title="Eyelid twitching for two weeks during exams",
            body=(
                "My left lower eyelid has been twitching on and off for about two weeks. It "
                "happens several times a day for a few seconds. I am sleeping about five hours "
                "a night because of exams and drinking four or five coffees a day. No pain, my "
                "vision is fine and nothing else on my face moves. Should I be worried?"
            ),
            asking_for=AskingFor.SELF,
            age_years=27,
            sex=Sex.FEMALE,
            duration=Duration.WEEKS,
            medicines="None",
            specialty=None,
        )


# Fixed so the printed demo log-ins stay valid across runs; demo data is refused in production.
TOTP_SECRETS = {
    Role.DOCTOR: "JBSWY3DPEHPK3PXPDEMODOCTORSECRET",
    Role.MODERATOR: "JBSWY3DPEHPK3PXPDEMOMODERATORKEY",
}
