"""Small text helpers the chain shares: language, sentences, overlap."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutor.patterns import CJK
from tutor.textsim import trigram_jaccard

__all__ = ["CJK", "detect_language", "split_sentences", "overlap_ratio", "strip_markdown", "trigram_jaccard"]

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#.\-]*")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])\s*|(?<=[.])\s+(?=[A-Z\u3400-\u9fff])")
_MD_INLINE = re.compile(r"(\*\*|__|`)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def detect_language(text: str) -> str:
    """'zh' when the text has Chinese characters, else 'en' (the two languages of the material)."""
    return "zh" if CJK.search(text) else "en"


def strip_markdown(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return _MD_INLINE.sub("", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of prose; every non-empty line (bullet, table row) is its own unit."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or set(line) <= set("|-: "):
            continue
        out.extend(part.strip() for part in _SENTENCE_END.split(line) if part and part.strip())
    return out


def _units(text: str) -> set[str]:
    lowered = text.lower()
    cjk = "".join(CJK.findall(lowered))
    grams = {cjk[i : i + 2] for i in range(len(cjk) - 1)} if len(cjk) > 1 else set(cjk)
    return grams | set(_WORD.findall(lowered))


def overlap_ratio(sentence: str, passage: str) -> float:
    """Share of the sentence's Chinese bigrams and words that also occur in the passage."""
    mine = _units(sentence)
    if not mine:
        return 0.0
    return len(mine & _units(passage)) / len(mine)


def chunks(text: str, size: int = 24) -> Iterator[str]:
    """Deterministic answers are streamed in small pieces too, so every caller sees one behaviour."""
    for i in range(0, len(text), size):
        yield text[i : i + size]


# a prefix that binds the next word into another ("跨领域", cross-domain): the segmenter cuts it 跨 + 领域, and
# 领域 alone would name an essay's "3.4 算法应用领域" for a question about cross-domain skills
_BOUND = re.compile(r"跨[\u4e00-\u9fff]{2}")


def unbound(text: str) -> str:
    """The text without its prefix-bound words ("提升跨领域知识" -> "提升 知识"): their parts name no heading."""
    return _BOUND.sub(" ", text)
