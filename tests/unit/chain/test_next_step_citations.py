"""A next-step answer quotes and cites the one skill it recommends: the roadmap's next in order (what the
learner asked), not also the prerequisite graph's other choice, which is named (uncited) in the lead; only a
skill the learner's own list skips over comes first."""

from __future__ import annotations

import re

import pytest

from tutor.chain.answer import Answer
from tutor.chain.citations import renumber
from tutor.chain.own_words import apply_own_words
from tutor.chain.planner_reply import next_in_order, next_step_answer
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.progress import LearnerProfile


@pytest.mark.parametrize(
    ("done", "stated", "expected"),
    [
        ({1, 3}, {1, 3}, 2),  # "Python 很熟，Linux 和 Git 天天用": math is skipped in their own list
        ({3}, {3}, 4),  # "done with Linux and Git": where they are, the roadmap's next
        ({*range(1, 9), 10}, {10}, 11),  # Prompt Engineering done: RAG, whatever the graph adds
        ({*range(1, 7), 8}, {6, 8}, 7),  # PyTorch lies between two named skills and before both
        ({*range(1, 13), 14}, {9, 14}, 15),  # 部署 follows 微调 in the core path: no gap before 14
    ],
)
def test_next_in_order(roadmap: Roadmap, done: set[int], stated: set[int], expected: int) -> None:
    assert next_in_order(roadmap, done, stated) == expected


def _answer(roadmap: Roadmap, question: str, language: str) -> Answer:
    answer = Answer(
        question=question,
        standalone_question=question,
        language=language,
        route="next_step",
        route_reason="",
        text="",
    )
    profile = LearnerProfile(id="adhoc", name="adhoc")
    apply_own_words(answer, profile, question, [], None, roadmap)
    next_step_answer(answer, profile, roadmap, 2)
    answer.text = renumber(answer)  # as the chain does: [1]…[n] in the order of first use
    return answer


def test_done_with_prompt_engineering_cites_rag_only(roadmap: Roadmap) -> None:
    answer = _answer(roadmap, "I've finished Prompt Engineering. What should I learn next?", "en")
    cited = [s for s in answer.sources if s.cited]
    assert [s.headings[-1] for s in cited] == [roadmap.curriculum.skill(11).heading]
    assert "learn **技能点 11：RAG 检索增强" in answer.text  # the plan recommends what the lead names
    assert "技能点 9（Hugging Face Transformers）" in answer.text  # the graph's choice, named
    assert answer.recommendations["recommendations"][0]["skill"]["number"] == 11
    assert sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}) == [1]


def test_a_whole_stage_done_recommends_the_next_stage_first_skill(roadmap: Roadmap) -> None:
    answer = _answer(roadmap, "阶段 3 的四个技能点我都学完了，下一步学什么？", "zh")
    assert "建议下一步学习 **技能点 13：模型部署" in answer.text  # not 14, which the core path puts first
    numbers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer.text)})
    assert numbers == list(range(1, len(numbers) + 1))  # consecutive
    assert all(s.cited for s in answer.sources if f"[{s.n}]" in answer.text)
