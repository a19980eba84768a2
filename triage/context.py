"""Who and when a mention is about: negation, other people, past history, hypotheticals.

This follows the ConText idea (trigger phrases that govern the words after or before them, up to
a clause boundary) with the extra step of deciding who the post is about, so "my 3 week old son
has a fever" is about the son and "my father had ALS" is about someone else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress, pairwise
from typing import NamedTuple

from triage.matcher import Match
from triage.text import Tokens

FIRST_PERSON = frozenset({"i", "im", "ive", "id", "me", "ill"})
CLAUSE_OPENERS = frozenset(
    {
        "my",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "this",
        "that",
        "but",
        "his",
        "her",
        "their",
        "our",
        "your",
    }
)
POSSESSIVE_AFTER_WORRY = frozenset({"my", "the", "this", "these", "that", "his", "her", "our"})
PREGNANCY = frozenset({"pregnant", "pregnanci", "fetal", "foetal", "midwif"})
# Verbs after which another person is only telling what happened to the patient.
_REPORTING = frozenset(
    {
        "say",
        "said",
        "tell",
        "told",
        "think",
        "reckon",
        "saw",
        "notic",
        "text",
        "messag",
        "rang",
        "phone",
    }
)
# words between a reporter and the reporting verb: "her friend just texted"
_BEFORE_REPORTING = frozenset({"just", "has", "had", "then", "also", "now"})
_JOINERS = frozenset({"and", "then", "plus", "also", "so"})
# Another person's clause ends where the writer starts talking about themself again.
NEW_EXPERIENCER = frozenset({"my"})
WINDOW = {"negation": 8, "default": 12, "backward": 10}


class Mention(NamedTuple):
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
    # The finding was there and has gone ("the weakness went away after ten minutes").
    resolved: bool = False

    @property
    def affirmed(self) -> bool:
        return not (
            self.negated or self.other or self.historical or self.hypothetical or self.resolved
        )


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # "self", "child" or "adult"
    word: str | None  # the normalised relative noun the post is about, when not "self"


def resolve_subject(
    tokens: Tokens,
    relatives: Sequence[tuple[Match, str]],
    declared: str,
    current_verbs: frozenset[str],
) -> Subject:
    """Decide who the post is about from the intake answer and the text itself."""
    norms = tokens.norms
    # a pet is never the patient: "my budgie can't breathe" is the vet's
    relatives = [(m, group) for m, group in relatives if group != "animal"]
    if declared == "child":
        child = next((m for m, group in relatives if group == "child"), None)
        return Subject("child", norms[child.first] if child else None)
    if declared == "adult":
        for m, _ in relatives:
            if _has_current_verb(norms, m, current_verbs):
                return Subject("adult", norms[m.last])
        return Subject("adult", norms[relatives[0][0].last] if relatives else None)
    if not relatives:
        return Subject("self", None)
    m, group = relatives[0]
    if len(relatives) > 1 and relatives[1][0].first == m.last + 1:
        m, group = relatives[1]  # "my neighbour's son": the son
    if _asks_about(norms, m):
        return Subject(group, norms[m.last])  # "I'm worried about my wife. ..."
    if FIRST_PERSON.isdisjoint(norms) and "my" not in norms:
        return Subject(group, norms[m.last])  # nobody else in the post: "care home rang, dad ..."
    if not FIRST_PERSON.isdisjoint(norms[: m.first]):
        if (
            m.first <= 8
            and not _ALARM.isdisjoint(norms[: m.first])
            and _has_current_verb(norms, m, current_verbs)
        ):
            return Subject(group, norms[m.last])  # "im so scared my dad collapsed"
        return Subject("self", None)
    if m.first > 15:
        return Subject("self", None)
    if (
        m.first >= 2 and norms[m.first - 2] in _OBJECT_OF and norms[m.first - 1] in ("my", "our")
    ) and not _has_current_verb(norms, m, current_verbs):
        return Subject("self", None)  # "wrote letters for my kids", "went shopping with my son"
    if group == "child" or _has_current_verb(norms, m, current_verbs):
        return Subject(group, norms[m.last])
    if m.first <= 1:  # the post opens with them: "Grandad found on the floor", "My wife (61)"
        return Subject(group, norms[m.last])
    return Subject("self", None)


_ABOUT = frozenset({"about", "for", "regarding", "re"})
# The writer's alarm before naming someone: "please help, my dad ...", "im so scared my son ..."
_ALARM = frozenset({"scar", "worri", "panick", "terrifi", "frighten", "help", "pleas", "urgent"})
# A relative after one of these is the object of what the writer did, not the patient.
_OBJECT_OF = frozenset({"for", "to", "with", "from"})
_ASKING = frozenset(
    {
        "is",
        "worri",
        "concern",
        "ask",
        "question",
        "writ",
        "post",
        "advic",
        "help",
        "scar",
        "afraid",
        "frighten",
        "panick",
        "anxious",
        "query",
        "enquir",
        "inquir",
        "messag",
        "call",
    }
)


def _asks_about(norms: Sequence[str], m: Match) -> bool:
    """Whether the post opens by saying whom it is about: "worried about my wife", "asking
    for my dad"."""
    i = m.first
    return (
        3 <= i <= 8
        and norms[i - 1] in ("my", "our")
        and norms[i - 2] in _ABOUT
        and norms[i - 3] in _ASKING
    )


def _has_current_verb(norms: Sequence[str], m: Match, current_verbs: frozenset[str]) -> bool:
    return not current_verbs.isdisjoint(norms[m.last + 1 : m.last + 5])


# What a scope sets on the tokens it governs.
_NEGATED = 1
_OTHER = 2
_HISTORICAL = 4
_HYPOTHETICAL = 8
_SPECULATION = 16  # hypothetical for conditions and cause cues, not for symptoms
_RESOLVED = 32
_NOT_AFFIRMED = _NEGATED | _OTHER | _HISTORICAL | _HYPOTHETICAL | _RESOLVED
_SCOPE_BITS = {
    "negation": _NEGATED,
    "family": _OTHER,
    "other": _OTHER,
    "historical": _HISTORICAL,
    "hypothetical": _HYPOTHETICAL,
    "speculation": _SPECULATION,
    "resolved": _RESOLVED,
}
# A status is a fact about the patient ("back from Ghana"), so worry words around it do not
# make it hypothetical; "could it be the menopause?" still does.
_SPECULATIVE_KINDS = frozenset({"condition", "cue"})
# Mention._make without its Python-level call: mentions are built by the hundred per post.
_new_mention = tuple.__new__


def assign_context(
    tokens: Tokens,
    context_matches: Sequence[Match],
    concept_matches: Sequence[Match],
    kinds: Mapping[str, str],
    subject: Subject,
    relatives: Sequence[tuple[Match, str]],
    overrides: Mapping[str, frozenset[str]] | None = None,
    affirmed: dict[str, list[Mention]] | None = None,
    resolved: dict[str, list[Mention]] | None = None,
    token_bits: Sequence[int] | None = None,
    text: str = "",
    readings: frozenset[tuple[int, int, str]] = frozenset(),
    governed_out: list[int] | None = None,
) -> list[Mention]:
    """One mention per concept match, marked with the context that governs it.

    ``overrides`` (cue label -> labels) drops the mentions a surrounding cue explains away;
    ``affirmed``, when given, also receives the affirmed mentions grouped by label, and
    ``resolved`` those that would be affirmed but for having gone away.
    """
    norms = tokens.norms
    n = len(norms)
    # a new clause starts at this token
    breaks = [norm in FIRST_PERSON for norm in norms]
    for m in context_matches:
        if m.label == "ctx:terminators":
            breaks[m.first] = True
    for i in compress(range(n), tokens.soft_breaks):
        if norms[i] in CLAUSE_OPENERS:
            breaks[i] = True
    # "... that hasn't let up and my bump feels hard": a new subject after "and" opens a clause
    for i, (before, norm) in enumerate(pairwise(norms), 1):
        if norm in CLAUSE_OPENERS and before in _JOINERS:
            breaks[i] = True
    if ")" in text:
        # a closing bracket ends what was said inside it: "(not anticoagulated) experienced ..."
        ends, starts = tokens.ends, tokens.starts
        for i in range(1, n):
            if ")" in text[ends[i - 1] : starts[i]]:
                breaks[i] = True
    # sentence markers are read by sentence_assertions; they must not crowd out a scope trigger
    # of the same words ("in case" opens a conditional sentence and a hypothetical scope)
    triggers = _select_triggers([m for m in context_matches if m.label not in _SENTENCE_MARKERS])

    # A scope governs a token range that never overlaps its own trigger, so what each token is
    # governed by can be summed up per token.
    governed = [0] * n

    def mark(first: int, last: int, what: str) -> None:
        bit = _SCOPE_BITS[what]
        for i in range(first, last + 1):
            governed[i] |= bit

    for trig in triggers:
        kind = trig.label[4:]
        if kind in _NOT_SCOPES:
            continue
        what = kind.split("_")[0]
        if kind.endswith("_sentence"):
            # A quoted warning list or advice governs the rest of its sentence, commas and all.
            mark(trig.last + 1, tokens.sentence_ends[tokens.sentences[trig.last]] - 1, what)
        elif kind.endswith("_forward"):
            if (
                what == "speculation"
                and trig.last + 1 < n
                and norms[trig.last + 1] in POSSESSIVE_AFTER_WORRY
            ):
                continue
            limit = WINDOW["negation"] if what == "negation" else WINDOW["default"]
            end = _scan_forward(tokens, breaks, trig.last + 1, limit)
            mark(trig.last + 1, end, what)
        else:
            start = _scan_backward(tokens, breaks, trig.first - 1, WINDOW["backward"])
            mark(start, trig.first - 1, what)

    if token_bits is None:
        token_bits = sentence_assertions(tokens, context_matches)
    for i, bit in enumerate(token_bits):
        governed[i] |= bit

    # "pregnant", or weeks of pregnancy read from the numbers ("I'm 30 weeks")
    pregnant = not PREGNANCY.isdisjoint(norms) or any(
        label == "pregnant" for _, _, label in concept_matches
    )
    possessors = {m.first - 1 for m, _ in relatives}
    # "my sister's kid": someone else's child, even in a post about the writer's own child
    possessed = {m.first for m, _ in relatives if m.first - 1 in {r.last for r, _ in relatives}}
    # "his brother's magnets": the brother only owns the thing named next
    things = {first for first, _, label in concept_matches if kinds.get(label) == "object"}
    for m, group in relatives:
        if m.last + 1 in things and _is_possessive(tokens, text, m.last):
            continue
        word = norms[m.last]
        if word == subject.word or (
            subject.kind == "child" and group == "child" and m.first not in possessed
        ):
            continue
        if m.last in possessors:
            continue  # "my neighbour's son": the neighbour only owns the next word
        if m.first and norms[m.first - 1] == "per":
            continue  # "tender per partner": the partner only reports it
        after = m.last + 1
        if after < n - 1 and norms[after] in _BEFORE_REPORTING:
            after += 1
        if after < n and norms[after] in _REPORTING:
            continue  # "his friend says he was out cold": the friend only reports it
        if pregnant and word in ("baby", "babi"):
            continue
        end = _scan_forward(
            tokens, breaks, m.last + 1, WINDOW["default"], stop_words=NEW_EXPERIENCER
        )
        mark(m.last + 1, end, "other")

    if governed_out is not None:
        governed_out.extend(governed)
    if overrides:
        concept_matches = _without_overridden(concept_matches, overrides, governed)
    starts = tokens.starts
    ends = tokens.ends
    sentences = tokens.sentences
    mentions: list[Mention] = []
    for first, last, label in concept_matches:
        bits = governed[first]
        if bits & (_SPECULATION | _HISTORICAL | _RESOLVED):
            kind = kinds.get(label, "symptom")
            if bits & _SPECULATION and kind in _SPECULATIVE_KINDS:
                bits |= _HYPOTHETICAL
            if kind == "status":
                # "went through menopause five years ago": the event is past, the state is not;
                # "she has AF and the warfarin was stopped": what stopped is not the state
                bits &= ~(_HISTORICAL | _RESOLVED)
        if bits & (_HYPOTHETICAL | _OTHER) and kinds.get(label) == "object":
            # a thing, not a finding: asking about a button battery still names the battery,
            # and "her brother's magnets" are still magnets she may have swallowed
            bits &= ~(_HYPOTHETICAL | _SPECULATION | _OTHER)
        if bits & _OTHER and (first, last, label) in readings:
            # a measurement is the patient's, whoever's meter took it
            bits &= ~_OTHER
        mention = _new_mention(
            Mention,
            (
                label,
                first,
                last,
                starts[first],
                ends[last],
                sentences[first],
                bits & _NEGATED != 0,
                bits & _OTHER != 0,
                bits & _HISTORICAL != 0,
                bits & _HYPOTHETICAL != 0,
                bits & _RESOLVED != 0,
            ),
        )
        mentions.append(mention)
        if affirmed is not None and not bits & _NOT_AFFIRMED:
            found = affirmed.get(label)
            if found is None:
                affirmed[label] = [mention]
            else:
                found.append(mention)
        elif resolved is not None and bits & _NOT_AFFIRMED == _RESOLVED:
            resolved.setdefault(label, []).append(mention)
    return mentions


# Context labels that mark a sentence rather than open a scope.
_NOT_SCOPES = frozenset(
    {
        "pseudo",
        "terminators",
        "past_anchors",
        "present_anchors",
        "personal",
        "question_openers",
        "when_was",
        "conditional_openers",
        "asking_for_self",
        "in_care",
    }
)
_SENTENCE_MARKERS = frozenset(
    f"ctx:{kind}"
    for kind in (
        "past_anchors",
        "present_anchors",
        "personal",
        "question_openers",
        "when_was",
        "conditional_openers",
        "asking_for_self",
        "in_care",
    )
)
# Words after "when I was" that date a childhood: "when I was 8", "when she was a baby".
_NUMBER_WORDS = frozenset(
    {
        "one",
        "two",
        "three",
        "four",
        "fiv",
        "six",
        "seven",
        "eight",
        "nin",
        "ten",
        "eleven",
        "twelv",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    }
)
_YOUNG = frozenset(
    {
        "child",
        "kid",
        "babi",
        "teenager",
        "teen",
        "toddler",
        "student",
        "boy",
        "girl",
        "newborn",
        "infant",
        "littl",
        "young",
        "younger",
        "small",
        "born",
        "at",
        "in",
    }
)
# "in 2019", "back in 2012": a year before this one dates the sentence.
CURRENT_YEAR = date.today().year
_YEAR_PREPOSITIONS = frozenset({"in", "back", "around", "dur", "circa", "from", "til", "until"})


def sentence_assertions(
    tokens: Tokens, context_matches: Sequence[Match], text: str = ""
) -> list[int]:
    """Per token, the scope bit that its sentence or clause puts on it (0 for none).

    - *Distant past*: the sentence is dated in the past ("in 2019", "when I was eight", "last
      summer", "years ago") and nothing in it speaks of now ("today", "again", "an hour ago"):
      historical.
    - *Information question*: from a question word to the end of the sentence, where nobody is
      named (no I, my, he, she, they) and nothing is dated now: "can sepsis be prevented?",
      "... but what does anaphylactic shock look like in a child?": hypothetical. The question
      word opens the sentence or a clause, or stands anywhere in a sentence ending with "?".
    - *Conditional*: a sentence opening with "if", "what if", "suppose" and nothing dated now:
      "If I get stung again could I go into anaphylactic shock?": hypothetical.
    - *Topic line*: a short subject line opening "Re:" ("Re: status epilepticus"): hypothetical.
    - *In care*: someone else already in hospital ("she's now in the liver unit", "he survived
      and is in rehab"): what the sentence tells happened is past for the post.
    """
    norms = tokens.norms
    n = len(norms)
    bits = [0] * n
    if not n:
        return bits
    sentences = tokens.sentences
    sentence_ends = tokens.sentence_ends
    count = sentences[-1] + 1
    past = [False] * count
    present_at: list[list[int]] = [[] for _ in range(count)]
    # present anchors that date the post (not "now" or "still"): they keep a question personal
    recent_at: list[list[int]] = [[] for _ in range(count)]
    personal_at: list[list[int]] = [[] for _ in range(count)]
    questions: list[int] = []
    conditional = [False] * count
    in_care = [False] * count
    # where an age or a year dates a sentence ("when I was 17", "in 2015")
    dated_at: list[list[int]] = [[] for _ in range(count)]
    # "recovered now", "for six months now": a present word inside a past anchor or a
    # pseudo-trigger does not make the sentence current
    covered = {
        i
        for m in context_matches
        if m.label in ("ctx:past_anchors", "ctx:pseudo")
        for i in range(m.first, m.last + 1)
    }
    pseudo = [m for m in context_matches if m.label == "ctx:pseudo"]
    for m in context_matches:
        kind = m.label[4:]
        number = sentences[m.first]
        first = sentence_ends[number - 1] if number else 0
        if kind == "past_anchors":
            if not any(p.first <= m.first and m.last <= p.last and p != m for p in pseudo):
                past[number] = True  # but not "in the past half hour"
        elif kind == "in_care":
            in_care[number] = True
        elif kind == "present_anchors":
            if m.first not in covered:
                present_at[number].append(m.first)
                if m.first != m.last or norms[m.first] not in _WEAK_PRESENT:
                    recent_at[number].append(m.first)
        elif kind == "personal":
            personal_at[number].append(m.first)
        elif kind == "question_openers":
            questions.append(m.first)
        elif kind == "conditional_openers" and (
            m.first == first
            or (
                m.first == first + 1
                and not (norms[m.first] == "say" and norms[first] == norms[m.last])
            )  # "So say he ...", but "He says he can't feel his legs" reports what he feels
            or (norms[m.first] == "if" and m.first <= first + 4 and tokens.soft_breaks[m.first])
        ):  # "If ...", "So if ...", "Just wondering, if ..."
            conditional[number] = True
        elif kind == "when_was" and _dates_childhood(norms, m.last + 1, sentences, number):
            past[number] = True
            dated_at[number].append(m.first)
    for i, norm in enumerate(norms):
        if norm in FIRST_PERSON:
            personal_at[sentences[i]].append(i)
        elif (
            len(norm) == 4
            and norm.isdigit()
            and 1900 < int(norm) < CURRENT_YEAR
            and i
            and norms[i - 1] in _YEAR_PREPOSITIONS
        ):
            past[sentences[i]] = True
            dated_at[sentences[i]].append(i)

    def fill(first: int, end: int, bit: int) -> None:
        for i in range(first, end):
            bits[i] |= bit

    for number in range(count):
        first = sentence_ends[number - 1] if number else 0
        end = sentence_ends[number]
        if _is_topic_line(tokens, first, end, text) and not present_at[number]:
            fill(first, end, _HYPOTHETICAL)  # "Re: status epilepticus" names the topic
        elif in_care[number]:
            fill(first, end, _HISTORICAL)  # "... and she's now in the liver unit": in care
        elif past[number] and not present_at[number]:
            fill(first, end, _HISTORICAL)
        elif dated_at[number]:
            # "I overdosed when I was 17, I'm 29 now": the part of the sentence an age or a
            # year dates is past when what is dated now stands after a comma of its own
            _fill_dated_parts(tokens, first, end, dated_at[number], present_at[number], fill)
        elif conditional[number] and not present_at[number]:
            fill(first, end, _HYPOTHETICAL)
    if any(m.label == "ctx:asking_for_self" for m in context_matches):
        questions = []  # "what happens if you take 20 sleeping pills. asking for myself."
    starts = sorted(set(questions))
    for k, q in enumerate(starts):
        number = sentences[q]
        first = sentence_ends[number - 1] if number else 0
        end = sentence_ends[number]
        opens = (
            q == first
            or (q == first + 1 and norms[first] in _FILLERS)
            or (
                norms[q] in _WH_WORDS
                and (
                    tokens.soft_breaks[q]
                    or norms[q - 1] in _CLAUSE_JOINS
                    or norms[q - 1] in _WONDER_WORDS
                )
            )
        )
        if opens:
            # the question runs to the next question clause ("what is X and what should I do")
            later = [p for p in starts[k + 1 :] if sentences[p] == number and norms[p] in _WH_WORDS]
            span_start, span_end = q, min([*later, end])
        elif norms[q] in _WH_WORDS and _ends_with_question_mark(tokens, number, text):
            span_start, span_end = first, end  # "After a first seizure how long ...?"
        else:
            continue
        in_span = range(span_start, span_end).__contains__
        if any(map(in_span, personal_at[number])) or any(map(in_span, recent_at[number])):
            continue
        fill(span_start, span_end, _HYPOTHETICAL)
    return bits


# Words after which a wh-word opens a question of its own: "... but what does it look like".
_CLAUSE_JOINS = frozenset({"but", "and", "so", "or", "then", "just"})
# Words after which a wh-word opens an indirect question: "just wondering how common it is".
_WONDER_WORDS = frozenset({"wonder", "wondering", "curious", "ask", "asking", "know"})
_WEAK_PRESENT = frozenset({"now", "still", "sinc", "start", "ongo", "lat", "recent"})
_FILLERS = frozenset(
    {"so", "hi", "hello", "hey", "ok", "okay", "and", "but", "quick", "also", "just"}
)
_WH_WORDS = frozenset({"what", "whats", "how", "why", "when", "which", "wher", "who", "whos"})


def _is_possessive(tokens: Tokens, text: str, i: int) -> bool:
    word = text[tokens.starts[i] : tokens.ends[i]] if text else ""
    return word.endswith(("'s", "’s", "s'"))


def _is_topic_line(tokens: Tokens, first: int, end: int, text: str) -> bool:
    """Whether a sentence is a short "Re: ..." subject line."""
    if not text or end - first > 6 or tokens.norms[first] != "re":
        return False
    return text[tokens.ends[first] : tokens.ends[first] + 1] == ":"


def _ends_with_question_mark(tokens: Tokens, number: int, text: str) -> bool:
    last = tokens.sentence_ends[number] - 1
    if last < 0 or not text:
        return False
    following = tokens.sentence_ends[number]
    gap_end = tokens.starts[following] if following < len(tokens.starts) else len(text)
    return "?" in text[tokens.ends[last] : gap_end]


def _fill_dated_parts(
    tokens: Tokens,
    first: int,
    end: int,
    dated: Sequence[int],
    present: Sequence[int],
    fill: Callable[[int, int, int], None],
) -> None:
    soft = tokens.soft_breaks
    cuts = [first, *(i for i in range(first + 1, end) if soft[i]), end]
    for start, stop in pairwise(cuts):
        if any(start <= d < stop for d in dated) and not any(start <= p < stop for p in present):
            fill(start, stop, _HISTORICAL)


def _dates_childhood(norms: Sequence[str], i: int, sentences: Sequence[int], number: int) -> bool:
    """Whether the words from ``i`` on, after "when I was", give an age or a childhood."""
    if i >= len(norms) or sentences[i] != number:
        return False
    after = norms[i]
    if after.isdigit() or after in _NUMBER_WORDS or after in _YOUNG:
        return True
    return after in ("a", "an") and i + 1 < len(norms) and norms[i + 1] in _YOUNG


def _without_overridden(
    matches: Sequence[Match], overrides: Mapping[str, frozenset[str]], governed: Sequence[int]
) -> Sequence[Match]:
    """Drop the matches that a more specific phrase around them explains away."""
    spans = [
        (m.first, m.last, overrides[m.label], m.label.startswith("sense"))
        for m in matches
        if m.label in overrides and not governed[m.first] & _NEGATED
    ]
    post_wide = frozenset().union(
        *(overrides[m.label] for m in matches if m.label.startswith("sense-post:"))
    )
    if not spans:
        return matches
    # A cause's cue explains away what lies inside it; a word sense ("overdosed on chocolate")
    # also what overlaps it ("I may have overdosed on chocolate").
    cancellable = frozenset().union(*(labels for _, _, labels, _ in spans))
    return [
        m
        for m in matches
        if m.label not in cancellable
        or (
            m.label not in post_wide
            and not any(
                m.label in labels
                and (
                    (first <= m.first and m.last <= last)
                    or (sense and m.first <= last and first <= m.last)
                )
                for first, last, labels, sense in spans
            )
        )
    ]


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
    tokens: Tokens,
    breaks: Sequence[bool],
    start: int,
    limit: int,
    stop_words: frozenset[str] = frozenset(),
) -> int:
    sentences = tokens.sentences
    norms = tokens.norms
    n = len(sentences)
    if start >= n or (start and sentences[start] != sentences[start - 1]):
        return start - 1  # the trigger ends its sentence: it governs nothing after it
    sentence = sentences[start]
    end = start
    for i in range(start, min(n, start + limit)):
        if sentences[i] != sentence:
            break
        if i > start and (breaks[i] or norms[i] in stop_words):
            break
        end = i
    return end


def _scan_backward(tokens: Tokens, breaks: Sequence[bool], start: int, limit: int) -> int:
    if start < 0:
        return 0
    sentences = tokens.sentences
    soft_breaks = tokens.soft_breaks
    sentence = sentences[start]
    first = start
    for i in range(start, max(-1, start - limit), -1):
        if sentences[i] != sentence:
            break
        first = i
        if breaks[i] or soft_breaks[i]:
            break
    return first
