"""The triage pipeline: text and intake answers in, an :class:`Assessment` out."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property, lru_cache

from triage.context import (
    Mention,
    Subject,
    assign_context,
    resolve_subject,
    sentence_assertions,
)
from triage.kb import Complaint, EngineFlag, FlagRule, KnowledgeBase, load_knowledge_base
from triage.language import Readability, detect, find_phrases, mixes_in_english
from triage.matcher import Match
from triage.patient import (
    Duration,
    find_readings,
    infer_age,
    infer_sex,
    parse_duration,
    parse_duration_answer,
)
from triage.result import URGENCY_RANK, Assessment, Cause, Evidence, Flag
from triage.text import CleanText, Tokens, clean, split_tokens

ENGINE_VERSION = "2.0.0"
SUBJECTS = ("self", "child", "adult")
SEXES = ("female", "male", "other")
MAX_CAUSES = 5
MAX_MISSING = 5
CHILD_AGE_YEARS = 16
# How much a cue counts by context: a named cause the patient only wonders about still matters
# to the doctor, but less than one they report.
CUE_WEIGHTS = {"affirmed": 1.0, "historical": 0.6, "hypothetical": 0.5}


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


def kb_version() -> str:
    return knowledge_base().version


def assess(
    text: str,
    age: int | float | None = None,
    sex: str | None = None,
    subject: str = "self",
    duration: str | None = None,
    *,
    kb: KnowledgeBase | None = None,
) -> Assessment:
    """Triage one post.

    ``age`` in years, ``sex`` one of female/male/other, ``subject`` who the post is about
    (self, child, adult), ``duration`` the intake's free-text "how long" answer. Raises
    ``ValueError`` naming the field on empty text or an answer out of range or of the wrong kind
    (a batch file may hold ``"age": "thirty"`` or ``"duration": 5``).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text is empty")
    if subject not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}, not {subject!r}")
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be one of {', '.join(SEXES)}, not {sex!r}")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age <= 130
    ):
        raise ValueError(f"age must be a number of years between 0 and 130, not {age!r}")
    if duration is not None and not isinstance(duration, str):
        raise ValueError(f"duration must be text such as '3 days', not {duration!r}")
    kb = kb or knowledge_base()
    cleaned = clean(text)
    result = _Assessor(kb, cleaned.text, age, sex, subject, duration).run()
    if cleaned.origin is None:
        return result
    return _in_original(result, text, cleaned)


def _in_original(result: Assessment, text: str, cleaned: CleanText) -> Assessment:
    """``result`` with its evidence pointing into the text as typed, not the cleaned copy."""

    def spans(evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        out = []
        for ev in evidence:
            start, end = cleaned.span(ev.start, ev.end)
            out.append(Evidence(text[start:end], start, end))
        return tuple(out)

    return replace(
        result,
        flags=tuple(replace(f, evidence=spans(f.evidence)) for f in result.flags),
        causes=tuple(replace(c, evidence=spans(c.evidence)) for c in result.causes),
    )


# A short post of these words, in which nothing was recognised, asks for information.
_SEARCH_QUERY_MAX_WORDS = 10
_QUERY_WORDS = frozenset(
    "what whats how when which who whos why wher symptom sign mean explain cost price charg "
    "differenc vs versus option recoveri age vaccin eligibl schedul guidelin dose dosag".split()
)
# ... unless it tells of feeling unwell: "dont know whats wrong", "feel off what is it"
_NOT_A_QUERY = frozenset({"wrong", "feel", "felt", "happen", "again", "help"})


class _Assessor:
    def __init__(
        self,
        kb: KnowledgeBase,
        text: str,
        age: float | None,
        sex: str | None,
        subject: str,
        duration: str | None,
    ) -> None:
        self.kb = kb
        self.text = text
        self.tokens: Tokens = split_tokens(text, kb.normaliser)
        context, relative_matches, concepts = kb.matcher.find_grouped(self.tokens)
        relatives = _relatives(relative_matches)
        self.subject: Subject = resolve_subject(self.tokens, relatives, subject, kb.current_verbs)
        self.affirmed: dict[str, list[Mention]] = {}
        # mentions that would be affirmed but for having gone away
        self.resolved: dict[str, list[Mention]] = {}
        self.token_bits = sentence_assertions(self.tokens, context, text)
        # per token, the context bits that govern it (0: an affirmed report)
        self.governed: list[int] = []
        # Measured values ("temperature 38.9", "took about thirty of them") join the phrase
        # matches, so negation, the past and questions govern them as they do words.
        readings = self._reading_matches()
        if readings:
            concepts = sorted([*concepts, *readings])
        reading_spans = frozenset((m.first, m.last, m.label) for m in readings)
        self.mentions: list[Mention] = assign_context(
            self.tokens,
            context,
            concepts,
            kb.kinds,
            self.subject,
            relatives,
            overrides=kb.overrides,
            affirmed=self.affirmed,
            resolved=self.resolved,
            token_bits=self.token_bits,
            text=text,
            readings=reading_spans,
            governed_out=self.governed,
        )
        if kb.compositions:
            self._compose()
        about_self = self.subject.kind == "self"
        self.age = float(age) if age is not None else infer_age(text, about_self)
        if self.age is not None and self.age < 1 and age is not None:
            # the form asks for whole years, so 0 is any baby under one: the post may say more
            # exactly ("6 month old"), which decides the rules for the first months
            told = infer_age(text, about_self)
            if told is not None and told < 1:
                self.age = told
        given_sex = sex if sex in ("female", "male") else None
        self.sex = given_sex or (
            None if sex == "other" else infer_sex(text, about_self, self.subject.word)
        )
        self.duration = _duration(text, duration)
        # (cause code, mention) for every mention of a cause's cue, whatever its context
        cue_codes = kb.cue_codes
        self.cue_mentions: list[tuple[str, Mention]] = [
            (cue_codes[m.label], m) for m in self.mentions if m.label in cue_codes
        ]

    @property
    def is_child(self) -> bool:
        if self.age is not None:
            return self.age < CHILD_AGE_YEARS
        return self.subject.kind == "child"

    def run(self) -> Assessment:
        flags, rules = self._flags()
        complaints = [(c, self.affirmed.get(c.code, [])) for c in self.kb.complaints]
        complaints = [(c, ms) for c, ms in complaints if ms]
        levels = [f.urgency for f in flags] + [c.urgency for c, _ in complaints] + ["routine"]
        urgency = max(levels, key=URGENCY_RANK.__getitem__)
        causes = self._causes(complaints)
        specialty = self._specialty(urgency, rules, complaints, causes)
        advice = self._advice(urgency, rules)
        readability = detect(self.text)
        if not readability.readable and (
            urgency != "emergency"
            or (readability.language in self.kb.languages and not mixes_in_english(self.text))
        ):
            # In a language the knowledge base lists, its own emergency phrases decide: English
            # rules read its words as misspelt English ("febbre" as fever, "mangia" as mania)
            # and cannot see its negations ("keine Atemnot"). A post that mixes in English
            # ("mi bebe is choking") keeps what its English words say.
            return self._unreadable(readability)
        if not readability.readable:
            flags.append(self._engine_flag(self.kb.not_assessed, ()))
        elif not self._recognised_anything() and self.kb.nothing_recognised is not None:
            known = self.kb.nothing_recognised
            flags.append(self._engine_flag(known, ()))
            if URGENCY_RANK[known.urgency] > URGENCY_RANK[urgency]:
                urgency = known.urgency
                advice = known.advice
        return Assessment(
            urgency=urgency,
            specialty=specialty,
            flags=tuple(flags),
            causes=tuple(causes),
            advice=advice,
            missing_info=self._missing(urgency, complaints),
            kb_version=self.kb.version,
            engine_version=ENGINE_VERSION,
        )

    # -- posts the knowledge base cannot read ------------------------------------------------

    def _recognised_anything(self) -> bool:
        """A concept was mentioned, or the post only asks questions for information (which a
        doctor answers as such: nothing there calls for a sooner visit)."""
        if any(not m.label.startswith("sense") for m in self.mentions):
            return True
        # a question asked for information gets its answer, not a "see a doctor" notice
        return "?" in self.text or any(self.token_bits) or self._is_search_query()

    def _is_search_query(self) -> bool:
        """A short query typed as into a search box, without a question mark: "endometriosis
        symptoms", "mmr vaccine what age", "crp 12 meaning", "vasectomy recovery time"."""
        norms = self.tokens.norms
        if not norms or len(norms) > _SEARCH_QUERY_MAX_WORDS:
            return False
        words = set(norms)
        return bool(words & _QUERY_WORDS) and not words & _NOT_A_QUERY

    def _engine_flag(self, flag: EngineFlag | None, evidence: tuple[Evidence, ...]) -> Flag:
        assert flag is not None, "the knowledge base declares its engine flags"
        return Flag(flag.code, flag.label, flag.urgency, evidence)

    def _unreadable(self, readability: Readability) -> Assessment:
        """Another language or no words: a person reads it; emergency words still count."""
        kb = self.kb
        not_assessed = kb.not_assessed
        assert not_assessed is not None, "the knowledge base declares not_assessed"
        language = kb.languages.get(readability.language)
        flags = [self._engine_flag(not_assessed, ())]
        urgency = not_assessed.urgency
        advice = not_assessed.advice
        hits = find_phrases(self.text, language.emergency, language.negation) if language else []
        if hits:
            urgency = "emergency"
            evidence = tuple(Evidence(self.text[a:b], a, b) for a, b in hits[:3])
            flags.insert(
                0,
                Flag(
                    "emergency_other_language", kb.emergency_other_language_label, urgency, evidence
                ),
            )
            advice = kb.advice["emergency"]
        if language is not None and language.advice:
            advice = f"{language.advice} {advice}"
        return Assessment(
            urgency=urgency,
            specialty="emergency-medicine" if urgency == "emergency" else "general-practice",
            flags=tuple(flags),
            causes=(),
            advice=advice,
            missing_info=(),
            kb_version=kb.version,
            engine_version=ENGINE_VERSION,
        )

    # -- flags ---------------------------------------------------------------------------------

    def _flags(self) -> tuple[list[Flag], list[FlagRule]]:
        raised: list[tuple[FlagRule, list[tuple[int, int]]]] = []
        index = self.kb.flags_by_first_label
        candidates: set[int] = set()
        for label in self.affirmed.keys() | self.resolved.keys():
            positions = index.get(label)
            if positions:
                candidates.update(positions)
        rules = self.kb.flags
        for position in sorted(candidates):
            rule = rules[position]
            found = self._found_with_resolved if rule.include_resolved else self.affirmed
            mentioned = found.__contains__
            if (
                rule.age_min is not None or rule.age_max is not None or rule.sex is not None
            ) and not self._patient_matches(rule):
                continue
            if rule.child and not self.is_child:
                continue
            if (
                rule.min_duration_days is None and rule.max_duration_days is None
            ) or self._duration_matches(rule):
                groups = rule.alternatives + rule.duration_free
            else:
                groups = rule.duration_free
            for alternative in groups:
                if not all(map(mentioned, alternative)):
                    continue
                used = self._satisfy(alternative, rule.scope, rule.within_words, found)
                if used is None:
                    continue
                # (start, end) spans; Evidence is built once they are deduplicated and sorted
                spans = [(m.start, m.end) for m in used]
                if rule.min_duration_days is not None and self.duration and self.duration.evidence:
                    spans.append((self.duration.evidence.start, self.duration.evidence.end))
                raised.append((rule, spans))
                break
        superseded = {code for rule, _ in raised for code in rule.supersedes}
        kept = [(r, e) for r, e in raised if r.code not in superseded]
        kept.sort(key=lambda item: -URGENCY_RANK[item[0].urgency])
        flags = [
            Flag(rule.code, rule.label, rule.urgency, self._evidence_for(spans))
            for rule, spans in kept
        ]
        return flags, [r for r, _ in kept]

    def _evidence_for(
        self, spans: list[tuple[int, int]], limit: int | None = None
    ) -> tuple[Evidence, ...]:
        """The distinct spans in text order, as evidence (the first ``limit`` of them)."""
        text = self.text
        return tuple(
            Evidence(text[start:end], start, end) for start, end in sorted(set(spans))[:limit]
        )

    def _patient_matches(self, rule: FlagRule) -> bool:
        if rule.age_min is not None and (self.age is None or self.age < rule.age_min):
            return False
        if rule.age_max is not None and (self.age is None or self.age >= rule.age_max):
            return False
        return not (rule.sex is not None and self.sex is not None and self.sex != rule.sex)

    def _duration_matches(self, rule: FlagRule) -> bool:
        days = self.duration.days if self.duration else None
        if rule.min_duration_days is not None and (days is None or days < rule.min_duration_days):
            return False
        return not (
            rule.max_duration_days is not None
            and days is not None
            and days > rule.max_duration_days
        )

    @cached_property
    def _found_with_resolved(self) -> dict[str, list[Mention]]:
        merged = {label: list(ms) for label, ms in self.affirmed.items()}
        for label, ms in self.resolved.items():
            merged.setdefault(label, []).extend(ms)
        return merged

    def _satisfy(
        self,
        labels: Sequence[str],
        scope: str,
        within_words: int | None,
        found: dict[str, list[Mention]],
    ) -> list[Mention] | None:
        if labels[0] not in found:
            return None
        candidates = [found.get(label) for label in labels]
        if not all(candidates):
            return None
        groups = [c for c in candidates if c]
        if len(groups) == 1:
            return [groups[0][0]]
        # One phrase ("hypo", "chest feels tight") never stands for two parts of a rule.
        if scope == "post":
            chosen: list[Mention] = []
            for group in groups:
                hit = next((m for m in group if not _overlaps_any(m, chosen)), None)
                if hit is None:
                    return None
                chosen.append(hit)
            return chosen
        # "near": every part within one sentence of the first part's mention, and within
        # ``within_words`` words of it when the rule sets that
        for anchor in groups[0]:
            chosen = [anchor]
            for group in groups[1:]:
                hit = next(
                    (
                        m
                        for m in group
                        if _near(anchor, m, within_words) and not _overlaps_any(m, chosen)
                    ),
                    None,
                )
                if hit is None:
                    break
                chosen.append(hit)
            else:
                return chosen
        return None

    # -- causes --------------------------------------------------------------------------------

    def _causes(self, complaints: list[tuple[Complaint, list[Mention]]]) -> list[Cause]:
        prior: dict[str, float] = {}
        # (start, end) spans; Evidence is only built for the causes that are reported
        spans: dict[str, list[tuple[int, int]]] = {}
        for complaint, ms in complaints:
            span = (ms[0].start, ms[0].end)
            for code, weight in complaint.causes:
                if code in prior:
                    prior[code] += weight
                    spans[code].append(span)
                else:
                    prior[code] = weight
                    spans[code] = [span]
        cue: dict[str, float] = {}
        for code, m in self.cue_mentions:
            if m.negated or m.other:
                continue
            if not (m.historical or m.hypothetical):
                weight = CUE_WEIGHTS["affirmed"]
            elif m.historical:
                weight = CUE_WEIGHTS["historical"]
            else:
                weight = CUE_WEIGHTS["hypothetical"]
            cue[code] = min(2.0, cue.get(code, 0.0) + weight)
            spans.setdefault(code, []).append((m.start, m.end))
        ranked: list[tuple[float, int, str]] = []
        rules = self.kb.causes
        order = self.kb.cause_order
        sex = self.sex
        cue_alone_minimum = CUE_WEIGHTS["affirmed"] * 0.6
        for code in spans:  # every code with a prior or a cue
            rule = rules[code]
            if rule.sex is not None and sex is not None and rule.sex != sex:
                continue
            p = prior.get(code, 0.0)
            c = cue.get(code, 0.0)
            if p == 0 and c < cue_alone_minimum:
                continue
            # A cue backed by the complaint is strong evidence; a cue alone is a weaker hint.
            factor = 1.5 if p > 0 else 0.6
            ranked.append((-(p + factor * c), order[code], code))
        ranked.sort()
        out: list[Cause] = []
        for negative_total, _, code in ranked[:MAX_CAUSES]:
            rule = rules[code]
            score = round(1 - math.exp(negative_total), 2)
            out.append(Cause(rule.code, rule.label, score, self._evidence_for(spans[code], 3)))
        return out

    # -- routing and wording -------------------------------------------------------------------

    def _specialty(
        self,
        urgency: str,
        rules: list[FlagRule],
        complaints: list[tuple[Complaint, list[Mention]]],
        causes: list[Cause],
    ) -> str:
        if urgency == "emergency":
            # Emergency medicine takes every emergency but a purely psychiatric one.
            specialties = [
                r.specialty or "emergency-medicine" for r in rules if r.urgency == urgency
            ]
            if not specialties or "emergency-medicine" in specialties:
                return "emergency-medicine"
            return specialties[0]
        if self.is_child:
            return "pediatrics"
        score: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        for complaint, ms in complaints:
            spec = complaint.specialty
            score[spec] += complaint.weight * min(2.0, 1 + 0.25 * (len(ms) - 1))
            first_seen[spec] = min(first_seen.get(spec, ms[0].start), ms[0].start)
        for rule in rules:
            if rule.specialty:
                score[rule.specialty] += (
                    1.5 if URGENCY_RANK[rule.urgency] >= URGENCY_RANK["urgent"] else 0.75
                )
                first_seen.setdefault(rule.specialty, len(self.text))
        # A condition the patient says they have belongs with its specialist, as much as an
        # urgent flag does.
        for code, m in self.cue_mentions:
            cause_rule = self.kb.causes[code]
            if m.label == cause_rule.name_label and m.affirmed:
                score[cause_rule.specialty] += 1.5
                first_seen.setdefault(cause_rule.specialty, m.start)
        for bonus, cause in zip((0.5, 0.25), causes, strict=False):
            spec = self.kb.causes[cause.code].specialty
            score[spec] += bonus
            first_seen.setdefault(spec, len(self.text))
        if not score:
            return "general-practice"
        return min(score, key=lambda s: (-round(score[s], 6), first_seen[s]))

    def _advice(self, urgency: str, rules: list[FlagRule]) -> str:
        parts = [self.kb.advice[urgency]]
        for rule in rules:
            if rule.advice and rule.advice not in parts:
                parts.insert(0, rule.advice)
        return " ".join(parts)

    def _missing(
        self, urgency: str, complaints: list[tuple[Complaint, list[Mention]]]
    ) -> tuple[str, ...]:
        asks: list[str] = []
        if self.age is None:
            asks.append("age")
        if self.sex is None and self.subject.kind != "child":
            asks.append("sex")
        if self.duration is None and urgency != "emergency":
            asks.append("how long the symptoms have lasted")
        if urgency != "emergency" and not any(
            code.startswith("med_") for code, m in self.cue_mentions if not m.negated
        ):
            asks.append("current medicines")
        for complaint, _ in complaints:
            for ask in complaint.ask:
                if ask not in asks:
                    asks.append(ask)
        return tuple(asks[:MAX_MISSING])

    # -- helpers -------------------------------------------------------------------------------

    def _reading_matches(self) -> list[Match]:
        """Each reading as a match over the tokens its evidence covers."""
        starts = self.tokens.starts
        if not starts:
            return []
        ends = self.tokens.ends
        out: list[Match] = []
        for reading in find_readings(self.text):
            if reading.concept not in self.kb.concepts:
                continue
            ev = reading.evidence
            first = max(0, bisect.bisect_right(starts, ev.start) - 1)
            last = max(first, bisect.bisect_left(ends, ev.end))
            out.append(Match(first, min(last, len(starts) - 1), reading.concept))
        return out

    def _compose(self) -> None:
        """Mentions of composed concepts: two parts close together ("chest" ... "tight")."""
        for composition in self.kb.compositions:
            for left_label, right_label in composition.parts:
                for found in (self.affirmed, self.resolved):
                    lefts = found.get(left_label)
                    rights = self.affirmed.get(right_label) or found.get(right_label)
                    if not lefts or not rights:
                        continue
                    for left in lefts:
                        right = next(
                            (
                                r
                                for r in rights
                                if r.sentence == left.sentence
                                and _gap(left, r) <= composition.within_words
                            ),
                            None,
                        )
                        if right is None:
                            continue
                        first, last = (left, right) if left.first <= right.first else (right, left)
                        mention = Mention(
                            composition.code,
                            first.first,
                            max(first.last, last.last),
                            first.start,
                            max(first.end, last.end),
                            left.sentence,
                            resolved=found is self.resolved,
                        )
                        self.mentions.append(mention)
                        found.setdefault(composition.code, []).append(mention)


def _gap(a: Mention, b: Mention) -> int:
    """Words between two mentions (0 when they touch or overlap)."""
    return max(0, max(b.first - a.last, a.first - b.last) - 1)


def _overlaps_any(m: Mention, chosen: Sequence[Mention]) -> bool:
    """Whether ``m`` lies within the words of a part already chosen, or they within it
    ("tight" inside "chest feels tight" is not a second finding)."""
    return any(
        (c.first <= m.first and m.last <= c.last) or (m.first <= c.first and c.last <= m.last)
        for c in chosen
    )


def _near(anchor: Mention, m: Mention, within_words: int | None) -> bool:
    if abs(m.sentence - anchor.sentence) > 1:
        return False
    if within_words is None:
        return True
    return max(m.first - anchor.last, anchor.first - m.last) - 1 <= within_words


def _relatives(matches: Sequence[Match]) -> list[tuple[Match, str]]:
    """The relative nouns, longest first where they overlap ("little boy" over "boy")."""
    found: list[tuple[Match, str]] = []
    last_end = -1
    for m in sorted(matches, key=lambda m: (m.first, -m.last)):
        if m.first <= last_end:
            continue
        found.append((m, m.label[4:]))
        last_end = m.last
    return found


def _duration(text: str, answer: str | None) -> Duration | None:
    from_text = parse_duration(text)
    from_answer = parse_duration_answer(answer) if answer else None
    if from_answer is not None and (from_text is None or from_answer > from_text.days):
        return Duration(from_answer, None)
    return from_text
