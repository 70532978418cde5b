"""When the learned reading (`tutor.chain.reading_model`) may stand in for the rules' reading of a question.

Precision first: the model only fills a gap the rules left or overrules them where they are most often
wrong, and only above a probability gate chosen by leave-one-writer-out cross-validation (eval/README.md):

* a stage or skill is named but the rules found no aspect (or only the default "a stage named alone"):
  the model's aspect, when it is one of the roadmap's and the model's unit is one the rules named (`fill`,
  gate `aspect`);
* nothing is named, yet a word made the rules read an aspect ("这个技术在路线图哪里学" -> resources): the
  model's "no aspect" clears it, so the question is answered from retrieved passages (`clear`, gate `none`).

The question is embedded only when one of these cases can apply (the vector is cached for retrieval).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from tutor.chain.reading_model import NO_ASPECT, Label, ReadingModel, cached_reading_model, named_units
from tutor.chain.understanding import Understanding
from tutor.index.embeddings import TutorEmbeddings

__all__ = ["Gate", "LearnedReading", "can_apply", "case", "clear", "fill"]

log = logging.getLogger(__name__)

STAGE_ALONE = "(a stage named alone)"  # the rules' default aspect for a stage named without one
EVIDENCE = "learned reading"


@dataclass(frozen=True)
class Gate:
    """The probabilities above which the model's reading is used (above 1: never)."""

    aspect: float = 0.7  # the lowest gate with no wrong fill leaving each writer out (eval/README.md)
    none: float = 0.9  # the same for a cleared aspect


def _defaulted(u: Understanding) -> bool:
    """No aspect read from the question's words (the stage-alone default is none)."""
    return not u.aspects or (u.aspects == ["content"] and u.evidence.get("aspect content") == STAGE_ALONE)


def _fillable(u: Understanding) -> bool:
    return bool(u.stages or u.skills) and not u.milestones and not u.whole_roadmap and _defaulted(u)


def _clearable(u: Understanding) -> bool:
    return not (u.stages or u.skills or u.milestones or u.whole_roadmap) and bool(u.aspects)


def case(u: Understanding) -> str | None:
    """Which gate could change this reading ("fill", "clear"); None: the rules' reading stands unread."""
    return "fill" if _fillable(u) else "clear" if _clearable(u) else None


def can_apply(u: Understanding) -> bool:
    """Could the model change this reading (so the question is worth embedding)?"""
    return case(u) is not None


def fill(u: Understanding, aspect: Label, gate: Gate, unit: Label | None = None) -> bool:
    """A stage or skill named, no aspect said: the model's aspect when it is confident of one and reads the
    question as about a unit the rules named ("Which NLP libraries…" names skill 6 by a word; it asks the
    appendix's NLP tools, which the model's unit says)."""
    if not _fillable(u) or aspect.value == NO_ASPECT or aspect.p < gate.aspect:
        return False
    if unit is not None and unit.value not in named_units(u.stages, u.skills):
        return False
    if u.aspects:
        u.evidence.pop("aspect content", None)
    u.aspects = [aspect.value]
    u.evidence[f"aspect {aspect.value}"] = f"({EVIDENCE}, p={aspect.p:.2f})"
    return True


def clear(u: Understanding, aspect: Label, gate: Gate) -> bool:
    """Nothing named, an aspect read from a word: cleared when the model is confident no aspect is asked."""
    if not _clearable(u) or aspect.value != NO_ASPECT or aspect.p < gate.none:
        return False
    for name in u.aspects:
        u.evidence.pop(f"aspect {name}", None)
    u.evidence[EVIDENCE] = f"asks no aspect (p={aspect.p:.2f}); the rules read {u.aspects}"
    u.aspects = []
    return True


class LearnedReading:
    """The rules' Understanding, corrected by the model where a gate allows; off: unchanged."""

    def __init__(
        self, embedder: Callable[[], TutorEmbeddings], path: str | None = None, gate: Gate | None = None
    ) -> None:
        self._embedder = embedder
        self._path = path
        self.gate = gate or Gate()
        self._model: ReadingModel | None = None

    def model(self) -> ReadingModel:
        if self._model is None:
            self._model = cached_reading_model(self._path)
        return self._model

    def __call__(self, text: str, u: Understanding) -> Understanding:
        if not can_apply(u):
            return u
        embedder, model = self._embedder(), self.model()
        if model.embedder and model.embedder != embedder.model_id:
            log.warning(
                "reading model fitted on %s, embedder is %s: not used", model.embedder, embedder.model_id
            )
            return u
        read = model.read(embedder.embed_query(text))
        aspect = read["aspect"]
        if not fill(u, aspect, self.gate, read.get("unit")):
            clear(u, aspect, self.gate)
        return u
