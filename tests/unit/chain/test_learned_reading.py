"""The learned reading: label mapping, the model's maths, the shipped file, and the gates that let it act."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tutor.chain.reading_gate import Gate, LearnedReading, can_apply, clear, fill
from tutor.chain.reading_model import (
    NO_ASPECT,
    READING_FORMAT,
    Head,
    Label,
    ReadingModel,
    aspect_label,
    load_reading_model,
    packaged_reading_path,
)
from tutor.chain.understanding import ASPECTS, Understanding, understand
from tutor.errors import ConfigError


def test_kinds_map_onto_the_understandings_aspects() -> None:
    assert aspect_label("skill_criteria") == aspect_label("stage_criteria") == "checks"
    assert aspect_label("stage_overview") == aspect_label("content") == "content"
    assert aspect_label("resources") == "resources"
    for kind in ("essay", "concept", "faq", "chitchat", "injection", "out_of_scope", "next_step"):
        assert aspect_label(kind) == NO_ASPECT
    for kind in ("resources", "skill_criteria", "project", "content", "time", "prerequisites", "milestone"):
        assert aspect_label(kind) in ASPECTS


def test_a_head_reads_the_softmax_top_class() -> None:
    head = Head(("a", "b"), ((1.0, 0.0), (0.0, 1.0)), (0.0, 0.0))
    got = head.read([3.0, 0.0])
    assert got.value == "a" and got.p == pytest.approx(math.exp(3) / (math.exp(3) + 1))
    assert head.read([0.0, 3.0]).value == "b"
    with pytest.raises(ValueError):
        head.read([1.0])


def test_the_shipped_model_loads_and_reads_the_e5_vector() -> None:
    model = load_reading_model()
    assert set(model.heads) == {"aspect", "route", "unit"}
    assert {"skill 13", "stage 2", "essay", "roadmap"} <= set(model.heads["unit"].classes)
    assert NO_ASPECT in model.heads["aspect"].classes and "next_step" in model.heads["route"].classes
    assert all(len(row) == 384 for row in model.heads["aspect"].weights)
    assert "multilingual-e5-small" in model.embedder
    assert json.loads(packaged_reading_path().read_text(encoding="utf-8"))["format"] == READING_FORMAT


def test_a_model_file_of_another_format_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"format": "tutor-reading/0", "heads": {}}), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_reading_model(bad)


def test_fill_gives_a_named_skill_the_models_aspect_above_the_gate() -> None:
    u = Understanding(skills=[13])
    assert not fill(u, Label("content", 0.4), Gate())  # below the gate: the rules' reading stands
    assert not fill(u, Label(NO_ASPECT, 0.99), Gate())  # "no aspect" fills nothing
    assert fill(u, Label("content", 0.7), Gate()) and u.aspects == ["content"] and u.structured


def test_fill_replaces_only_the_stage_alone_default() -> None:
    default = Understanding(
        stages=[2], aspects=["content"], evidence={"aspect content": "(a stage named alone)"}
    )
    assert fill(default, Label("project", 0.9), Gate()) and default.aspects == ["project"]
    said = Understanding(stages=[2], aspects=["content"], evidence={"aspect content": "学什么"})
    assert not fill(said, Label("project", 0.9), Gate()) and said.aspects == ["content"]


def test_clear_drops_an_aspect_read_where_nothing_is_named() -> None:
    u = Understanding(aspects=["resources"], evidence={"aspect resources": "哪里学"})
    assert not clear(u, Label(NO_ASPECT, 0.7), Gate())
    assert (
        clear(u, Label(NO_ASPECT, 0.9), Gate()) and u.aspects == [] and "aspect resources" not in u.evidence
    )
    named = Understanding(skills=[3], aspects=["resources"])
    assert not can_apply(named) and not clear(named, Label(NO_ASPECT, 0.99), Gate())


class _Embedder:
    model_id = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return [1.0, 0.0]


def _reading(embedder: _Embedder, model_id: str = "fake") -> LearnedReading:
    reading = LearnedReading(lambda: embedder)  # type: ignore[arg-type, return-value]
    head = Head(("content", NO_ASPECT), ((2.0, 0.0), (0.0, 0.0)), (0.0, 0.0))
    reading._model = ReadingModel(model_id, {"aspect": head}, {})
    return reading


def test_the_question_is_embedded_only_when_a_gate_can_apply() -> None:
    embedder = _Embedder()
    u = _reading(embedder)("技能点 3 的资源", Understanding(skills=[3], aspects=["resources"]))
    assert u.aspects == ["resources"] and embedder.calls == 0
    u = _reading(embedder)("技能点 3 呢", Understanding(skills=[3]))
    assert u.aspects == ["content"] and embedder.calls == 1


def test_a_model_fitted_on_another_embedder_is_not_used() -> None:
    u = _reading(_Embedder(), model_id="other")("技能点 3 呢", Understanding(skills=[3]))
    assert u.aspects == []


def test_a_phrasing_the_rules_leave_open_is_read_by_the_shipped_model(embedder, cur, cfg) -> None:
    question = "How is my RAG skill supposed to be assessed?"
    u = understand(question, cur, cfg)
    assert u.skills == [11] and not u.aspects  # the rules name the skill, not what is asked of it
    u = LearnedReading(lambda: embedder)(question, u)
    assert u.aspects == ["checks"] and "learned reading" in u.evidence["aspect checks"] and u.structured
