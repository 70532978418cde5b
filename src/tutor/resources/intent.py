"""Does a question ask for resources (books, courses, videos, ...)?  Shared by the router and retrieval.

Two strengths: `recommends_resources` (an explicit request for a book, course, ... that is not about
the learning order) wins over a what-next question; `asks_for_resources` (any resource word) does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["ResourceKinds", "asks_for_resources", "recommends_resources"]

_RECOMMEND = re.compile(
    r"(推荐|有没有|有哪些|哪些|哪个|一个|一本|一门).{0,30}(书|教程|课|视频|资源|资料|仓库|论文|网站|工具|框架)"
    r"|\b(recommend|suggest|any)\b.{0,30}\b(book|course|video|tutorial|resource|repo|paper)s?\b",
    re.IGNORECASE,
)
_ORDER = re.compile(r"路线|顺序|下一步|\bnext\b", re.IGNORECASE)

_RESOURCE = re.compile(
    r"(推荐|有没有|有哪些|哪些|哪个|哪本|什么|一个|一本|一门|找).{0,30}(书|教程|课|视频|资源|资料|仓库|论文|网站|工具|框架|平台|社区)"
    r"|资源|教程|课程|书籍|视频课|论文|链接|文档"
    r"|\b(recommend|suggest|any|find|good|best)\b.{0,40}\b(books?|courses?|videos?|tutorials?|resources?|repos?|papers?|sites?|links?)\b"
    r"|\b(resources?|tutorials?|courses?|books?|papers?|documentation|docs)\b",
    re.IGNORECASE,
)


def asks_for_resources(text: str) -> bool:
    return bool(_RESOURCE.search(text))


def recommends_resources(text: str) -> bool:
    """An explicit request for a resource that does not ask about the learning order."""
    return bool(_RECOMMEND.search(text)) and not _ORDER.search(text)


# English names of resource kinds -> the Chinese words the material uses for them (headings of the
# resource lists, the tables' type column).  A fixed list of how a learner names a *kind* of resource;
# a kind is only used when the material has its Chinese words (`ResourceKinds.from_material`).
_EN_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"communit(?:y|ies)|forums?|discord|slack|subreddits?|reddit|message boards?|mailing lists?",
        ("社区", "论坛"),
    ),
    (r"platforms?|websites?|web sites?|online sites?", ("平台", "网站")),
    (r"books?|textbooks?", ("书籍",)),
    (r"videos?|lectures?|youtube", ("视频",)),
    (r"courses?|moocs?", ("课程",)),
    (r"papers?", ("论文",)),
)


class ResourceKinds:
    """Resource kinds an English question names ('forum', 'community', 'websites'), in the material's words.

    `asks_for_resources` reads resource *words* ("book", "course", "tutorial"); a learner asking where to
    discuss or ask ("an English-speaking community", "which websites") names a kind of resource the
    material lists in its own tables (社区和论坛, 实践平台), which that check does not cover.
    """

    def __init__(self, kinds: Sequence[tuple[re.Pattern[str], tuple[str, ...]]]) -> None:
        self.kinds = tuple(kinds)

    @classmethod
    def from_material(cls, text: str) -> ResourceKinds:
        """Keep the kinds whose Chinese words occur in `text` (the resource headings and type cells)."""
        kept = []
        for pattern, words in _EN_KINDS:
            present = tuple(w for w in words if w in text)
            if present:
                kept.append((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), present))
        return cls(kept)

    def __len__(self) -> int:
        return len(self.kinds)

    def named(self, question: str) -> list[str]:
        """The Chinese words of the kinds an English question names (none for a Chinese question)."""
        if re.search(r"[\u4e00-\u9fff]", question):
            return []
        return list(
            dict.fromkeys(w for pattern, words in self.kinds if pattern.search(question) for w in words)
        )

    def __call__(self, question: str) -> str | None:
        return " ".join(self.named(question)) or None
