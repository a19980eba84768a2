"""How well the detector finds personal details, measured on a labelled set.

The set (tests/forum/data/personal_details.jsonl: {"id", "text", "spans": [{"start", "end",
"kind"}]}) is split for good by a hash of each id: the tuning half is the one whose mistakes
were read while the rules were written, the held-out half never was, so its figures are the
honest ones. Scoring is by span: a finding counts when it overlaps a labelled span of the same
kind; a labelled span is found when a finding of its kind overlaps it.

    python -m forum.privacy.evaluation [FILE] [--mistakes tuning]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from forum.privacy.detector import KINDS, find_personal_details

DEFAULT_SET = Path("tests/forum/data/personal_details.jsonl")
TUNING = "tuning"
HELD_OUT = "held-out"


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    spans: tuple[tuple[str, int, int], ...]


def load(path: Path = DEFAULT_SET) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            spans = tuple((s["kind"], int(s["start"]), int(s["end"])) for s in row["spans"])
            examples.append(Example(id=str(row["id"]), text=str(row["text"]), spans=spans))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from None
    return examples


def half_of(example_id: str) -> str:
    """Which half an example is in, for good: the first byte of the SHA-256 of its id."""
    return TUNING if hashlib.sha256(example_id.encode()).digest()[0] % 2 == 0 else HELD_OUT


@dataclass
class Counts:
    found: int = 0  # findings
    right: int = 0  # findings that overlap a labelled span of their kind
    labelled: int = 0
    recalled: int = 0  # labelled spans some finding of their kind overlaps

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.labelled if self.labelled else 1.0


@dataclass
class Score:
    by_kind: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    mistakes: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for c in self.by_kind.values():
            total.found += c.found
            total.right += c.right
            total.labelled += c.labelled
            total.recalled += c.recalled
        return total


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(examples: Iterable[Example]) -> Score:
    result = Score()
    for ex in examples:
        found = [(d.kind, d.start, d.end) for d in find_personal_details(ex.text)]
        for kind, start, end in found:
            counts = result.by_kind[kind]
            counts.found += 1
            if any(k == kind and _overlaps((start, end), (s, e)) for k, s, e in ex.spans):
                counts.right += 1
            else:
                result.mistakes.append(f"{ex.id} extra {kind}: {ex.text[start:end]!r}")
        for kind, start, end in ex.spans:
            counts = result.by_kind[kind]
            counts.labelled += 1
            if any(k == kind and _overlaps((start, end), (s, e)) for k, s, e in found):
                counts.recalled += 1
            else:
                result.mistakes.append(f"{ex.id} missed {kind}: {ex.text[start:end]!r}")
    return result


def score_halves(examples: Sequence[Example]) -> dict[str, Score]:
    return {
        half: score(ex for ex in examples if half_of(ex.id) == half) for half in (TUNING, HELD_OUT)
    }


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'half':<9} {'kind':<8} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7}"]
    for half, result in scores.items():
        rows = [*result.by_kind.items(), ("overall", result.overall)]
        for kind, c in rows:
            lines.append(
                f"{half:<9} {kind:<8} {c.labelled:>8} {c.found:>6} "
                f"{c.precision:>9.3f} {c.recall:>7.3f}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--mistakes", choices=[TUNING], help="also list the tuning half's mistakes")
    parser.add_argument(
        "--only", choices=[TUNING, HELD_OUT], help="score one half only (while writing rules)"
    )
    args = parser.parse_args(argv)
    examples = load(args.path)
    scores = score_halves(examples)
    if args.only:
        scores = {args.only: scores[args.only]}
    counts = {half: sum(1 for ex in examples if half_of(ex.id) == half) for half in scores}
    print(f"{args.path}: " + ", ".join(f"{n} {half} texts" for half, n in counts.items()))
    print(table(scores))
    if args.mistakes:
        print(f"\nMistakes on the {args.mistakes} half:")
        print("\n".join(scores[args.mistakes].mistakes) or "(none)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
