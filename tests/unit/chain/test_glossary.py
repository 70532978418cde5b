"""English learner words -> the material's Chinese words: spelling variants and phrases that name nothing."""

from __future__ import annotations

import pytest

from tutor.chain.glossary import FRAMING, GLOSSARY, english_terms


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("How do I get going with open-source contributions?", ["开源社区贡献"]),  # 6.4 开源社区贡献
        ("How do I get going with open source contributions?", ["开源社区贡献"]),
        ("open-source projects to contribute to", ["开源", "项目", "贡献"]),
        ("open source community", ["开源社区"]),
        ("Any tips on work life-balance?", ["建议", "工作与生活平衡"]),
        ("cross domain skills", ["跨领域", "技能"]),
    ],
)
def test_a_space_or_a_hyphen_joins_a_terms_words(question: str, terms: list[str]) -> None:
    assert english_terms(question) == terms


def test_talks_about_is_no_talk() -> None:
    # "the article talks about X" would otherwise name the essays' 技术博客和演讲 section
    assert "演讲" not in english_terms("The opinion leader article talks about contributing to open source")
    assert "演讲" in english_terms("Should I give talks at meetups?")


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("How do I stay on top of industry trends?", ["关注", "行业动态"]),  # 关注行业动态
        ("Which top conferences should I keep an eye on?", ["顶会", "关注"]),  # 关注顶会论文
        ("How do I keep up with new papers?", ["关注", "论文"]),
    ],
)
def test_following_the_news_is_read_in_the_material_words(question: str, words: list[str]) -> None:
    assert english_terms(question) == words


def test_following_the_news_is_no_topic_of_its_own() -> None:
    """The verbs are framing: "keep up with football news" names nothing the material teaches."""
    assert "keep up with" in FRAMING and "keep up with" not in GLOSSARY
