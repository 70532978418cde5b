"""Round 19 (prerequisites, checks, project order): each class of failure fixed in a general way, asserted on the
shipped roadmap (issue 12)."""

from __future__ import annotations

from tests.unit.chain.conftest import ROADMAP
from tutor.chain.replies import material_next_step
from tutor.chain.structured import compose_structured
from tutor.chain.understanding import understand


def _structured(question: str, cur, cfg, language: str):
    out = compose_structured(understand(question, cur, cfg), cur, ROADMAP, language, question=question)
    assert out is not None
    return out


def test_a_language_alone_as_the_filter_counts_the_other_rows_without_naming_them(cur, cfg) -> None:
    out = _structured("模型部署的学习资源只要中文的", cur, cfg, "zh")
    assert "FastAPI 中文教程" in out.text
    assert "TensorRT" not in out.text and "表中另有 1 项其他语言的资源" in out.text
    assert "TensorRT 官方文档" not in out.items  # an LLM's phrasing is not made to restore it
    en = _structured("Which RAG resources are in English only?", cur, cfg, "en")
    assert "LlamaIndex 官方文档" in en.text and "向量数据库实战" not in en.text


def test_a_preference_or_a_kind_word_keeps_the_rest_of_the_table_by_name(cur, cfg) -> None:
    out = _structured("linux 和 git 有啥入门资料吗，最好中文的", cur, cfg, "zh")
    assert "表中另有：Linux Journey" in out.text
    kind = _structured("有没有中文的 Python 入门教程推荐？", cur, cfg, "zh")
    assert "表中另有：" in kind.text and "莫烦 Python" in kind.text


def test_the_next_step_reads_a_resource_the_answer_shows(cur) -> None:
    shown = "- Linux Journey（在线教程，英文，⭐⭐⭐⭐）：https://linuxjourney.com/ [1]"
    step = material_next_step(cur.skill(3), set(), None, None, "zh", shown)
    assert step is not None and "Linux Journey" in step and "鸟哥" not in step
    assert "鸟哥" in (material_next_step(cur.skill(3), set(), None, None, "zh") or "")  # nothing shown: the first
