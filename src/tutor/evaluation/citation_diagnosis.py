"""Which citations are imprecise, and which composer made them?

Reads the `answers.jsonl` that `tutor eval answers --report DIR` writes and looks at every cited
passage the citation-precision metric judges (answerable questions with facts or gold sections): a
passage that holds none of the case's facts and lies in no gold section is *imprecise*.  Each one is
counted by the answer's kind, the composer path that cited it and whether the answer itself passed —
an imprecise citation in a failing answer mostly follows from quoting the wrong passage (a composition
problem), one in a passing answer is a citation problem on its own — with the lines it was cited for.

Run: ``python -m tutor.evaluation.citation_diagnosis REPORT_DIR [REPORT_DIR ...]``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["composer_path", "imprecise_citations", "summarize"]


def composer_path(case: dict[str, Any]) -> str:
    """The part of the chain that wrote the answer (and chose its citations)."""
    composition = case.get("composition") or ""
    if case["route"] == "next_step":
        return "planner (next step)"
    if composition == "llm":
        return "llm (generated over the retrieved passages)"
    if composition.startswith("structured+llm"):
        return "structured curriculum, phrased by the llm"
    if composition == "structured":
        aspects = (case.get("understood") or {}).get("aspects") or []
        return "structured: prerequisites" if "prerequisites" in aspects else "structured curriculum"
    if composition.startswith("blocks ("):
        reason = composition[len("blocks (") : -1]
        return "essay/section: " + re.sub(r"\s*[\d.]+$", "", reason)  # "faq 0.973" -> "faq"
    if composition == "blocks":
        return "blocks over retrieved passages"
    return composition or "other"


def imprecise_citations(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cited passage of one case that the metric counts as imprecise, with what it was cited for."""
    lines = case["answer"].splitlines()
    out = []
    for cited, ok in zip(case["cited"], case["cited_ok"], strict=True):
        if ok:
            continue
        marker = f"[{cited['n']}]"
        out.append(
            {
                "id": case["id"],
                "kind": case["kind"],
                "path": composer_path(case),
                "passed": case["passed"],
                "section": cited["section"],
                "quoted": [line.strip()[:80] for line in lines if marker in line][:2],
            }
        )
    return out


def summarize(cases: list[dict[str, Any]], judged_ids: set[str]) -> dict[str, Any]:
    """Counts by (path, passed) and by kind over the judged cases, and the imprecise rows."""
    total: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for case in cases:
        if case["id"] not in judged_ids:
            continue
        path = composer_path(case)
        total[path] += len(case["cited"])
        for row in imprecise_citations(case):
            bad[f"{path} | {'answer passed' if row['passed'] else 'answer failed'}"] += 1
            by_kind[row["kind"]] += 1
            rows.append(row)
    return {
        "cited": sum(total.values()),
        "imprecise": len(rows),
        "cited_by_path": dict(total.most_common()),
        "imprecise_by_path": dict(bad.most_common()),
        "imprecise_by_kind": dict(by_kind.most_common()),
        "rows": rows,
    }


def _judged_ids(directory: Path) -> set[str]:
    """The ids the metric judges: answerable cases whose set line has facts or gold sections."""
    report = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    dataset = Path(report["dataset"])
    ids = set()
    for line in dataset.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        answerable = not case.get("refuse") and case.get("route", "material") in ("material", "next_step")
        if answerable and (case.get("must_contain") or case.get("gold")):
            ids.add(case["id"])
    return ids


def main(argv: list[str]) -> int:
    for name in argv:
        directory = Path(name)
        cases = [
            json.loads(line)
            for line in (directory / "answers.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        result = summarize(cases, _judged_ids(directory))
        sys.stdout.write(
            f"## {name}: {result['imprecise']} imprecise of {result['cited']} cited\n"
            f"by path: {json.dumps(result['imprecise_by_path'], ensure_ascii=False)}\n"
            f"cited by path: {json.dumps(result['cited_by_path'], ensure_ascii=False)}\n"
            f"by kind: {json.dumps(result['imprecise_by_kind'], ensure_ascii=False)}\n"
        )
        for row in result["rows"]:
            sys.stdout.write(
                f"- {row['id']} ({row['kind']}, {row['path']}, {'pass' if row['passed'] else 'FAIL'}) "
                f"{row['section']}: {' / '.join(row['quoted'])}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
