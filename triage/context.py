"""Who and when a mention is about: negation, other people, past history, hypotheticals.

This follows the ConText idea (trigger phrases that govern the words after or before them, up to
a clause boundary) with the extra step of deciding who the post is about, so "my 3 week old son
has a fever" is about the son and "my father had ALS" is about someone else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from triage.matcher import Match
from triage.text import Token

FIRST_PERSON = frozenset({"i", "im", "ive", "id", "me", "ill"})
CLAUSE_OPENERS = frozenset({"my", "it", "its", "he", "she", "they", "we", "this", "that", "but"})
POSSESSIVE_AFTER_WORRY = frozenset({"my", "the", "this", "these", "that", "his", "her", "our"})
PREGNANCY = frozenset({"pregnant", "pregnanci", "fetal", "foetal", "midwif"})
# Another person's clause ends where the writer starts talking about themself again.
NEW_EXPERIENCER = frozenset({"my"})
WINDOW = {"negation": 8, "default": 12, "backward": 10}


@dataclass(slots=True)
class Mention:
    label: str
    first: int
    last: int
    start: int  # character offsets into the original text
    end: int
    sentence: int
    negated: bool = False
    other: bool = False
    historical: bool = False
    hypothetical: bool = False

    @property
    def affirmed(self) -> bool:
        return not (self.negated or self.other or self.historical or self.hypothetical)


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # "self", "child" or "adult"
    word: str | None  # the normalised relative noun the post is about, when not "self"


def resolve_subject(
    tokens: Sequence[Token],
    relatives: Sequence[tuple[Match, str]],
    declared: str,
    current_verbs: frozenset[str],
) -> Subject:
    """Decide who the post is about from the intake answer and the text itself."""
    if declared == "child":
        child = next((m for m, group in relatives if group == "child"), None)
        return Subject("child", tokens[child.first].norm if child else None)
    if declared == "adult":
        for m, _ in relatives:
            if _has_current_verb(tokens, m, current_verbs):
                return Subject("adult", tokens[m.last].norm)
        return Subject("adult", tokens[relatives[0][0].last].norm if relatives else None)
    if not relatives:
        return Subject("self", None)
    m, group = relatives[0]
    if any(t.norm in FIRST_PERSON for t in tokens[: m.first]):
        return Subject("self", None)
    if m.first > 15:
        return Subject("self", None)
    if group == "child" or _has_current_verb(tokens, m, current_verbs):
        return Subject(group, tokens[m.last].norm)
    return Subject("self", None)


def _has_current_verb(tokens: Sequence[Token], m: Match, current_verbs: frozenset[str]) -> bool:
    following = tokens[m.last + 1 : m.last + 5]
    return any(t.norm in current_verbs for t in following)


def assign_context(
    tokens: Sequence[Token],
    matches: Sequence[Match],
    kinds: Mapping[str, str],
    subject: Subject,
    relatives: Sequence[tuple[Match, str]],
) -> list[Mention]:
    triggers = _select_triggers([m for m in matches if m.label.startswith("ctx:")])
    terminators = {m.first for m in matches if m.label == "ctx:terminators"}
    n = len(tokens)
    breaks = [False] * n  # a new clause starts at this token
    for i, tok in enumerate(tokens):
        if (
            i in terminators
            or tok.norm in FIRST_PERSON
            or (tok.soft_break and tok.norm in CLAUSE_OPENERS)
        ):
            breaks[i] = True

    # (first, last) token range governed, the governing trigger span, and what it sets
    scopes: list[tuple[int, int, int, int, str]] = []
    for trig in triggers:
        kind = trig.label[4:]
        if kind in ("pseudo", "terminators"):
            continue
        what = kind.split("_")[0]
        if kind.endswith("_forward"):
            if (
                what == "speculation"
                and trig.last + 1 < n
                and tokens[trig.last + 1].norm in POSSESSIVE_AFTER_WORRY
            ):
                continue
            limit = WINDOW["negation"] if what == "negation" else WINDOW["default"]
            end = _scan_forward(tokens, breaks, trig.last + 1, limit)
            scopes.append((trig.last + 1, end, trig.first, trig.last, what))
        else:
            start = _scan_backward(tokens, breaks, trig.first - 1, WINDOW["backward"])
            scopes.append((start, trig.first - 1, trig.first, trig.last, what))

    pregnant = any(t.norm in PREGNANCY for t in tokens)
    for m, group in relatives:
        word = tokens[m.last].norm
        if word == subject.word or (subject.kind == "child" and group == "child"):
            continue
        if pregnant and word == "baby":
            continue
        end = _scan_forward(
            tokens, breaks, m.last + 1, WINDOW["default"], stop_words=NEW_EXPERIENCER
        )
        scopes.append((m.last + 1, end, m.first, m.last, "other"))

    mentions: list[Mention] = []
    for m in matches:
        if m.label.startswith(("ctx:", "rel:")):
            continue
        mention = Mention(
            m.label,
            m.first,
            m.last,
            tokens[m.first].start,
            tokens[m.last].end,
            tokens[m.first].sentence,
        )
        kind = kinds.get(m.label, "symptom")
        for first, last, tfirst, tlast, what in scopes:
            if not (first <= m.first <= last) or tfirst <= m.first <= tlast:
                continue
            if what == "negation":
                mention.negated = True
            elif what in ("family", "other"):
                mention.other = True
            elif what == "historical":
                mention.historical = True
            elif what == "hypothetical" or (what == "speculation" and kind in ("condition", "cue")):
                mention.hypothetical = True
        mentions.append(mention)
    return mentions


def _select_triggers(triggers: list[Match]) -> list[Match]:
    """Longest trigger wins where triggers overlap, so "no longer" beats "no"."""
    chosen: list[Match] = []
    covered: set[int] = set()
    for trig in sorted(triggers, key=lambda m: (m.last - m.first, -m.first), reverse=True):
        span = range(trig.first, trig.last + 1)
        if trig.label == "ctx:terminators":
            chosen.append(trig)
            continue
        if any(i in covered for i in span):
            continue
        covered.update(span)
        chosen.append(trig)
    return chosen


def _scan_forward(
    tokens: Sequence[Token],
    breaks: Sequence[bool],
    start: int,
    limit: int,
    stop_words: frozenset[str] = frozenset(),
) -> int:
    n = len(tokens)
    if start >= n:
        return start - 1
    sentence = tokens[start].sentence
    end = start
    for i in range(start, min(n, start + limit)):
        if tokens[i].sentence != sentence:
            break
        if i > start and (breaks[i] or tokens[i].norm in stop_words):
            break
        end = i
    return end


def _scan_backward(tokens: Sequence[Token], breaks: Sequence[bool], start: int, limit: int) -> int:
    if start < 0:
        return 0
    sentence = tokens[start].sentence
    first = start
    for i in range(start, max(-1, start - limit), -1):
        if tokens[i].sentence != sentence:
            break
        first = i
        if breaks[i] or tokens[i].soft_break:
            break
    return first
