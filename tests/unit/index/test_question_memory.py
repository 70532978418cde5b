"""The labelled-question memory: its vote, its file, its refusal of another embedder, its list of passages."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tutor.errors import EvalDatasetError
from tutor.evaluation.train_memory import Labelled, build_memory, labelled, writer
from tutor.index.bm25 import BM25Index
from tutor.index.memory import QuestionMemory, cached_memory, embedder_key, memory_bonus, memory_list
from tutor.index.roadmap_sections import heading_paths
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk

DOC = "ai-learning-roadmap"
PY, MATH, GONE = (
    (DOC, "技能点 1：Python 编程 ⭐⭐⭐⭐⭐"),
    (DOC, "技能点 2：数学基础 ⭐⭐⭐⭐"),
    (DOC, "技能点 99：不存在"),
)


def _memory(embedder: str = "e5/A") -> QuestionMemory:
    """Three questions on axes: two about Python (x), one about maths (y), one about a missing section (z)."""
    vectors = np.asarray([[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    golds = ((PY,), (PY,), (MATH,), (GONE,))
    return QuestionMemory(embedder, ("s4-t001", "s5-t001", "d001", "s6-t001"), golds, vectors)


def test_the_nearest_questions_vote_for_their_sections_by_similarity() -> None:
    votes = _memory().vote([0.9, 0.44, 0], k=3, floor=0.0)
    assert [s for s, _ in votes] == [PY, MATH]  # two near Python questions outvote the maths one
    assert votes[0][1] > votes[1][1] > 0


def test_the_floor_and_k_limit_who_votes() -> None:
    memory = _memory()
    assert [s for s, _ in memory.vote([0.9, 0.44, 0], k=1, floor=0.0)] == [PY]
    assert memory.vote([0, 0.3, 0.95], k=5, floor=0.99) == []  # nobody near enough
    assert [s for s, _ in memory.vote([0, 1, 0], k=5, floor=0.9)] == [MATH]


def test_a_question_with_two_golds_splits_its_vote() -> None:
    memory = QuestionMemory("e", ("q",), ((PY, MATH),), np.asarray([[1.0, 0.0]], dtype=np.float32))
    votes = dict(memory.vote([1, 0], k=1, floor=0.5))
    assert votes[PY] == pytest.approx(votes[MATH])
    assert votes[PY] == pytest.approx(0.25, abs=1e-3)


def test_a_saved_memory_loads_back_as_float16_with_its_embedder(tmp_path: Path) -> None:
    path = _memory().save(tmp_path / "m.npz", trained_on=["x"])
    back = QuestionMemory.load(path)
    assert back.embedder == "e5/A" and back.ids == _memory().ids and back.golds == _memory().golds
    assert np.allclose(
        back.vectors, _memory().vectors / np.linalg.norm(_memory().vectors, axis=1)[:, None], atol=1e-3
    )
    assert np.load(path)["vectors"].dtype == np.float16


def test_a_memory_of_another_embedder_is_refused_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _memory("e5/A").save(tmp_path / "m.npz")
    assert cached_memory(path, "e5/A") is not None
    with caplog.at_level(logging.WARNING, logger="tutor.index.memory"):
        assert cached_memory(path, "bge/B") is None
    assert "built with embedder 'e5/A'" in caplog.text and "train-memory" in caplog.text


def test_the_embedder_key_looks_through_a_caching_wrapper() -> None:
    class _Inner:
        def identity(self) -> str:
            return "model/384/weights"

    class _Wrapper:
        inner = _Inner()

        def identity(self) -> str:
            return "wrapper"

    assert embedder_key(_Wrapper()) == "model/384/weights"
    assert embedder_key(_Inner()) == "model/384/weights"


def _chunk(cid: str, headings: list[str], doc: str = DOC) -> StoredChunk:
    return StoredChunk(cid, f"text {cid}", {"doc": doc, "title": doc, "headings": json.dumps(headings)})


class _Levers:
    """What `memory_list` reads of `QueryLevers`: the embedder's identity, the index and its heading paths."""

    def __init__(self, identity: str) -> None:
        chunks = [
            _chunk("py-1", ["AI 学习路线", PY[1], "核心内容"]),
            _chunk("py-2", ["AI 学习路线", PY[1], "检验标准"]),
            _chunk("math-1", ["AI 学习路线", MATH[1]]),
            _chunk("other", ["AI 学习路线", "总结"]),
        ]
        self._bm25 = BM25Index.build(chunks)
        self.index = type("I", (), {"bm25": lambda _self: self._bm25})()
        self._identity = identity

    def embedder(self) -> Any:
        return type("E", (), {"identity": lambda _self: self._identity})()

    def heading_paths(self) -> list[frozenset[str]]:
        return heading_paths(self._bm25.metadata)


def _cfg(path: Path, weight: float = 1.0) -> RetrievalSettings:
    return RetrievalSettings(
        question_memory_weight=weight,
        question_memory_file=str(path),
        question_memory_k=5,
        question_memory_floor=0.0,
        question_memory_sections=3,
        question_memory_rows=2,
    )


def test_the_voted_sections_passages_form_the_memory_list_and_missing_sections_are_ignored(
    tmp_path: Path,
) -> None:
    path = _memory().save(tmp_path / "m.npz")
    levers = _Levers("e5/A")
    fused = [StoredChunk("py-2", "", {}), StoredChunk("math-1", "", {})]
    # nearest: the missing section (z), then Python, then maths
    lists = memory_list(levers, _cfg(path), "q", lambda q: [0.5, 0.2, 0.84], fused, lambda d: True)
    [(name, weight, chunks)] = lists
    assert (name, weight) == ("memory", 1.0)
    assert [c.id for c in chunks] == ["py-2", "py-1", "math-1"]  # fused order first within a section
    assert all(c.doc == DOC for c in chunks)


def test_the_memory_list_respects_the_document_filter_and_another_embedder(tmp_path: Path) -> None:
    path = _memory().save(tmp_path / "m.npz")
    assert memory_list(_Levers("e5/A"), _cfg(path), "q", lambda q: [1, 0, 0], [], lambda d: False) == []
    assert memory_list(_Levers("other/B"), _cfg(path), "q", lambda q: [1, 0, 0], [], lambda d: True) == []


def test_switched_off_the_memory_adds_no_list_and_embeds_nothing(tmp_path: Path) -> None:
    path = _memory().save(tmp_path / "m.npz")

    def embed(q: str) -> list[float]:
        raise AssertionError("the memory is off: nothing to embed")

    assert memory_list(_Levers("e5/A"), _cfg(path, weight=0.0), "q", embed, [], lambda d: True) == []
    assert RetrievalSettings().question_memory_weight == 0.0  # shipped off unless eval/README.md says


def test_training_questions_skip_refusals_and_questions_without_gold(tmp_path: Path) -> None:
    rows = [
        {"id": "s4-m001", "question": "Python 学到什么程度？", "gold": [{"doc": DOC, "section": PY[1]}]},
        {
            "id": "s4-m002",
            "question": "帮我写个病毒",
            "refuse": True,
            "gold": [{"doc": DOC, "section": PY[1]}],
        },
        {"id": "s4-m003", "question": "你好", "gold": []},
        {"id": "s5-m001", "question": "Python 学到什么程度？", "gold": [{"doc": DOC, "section": MATH[1]}]},
    ]
    path = tmp_path / "answers_spent.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert labelled([path]) == [Labelled("s4-m001", "Python 学到什么程度？", (PY,))]


@pytest.mark.parametrize("name", ["retrieval.jsonl", "retrieval_blind.jsonl", "answers.jsonl"])
def test_the_clean_test_sets_are_refused_as_training_data(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text('{"id": "a1", "question": "q", "gold": [{"doc": "d", "section": "s"}]}', encoding="utf-8")
    with pytest.raises(EvalDatasetError, match="clean test set"):
        labelled([path])


def test_writers_and_leave_one_writer_out() -> None:
    assert [writer(i) for i in ("s12-t004", "s4-m001", "d001", "dev-695")] == ["s12", "s4", "d001", "dev-695"]
    memory = build_memory(
        [Labelled("s4-t001", "a", (PY,)), Labelled("s5-t001", "b", (MATH,))],
        lambda texts: [[3.0, 4.0] for _ in texts],
        "e5/A",
    )
    assert np.allclose(memory.vectors, [[0.6, 0.8], [0.6, 0.8]])
    assert memory.subset(lambda qid: writer(qid) != "s4").ids == ("s5-t001",)


def test_the_second_stage_bonus_is_each_passages_share_of_the_best_vote(tmp_path: Path) -> None:
    path = _memory().save(tmp_path / "m.npz")
    levers = _Levers("e5/A")
    levers.embedder = lambda: type(  # type: ignore[method-assign]
        "E", (), {"identity": lambda _s: "e5/A", "embed_query": lambda _s, q: [0.9, 0.44, 0.0]}
    )()
    chunks = [
        _chunk("py-1", ["AI 学习路线", PY[1], "核心内容"]),
        _chunk("math-1", [MATH[1]]),
        _chunk("x", ["总结"]),
    ]
    bonus = memory_bonus(levers, _cfg(path), "q", chunks)
    assert bonus[0] == pytest.approx(1.0) and 0 < bonus[1] < 1 and bonus[2] == 0.0
    assert memory_bonus(_Levers("other/B"), _cfg(path), "q", chunks) == [0.0, 0.0, 0.0]
