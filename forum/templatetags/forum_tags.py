from __future__ import annotations

import datetime
import functools
import html
import threading
from collections import OrderedDict
from collections.abc import Iterable

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from accounts.identity import answer_signature, public_name
from forum.markdown import render_markdown
from forum.models import Answer, FollowUp, Question
from forum.privacy.masking import markdown_safe, summary

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
def asker_name(question: Question) -> str:
    """The asker as the public sees them (accounts/identity.py)."""
    return public_name(question.author, asker_id=question.author_id)


@register.filter
def followup_author(followup: FollowUp) -> str:
    """The writer of a follow-up as the public sees them; the asker's own are marked."""
    name = public_name(followup.author, asker_id=followup.question.author_id)
    return f"{name} (asker)" if followup.author_id == followup.question.author_id else name


@register.filter
def signed_by(answer: Answer) -> str:
    """The doctor an answer is signed by."""
    return answer_signature(answer.doctor, kept_name=answer.doctor_name)


@register.filter
def title_for(question: Question, original: bool) -> str:
    """The title as typed for those who may read it (`original`), else its public copy."""
    return question.shown("title", original=bool(original))


@register.filter
def medicines_for(question: Question, original: bool) -> str:
    return question.shown("medicines", original=bool(original))


@register.filter
def body_html_for(item: Question | Answer | FollowUp, original: bool) -> SafeString:
    """The text as sanitized HTML: as typed for those who may read it, else the public copy
    with personal details replaced by placeholders."""
    return mark_safe(item.body_html if original else item.public_body_html)  # noqa: S308


@register.filter
def hidden_summary(item: Question | Answer | FollowUp) -> str:
    """ "an e-mail address and a name": what the public copy of this text hides."""
    return summary(str(d.get("kind", "")) for d in item.personal_details or [])


@register.filter
def safe_html(html: str) -> SafeString:
    """Mark HTML that `forum.markdown.render_markdown` has already sanitized."""
    return mark_safe(html)  # noqa: S308 - input is nh3-cleaned


_CARDS: OrderedDict[tuple[object, ...], SafeString] = OrderedDict()
_CARDS_KEPT = 2048
_cards_lock = threading.Lock()


@register.simple_tag
def question_card(
    question: Question, show_status: bool = False, original: bool = False
) -> SafeString:
    """A question's card in a list (forum/_question_card.html). The lists show the same Q&As
    to everyone, so each process renders a card once for the same content: the key holds
    every field the template reads (add one here when the template reads another)."""
    specialty = question.specialty
    key = (
        question.pk,
        get_script_prefix(),  # the link's
        # The public copies, or what was typed on the asker's own list (`original`).
        question.title if original else question.public_title,
        question.body if original else question.public_body,
        original,
        question.age_band,
        question.sex,
        question.created_at,
        question.status if show_status else "",
        specialty.name if specialty else "",
    )
    with _cards_lock:
        card = _CARDS.get(key)
        if card is not None:
            _CARDS.move_to_end(key)
            return card
    card = mark_safe(  # noqa: S308 - rendered by an autoescaping template
        render_to_string(
            "forum/_question_card.html",
            {"question": question, "show_status": show_status, "original": original},
        )
    )
    with _cards_lock:
        _CARDS[key] = card
        while len(_CARDS) > _CARDS_KEPT:
            _CARDS.popitem(last=False)
    return card


@register.simple_tag
def specialty_options(specialties: Iterable[dict[str, str]], selected: str) -> SafeString:
    """The <option>s of the specialty filter, `selected` chosen (a loop in the template costs
    more than the rest of the form)."""
    chosen = mark_safe(" selected")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((s["slug"], chosen if s["slug"] == selected else "", s["name"]) for s in specialties),
    )


@register.filter
def excerpt(markdown_text: str, length: int = 260) -> str:
    """Plain text of a Markdown body, cut at a word boundary, for cards and lists."""
    return _excerpt(markdown_text, length)


# Lists show the same few dozen Q&As to everyone: each process renders an excerpt once.
@functools.lru_cache(maxsize=4096)
def _excerpt(markdown_text: str, length: int) -> str:
    text = html.unescape(strip_tags(render_markdown(markdown_safe(markdown_text))))
    return Truncator(text).words(max(length // 6, 10), truncate="…")


@register.filter
def duration_words(delta: datetime.timedelta) -> str:
    """'3 h 20 min', '2 d 4 h', '12 min' — how long a question has waited."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
