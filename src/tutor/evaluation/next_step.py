"""Planner eval: does `plan_next` recommend what the roadmap's order says comes next?

Line format: {"id", "profile": {"known": [...], "text": "...", "hours_per_day": 2, "goal": null},
"question", "expected_next": [...], "acceptable": [...]}.  Skills match by number or exact
heading.  An empty expected_next passes when nothing is recommended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.curriculum.learners import Learners
from tutor.errors import EvalDatasetError, InputError

__all__ = ["NextStepReport", "run_next_step_eval"]


@dataclass
class NextStepReport:
    n: int = 0
    top1: int = 0
    acceptable3: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "top1_accuracy": round(self.top1 / max(1, self.n), 4),
            "acceptable@3": round(self.acceptable3 / max(1, self.n), 4),
            "failures": self.failures,
        }


def run_next_step_eval(learners: Learners, dataset: Path) -> NextStepReport:
    if not dataset.is_file():
        raise EvalDatasetError(f"{dataset}: no such dataset file")
    report = NextStepReport()
    roadmap = learners.roadmap
    for n, line in enumerate(dataset.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            profile_data = case["profile"]
            expected = roadmap.resolve_skills([str(x) for x in case.get("expected_next", [])])
            acceptable = set(expected) | set(
                roadmap.resolve_skills([str(x) for x in case.get("acceptable", [])])
            )
            known = roadmap.resolve_skills([str(x) for x in profile_data.get("known", [])])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EvalDatasetError(f"{dataset}:{n}: malformed case ({exc})") from exc
        except InputError as exc:
            raise EvalDatasetError(f"{dataset}:{n}: {exc}") from exc
        profile = learners.profile_for(
            known=[str(k) for k in known],
            text=profile_data.get("text"),
            hours=float(profile_data.get("hours_per_day") or 2),
            language=profile_data.get("language"),
        )
        profile.goal = profile_data.get("goal")
        got = [r.skill.number for r in roadmap.next_steps(profile).recommendations]
        report.n += 1
        ok1 = (not expected and not got) or (bool(got) and got[0] in expected)
        ok3 = (not expected and not got) or (bool(got) and set(got[:3]) <= acceptable)
        report.top1 += ok1
        report.acceptable3 += ok3
        if not (ok1 and ok3):
            report.failures.append(
                {
                    "id": case.get("id"),
                    "known": known,
                    "expected_next": expected,
                    "acceptable": sorted(acceptable),
                    "got": got,
                }
            )
    if report.n == 0:
        raise EvalDatasetError(f"{dataset}: no cases")
    return report
