"""Retrieval eval sets (JSONL) and their validation against the documents.

A line: {"id", "question", "lang", "kind", "gold": [{"doc", "section"}], "must_contain": [...]}.
Unknown extra fields (difficulty, note, ...) are kept but ignored.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from tutor.config import Settings
from tutor.errors import EvalDatasetError
from tutor.ingest.loaders import discover_all, load_document
from tutor.markdown import sections
from tutor.resources.cards import generated_dir

__all__ = [
    "EvalQuestion",
    "Gold",
    "load_dataset",
    "normalize",
    "section_bodies",
    "validate_dataset",
    "corpus_texts",
]


def normalize(text: str) -> str:
    """NFKC and whitespace-collapsed, the comparison the relevance rule uses."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


class Gold(BaseModel):
    doc: str
    section: str


class EvalQuestion(BaseModel):
    model_config = {"extra": "allow"}

    id: str
    question: str = Field(min_length=1)
    lang: str = "zh"
    kind: str = "other"
    gold: list[Gold] = Field(min_length=1)
    must_contain: list[str] = Field(default_factory=list)


def load_dataset(path: Path) -> list[EvalQuestion]:
    if not path.is_file():
        raise EvalDatasetError(f"{path}: no such dataset file")
    out: list[EvalQuestion] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = EvalQuestion.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalDatasetError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise EvalDatasetError(f"{path}:{n}: {problems}") from exc
        if item.id in seen:
            raise EvalDatasetError(f"{path}:{n}: duplicate id '{item.id}'")
        seen.add(item.id)
        out.append(item)
    if not out:
        raise EvalDatasetError(f"{path}: no questions")
    return out


def section_bodies(markdown: str) -> dict[str, list[str]]:
    """Normalised heading text -> bodies (the heading's text down to the next heading of its level or above)."""
    lines = markdown.split("\n")
    bodies: dict[str, list[str]] = {}
    for section in sections(lines):
        bodies.setdefault(normalize(section.heading.text), []).append(
            "\n".join(lines[section.start + 1 : section.end])
        )
    return bodies


@dataclass
class ValidationReport:
    checked: int = 0
    errors: list[str] = field(default_factory=list)


def validate_dataset(questions: list[EvalQuestion], documents: dict[str, str]) -> ValidationReport:
    """Every gold section exists in its document and every must_contain string is in it."""
    report = ValidationReport()
    cache: dict[str, dict[str, list[str]]] = {}
    for q in questions:
        report.checked += 1
        for gold in q.gold:
            if gold.doc not in documents:
                report.errors.append(f"{q.id}: unknown document '{gold.doc}'")
                continue
            bodies = cache.setdefault(gold.doc, section_bodies(documents[gold.doc]))
            candidates = bodies.get(normalize(gold.section))
            if not candidates:
                report.errors.append(f"{q.id}: section '{gold.section}' not found in {gold.doc}")
                continue
            missing = [
                s for s in q.must_contain if not any(normalize(s) in normalize(body) for body in candidates)
            ]
            if missing and len(q.gold) == 1:
                report.errors.append(f"{q.id}: must_contain {missing} not in section '{gold.section}'")
    return report


def corpus_texts(settings: Settings) -> dict[str, str]:
    """Document id -> text of every configured document, and of the generated ones once `tutor ingest` wrote them."""
    roots = [Path(r) for r in settings.corpus.paths]
    if generated_dir(settings.data_dir).is_dir():  # resource cards and fetched pages
        roots.append(generated_dir(settings.data_dir))
    return {
        path.stem: load_document(path, settings.corpus.max_bytes).text
        for path in discover_all(roots, settings.corpus)
    }
