from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import DoctorProfile, Sex, User
from forum.forms import IdsChoiceField, TextField
from forum.models import Specialty

MIN_AGE, MAX_AGE = 13, 120
TOO_YOUNG = f"You must be at least {MIN_AGE} to have an account."
TOO_OLD = f"Enter a birth year within the last {MAX_AGE} years."


def birth_year_bounds() -> tuple[int, int]:
    """The earliest and the latest year of birth an account may give, this year."""
    this_year = timezone.now().year
    return this_year - MAX_AGE, this_year - MIN_AGE


def validate_birth_year(year: int) -> None:
    earliest, latest = birth_year_bounds()
    if year > latest:
        raise ValidationError(TOO_YOUNG)
    if year < earliest:
        raise ValidationError(TOO_OLD)


class SignupExtraForm(forms.Form):
    """Extra sign-up fields; allauth calls `signup` after creating the user."""

    birth_year = forms.IntegerField(
        label="Year of birth",
        validators=[validate_birth_year],
        help_text="Public pages only ever show an age band, such as 20~29.",
    )
    # No default: a pre-set answer would be taken for the person's own.
    sex = forms.ChoiceField(choices=[("", "Choose…"), *Sex.choices])

    def signup(self, request: HttpRequest, user: User) -> None:
        user.birth_year = self.cleaned_data["birth_year"]
        user.sex = self.cleaned_data["sex"]
        user.save(update_fields=["birth_year", "sex"])


class ProfileForm(forms.ModelForm[User]):
    birth_year = forms.IntegerField(label="Year of birth", validators=[validate_birth_year])
    sex = forms.ChoiceField(choices=Sex.choices)

    class Meta:
        model = User
        fields = ["birth_year", "sex"]


class DoctorApplicationForm(forms.ModelForm[DoctorProfile]):
    specialties = IdsChoiceField(
        queryset=Specialty.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The specialties whose questions you will answer.",
    )

    class Meta:
        model = DoctorProfile
        fields = [
            "display_name",
            "licence_number",
            "issuing_authority",
            "country",
            "specialties",
            "bio",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        field_classes = {
            name: TextField
            for name in ("display_name", "licence_number", "issuing_authority", "country", "bio")
        }
        help_texts = {"bio": "A short public introduction (training, practice, languages)."}

    def clean_licence_number(self) -> str:
        value: str = self.cleaned_data["licence_number"]
        if len(value) < 3:
            raise ValidationError("Enter the licence number as it appears on your registration.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number, authority = data.get("licence_number"), data.get("issuing_authority")
        if number and authority:
            clash = DoctorProfile.objects.filter(
                licence_number__iexact=number, issuing_authority__iexact=authority
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("licence_number", "An application with this licence already exists.")
        return data


class ReasonForm(forms.Form):
    """A moderator's reason, required for rejections and hides."""

    reason = TextField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500, min_length=5)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput, help_text="Enter your password to confirm."
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.")
        return password
