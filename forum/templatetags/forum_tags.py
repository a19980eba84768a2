from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from forum.models import Question

register = template.Library()


@register.filter
def person_line(question: Question) -> str:
    """'20~29 year old female', as on public pages; never a name."""
    band = question.age_band.replace("-", "~")
    parts = []
    if band:
        parts.append(f"{band} year old" if band != "90+" else "90+ year old")
    if question.sex in ("female", "male"):
        parts.append(question.sex)
    return " ".join(parts) or "Age and sex not given"


@register.filter
def safe_html(html: str) -> SafeString:
    """Mark HTML that `forum.markdown.render_markdown` has already sanitized."""
    return mark_safe(html)  # noqa: S308 - input is nh3-cleaned
