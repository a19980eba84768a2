"""Loading, validating and compiling the knowledge base in ``triage/kb/``.

The knowledge base is reviewed data, not code. Loading refuses anything a reviewer could get
subtly wrong (an unknown specialty, a misspelt urgency, a duplicate code, a reference to a
concept that does not exist, an entry without a source) with a :class:`KnowledgeBaseError` naming
the file and the entry, because a silently skipped red flag is the worst failure this engine has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from triage.language import fold_accents
from triage.matcher import PhraseMatcher
from triage.result import SPECIALTIES, URGENCY_LEVELS
from triage.text import Normaliser, fold, phrase_tokens, stem

KB_DIR = Path(__file__).resolve().parent / "kb"

CONTEXT_KINDS = (
    "negation_forward",
    "negation_backward",
    "resolved_backward",
    "family_forward",
    "family_backward",
    "historical_forward",
    "historical_backward",
    "hypothetical_forward",
    "hypothetical_backward",
    "speculation_forward",
    "hypothetical_sentence",
    "negation_sentence",
    "pseudo",
    "terminators",
    # Sentence markers, read by context.sentence_assertions rather than opening a scope.
    "past_anchors",
    "present_anchors",
    "personal",
    "question_openers",
    "when_was",
    "conditional_openers",
    "asking_for_self",
    "in_care",
)
# The matcher's groups: context triggers, relatives, and everything else (concepts).
MATCH_GROUPS = {"ctx:": 0, "rel:": 1}
CONCEPT_GROUP = 2
# A "status" is a state a past event leaves behind ("went through menopause", "back from
# Ghana"): a past-history trigger does not stop it counting as current.
CONCEPT_KINDS = ("symptom", "condition", "modifier", "cue", "status", "object")
SCOPES = ("near", "post")
SEXES = ("female", "male")


class KnowledgeBaseError(ValueError):
    """A knowledge base file is malformed; the message names the file and entry."""


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    kind: str


@dataclass(frozen=True, slots=True)
class Concept:
    code: str
    kind: str
    terms: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class FlagRule:
    code: str
    label: str
    urgency: str
    specialty: str | None
    source: str
    # Each alternative is a conjunction of concept labels; any alternative raises the flag.
    alternatives: tuple[tuple[str, ...], ...]
    scope: str
    age_min: float | None
    age_max: float | None
    sex: str | None
    min_duration_days: float | None
    max_duration_days: float | None
    supersedes: tuple[str, ...]
    advice: str | None
    # Alternatives that raise the flag whatever the stated duration ("worsening" twitching).
    duration_free: tuple[tuple[str, ...], ...] = ()
    # With scope "near": at most this many words between the parts, so "@widespread" has to
    # describe the twitching rather than the pain three clauses earlier.
    within_words: int | None = None
    # Findings that have already gone count too: a stroke's signs that passed within the hour
    # are a TIA, still an emergency.
    include_resolved: bool = False
    # Only for a child: under 16 by the age given or read, or a post about a child.
    child: bool = False


@dataclass(frozen=True, slots=True)
class Complaint:
    code: str
    label: str
    specialty: str
    urgency: str
    weight: float
    source: str
    causes: tuple[tuple[str, float], ...]
    ask: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CauseRule:
    code: str
    label: str
    specialty: str
    source: str
    sex: str | None
    cue_label: str | None
    # The condition's own names ("lupus"): a patient who says they have it is routed to its
    # specialty. A diagnosis is a status, so "diagnosed five years ago" still counts.
    name_label: str | None = None


@dataclass(frozen=True, slots=True)
class Composition:
    """A concept mentioned by two others close together: body part and finding ("lips" and
    "blue"), ingestion and substance. ``parts`` are alternative (left, right) label pairs."""

    code: str
    parts: tuple[tuple[str, str], ...]
    within_words: int


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str
    advice: str
    # accent-folded phrases; any one of them in the accent-folded post makes it an emergency
    emergency: tuple[str, ...]
    # accent-folded words that, just before an emergency phrase, deny it ("keine Atemnot")
    negation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EngineFlag:
    """A flag the engine raises itself (``not_assessed``, ``nothing_recognised``)."""

    code: str
    label: str
    urgency: str
    advice: str


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    version: str
    sources: Mapping[str, Source]
    concepts: Mapping[str, Concept]
    flags: tuple[FlagRule, ...]
    complaints: tuple[Complaint, ...]
    causes: Mapping[str, CauseRule]
    relatives: Mapping[str, frozenset[str]]
    current_verbs: frozenset[str]
    advice: Mapping[str, str]
    crisis_advice: str
    matcher: PhraseMatcher
    normaliser: Normaliser
    # label -> concept kind, for every label the matcher can report
    kinds: Mapping[str, str]
    # label -> positions in ``flags`` of the rules with an alternative that starts with it: a
    # rule can only be raised when one of those labels is mentioned, so the rest are skipped.
    flags_by_first_label: Mapping[str, tuple[int, ...]]
    # cause code -> its position in causes.yaml, which breaks ties between equal scores
    cause_order: Mapping[str, int]
    # matcher label of a cause's cues or names -> the cause code
    cue_codes: Mapping[str, str]
    # cue label -> labels whose mentions inside one of its matches it explains away ("mouth
    # tingles after eating" is a food allergy cue, not neurological tingling)
    overrides: Mapping[str, frozenset[str]]
    languages: Mapping[str, Language] = field(default_factory=dict)
    # composed concepts, in the order their files declare them (a later one may use an earlier)
    compositions: tuple[Composition, ...] = ()
    not_assessed: EngineFlag | None = None
    nothing_recognised: EngineFlag | None = None
    emergency_other_language_label: str = "Emergency words in another language"

    @property
    def flag_codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.flags)


def _fail(where: str, message: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(f"{where}: {message}")


# libyaml's parser where PyYAML was built with it (the wheels are): the same safe constructor,
# eight times faster, which every process that triages pays once at start-up.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - safe
    except yaml.YAMLError as exc:
        raise _fail(path.name, f"not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise _fail(path.name, "the top level must be a mapping")
    return data


def _check_keys(
    where: str, entry: Mapping[str, Any], required: set[str], optional: set[str]
) -> None:
    missing = required - entry.keys()
    if missing:
        raise _fail(where, f"missing {', '.join(sorted(missing))}")
    unknown = entry.keys() - required - optional
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")


def _str_list(where: str, value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(where, f"{what} must be a non-empty list")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail(where, f"{what} must hold non-empty strings, got {item!r}")
    return tuple(item.strip() for item in value)


def _number(where: str, value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _fail(where, f"{what} must be a non-negative number, got {value!r}")
    return float(value)


class _Builder:
    def __init__(self, kb_dir: Path) -> None:
        self.kb_dir = kb_dir
        self.phrases: list[tuple[str, str, str]] = []  # (where, phrase, label)
        self.kinds: dict[str, str] = {}

    def add_terms(self, where: str, label: str, kind: str, terms: Iterable[str]) -> None:
        self.kinds[label] = kind
        for term in terms:
            self.phrases.append((where, term, label))


def load_knowledge_base(kb_dir: Path = KB_DIR) -> KnowledgeBase:
    """Read, validate and compile every file under ``kb_dir``."""
    b = _Builder(kb_dir)
    meta = _read(kb_dir / "kb.yaml")
    _check_keys("kb.yaml", meta, {"version", "sources", "advice", "crisis_advice"}, set())
    version = meta["version"]
    if not isinstance(version, str) or not version:
        raise _fail("kb.yaml", "version must be a non-empty string")
    sources: dict[str, Source] = {}
    for sid, info in (meta["sources"] or {}).items():
        if not isinstance(info, dict):
            raise _fail(f"kb.yaml source {sid}", "must be a mapping with title and kind")
        _check_keys(f"kb.yaml source {sid}", info, {"title", "kind"}, {"file"})
        sources[str(sid)] = Source(str(sid), str(info["title"]), str(info["kind"]))
    advice = meta["advice"]
    if not isinstance(advice, dict) or set(advice) != set(URGENCY_LEVELS):
        raise _fail("kb.yaml", f"advice must have exactly the levels {', '.join(URGENCY_LEVELS)}")

    def check_source(where: str, value: Any) -> str:
        if value not in sources:
            raise _fail(where, f"unknown source {value!r} (declare it in kb.yaml)")
        return str(value)

    def check_specialty(where: str, value: Any) -> str:
        if value not in SPECIALTIES:
            raise _fail(where, f"unknown specialty {value!r}")
        return str(value)

    def check_urgency(where: str, value: Any) -> str:
        if value not in URGENCY_LEVELS:
            raise _fail(where, f"bad urgency {value!r}; use one of {', '.join(URGENCY_LEVELS)}")
        return str(value)

    # Context triggers and spelling lexicon.
    ctx = _read(kb_dir / "context.yaml")
    _check_keys(
        "context.yaml",
        ctx,
        {"version", "source", "triggers", "relatives", "current_verbs", "replacements"},
        set(),
    )
    check_source("context.yaml", ctx["source"])
    triggers = ctx["triggers"]
    if not isinstance(triggers, dict) or set(triggers) != set(CONTEXT_KINDS):
        raise _fail("context.yaml", f"triggers must have exactly {', '.join(CONTEXT_KINDS)}")
    for kind in CONTEXT_KINDS:
        b.add_terms(
            f"context.yaml {kind}",
            f"ctx:{kind}",
            "context",
            _str_list("context.yaml", triggers[kind], kind),
        )
    relatives: dict[str, frozenset[str]] = {}
    for group in ("child", "adult", "animal"):
        words = _str_list("context.yaml relatives", (ctx["relatives"] or {}).get(group), group)
        relatives[group] = frozenset(words)
        b.add_terms(f"context.yaml relatives {group}", f"rel:{group}", "context", words)
    current_verbs = frozenset(_str_list("context.yaml", ctx["current_verbs"], "current_verbs"))
    replacements = ctx["replacements"]
    if not isinstance(replacements, dict):
        raise _fail("context.yaml", "replacements must map a word to its standard spelling")
    flat_replacements: dict[str, str] = {}
    for group, mapping in replacements.items():
        if not isinstance(mapping, dict):
            raise _fail(f"context.yaml replacements {group}", "must be a mapping")
        for k, v in mapping.items():
            if not isinstance(v, str) or not v.strip():
                raise _fail(f"context.yaml replacements {group}", f"bad replacement for {k!r}")
            flat_replacements[str(k)] = v

    # Shared concepts.
    concepts: dict[str, Concept] = {}
    concept_files = [kb_dir / "concepts.yaml", *sorted((kb_dir / "concepts").glob("*.yaml"))]
    concept_entries = [
        (f"{path.relative_to(kb_dir).as_posix()} entry {i + 1}", entry)
        for path in concept_files
        for i, entry in enumerate(_read(path).get("concepts") or [])
    ]
    pending_compositions: list[tuple[str, str, Any, int]] = []
    for where_entry, entry in concept_entries:
        where = f"{where_entry} ({entry.get('code', '?')})"
        _check_keys(where, entry, {"code", "kind", "source"}, {"terms", "compose", "within_words"})
        code = str(entry["code"])
        if code in concepts:
            raise _fail(where, f"duplicate concept code {code!r}")
        if entry["kind"] not in CONCEPT_KINDS:
            raise _fail(where, f"kind must be one of {', '.join(CONCEPT_KINDS)}")
        if "terms" not in entry and "compose" not in entry:
            raise _fail(where, "a concept needs terms, compose, or both")
        terms = _str_list(where, entry["terms"], "terms") if "terms" in entry else ()
        concepts[code] = Concept(code, entry["kind"], terms, check_source(where, entry["source"]))
        b.add_terms(where, code, entry["kind"], terms)
        b.kinds[code] = entry["kind"]
        if "compose" in entry:
            within = entry.get("within_words", 3)
            if isinstance(within, bool) or not isinstance(within, int) or within < 0:
                raise _fail(where, f"within_words must be a whole number, got {within!r}")
            pending_compositions.append((where, code, entry["compose"], within))
        elif "within_words" in entry:
            raise _fail(where, "within_words only applies to compose")

    # Causes.
    causes: dict[str, CauseRule] = {}
    overrides: dict[str, tuple[str, tuple[str, ...]]] = {}
    cause_file = _read(kb_dir / "causes.yaml")
    for i, entry in enumerate(cause_file.get("causes") or []):
        where = f"causes.yaml entry {i + 1} ({entry.get('code', '?')})"
        _check_keys(
            where,
            entry,
            {"code", "label", "specialty", "source"},
            {"cues", "sex", "names", "overrides"},
        )
        code = str(entry["code"])
        if code in causes:
            raise _fail(where, f"duplicate cause code {code!r}")
        sex = entry.get("sex")
        if sex is not None and sex not in SEXES:
            raise _fail(where, f"sex must be one of {', '.join(SEXES)}")
        cue_label = None
        if entry.get("cues"):
            cue_label = f"cause:{code}"
            b.add_terms(where, cue_label, "cue", _str_list(where, entry["cues"], "cues"))
        name_label = None
        if entry.get("names"):
            name_label = f"name:{code}"
            b.add_terms(where, name_label, "status", _str_list(where, entry["names"], "names"))
        if "overrides" in entry:
            if cue_label is None:
                raise _fail(where, "overrides needs cues that explain the overridden words")
            overrides[cue_label] = (where, _str_list(where, entry["overrides"], "overrides"))
        causes[code] = CauseRule(
            code,
            str(entry["label"]),
            check_specialty(where, entry["specialty"]),
            check_source(where, entry["source"]),
            sex,
            cue_label,
            name_label,
        )

    # Complaint areas; each is also a concept flags can refer to.
    complaints: list[Complaint] = []
    comp_file = _read(kb_dir / "complaints.yaml")
    for i, entry in enumerate(comp_file.get("complaints") or []):
        where = f"complaints.yaml entry {i + 1} ({entry.get('code', '?')})"
        _check_keys(
            where,
            entry,
            {"code", "label", "specialty", "urgency", "source", "terms", "causes"},
            {"weight", "ask"},
        )
        code = str(entry["code"])
        if code in concepts or any(c.code == code for c in complaints):
            raise _fail(where, f"duplicate code {code!r}")
        raw_causes = entry["causes"]
        if not isinstance(raw_causes, dict) or not raw_causes:
            raise _fail(where, "causes must map cause codes to prior weights")
        for cause_code, prior in raw_causes.items():
            if cause_code not in causes:
                raise _fail(where, f"unknown cause {cause_code!r}")
            _number(where, prior, f"prior for {cause_code}")
        weight = _number(where, entry.get("weight", 1.0), "weight")
        complaints.append(
            Complaint(
                code,
                str(entry["label"]),
                check_specialty(where, entry["specialty"]),
                check_urgency(where, entry["urgency"]),
                1.0 if weight is None else weight,
                check_source(where, entry["source"]),
                tuple((str(k), float(v)) for k, v in raw_causes.items()),
                _str_list(where, entry["ask"], "ask") if "ask" in entry else (),
            )
        )
        concepts[code] = Concept(
            code, "symptom", _str_list(where, entry["terms"], "terms"), complaints[-1].source
        )
        b.add_terms(where, code, "symptom", concepts[code].terms)

    compositions = []
    for where, code, pairs, within in pending_compositions:
        if not isinstance(pairs, list) or not pairs:
            raise _fail(where, "compose must be a list of [concept, concept] pairs")
        checked = []
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise _fail(where, f"compose entries are pairs of concepts, got {pair!r}")
            for part in pair:
                ref = str(part).removeprefix("@")
                if ref not in concepts:
                    raise _fail(where, f"compose refers to unknown concept @{ref}")
            checked.append((str(pair[0]).removeprefix("@"), str(pair[1]).removeprefix("@")))
        compositions.append(Composition(code, tuple(checked), within))

    # Red flags.
    flags: list[FlagRule] = []
    flag_dir = kb_dir / "flags"
    for path in sorted(flag_dir.rglob("*.yaml")):
        name = path.relative_to(flag_dir).as_posix()
        for i, entry in enumerate(_read(path).get("flags") or []):
            where = f"flags/{name} entry {i + 1} ({entry.get('code', '?')})"
            flags.append(
                _flag(where, entry, b, concepts, check_source, check_specialty, check_urgency)
            )
    codes = [f.code for f in flags]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise _fail("flags/", f"duplicate flag code(s) {', '.join(duplicates)}")
    for rule in flags:
        for other in rule.supersedes:
            if other not in codes:
                raise _fail(f"flag {rule.code}", f"supersedes unknown flag {other!r}")

    # Word senses: phrases in which a concept's words mean something else ("ectopic kidney",
    # "overdosed on chocolate"); a flag code stands for the phrases of its `any` list.
    senses_path = kb_dir / "senses.yaml"
    if senses_path.exists():
        flag_codes = {rule.code for rule in flags}
        for i, entry in enumerate(_read(senses_path).get("senses") or []):
            where = f"senses.yaml entry {i + 1}"
            _check_keys(where, entry, {"phrases", "cancels", "source"}, {"scope"})
            check_source(where, entry["source"])
            scope = entry.get("scope", "near")
            if scope not in SCOPES:
                raise _fail(where, f"scope must be one of {', '.join(SCOPES)}")
            # a post-wide sense explains the words away wherever they are in the post
            label = f"sense:{i + 1}" if scope == "near" else f"sense-post:{i + 1}"
            b.add_terms(where, label, "cue", _str_list(where, entry["phrases"], "phrases"))
            cancelled = []
            for code in _str_list(where, entry["cancels"], "cancels"):
                if code in flag_codes:
                    cancelled.append(f"flag:{code}")
                elif code in concepts:
                    cancelled.append(code)
                else:
                    raise _fail(where, f"cancels unknown concept or flag {code!r}")
            overrides[label] = (where, tuple(cancelled))

    for where, overridden in overrides.values():
        for other in overridden:
            if other not in concepts and not other.startswith("flag:"):
                raise _fail(where, f"overrides unknown concept {other!r}")

    # Compile every phrase into one matcher. Long words from the knowledge base form the
    # vocabulary that one-letter misspellings are corrected towards.
    vocabulary = frozenset(
        fold(w)
        for _, phrase, label in b.phrases
        if not label.startswith("ctx:")
        for w in phrase.split()
        if len(w) >= 5 and w.isalpha()
    )
    normaliser = Normaliser(flat_replacements, vocabulary, english_words())
    matcher = PhraseMatcher()
    for where, phrase, label in b.phrases:
        tokens = phrase_tokens(phrase, normaliser)
        try:
            match_group = MATCH_GROUPS.get(label[:4], CONCEPT_GROUP)
            matcher.add(tokens, label, match_group)
            for variant in _variants(tokens):
                matcher.add(variant, label, match_group)
        except ValueError as exc:
            raise _fail(where, str(exc)) from exc

    languages, not_assessed, nothing_recognised, other_label = _languages(
        kb_dir, check_source, check_urgency
    )
    return KnowledgeBase(
        compositions=tuple(compositions),
        languages=languages,
        not_assessed=not_assessed,
        nothing_recognised=nothing_recognised,
        emergency_other_language_label=other_label,
        version=version,
        sources=sources,
        concepts=concepts,
        flags=tuple(flags),
        complaints=tuple(complaints),
        causes=causes,
        relatives=relatives,
        current_verbs=frozenset(t for v in current_verbs for t in normaliser(v)),
        advice={k: str(v) for k, v in advice.items()},
        crisis_advice=str(meta["crisis_advice"]),
        matcher=matcher,
        normaliser=normaliser,
        kinds=b.kinds,
        flags_by_first_label=_flags_by_first_label(flags),
        cause_order={code: i for i, code in enumerate(causes)},
        cue_codes={
            label: code
            for code, rule in causes.items()
            for label in (rule.cue_label, rule.name_label)
            if label
        },
        overrides={label: frozenset(labels) for label, (_, labels) in overrides.items()},
    )


def _languages(
    kb_dir: Path, check_source: Any, check_urgency: Any
) -> tuple[dict[str, Language], EngineFlag, EngineFlag, str]:
    where = "languages.yaml"
    data = _read(kb_dir / where)
    _check_keys(
        where,
        data,
        {"source", "not_assessed", "nothing_recognised", "emergency_other_language", "languages"},
        set(),
    )
    check_source(where, data["source"])

    def engine_flag(code: str) -> EngineFlag:
        entry = data[code]
        _check_keys(f"{where} {code}", entry, {"label", "urgency", "advice"}, set())
        return EngineFlag(
            code,
            str(entry["label"]),
            check_urgency(f"{where} {code}", entry["urgency"]),
            str(entry["advice"]).strip(),
        )

    languages: dict[str, Language] = {}
    for code, entry in (data["languages"] or {}).items():
        at = f"{where} language {code}"
        _check_keys(at, entry, {"name", "advice", "emergency"}, {"negation"})
        phrases = tuple(fold_accents(p) for p in _str_list(at, entry["emergency"], "emergency"))
        negation = (
            tuple(fold_accents(p) for p in _str_list(at, entry["negation"], "negation"))
            if "negation" in entry
            else ()
        )
        languages[str(code)] = Language(
            str(code), str(entry["name"]), str(entry["advice"]).strip(), phrases, negation
        )
    other = data["emergency_other_language"]
    _check_keys(f"{where} emergency_other_language", other, {"label"}, set())
    return (
        languages,
        engine_flag("not_assessed"),
        engine_flag("nothing_recognised"),
        str(other["label"]),
    )


# A word seen fewer times than this in the frequency list is as likely a misspelling as a word.
_DICTIONARY_MIN_COUNT = 50_000


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English words of symspellpy's frequency list (Google Books counts over SCOWL)."""
    listing = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    words = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        if int(count) >= _DICTIONARY_MIN_COUNT:
            words.append(word)
    return frozenset(words)


def _flags_by_first_label(flags: Iterable[FlagRule]) -> dict[str, tuple[int, ...]]:
    index: dict[str, list[int]] = {}
    for i, rule in enumerate(flags):
        for alternative in rule.alternatives + rule.duration_free:
            positions = index.setdefault(alternative[0], [])
            if i not in positions:
                positions.append(i)
    return {label: tuple(positions) for label, positions in index.items()}


_SPLIT_CONTRACTIONS = {
    "cant": ("can", "not"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "wont": ("will", "not"),
    "isnt": ("is", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "didnt": ("did", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
}
_SPLIT_STEMMED = {k: tuple(stem(w) for w in v) for k, v in _SPLIT_CONTRACTIONS.items()}


def _variants(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Spelled-out forms of contractions ("can't" also as "can not")."""
    if not any(t in _SPLIT_STEMMED for t in tokens):
        return []
    out: list[str] = []
    for t in tokens:
        out.extend(_SPLIT_STEMMED.get(t, (t,)))
    return [tuple(out)]


def _flag(
    where: str,
    entry: Mapping[str, Any],
    b: _Builder,
    concepts: Mapping[str, Concept],
    check_source: Any,
    check_specialty: Any,
    check_urgency: Any,
) -> FlagRule:
    _check_keys(
        where,
        entry,
        {"code", "label", "urgency", "source"},
        {
            "specialty",
            "any",
            "all",
            "scope",
            "age_min",
            "age_max",
            "sex",
            "min_duration_days",
            "max_duration_days",
            "supersedes",
            "advice",
            "all_ignoring_duration",
            "within_words",
            "include_resolved",
            "child",
        },
    )
    code = str(entry["code"])
    alternatives: list[tuple[str, ...]] = []
    duration_free = [
        _group(where, g, b, concepts) for g in entry.get("all_ignoring_duration") or []
    ]
    if "any" in entry:
        label = f"flag:{code}"
        b.add_terms(where, label, "symptom", _str_list(where, entry["any"], "any"))
        alternatives.append((label,))
    for group in entry.get("all") or []:
        alternatives.append(_group(where, group, b, concepts))
    if not alternatives:
        raise _fail(where, "a flag needs 'any' phrases or 'all' groups")
    scope = entry.get("scope", "near")
    if scope not in SCOPES:
        raise _fail(where, f"scope must be one of {', '.join(SCOPES)}")
    sex = entry.get("sex")
    if sex is not None and sex not in SEXES:
        raise _fail(where, f"sex must be one of {', '.join(SEXES)}")
    within_words = entry.get("within_words")
    if within_words is not None and (
        isinstance(within_words, bool) or not isinstance(within_words, int) or within_words < 0
    ):
        raise _fail(where, f"within_words must be a whole number of words, got {within_words!r}")
    if within_words is not None and scope != "near":
        raise _fail(where, "within_words only applies to scope near")
    specialty = entry.get("specialty")
    supersedes = entry.get("supersedes") or []
    if not isinstance(supersedes, list):
        raise _fail(where, "supersedes must be a list of flag codes")
    return FlagRule(
        code=code,
        label=str(entry["label"]),
        urgency=check_urgency(where, entry["urgency"]),
        specialty=None if specialty is None else check_specialty(where, specialty),
        source=check_source(where, entry["source"]),
        alternatives=tuple(alternatives),
        scope=scope,
        age_min=_number(where, entry.get("age_min"), "age_min"),
        age_max=_number(where, entry.get("age_max"), "age_max"),
        sex=sex,
        min_duration_days=_number(where, entry.get("min_duration_days"), "min_duration_days"),
        max_duration_days=_number(where, entry.get("max_duration_days"), "max_duration_days"),
        supersedes=tuple(str(s) for s in supersedes),
        advice=None if entry.get("advice") is None else str(entry["advice"]),
        duration_free=tuple(duration_free),
        within_words=within_words,
        include_resolved=bool(entry.get("include_resolved", False)),
        child=bool(entry.get("child", False)),
    )


def _group(where: str, group: Any, b: _Builder, concepts: Mapping[str, Concept]) -> tuple[str, ...]:
    labels: list[str] = []
    for part in _str_list(where, group, "each group of all"):
        if part.startswith("@"):
            ref = part[1:]
            if ref not in concepts:
                raise _fail(where, f"unknown concept @{ref}")
            labels.append(ref)
        else:
            label = f"lit:{part}"
            b.add_terms(where, label, "symptom", [part])
            labels.append(label)
    return tuple(labels)
