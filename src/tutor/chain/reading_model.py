"""A learned reading of a question: the aspect it asks and its route, from the question's e5 vector.

The hand-written rules of `tutor.chain.understanding` and `tutor.chain.router` read most questions; each fresh
set written by someone else fails on phrasings no rule foresaw.  Here a multinomial logistic regression per
label, fitted on ~2,300 questions labelled by 14 writers (`tutor eval train-reading`), reads the same
question from the vector the retriever already computes.  It ships as a small JSON file of coefficients
(`reading_weights.json`); `tutor.chain.reading_gate` decides when its reading may stand in for the rules'.

The labels come from the eval sets' `kind` (mapped onto the Understanding's aspect vocabulary, "none" for
questions that ask no roadmap aspect: essays, concepts, FAQ, small talk) and `route`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tutor.errors import ConfigError

__all__ = [
    "ASPECT_OF_KIND",
    "NO_ASPECT",
    "READING_FORMAT",
    "Head",
    "Label",
    "ReadingModel",
    "aspect_label",
    "cached_reading_model",
    "load_reading_model",
    "named_units",
    "packaged_reading_path",
    "unit_label",
]

#: bump when the meaning of a label or of the input vector changes; `load_reading_model` refuses others
READING_FORMAT = "tutor-reading/1"
#: the aspect label of a question that asks no aspect of a stage, skill or milestone
NO_ASPECT = "none"

#: eval `kind` -> Understanding aspect (kinds not listed ask none; follow-ups are not trained on)
ASPECT_OF_KIND: Mapping[str, str] = {
    "resources": "resources",
    "skill_resources": "resources",
    "skill_criteria": "checks",
    "stage_criteria": "checks",
    "skill_checks": "checks",
    "stage_checks": "checks",
    "checklist": "checks",
    "project": "project",
    "skill_project": "project",
    "content": "content",
    "stage_overview": "content",
    "stage_content": "content",
    "time": "time",
    "time_plan": "time",
    "prerequisites": "prerequisites",
    "milestone": "milestone",
}


#: the roadmap's document id in the eval sets' gold sections
ROADMAP_DOC = "ai-learning-roadmap"


def aspect_label(kind: str) -> str:
    """The aspect a question of this eval `kind` asks ("none" for essays, concepts, small talk...)."""
    return ASPECT_OF_KIND.get(kind, NO_ASPECT)


def unit_label(gold: Sequence[Mapping[str, str]]) -> str:
    """The unit of a question's first gold section: "skill N", "stage N", "milestone", "essay", "roadmap"
    (another section of the roadmap: its appendix, the core path...) or "none" (no gold: small talk...)."""
    if not gold:
        return NO_ASPECT
    section = gold[0].get("section", "")
    if gold[0].get("doc") != ROADMAP_DOC:
        return "essay"
    if m := re.match(r"(技能点|阶段)\s*(\d+)", section):
        return f"{'skill' if m.group(1) == '技能点' else 'stage'} {m.group(2)}"
    return "milestone" if re.match(r"\d+\s*个月后", section) else "roadmap"


def named_units(stages: Sequence[int], skills: Sequence[int]) -> set[str]:
    """The unit labels of the stages and skills a reading names."""
    return {f"stage {n}" for n in stages} | {f"skill {n}" for n in skills}


@dataclass(frozen=True)
class Label:
    """One head's reading: the most likely label and its probability."""

    value: str
    p: float


@dataclass(frozen=True)
class Head:
    """A multinomial logistic regression over the question vector: one weight row per class."""

    classes: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]
    bias: tuple[float, ...]

    def read(self, vector: Sequence[float]) -> Label:
        """The softmax's top class and its probability."""
        if any(len(row) != len(vector) for row in self.weights):
            raise ValueError(f"vector of {len(vector)} dimensions; the model wants {len(self.weights[0])}")
        scores = np.asarray(self.weights) @ np.asarray(vector, dtype=np.float64) + np.asarray(self.bias)
        exp = np.exp(scores - scores.max())
        best = int(exp.argmax())
        return Label(self.classes[best], float(exp[best] / exp.sum()))

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "weights": [[round(w, 5) for w in row] for row in self.weights],
            "bias": [round(b, 5) for b in self.bias],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Head:
        return cls(
            tuple(data["classes"]),
            tuple(tuple(float(w) for w in row) for row in data["weights"]),
            tuple(float(b) for b in data["bias"]),
        )


@dataclass(frozen=True)
class ReadingModel:
    """The heads (aspect, route) over one embedder's query vectors, and how they were made."""

    embedder: str
    heads: Mapping[str, Head]
    meta: Mapping[str, Any]

    def read(self, vector: Sequence[float]) -> dict[str, Label]:
        return {name: head.read(vector) for name, head in self.heads.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": READING_FORMAT,
            "embedder": self.embedder,
            **dict(self.meta),
            "heads": {k: h.to_json() for k, h in self.heads.items()},
        }


def packaged_reading_path() -> Path:
    """The model shipped with the package (`tutor eval train-reading --out` rewrites it)."""
    return Path(str(resources.files("tutor.chain").joinpath("reading_weights.json")))


def load_reading_model(path: Path | None = None) -> ReadingModel:
    """The model at `path` (the packaged one by default); a ConfigError names what is wrong with it."""
    path = path or packaged_reading_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != READING_FORMAT:
            raise ConfigError(f"{path}: format {data.get('format')!r}, expected {READING_FORMAT!r}")
        heads = {k: Head.from_json(v) for k, v in data["heads"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"reading model {path} unreadable ({exc}); rebuild it with `tutor eval train-reading`"
        ) from exc
    meta = {k: v for k, v in data.items() if k not in ("format", "embedder", "heads")}
    return ReadingModel(str(data.get("embedder", "")), heads, meta)


@functools.lru_cache(maxsize=4)
def cached_reading_model(path: str | None) -> ReadingModel:
    """One parsed model per file for the process."""
    return load_reading_model(Path(path) if path else None)
