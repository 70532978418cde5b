"""Fit the numbered passages into the model's context window with a real tokenizer.

The count comes from the backend when it has the served model's tokenizer
(llama.cpp; openai with `llm.tokenizer` set).  Otherwise the embedder's
multilingual XLM-R tokenizer is used with a 15% margin: on Chinese and English
text it yields a similar or larger count than the Qwen2.5/Llama tokenizers do
for the same text, so the margin errs on the side of trimming.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from tutor.chain.text import CJK

__all__ = ["TokenCounter", "fit_passages"]

APPROX_MARGIN = 1.15


class TokenCounter:
    def __init__(self, exact: Callable[[str], int | None], approx: Callable[[str], int | None]) -> None:
        self._exact = exact
        self._approx = approx
        self.method = "unknown"

    def __call__(self, text: str) -> int:
        n = self._exact(text)
        if n is not None:
            self.method = "model tokenizer"
            return n
        n = self._approx(text)
        if n is not None:
            self.method = "embedder tokenizer × 1.15"
            return math.ceil(n * APPROX_MARGIN)
        self.method = "character heuristic"
        cjk = len(CJK.findall(text))
        return math.ceil((cjk + (len(text) - cjk) / 3.0) * APPROX_MARGIN)


def fit_passages(
    passages: list[str], fixed_tokens: int, window: int, reserve: int, count: Callable[[str], int]
) -> tuple[list[str], int]:
    """Keep passages best-first while they fit; cut the first that does not at a line boundary.

    Returns the kept passages and how many were dropped or cut (0 = nothing trimmed).
    """
    budget = window - reserve - fixed_tokens
    kept: list[str] = []
    for i, passage in enumerate(passages):
        cost = count(passage) + 2
        if cost <= budget:
            kept.append(passage)
            budget -= cost
            continue
        lines = passage.splitlines()
        while len(lines) > 2 and count("\n".join(lines)) + 2 > budget:
            lines.pop()
        if len(lines) > 2:
            kept.append("\n".join(lines))
        return kept, len(passages) - i
    return kept, 0
