"""A skill's own resource table holding every kind asked (courses and books, videos or blogs) answers alone: the
appendix's general table of that kind (书籍推荐, 视频学习) is not quoted or cited beside it (issue 12)."""

from __future__ import annotations

from tutor.chain.resource_kinds import holds_kinds, kind_words
from tutor.chain.understanding import understand


def test_a_skill_table_holding_every_kind_asked_needs_no_appendix_table(cur) -> None:
    question = "For the neural network theory part, which courses and books are recommended?"
    assert kind_words(question, "en", cur) == {"课程", "书籍"}
    assert holds_kinds(cur.skill(5).resources, question, "en", cur)
    assert holds_kinds(cur.skill(8).resources, "学 transformer 原理有啥视频或者博客可以看吗", "zh", cur)
    # a kind the skill's table lacks: the appendix table may answer it
    assert not holds_kinds(cur.skill(8).resources, "transformer 有什么书籍", "zh", cur)
    assert not holds_kinds(cur.skill(8).resources, "transformer 怎么学", "zh", cur)  # no kind said


def test_the_appendix_table_is_not_cited_beside_a_skill_table_holding_the_kinds_asked(cur, cfg) -> None:
    from tests.unit.chain.conftest import ROADMAP
    from tutor.chain.structured import compose_structured

    question = (
        "For the neural network theory part (CNNs, RNNs, backprop), which courses and books are recommended?"
    )
    out = compose_structured(understand(question, cur, cfg), cur, ROADMAP, "en", question=question)
    assert out is not None
    assert [s.headings[-1] for s in out.sources] == ["学习资源"]
    # a kind only the appendix lists (the skill's table has no 讲师 column): the table still joins
    other = "机器学习有哪些视频，老师是谁"
    more = compose_structured(understand(other, cur, cfg), cur, ROADMAP, "zh", question=other)
    assert more is not None and "视频学习" in [s.headings[-1] for s in more.sources]
