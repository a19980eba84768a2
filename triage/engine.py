"""The triage pipeline: text and intake answers in, an :class:`Assessment` out."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from triage.context import Mention, Subject, assign_context, resolve_subject
from triage.kb import CauseRule, Complaint, FlagRule, KnowledgeBase, load_knowledge_base
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
from triage.text import Token, tokenize

ENGINE_VERSION = "1.0.0"
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
    ``ValueError`` on empty text or an out-of-range answer.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text is empty")
    if subject not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}")
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be one of {', '.join(SEXES)}")
    if age is not None and (isinstance(age, bool) or not 0 <= age <= 130):
        raise ValueError("age must be a number of years between 0 and 130")
    kb = kb or knowledge_base()
    return _Assessor(kb, text, age, sex, subject, duration).run()


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
        self.tokens: list[Token] = tokenize(text, kb.normaliser)
        matches = kb.matcher.find(self.tokens)
        relatives = _relatives(matches)
        self.subject: Subject = resolve_subject(self.tokens, relatives, subject, kb.current_verbs)
        self.mentions: list[Mention] = assign_context(
            self.tokens, matches, kb.kinds, self.subject, relatives
        )
        self.mentions.extend(self._readings())
        about_self = self.subject.kind == "self"
        self.age = float(age) if age is not None else infer_age(text, about_self)
        given_sex = sex if sex in ("female", "male") else None
        self.sex = given_sex or (
            None if sex == "other" else infer_sex(text, about_self, self.subject.word)
        )
        self.duration = _duration(text, duration)
        self.affirmed: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            if m.affirmed:
                self.affirmed[m.label].append(m)

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
        return Assessment(
            urgency=urgency,
            specialty=specialty,
            flags=tuple(flags),
            causes=tuple(causes),
            advice=self._advice(urgency, rules),
            missing_info=self._missing(urgency, complaints),
            kb_version=self.kb.version,
            engine_version=ENGINE_VERSION,
        )

    # -- flags ---------------------------------------------------------------------------------

    def _flags(self) -> tuple[list[Flag], list[FlagRule]]:
        raised: list[tuple[FlagRule, list[Evidence]]] = []
        for rule in self.kb.flags:
            if not self._patient_matches(rule):
                continue
            groups = list(rule.duration_free)
            if self._duration_matches(rule):
                groups = list(rule.alternatives) + groups
            for alternative in groups:
                used = self._satisfy(alternative, rule.scope)
                if used is None:
                    continue
                evidence = [Evidence(self.text[m.start : m.end], m.start, m.end) for m in used]
                if rule.min_duration_days is not None and self.duration and self.duration.evidence:
                    evidence.append(self.duration.evidence)
                raised.append((rule, evidence))
                break
        superseded = {code for rule, _ in raised for code in rule.supersedes}
        kept = [(r, e) for r, e in raised if r.code not in superseded]
        kept.sort(key=lambda item: -URGENCY_RANK[item[0].urgency])
        flags = [
            Flag(rule.code, rule.label, rule.urgency, tuple(sorted(set(ev), key=lambda e: e.start)))
            for rule, ev in kept
        ]
        return flags, [r for r, _ in kept]

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

    def _satisfy(self, labels: Sequence[str], scope: str) -> list[Mention] | None:
        if labels[0] not in self.affirmed:
            return None
        candidates = [self.affirmed.get(label) for label in labels]
        if not all(candidates):
            return None
        groups = [c for c in candidates if c]
        if scope == "post" or len(groups) == 1:
            return [g[0] for g in groups]
        # "near": every part within one sentence of the first part's mention
        for anchor in groups[0]:
            chosen = [anchor]
            for group in groups[1:]:
                hit = next((m for m in group if abs(m.sentence - anchor.sentence) <= 1), None)
                if hit is None:
                    break
                chosen.append(hit)
            else:
                return chosen
        return None

    # -- causes --------------------------------------------------------------------------------

    def _causes(self, complaints: list[tuple[Complaint, list[Mention]]]) -> list[Cause]:
        prior: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[Evidence]] = defaultdict(list)
        for complaint, ms in complaints:
            for code, weight in complaint.causes:
                prior[code] += weight
                evidence[code].append(self._evidence(ms[0]))
        cue: dict[str, float] = defaultdict(float)
        for m in self.mentions:
            if not m.label.startswith("cause:") or m.negated or m.other:
                continue
            code = m.label[6:]
            if m.affirmed:
                weight = CUE_WEIGHTS["affirmed"]
            elif m.historical:
                weight = CUE_WEIGHTS["historical"]
            else:
                weight = CUE_WEIGHTS["hypothetical"]
            cue[code] = min(2.0, cue[code] + weight)
            evidence[code].insert(0, self._evidence(m))
        ranked: list[tuple[float, int, CauseRule]] = []
        order = {code: i for i, code in enumerate(self.kb.causes)}
        for code in set(prior) | set(cue):
            rule = self.kb.causes[code]
            if rule.sex is not None and self.sex is not None and rule.sex != self.sex:
                continue
            if prior[code] == 0 and cue[code] < CUE_WEIGHTS["affirmed"] * 0.6:
                continue
            # A cue backed by the complaint is strong evidence; a cue alone is a weaker hint.
            factor = 1.5 if prior[code] > 0 else 0.6
            ranked.append((prior[code] + factor * cue[code], order[code], rule))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        out: list[Cause] = []
        for total, _, rule in ranked[:MAX_CAUSES]:
            spans = sorted(set(evidence[rule.code]), key=lambda e: e.start)[:3]
            out.append(Cause(rule.code, rule.label, round(1 - math.exp(-total), 2), tuple(spans)))
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
            top = next(r for r in rules if r.urgency == "emergency")
            return top.specialty or "emergency-medicine"
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
            m.label.startswith("cause:med_") for m in self.mentions if not m.negated
        ):
            asks.append("current medicines")
        for complaint, _ in complaints:
            for ask in complaint.ask:
                if ask not in asks:
                    asks.append(ask)
        return tuple(asks[:MAX_MISSING])

    # -- helpers -------------------------------------------------------------------------------

    def _evidence(self, m: Mention) -> Evidence:
        return Evidence(self.text[m.start : m.end], m.start, m.end)

    def _readings(self) -> list[Mention]:
        starts = [t.start for t in self.tokens]
        out: list[Mention] = []
        for reading in find_readings(self.text):
            if reading.concept not in self.kb.concepts:
                continue
            i = max(0, bisect.bisect_right(starts, reading.evidence.start) - 1)
            sentence = self.tokens[i].sentence if self.tokens else 0
            ev = reading.evidence
            out.append(Mention(reading.concept, i, i, ev.start, ev.end, sentence))
        return out


def _relatives(matches: Sequence[Match]) -> list[tuple[Match, str]]:
    found: list[tuple[Match, str]] = []
    last_end = -1
    for m in sorted(
        (m for m in matches if m.label.startswith("rel:")), key=lambda m: (m.first, -m.last)
    ):
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
