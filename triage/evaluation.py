"""Score the engine against labelled sets of posts, each set reported on its own.

Run ``python -m triage.evaluation [-v] SET.jsonl [SET.jsonl ...]``. Each line holds a post and
what a clinician would expect. Two label shapes are read:

- the rules set (``eval_posts.jsonl``, written together with the knowledge base): ``urgency``,
  ``specialty``, the ``flags`` that must be raised, the ``absent_flags`` that must not be (context
  traps) and ``causes`` expected in the top five;
- the independent sets (``independent/*.jsonl``, written by people who had not read the rules):
  ``urgency``, ``acceptable`` (every level a clinician would accept), ``category`` (emergency,
  urgent, soon, routine, trap or info) and ``pattern`` (what makes the post hard).

A *context error* is a trap flag raised (rules set) or a trap post triaged above every level its
label accepts (independent sets): the words that should not have counted raised the urgency.
A post the engine cannot read (another language, emoji only, characters hidden inside words)
never counts as acceptable at ``routine``: it must not be called suitable for self-care.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.engine import assess
from triage.result import URGENCY_LEVELS, URGENCY_RANK, Assessment

UNREADABLE_PATTERNS = frozenset({"non-english", "emoji", "obfuscated"})


@dataclass
class Report:
    name: str = ""
    total: int = 0
    level_total: Counter[str] = field(default_factory=Counter)
    level_correct: Counter[str] = field(default_factory=Counter)
    acceptable: int = 0
    under_triage: int = 0
    over_triage: int = 0
    emergencies: int = 0
    emergencies_caught: int = 0
    # posts labelled as no emergency that the engine called one
    false_emergencies: int = 0
    non_emergencies: int = 0
    unreadable: int = 0
    unreadable_self_care: int = 0
    specialty_total: int = 0
    specialty_correct: int = 0
    causes_expected: int = 0
    causes_found: int = 0
    flag_tp: int = 0
    flag_fp: int = 0
    flag_fn: int = 0
    context_errors: list[str] = field(default_factory=list)
    missed_emergencies: list[str] = field(default_factory=list)
    false_emergency_ids: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_caught / self.emergencies if self.emergencies else 1.0

    @property
    def acceptable_rate(self) -> float:
        return self.acceptable / self.total if self.total else 0.0

    @property
    def flag_precision(self) -> float:
        return self.flag_tp / (self.flag_tp + self.flag_fp) if self.flag_tp + self.flag_fp else 1.0

    @property
    def flag_recall(self) -> float:
        return self.flag_tp / (self.flag_tp + self.flag_fn) if self.flag_tp + self.flag_fn else 1.0

    @property
    def specialty_accuracy(self) -> float:
        return self.specialty_correct / self.specialty_total if self.specialty_total else 1.0

    @property
    def cause_recall_at_5(self) -> float:
        return self.causes_found / self.causes_expected if self.causes_expected else 1.0

    @property
    def urgency_accuracy(self) -> float:
        return sum(self.level_correct.values()) / self.total if self.total else 0.0

    def lines(self) -> list[str]:
        out = [f"posts: {self.total}"]
        for level in URGENCY_LEVELS:
            n = self.level_total[level]
            if n:
                ok = self.level_correct[level]
                out.append(f"accuracy[{level}]: {ok}/{n} = {ok / n:.1%}")
        out += [
            f"urgency accuracy (exact level): {self.urgency_accuracy:.1%}",
            f"acceptable urgency: {self.acceptable}/{self.total} = {self.acceptable_rate:.1%}",
            f"emergency recall: {self.emergencies_caught}/{self.emergencies}"
            f" = {self.emergency_recall:.1%}",
            f"false emergencies: {self.false_emergencies} of {self.non_emergencies}"
            " posts that are no emergency",
            f"under-triage (below every acceptable level): {self.under_triage}",
            f"over-triage (above every acceptable level): {self.over_triage}",
            f"context errors: {len(self.context_errors)}",
        ]
        if self.unreadable:
            out.append(
                f"unreadable posts called suitable for self-care: {self.unreadable_self_care}"
                f" of {self.unreadable}"
            )
        if self.specialty_total:
            out.append(
                f"specialty accuracy: {self.specialty_correct}/{self.specialty_total}"
                f" = {self.specialty_accuracy:.1%}"
            )
        if self.causes_expected:
            out.append(
                f"cause recall@5: {self.causes_found}/{self.causes_expected}"
                f" = {self.cause_recall_at_5:.1%}"
            )
        if self.flag_tp + self.flag_fp + self.flag_fn:
            out += [
                f"flag precision: {self.flag_precision:.1%} (tp {self.flag_tp}, fp {self.flag_fp})",
                f"flag recall: {self.flag_recall:.1%} (tp {self.flag_tp}, fn {self.flag_fn})",
            ]
        return out


def load_posts(path: Path) -> list[dict[str, Any]]:
    posts = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    posts.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return posts


def run_post(post: dict[str, Any]) -> Assessment:
    return assess(
        post["text"],
        age=post.get("age"),
        sex=post.get("sex"),
        subject=post.get("subject", "self"),
        duration=post.get("duration"),
    )


def is_unreadable(post: dict[str, Any]) -> bool:
    """Another language, hidden characters, or emoji with hardly a word between them.

    A post its writer tagged as another language but written in (broken) English, with its
    share of everyday English words, is readable.
    """
    pattern = post.get("pattern")
    words = re.findall(r"[A-Za-z']+", post["text"].lower())
    if pattern == "emoji":
        return len([w for w in words if len(w) > 1]) < 6
    if pattern == "non-english" and words:
        common = sum(1 for w in words if w in _EVERYDAY_ENGLISH)
        return common < 0.15 * len(words)
    return pattern in UNREADABLE_PATTERNS


_EVERYDAY_ENGLISH = frozenset(
    "the and i my is it to of for have has with at but not he she his her this that be are "
    "was he she what how when from you your we they me in on no".split()
)


def acceptable_levels(post: dict[str, Any]) -> frozenset[str]:
    """The levels a clinician would accept.

    A post the engine cannot read is never acceptable as self-care; unless it is an emergency,
    passing it to a person as ``soon`` or ``urgent`` is acceptable.
    """
    levels = frozenset(post.get("acceptable") or [post["urgency"]])
    if is_unreadable(post) and levels != {"emergency"}:
        levels = (levels - {"routine"}) | {"soon", "urgent"}
    return levels


def evaluate(posts: Iterable[dict[str, Any]], name: str = "") -> Report:
    report = Report(name=name)
    for post in posts:
        _score(report, post, run_post(post))
    return report


def _score(report: Report, post: dict[str, Any], result: Assessment) -> None:
    pid = str(post["id"])
    expected = post["urgency"]
    got = result.urgency
    accepted = acceptable_levels(post)
    report.total += 1
    report.level_total[expected] += 1
    if got == expected:
        report.level_correct[expected] += 1
    rank = URGENCY_RANK[got]
    if got in accepted:
        report.acceptable += 1
    else:
        report.mistakes.append(f"{pid}: urgency {got}, acceptable {sorted(accepted)}")
        if rank < min(map(URGENCY_RANK.__getitem__, accepted)):
            report.under_triage += 1
        else:
            report.over_triage += 1
            if post.get("category") == "trap":
                report.context_errors.append(f"{pid}: {got} ({post.get('pattern', '?')})")
    if expected == "emergency":
        report.emergencies += 1
        if got == "emergency":
            report.emergencies_caught += 1
        else:
            report.missed_emergencies.append(f"{pid}: {got}")
    elif "emergency" not in accepted:
        report.non_emergencies += 1
        if got == "emergency":
            report.false_emergencies += 1
            report.false_emergency_ids.append(f"{pid}: {sorted(result.flag_codes)}")
    if is_unreadable(post):
        report.unreadable += 1
        if got == "routine":
            report.unreadable_self_care += 1
    if "specialty" in post:
        report.specialty_total += 1
        if result.specialty == post["specialty"]:
            report.specialty_correct += 1
        else:
            report.mistakes.append(
                f"{pid}: specialty {result.specialty}, expected {post['specialty']}"
            )
    if "flags" in post:
        flags = result.flag_codes
        want = set(post["flags"])
        report.flag_tp += len(flags & want)
        report.flag_fp += len(flags - want)
        report.flag_fn += len(want - flags)
        if flags != want:
            report.mistakes.append(f"{pid}: flags {sorted(flags)}, expected {sorted(want)}")
        trapped = flags & set(post.get("absent_flags", []))
        if trapped:
            report.context_errors.append(f"{pid}: {sorted(trapped)}")
    top = [c.code for c in result.causes]
    for cause in post.get("causes", []):
        report.causes_expected += 1
        if cause in top:
            report.causes_found += 1
        else:
            report.mistakes.append(f"{pid}: cause {cause} not in top 5 {top}")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    paths = [a for a in args if a != "-v"]
    if not paths:
        print("usage: python -m triage.evaluation [-v] SET.jsonl [SET.jsonl ...]", file=sys.stderr)
        return 2
    failed = False
    for path in map(Path, paths):
        report = evaluate(load_posts(path), name=path.name)
        print(f"== {path}")
        print("\n".join(report.lines()))
        for item in report.missed_emergencies:
            print(f"MISSED EMERGENCY {item}")
        for item in report.context_errors:
            print(f"CONTEXT ERROR {item}")
        if verbose:
            for item in report.false_emergency_ids:
                print(f"FALSE EMERGENCY {item}")
            print("\n".join(report.mistakes))
        print()
        failed = failed or report.emergency_recall < 1.0 or bool(report.context_errors)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
