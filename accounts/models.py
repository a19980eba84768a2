"""Users, their roles and the doctor's verification record."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from knox.models import AbstractAuthToken

from accounts.pseudonyms import generate_pseudonym


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    DOCTOR = "doctor", "Doctor"
    MODERATOR = "moderator", "Moderator"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other / prefer not to say"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.MODERATOR)
        return self._create_user(email, password, **extra)


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox's auth_token_set
    """A person with an account. Public pages show only `pseudonym`, age band and sex."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    pseudonym = models.CharField(max_length=40, unique=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]),
                name="accounts_user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.pseudonym:
            self.pseudonym = generate_pseudonym(
                taken=lambda name: User.objects.filter(pseudonym=name).exists()
            )
        super().save(*args, **kwargs)

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class DoctorStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class DoctorProfile(models.Model):
    """A doctor's application; only a moderator moves it out of `pending`."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="doctor_profile")
    display_name = models.CharField(
        max_length=120, help_text="Shown on answers, e.g. 'Dr. A. Rivera'."
    )
    licence_number = models.CharField(max_length=64)
    issuing_authority = models.CharField(max_length=200)
    country = models.CharField(max_length=100)
    specialties = models.ManyToManyField("forum.Specialty", related_name="doctors")
    bio = models.TextField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=DoctorStatus.choices, default=DoctorStatus.PENDING, db_index=True
    )
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["licence_number", "issuing_authority"],
                name="accounts_doctor_licence_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DoctorStatus.REJECTED) | ~models.Q(rejection_reason=""),
                name="accounts_doctor_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_status_display()})"

    @property
    def is_verified(self) -> bool:
        return self.status == DoctorStatus.VERIFIED


class ApiToken(AbstractAuthToken):  # type: ignore[misc]  # knox ships no type hints
    """An API token. Only a hash of the token is stored (`digest`); `token_key` is its first
    characters, by which the owner recognises and revokes it. Every token expires (`expiry`)
    and all of a person's tokens are revoked when their password, two-factor set-up or role
    changes (accounts/signals.py)."""

    client = models.CharField(
        max_length=200, blank=True, help_text="The app that asked for it (its User-Agent)."
    )

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"
