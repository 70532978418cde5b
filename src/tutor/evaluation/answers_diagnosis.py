"""Why did an answer fail? A mechanical class for every failing case of an answer-eval report.

Reads the `answers.jsonl` that `tutor eval answers --report DIR` writes (every case with the
passages it had, cited or not, and the facts each holds) and puts each failing answerable
case in one class, so a change is aimed at the biggest class and retrieval is told from
composition:

- ``a_not_retrieved``: no passage the answer had holds a needed fact or lies in a gold section
  (retrieval's problem, not the composer's);
- ``b_other_passage``: such a passage was there, uncited; the composer quoted others;
- ``c_cut``: a cited passage holds a missing fact; `rule` says which block rule cut it
  (``long list cut to matching items``, ``block not chosen``, ``line outside every block``);
- ``c_partial``: the cited passages answer part; the missing facts are only in uncited passages
  (``c_partial_retrieved``) or in none (``c_partial_not_retrieved``);
- ``d_misrouted`` / ``d_refused``;
- ``e_label``: the label contradicts the document (listed by hand, with the reason).

Run: ``python -m tutor.evaluation.answers_diagnosis REPORT_DIR [REPORT_DIR ...]``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tutor.chain.answer import Source
from tutor.chain.compose import split_blocks
from tutor.evaluation.answers import fact_norm

__all__ = ["LABEL_DISAGREEMENTS", "classify", "diagnose"]

# Cases whose label the roadmap's own text contradicts (read by hand; not edited in the set).
LABEL_DISAGREEMENTS = {
    "dev-62": "the roadmap's core path puts 微调 before 部署, the label wants 模型部署 as a prerequisite of 微调",
    "dev-72": "the history says Hugging Face and Prompt Engineering are done; the roadmap's order gives "
    "RAG or LangChain, the label wants RAG only",
    "dev-105": "after stage 3 the label wants 模型部署 (listed first in stage 4); the roadmap's core path "
    "(… → RAG → 微调 → 部署) puts 微调 first, which the planner follows",
}


def _cut_rule(case: dict[str, Any], passage: dict[str, Any], missing: list[str]) -> str:
    """Which block rule kept a fact of a cited passage out of the answer."""
    answer = fact_norm(case["answer"])
    source = Source(n=passage["n"], id="", doc=passage["doc"], title="", text=passage["text"])
    for block in split_blocks(source):
        text = fact_norm(block.text)
        if not any(fact_norm(f) in text for f in missing):
            continue
        quoted = any(fact_norm(x) and fact_norm(x) in answer for x in block.lines)
        return "long list cut to matching items" if quoted else f"block not chosen ({block.kind})"
    return "line outside every block (heading, cut-off introduction)"


def classify(case: dict[str, Any]) -> tuple[str, str]:
    """(class, detail) for one failing case of an answers.jsonl; ('passed', '') when it passed."""
    if case["passed"]:
        return "passed", ""
    if case["id"] in LABEL_DISAGREEMENTS:
        return "e_label", LABEL_DISAGREEMENTS[case["id"]]
    if case["refuse"]:
        return "refusal_missed", f"answered, relevance {case.get('relevance')}"
    if case["expected_route"] in ("decline", "chitchat"):
        return "d_misrouted", f"routed {case['route']}"
    if case["refused"]:
        return "d_refused", f"relevance {case.get('relevance')}"
    if case["route"] != case["expected_route"]:
        return "d_misrouted", f"routed {case['route']} (expected {case['expected_route']})"
    passages = case.get("retrieved", [])
    missing = case["missing_facts"]
    useful = [p for p in passages if p["gold"] or p["facts"]]
    if not useful:
        return "a_not_retrieved", ""
    cited = [p for p in useful if p["cited"]]
    if not cited:
        return "b_other_passage", "quoted " + "; ".join(p["section"] for p in passages if p["cited"])
    if not missing:
        return "uncited_fact", "every fact is in the text, not every one in a cited passage"
    holding = [p for p in cited if any(fact_norm(f) in fact_norm(p["text"]) for f in missing)]
    if holding:
        return "c_cut", _cut_rule(case, holding[0], missing)
    elsewhere = [p for p in passages if not p["cited"] and any(f in p["facts"] for f in missing)]
    if elsewhere:
        return "c_partial_retrieved", "missing in " + "; ".join(p["section"] for p in elsewhere[:2])
    return "c_partial_not_retrieved", "missing " + ", ".join(missing)


def _imprecise(case: dict[str, Any]) -> list[str]:
    return [c["section"] for c, ok in zip(case["cited"], case["cited_ok"], strict=True) if not ok]


def diagnose(path: Path) -> dict[str, Any]:
    """Class counts and the cases of each class, plus the imprecise citations by kind."""
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    classes: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    imprecise: Counter[str] = Counter()
    for case in cases:
        label, detail = classify(case)
        if label != "passed":
            classes[label] += 1
            rows.append(
                {
                    "id": case["id"],
                    "lang": case["lang"],
                    "kind": case["kind"],
                    "class": label,
                    "detail": detail,
                    "question": case["question"],
                }
            )
        if not case["refuse"] and case["expected_route"] in ("material", "next_step"):
            imprecise[case["kind"]] += len(_imprecise(case))
    return {
        "classes": dict(classes.most_common()),
        "cases": rows,
        "imprecise_citations_by_kind": dict(imprecise.most_common()),
    }


def main(argv: list[str]) -> int:
    for directory in argv:
        result = diagnose(Path(directory) / "answers.jsonl")
        print(f"## {directory}\n\nclasses: {json.dumps(result['classes'], ensure_ascii=False)}")
        print(f"imprecise citations by kind: {json.dumps(result['imprecise_citations_by_kind'])}\n")
        for row in result["cases"]:
            print(
                f"- {row['id']} ({row['lang']}, {row['kind']}) {row['class']}: {row['detail']} | "
                f"{row['question']}"
            )
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
