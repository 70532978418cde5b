"""Issue 12, route15: what a skill requires is answered from the roadmap, a progress report that asks what
follows goes to the planner, a follow-up that only filters the earlier list ("只要中文的") keeps its skill, a
range of stages ("阶段 0 到 4") counts every stage, and the whole timed path done gets the time plan's next
months.  Phrasings here are not those of the eval sets."""

from __future__ import annotations

import pytest

from tutor.chain.answer import Answer
from tutor.chain.condense import filters_a_list
from tutor.chain.planner_reply import next_step_answer
from tutor.chain.router import route_message
from tutor.chain.structured import compose_structured
from tutor.chain.understanding import understand
from tutor.curriculum.graph import Prerequisites
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.progress import LearnerProfile

from .test_followup import ROADMAP, _ctx


@pytest.mark.parametrize(
    "text",
    [
        "PyTorch 是必修的吗？",
        "Is Git optional if I work alone?",
        "RAG 排在什么后面学？",
        "What's the prerequisite for LangChain?",
        "正式学深度学习之前要先准备哪些？",
    ],
)
def test_requirement_questions_are_material(text: str) -> None:
    assert route_message(text).kind == "material"


@pytest.mark.parametrize(
    "text",
    [
        "Transformer 我搞定了，后面还有什么？",
        "LangChain 也学完了，还有什么可以继续研究的？",
        "Fine-tuning is finished. Which topic comes right after that?",
        "I'm done with system design — anything left to learn?",
    ],
)
def test_progress_and_what_follows_is_next_step(text: str) -> None:
    assert route_message(text).kind == "next_step"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("只看英文的", True),
        ("Just the free ones?", True),
        ("有没有书籍？", True),
        ("有中文的 Transformer 教程吗", False),  # names a topic of its own
        ("What is RAG in Chinese?", False),
        ("有免费的 GPU 吗", False),
    ],
)
def test_filters_a_list(text: str, expected: bool) -> None:
    assert filters_a_list(text) is expected


def test_a_filter_follow_up_keeps_the_skill_and_filters_its_resources(cur, cfg) -> None:
    ctx = _ctx("只看英文的", ["LangChain 开发有哪些学习资源？"], cur, cfg)
    assert ctx is not None and ctx.skills == [12] and ctx.aspects[0] == "resources"
    out = compose_structured(ctx, cur, ROADMAP, "zh", None, "只看英文的")
    assert out is not None
    assert "LangChain 官方文档" in out.text and "LangChain Cookbook" in out.text
    assert "LangChain 实战课（" not in out.text  # a Chinese row is not quoted as a match


def test_a_filter_after_a_content_question_asks_for_resources(cur, cfg) -> None:
    ctx = _ctx("有视频吗", ["Python 编程要学哪些内容？"], cur, cfg)
    assert ctx is not None and ctx.skills == [1] and ctx.aspects[0] == "resources"


@pytest.mark.parametrize(
    ("text", "stages"),
    [
        ("阶段 1 至 3 都学完了", [1, 2, 3]),
        ("I finished stages 2 through 4", [2, 3, 4]),
        ("阶段 2 到 3 个月能学完吗", [2]),  # months, not a range of stages
    ],
)
def test_stage_ranges(cur, cfg, text: str, stages: list[int]) -> None:
    assert understand(text, cur, cfg).stages == stages


def test_the_skill_tree_is_parsed(cur) -> None:
    assert cur.skill_tree_citation is not None and cur.skill_tree_citation.heading == "技能树"
    assert [b.name for b in cur.skill_tree][0] == "基础技能（必修）"
    assert "Git 版本控制 ⭐⭐⭐" in cur.skill_tree[0].leaves


def test_is_a_skill_required_quotes_its_branch_of_the_skill_tree(cur, cfg) -> None:
    q = "Is Git mandatory, or can I leave it out?"
    out = compose_structured(understand(q, cur, cfg), cur, ROADMAP, "en", Prerequisites(cur, cfg), q)
    assert out is not None and "基础技能（必修）" in out.text and "Git 版本控制 [1]" in out.text
    assert "Linux 操作" not in out.text  # the leaf of the named tool only
    assert [s.headings for s in out.sources] == [["技能树"]]


def _answer(roadmap: Roadmap, question: str, finished: list[int]) -> Answer:
    answer = Answer(
        question=question,
        standalone_question=question,
        language="zh",
        route="next_step",
        route_reason="",
        text="",
    )
    next_step_answer(answer, LearnerProfile(id="s", name="s", finished=finished), roadmap, 2)
    return answer


def test_the_whole_timed_path_done_gets_the_time_plans_next_months(roadmap: Roadmap) -> None:
    timed = list(range(1, 16))
    part_time = _answer(roadmap, "我是业余学的，前面的阶段都学完了，接下来怎么安排？", timed)
    assert "项目实践：4 个月" in part_time.text and "求职准备：2 个月" in part_time.text
    assert "项目实践：2-3 个月" not in part_time.text  # the full-time plan is not the learner's pace
    assert "阶段 5" in part_time.text and "多模态 AI" in part_time.text  # stage 5 still follows, named
    cited = [s.headings[-1] for s in part_time.sources if s.cited]
    assert cited == ["业余学习（1.5-2 年）"]  # only the time plan states what the answer says (issue 12)
    plain = _answer(roadmap, "下一步学什么？", timed)  # no word of time or plan: the next stage alone
    assert "项目实践" not in plain.text
    early = _answer(roadmap, "接下来怎么安排？", list(range(1, 10)))
    assert "项目实践" not in early.text
