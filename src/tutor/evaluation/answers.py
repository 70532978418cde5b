"""The answer-level eval: does the text the learner reads contain what they asked for?

A line of the set (JSONL): {"id", "question", "lang": "zh"|"en", "kind", "route":
"material"|"next_step"|"chitchat"|"decline", "refuse": bool, "gold": [{"doc", "section"}],
"must_contain": [...], "must_not_contain": [...], "list_complete": bool, "history":
["earlier user messages"], "note"}.  Each question goes through the whole chain with
whatever backend is configured (none, llamacpp, openai/vLLM).  Facts are compared
NFKC-normalised, case- and whitespace-insensitive, with Markdown emphasis removed (the
learner reads rendered text).
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from tutor.chain.router import ROUTES
from tutor.errors import EvalDatasetError
from tutor.evaluation.metrics import percentile

if TYPE_CHECKING:
    from tutor.chain.answer import Answer, Source
    from tutor.chain.tutor import TutorChain

__all__ = [
    "AnswerCase",
    "AnswerReport",
    "CaseResult",
    "fact_norm",
    "load_answer_set",
    "run_answer_eval",
    "score_answer",
]

log = logging.getLogger(__name__)


class AnswerCase(BaseModel):
    model_config = {"extra": "allow"}

    id: str
    question: str = Field(min_length=1)
    lang: str = "zh"
    kind: str = "other"
    route: str = "material"
    refuse: bool = False
    gold: list[dict[str, str]] = Field(default_factory=list)
    must_contain: list[str] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list)
    list_complete: bool = False
    history: list[str] = Field(default_factory=list)
    note: str = ""


def load_answer_set(path: Path) -> list[AnswerCase]:
    if not path.is_file():
        raise EvalDatasetError(f"{path}: no such dataset file")
    out: list[AnswerCase] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = AnswerCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalDatasetError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise EvalDatasetError(f"{path}:{n}: {problems}") from exc
        if case.route not in ROUTES:
            raise EvalDatasetError(f"{path}:{n}: route '{case.route}' is not one of {list(ROUTES)}")
        if case.id in seen:
            raise EvalDatasetError(f"{path}:{n}: duplicate id '{case.id}'")
        seen.add(case.id)
        out.append(case)
    if not out:
        raise EvalDatasetError(f"{path}: no questions")
    return out


_MD = re.compile(r"\[([^\]]*)\]\((?:[^)\s]+)\)")


def fact_norm(text: str) -> str:
    """NFKC, casefolded, no whitespace, no Markdown emphasis; links read as their text and URL."""
    text = _MD.sub(lambda m: m.group(1) + " " + m.group(0)[len(m.group(1)) + 3 : -1], text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*`")


@dataclass
class CaseResult:
    case: AnswerCase
    route: str
    refused: bool
    text: str
    facts_found: list[bool]
    facts_cited: bool
    forbidden_found: list[str]
    cited: list[dict[str, Any]]
    cited_ok: list[bool]
    latency_s: float
    understood: dict[str, Any] | None = None
    composition: str | None = None
    relevance: float | None = None
    error: str | None = None
    retrieved: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all_facts(self) -> bool:
        return all(self.facts_found)

    @property
    def route_ok(self) -> bool:
        return self.route == self.case.route

    @property
    def passed(self) -> bool:
        if self.case.route in (
            "decline",
            "chitchat",
        ):  # judged by the route: declined / small talk, nothing cited
            return self.route_ok and not self.cited and not self.forbidden_found
        if self.case.refuse:
            return self.refused and not self.forbidden_found
        return (
            not self.refused
            and self.all_facts
            and (self.facts_cited or not self.case.must_contain)
            and not self.forbidden_found
            and self.route_ok
        )

    def to_json(self) -> dict[str, Any]:
        c = self.case
        return {
            "id": c.id,
            "question": c.question,
            "lang": c.lang,
            "kind": c.kind,
            "expected_route": c.route,
            "route": self.route,
            "refuse": c.refuse,
            "refused": self.refused,
            "passed": self.passed,
            "missing_facts": [f for f, ok in zip(c.must_contain, self.facts_found, strict=True) if not ok],
            "facts_cited": self.facts_cited,
            "forbidden_found": self.forbidden_found,
            "cited": self.cited,
            "cited_ok": self.cited_ok,
            "latency_s": round(self.latency_s, 3),
            "understood": self.understood,
            "composition": self.composition,
            "relevance": self.relevance,
            "error": self.error,
            "answer": self.text,
            "retrieved": self.retrieved,
        }


def _in_gold(source: Source, gold: list[dict[str, str]]) -> bool:
    for g in gold:
        section = unicodedata.normalize("NFKC", g.get("section", "")).strip()
        if source.doc == g.get("doc") and (
            not section or any(section == unicodedata.normalize("NFKC", h).strip() for h in source.headings)
        ):
            return True
    return False


def score_answer(case: AnswerCase, answer: Answer, latency_s: float) -> CaseResult:
    """Judge one answer against its case (pure: no model, no index)."""
    body = fact_norm(answer.text)
    facts = [fact_norm(f) in body for f in case.must_contain]
    cited = [s for s in answer.sources if s.cited]
    # a passage is its heading path and its text: an outline cites each step's passage for its title,
    # which stands in the passage's heading ("步骤1：技术栈升级"), not in its body
    cited_texts = [fact_norm("\n".join([*s.headings, s.text])) for s in cited]
    facts_cited = all(any(fact_norm(f) in t for t in cited_texts) for f in case.must_contain)
    # a cited passage is precise when it holds a fact asked for that the answer states, or lies in a gold
    # section (a passage holding a needed fact the answer leaves out supports nothing the learner reads)
    stated = [f for f, found in zip(case.must_contain, facts, strict=True) if found]
    cited_ok = [
        (any(fact_norm(f) in t for f in stated) or _in_gold(s, case.gold))
        for s, t in zip(cited, cited_texts, strict=True)
    ]
    forbidden = [f for f in case.must_not_contain if fact_norm(f) and fact_norm(f) in body]
    # declining, or steering an expected material/next-step question to small talk, is not answering it
    refused = bool(
        answer.refused
        or answer.route == "decline"
        or (answer.route == "chitchat" and case.route in ("material", "next_step"))
    )
    return CaseResult(
        case=case,
        route=answer.route,
        refused=refused,
        text=answer.text,
        facts_found=facts,
        facts_cited=facts_cited,
        forbidden_found=forbidden,
        cited=[
            {"n": s.n, "doc": s.doc, "section": " › ".join(s.headings[-2:]), "lines": s.lines} for s in cited
        ],
        cited_ok=cited_ok,
        latency_s=latency_s,
        understood=getattr(answer, "understood", None),
        composition=getattr(answer, "composition", None),
        relevance=answer.relevance,
        retrieved=[_passage(s, case) for s in answer.sources],
    )


def _passage(source: Source, case: AnswerCase) -> dict[str, Any]:
    """Every passage the answer had (cited or not), with the case's facts it holds: what the failure
    diagnosis (`tutor.evaluation.answer_diagnosis`) reads to tell retrieval from composition."""
    text = fact_norm("\n".join([*source.headings, source.text]))
    return {
        "n": source.n,
        "doc": source.doc,
        "section": " › ".join(source.headings[-2:]),
        "cited": source.cited,
        "gold": _in_gold(source, case.gold),
        "facts": [f for f in case.must_contain if fact_norm(f) in text],
        "text": source.text,
    }


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


@dataclass
class AnswerReport:
    dataset: str
    backend: str
    results: list[CaseResult] = field(default_factory=list)

    @staticmethod
    def summarize(rows: Sequence[CaseResult]) -> dict[str, Any]:
        answerable = [r for r in rows if not r.case.refuse and r.case.route in ("material", "next_step")]
        with_facts = [r for r in answerable if r.case.must_contain]
        lists = [r for r in with_facts if r.case.list_complete]
        out_of_scope = [r for r in rows if r.case.refuse]
        # precision needs something to judge against: the case's facts or gold sections
        cited = [ok for r in answerable if r.case.must_contain or r.case.gold for ok in r.cited_ok]
        latencies = [r.latency_s for r in rows]
        return {
            "n": len(rows),
            "passed": _rate(sum(r.passed for r in rows), len(rows)),
            "fact_coverage": _rate(sum(r.all_facts for r in with_facts), len(with_facts)),
            "fact_recall": _rate(
                sum(sum(r.facts_found) for r in with_facts), sum(len(r.facts_found) for r in with_facts)
            ),
            "facts_cited": _rate(sum(r.facts_cited and r.all_facts for r in with_facts), len(with_facts)),
            "citation_precision": _rate(sum(cited), len(cited)),
            "list_completeness": _rate(sum(r.all_facts for r in lists), len(lists)),
            "refusal": _rate(sum(r.refused for r in out_of_scope), len(out_of_scope)),
            "false_refusal": _rate(sum(r.refused for r in answerable), len(answerable)),
            "misroutes": _rate(sum(not r.route_ok for r in rows), len(rows)),
            "forbidden": _rate(sum(bool(r.forbidden_found) for r in rows), len(rows)),
            "errors": sum(r.error is not None for r in rows),
            "latency_s": {
                "p50": round(percentile(latencies, 50), 3),
                "p95": round(percentile(latencies, 95), 3),
            },
            "n_with_facts": len(with_facts),
            "n_lists": len(lists),
            "n_out_of_scope": len(out_of_scope),
        }

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "backend": self.backend,
            **self.summarize(self.results),
        }
        for key in ("lang", "kind"):
            groups: dict[str, list[CaseResult]] = defaultdict(list)
            for r in self.results:
                groups[getattr(r.case, key)].append(r)
            out[f"by_{key}"] = {label: self.summarize(rows) for label, rows in sorted(groups.items())}
        out["failures"] = [r.to_json() for r in self.results if not r.passed]
        return out

    def all_cases(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.results]


def run_answer_eval(
    chain: TutorChain,
    dataset: Path,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AnswerReport:
    """Ask every question through the chain (history first as earlier user turns) and score the answers."""
    from tutor.chain.answer import Answer

    cases = load_answer_set(dataset)[:limit]
    report = AnswerReport(dataset=str(dataset), backend=chain.backend.label)
    for i, case in enumerate(cases, 1):
        history = [("user", h) for h in case.history]
        t0 = time.perf_counter()
        try:
            answer = chain.ask(case.question, history=history)
            error = None
        except Exception as exc:  # noqa: BLE001 - one failing question is a result, not the end of the run
            log.warning("%s failed: %s", case.id, exc)
            answer = Answer(
                question=case.question,
                standalone_question=case.question,
                language="zh",
                route="material",
                route_reason="error",
                text="",
            )
            error = f"{type(exc).__name__}: {exc}"
        result = score_answer(case, answer, time.perf_counter() - t0)
        result.error = error
        report.results.append(result)
        if progress:
            progress(i, len(cases))
    return report
