"""Keyword tokens for BM25: jieba for Chinese, lower-cased Snowball stems for English.

Punctuation, whitespace, emoji/star ratings and stop words are dropped, so
"有哪些向量数据库可以选？" and "向量数据库" share their informative tokens.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

from tutor.patterns import CJK

__all__ = ["tokenize", "configure_cache_dir", "TOKENIZER_VERSION"]

#: bump when tokenisation changes, so persisted BM25 indexes are rebuilt
TOKENIZER_VERSION = "jieba-search+snowball-en+stop-v1"

_WORD = re.compile(r"[a-z0-9]+(?:[.+#-][a-z0-9]+)*|[\u3400-\u9fff\uf900-\ufaff]+")
_ZH_STOP = set(
    "的 了 和 与 及 或 是 在 有 我 你 他 她 它 们 这 那 哪 哪些 什么 怎么 怎样 如何 吗 呢 吧 啊 么 "
    "一个 一些 可以 可 能 会 要 想 该 应该 需要 还 也 都 就 又 很 更 最 被 把 给 对 从 到 为 以 "
    "之 其 中 上 下 里 后 前 时 个 些 多少 几 多久 哪里 为什么 请问 推荐 一下 有没有 没有 不 "
    "吗？ 呀 嘛 等 等等 以及 并 而 且 如果 因为 所以 但 但是 然后".split()
)
_EN_STOP = set(
    "a an the and or of to in on for with is are was were be been being do does did how what which "
    "who whom where when why can could should would will shall may might must i me my we our you "
    "your it its this that these those there here any some about from by as at into than then so "
    "if not no yes have has had get got there's what's i'm".split()
)
_lock = threading.Lock()


def configure_cache_dir(path: Path) -> None:
    """Keep jieba's dictionary cache under the tutor's data dir instead of /tmp."""
    import jieba

    path.mkdir(parents=True, exist_ok=True)
    jieba.dt.tmp_dir = str(path)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        jieba.initialize()
    return jieba


def segment(text: str) -> list[str]:
    """jieba's words of `text` in order, nothing dropped (for telling a whole word from part of one)."""
    return list(_jieba().lcut(text))


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Tokens for indexing and querying (the same function for both)."""
    jieba = _jieba()
    stem = _stemmer().stemWord
    tokens: list[str] = []
    for match in _WORD.finditer(text.lower()):
        piece = match.group(0)
        if CJK.match(piece):
            for word in jieba.lcut_for_search(piece):
                if word not in _ZH_STOP:
                    tokens.append(word)
        elif piece not in _EN_STOP:
            tokens.append(stem(piece))
    return tokens
