"""Score the engine against a labelled set of posts.

Run ``python -m triage.evaluation tests/triage/data/eval_posts.jsonl``. Each line holds a post
and what a clinician would expect: urgency, specialty, the flags that must be raised, the flags
that must not be (context traps), and causes expected in the top five.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.engine import assess
from triage.result import URGENCY_LEVELS, URGENCY_RANK, Assessment


@dataclass
class Report:
    total: int = 0
    level_total: Counter[str] = field(default_factory=Counter)
    level_correct: Counter[str] = field(default_factory=Counter)
    under_triage: int = 0
    over_triage: int = 0
    emergencies: int = 0
    emergencies_caught: int = 0
    specialty_correct: int = 0
    causes_expected: int = 0
    causes_found: int = 0
    flag_tp: int = 0
    flag_fp: int = 0
    flag_fn: int = 0
    context_errors: list[str] = field(default_factory=list)
    missed_emergencies: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_caught / self.emergencies if self.emergencies else 1.0

    @property
    def flag_precision(self) -> float:
        return self.flag_tp / (self.flag_tp + self.flag_fp) if self.flag_tp + self.flag_fp else 1.0

    @property
    def flag_recall(self) -> float:
        return self.flag_tp / (self.flag_tp + self.flag_fn) if self.flag_tp + self.flag_fn else 1.0

    @property
    def specialty_accuracy(self) -> float:
        return self.specialty_correct / self.total if self.total else 0.0

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
            ok = self.level_correct[level]
            out.append(f"accuracy[{level}]: {ok}/{n} = {ok / n if n else 0:.1%}")
        out += [
            f"urgency accuracy (all): {self.urgency_accuracy:.1%}",
            f"emergency recall: {self.emergencies_caught}/{self.emergencies}"
            f" = {self.emergency_recall:.1%}",
            f"under-triage (result lower than label): {self.under_triage}",
            f"over-triage (result higher than label): {self.over_triage}",
            f"specialty accuracy: {self.specialty_correct}/{self.total}"
            f" = {self.specialty_accuracy:.1%}",
            f"cause recall@5: {self.causes_found}/{self.causes_expected}"
            f" = {self.cause_recall_at_5:.1%}",
            f"flag precision: {self.flag_precision:.1%} (tp {self.flag_tp}, fp {self.flag_fp})",
            f"flag recall: {self.flag_recall:.1%} (tp {self.flag_tp}, fn {self.flag_fn})",
            f"context errors (a trap flag raised): {len(self.context_errors)}",
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


def evaluate(posts: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    for post in posts:
        result = run_post(post)
        pid = str(post["id"])
        expected = post["urgency"]
        report.total += 1
        report.level_total[expected] += 1
        if result.urgency == expected:
            report.level_correct[expected] += 1
        else:
            report.mistakes.append(f"{pid}: urgency {result.urgency}, expected {expected}")
        if URGENCY_RANK[result.urgency] < URGENCY_RANK[expected]:
            report.under_triage += 1
        elif URGENCY_RANK[result.urgency] > URGENCY_RANK[expected]:
            report.over_triage += 1
        if expected == "emergency":
            report.emergencies += 1
            if result.urgency == "emergency":
                report.emergencies_caught += 1
            else:
                report.missed_emergencies.append(pid)
        if result.specialty == post["specialty"]:
            report.specialty_correct += 1
        else:
            report.mistakes.append(
                f"{pid}: specialty {result.specialty}, expected {post['specialty']}"
            )
        got = result.flag_codes
        want = set(post.get("flags", []))
        report.flag_tp += len(got & want)
        report.flag_fp += len(got - want)
        report.flag_fn += len(want - got)
        if got != want:
            report.mistakes.append(f"{pid}: flags {sorted(got)}, expected {sorted(want)}")
        trapped = got & set(post.get("absent_flags", []))
        if trapped:
            report.context_errors.append(f"{pid}: {sorted(trapped)}")
        top = [c.code for c in result.causes]
        for cause in post.get("causes", []):
            report.causes_expected += 1
            if cause in top:
                report.causes_found += 1
            else:
                report.mistakes.append(f"{pid}: cause {cause} not in top 5 {top}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    paths = [a for a in args if a != "-v"]
    if len(paths) != 1:
        print("usage: python -m triage.evaluation [-v] POSTS.jsonl", file=sys.stderr)
        return 2
    report = evaluate(load_posts(Path(paths[0])))
    print("\n".join(report.lines()))
    for item in report.missed_emergencies:
        print(f"MISSED EMERGENCY {item}")
    for item in report.context_errors:
        print(f"CONTEXT ERROR {item}")
    if verbose:
        print("\n".join(report.mistakes))
    return 0 if report.emergency_recall == 1.0 and not report.context_errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
