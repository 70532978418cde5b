"""Does a question ask for resources (books, courses, videos, ...)?  Shared by the router and retrieval.

Two strengths: `recommends_resources` (an explicit request for a book, course, ... that is not about
the learning order) wins over a what-next question; `asks_for_resources` (any resource word) does not.
"""

from __future__ import annotations

import re

__all__ = ["asks_for_resources", "recommends_resources"]

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
