from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Sex
from forum.asking import Draft, ask_errors, assess_draft, posted_title, reads_as_emergency
from forum.models import AskingFor, Duration, Specialty, Urgency


class AskForm(forms.Form):
    """The ask form. Its rules are the ask rules (forum/asking.py): an emergency is accepted
    with whatever it says; `emergency` tells the page to lead with the call-now advice."""

    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="One line that sums up your question, e.g. 'Calf twitching for a month'.",
    )
    body = forms.CharField(
        label="Your question",
        max_length=10000,
        required=False,
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
        required=False,
        help_text="For a baby under one year, enter 0 and give the age in months in your text.",
    )
    sex = forms.ChoiceField(label="Their sex", choices=[("", "—"), *Sex.choices], required=False)
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
    # Asked for on every question but an emergency (the ask rules check them).
    ASKED_FOR = ("title", "body", "age_years", "sex")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emergency = False
        self.draft_result: dict[str, Any] | None = None
        for name in self.ASKED_FOR:
            self.fields[name].widget.attrs["aria-required"] = "true"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw_age = data.get("age_years")
        draft = Draft(
            title=str(self.data.get("title", "")),
            body=str(self.data.get("body", "")),
            age_years=raw_age if isinstance(raw_age, int) else None,
            sex=str(data.get("sex") or ""),
            asking_for=str(data.get("asking_for") or AskingFor.SELF),
            duration=str(data.get("duration") or ""),
        )
        # the draft's triage: kept so an invalid emergency post still leads with the advice
        self.draft_result = assess_draft(draft)
        self.emergency = reads_as_emergency(self.draft_result)
        for field, message in ask_errors(draft, emergency=self.emergency).items():
            if field not in self.errors:
                self.add_error(field, message)
        if self.emergency:
            # An emergency is posted with what it says; only the text must be there.
            for field in ("age_years", "sex", "asking_for", "duration"):
                self.errors.pop(field, None)
            data["title"] = posted_title(str(data.get("title") or ""), str(data.get("body") or ""))
            data.setdefault("age_years", None)
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
