from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Sex
from forum import services
from forum.asking import Draft, posted_title
from forum.models import AskingFor, Duration, Specialty, Urgency
from forum.text import clean_text, has_nul

# The largest id a row can have (a BigAutoField).
MAX_ID = 2**63 - 1


class TextField(forms.CharField):
    """Free text under the site's text rule (forum/text.py), the same as the API's: no NUL,
    trimmed of blank characters (a required text of nothing but those is refused), `min_length`
    counted on the trimmed text, bidirectional controls removed from what is stored."""

    def __init__(self, *, min_length: int | None = None, **kwargs: Any) -> None:
        self.text_min_length = min_length
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        if self.text_min_length is not None and not widget.is_hidden:
            attrs["minlength"] = str(self.text_min_length)
        return attrs

    def clean(self, value: Any) -> str:
        text = self.to_python(value)
        if text is None or text in self.empty_values:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return ""
        cleaned = clean_text(
            text,
            required=self.required,
            min_length=self.text_min_length,
            max_length=self.max_length,
        )
        self.run_validators(cleaned)
        return cleaned


class SlugChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of rows by slug; a NUL in the value is an invalid choice, not a database error."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and has_nul(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


def _id(value: Any) -> int | None:
    """`value` as a row's id, or None when it cannot be one: ASCII digits only (`int("²")` fails,
    `"²".isdigit()` does not), from 1 to MAX_ID."""
    text = str(value)
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


class IdsChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A choice of rows by id; `²` or a 20-digit number is a field error, not a 500."""

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ():
            if _id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super().clean(value)


class IdListField(forms.Field):
    """Ids sent as repeated fields (`id=3&id=5`), at most MAX_IDS of them."""

    widget = forms.MultipleHiddenInput
    MAX_IDS = 500

    def to_python(self, value: Any) -> list[int]:
        items = value if isinstance(value, list | tuple) else [value] if value else []
        if len(items) > self.MAX_IDS:
            raise forms.ValidationError(f"At most {self.MAX_IDS} at a time.", code="max_length")
        ids = [_id(item) for item in items]
        if None in ids:
            raise forms.ValidationError(
                f"An id is a whole number from 1 to {MAX_ID}.", code="invalid"
            )
        return [i for i in ids if i is not None]


class MarkReadForm(forms.Form):
    """The notifications to mark read; none given: all of them."""

    id = IdListField(required=False)


class AskForm(forms.Form):
    """The ask form. Its rules are the ask rules, checked by `services.question_ask_check` as
    the API's are: an emergency is accepted with whatever it says; `emergency` tells the page
    to lead with the call-now advice."""

    title = TextField(
        max_length=200,
        required=False,
        help_text="One line that sums up your question, e.g. 'Calf twitching for a month'.",
    )
    body = TextField(
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
    medicines = TextField(
        label="Current medicines and supplements",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    specialty = SlugChoiceField(
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

        def text(name: str) -> str:
            # The cleaned text (forum/text.py); as typed when the field itself was refused, so
            # that an emergency is still read as one.
            return str(data[name]) if name in data else str(self.data.get(name, ""))

        draft = Draft(
            title=text("title"),
            body=text("body"),
            age_years=raw_age if isinstance(raw_age, int) else None,
            sex=str(data.get("sex") or ""),
            asking_for=str(data.get("asking_for") or AskingFor.SELF),
            duration=str(data.get("duration") or ""),
        )
        check = services.question_ask_check(draft)
        # the draft's triage: kept so an invalid emergency post still leads with the advice
        self.draft_result = check.result
        self.emergency = check.emergency
        for field, message in check.errors.items():
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
    body = TextField(
        label="Your answer (Markdown)",
        min_length=20,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class FollowUpForm(forms.Form):
    body = TextField(
        label="Add a follow-up",
        min_length=2,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    specialty = forms.SlugField(required=False, max_length=40)


class InfoRequestForm(forms.Form):
    message = TextField(
        label="What do you need to know?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InfoReplyForm(forms.Form):
    body = TextField(
        label="Your reply to the doctor",
        min_length=2,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RerouteForm(forms.Form):
    specialty = SlugChoiceField(
        queryset=Specialty.objects.all(), to_field_name="slug", label="Send to"
    )
    reason = TextField(max_length=500, min_length=5, label="Why re-route")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown on one page with CorrectTriageForm: each "reason" gets its own id and label.
        kwargs.setdefault("auto_id", "id_reroute_%s")
        super().__init__(*args, **kwargs)


class CorrectTriageForm(forms.Form):
    urgency = forms.ChoiceField(choices=Urgency.choices, label="Correct urgency")
    reason = TextField(max_length=500, min_length=5, label="Why this urgency")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_correct_%s")
        super().__init__(*args, **kwargs)
