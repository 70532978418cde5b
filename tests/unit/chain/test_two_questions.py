"""Two complete questions in one message are answered both (round 22); one question with a list, a part that
leans on the other, or the same ask said twice stays one question."""

from __future__ import annotations

from tutor.chain.answer import Answer, Source
from tutor.chain.two_questions import join_answers, split_questions
from tutor.chain.understanding import understand


def _split(text: str, cur, cfg) -> list[str]:
    return split_questions(text, lambda t: understand(t, cur, cfg))


def test_two_complete_questions_are_split(cur, cfg) -> None:
    assert _split("微调实战那块用哪些框架？数据准备又包括哪几步？", cur, cfg) == [
        "微调实战那块用哪些框架？",
        "数据准备又包括哪几步？",
    ]
    assert _split("RAG 的资源有哪些？另外 LangChain 要学多久？", cur, cfg)[1] == "LangChain 要学多久？"
    assert (
        len(
            _split("Which projects does the RAG skill list? And also how long does LangChain take?", cur, cfg)
        )
        == 2
    )


def test_one_question_or_a_leaning_part_is_not_split(cur, cfg) -> None:
    assert _split("Python、数学要学多久？", cur, cfg) == []
    assert _split("阶段 2 学什么？大概要多久", cur, cfg) == []  # the second part names nothing of its own
    assert _split("怎么判断我 Python 学到位了？有没有什么标准可以对照一下", cur, cfg) == []
    assert _split("我数学很差，能直接跳到深度学习吗？需要什么数学基础", cur, cfg) == []  # a yes/no lead-in
    assert _split("RAG要学哪些内容？向量库、检索策略啥的都列出来", cur, cfg) == []


def _answer(text: str, ids: list[str]) -> Answer:
    sources = [Source(n=i, id=x, doc="d", title="t", cited=True) for i, x in enumerate(ids, 1)]
    return Answer(
        question="q",
        standalone_question="q",
        language="zh",
        route="material",
        route_reason="r",
        text=text,
        sources=sources,
    )


def test_joined_answers_number_their_citations_as_one_list() -> None:
    first = _answer("框架 [1]\n\n**下一步**：A", ["a", "b"])
    second = _answer("数据 [2] 又 [1]\n\n**下一步**：B", ["b", "c"])
    joined = join_answers("两问", first, second)
    assert joined.question == "两问"
    assert joined.text == "框架 [1]\n\n数据 [2] 又 [3]\n\n**下一步**：B"
    assert [s.id for s in joined.sources] == ["a", "c", "b"]
    assert joined.text.count("下一步") == 1


def test_the_same_lead_line_is_said_once() -> None:
    first = _answer("以下内容：\n- 甲 [1]", ["a"])
    second = _answer("以下内容：\n- 乙 [1]", ["b"])
    assert join_answers("两问", first, second).text == "以下内容：\n- 甲 [1]\n\n- 乙 [2]"
