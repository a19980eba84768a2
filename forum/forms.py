from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Sex
from forum.models import AskingFor, Duration, Specialty, Urgency


class AskForm(forms.Form):
    title = forms.CharField(
        min_length=10,
        max_length=200,
        help_text="One line that sums up your question, e.g. 'Calf twitching for a month'.",
    )
    body = forms.CharField(
        label="Your question",
        min_length=30,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Describe what you feel, where, since when, what makes it better or worse. "
        "Do not include names, phone numbers or addresses.",
    )
    asking_for = forms.ChoiceField(
        label="Who is this question about?", choices=AskingFor.choices, initial=AskingFor.SELF
    )
    age_years = forms.IntegerField(
        label="Their age (years)",
        min_value=0,
        max_value=120,
        help_text="For a baby under one year, enter 0 and give the age in months in your text.",
    )
    sex = forms.ChoiceField(label="Their sex", choices=Sex.choices)
    duration = forms.ChoiceField(
        label="How long has this been going on?",
        choices=[("", "—"), *Duration.choices],
        required=False,
    )
    medicines = forms.CharField(
        label="Current medicines and supplements",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    specialty = forms.ModelChoiceField(
        queryset=Specialty.objects.all(),
        required=False,
        empty_label="Not sure — suggest one for me",
        to_field_name="slug",
    )
    is_private = forms.BooleanField(
        label="Keep private (only you and the doctors can read it)", required=False
    )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"].strip()
        if len(set(body.lower().split())) < 5:
            raise forms.ValidationError("Describe your symptoms in a few more words.")
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age = data.get("age_years")
        if data.get("asking_for") == AskingFor.SELF and age is not None and age < 13:
            self.add_error(
                "asking_for", "For a child under 13, pick A child as who the question is about."
            )
        return data


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer (Markdown)",
        min_length=20,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class FollowUpForm(forms.Form):
    body = forms.CharField(
        label="Add a follow-up",
        min_length=2,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    specialty = forms.SlugField(required=False, max_length=40)


class InfoRequestForm(forms.Form):
    message = forms.CharField(
        label="What do you need to know?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InfoReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply to the doctor",
        min_length=2,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RerouteForm(forms.Form):
    specialty = forms.ModelChoiceField(
        queryset=Specialty.objects.all(), to_field_name="slug", label="Send to"
    )
    reason = forms.CharField(max_length=500, min_length=5, label="Why")


class CorrectTriageForm(forms.Form):
    urgency = forms.ChoiceField(choices=Urgency.choices, label="Correct urgency")
    reason = forms.CharField(max_length=500, min_length=5, label="Why")
