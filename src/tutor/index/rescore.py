"""A second-stage re-scoring of the fused candidates from signals retrieval already has (issue 13).

RRF fuses ranks, so a passage that both retrievers put second and a passage one of them put first
can swap places on a hair.  Two signals that the fusion only sees as ranks break such ties:

- the best block's dense similarity (the section view, `tutor.index.sections`): how close the one
  block of the passage that answers is to the question — as a difference to the best candidate's,
  so it only moves passages whose block is nearly as close; tables have no blocks and no say;
- whether the passage sits under a stage or skill the question refers to (the query
  understanding's `ReferenceSections` hook: "阶段 2 学什么" -> "阶段 2：深度学习实践（2-3 个月）").

score = rrf / rrf_best + block_weight * (block - block_best) + stage_weight * [under a referenced
section].  No learned weights: a linear rule whose two weights were chosen on the dev set
(`bench/retrieval_rescore.py`, eval/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tutor.index.store import StoredChunk

__all__ = ["rescore"]

_NO_BLOCK = -2.0  # SectionView's similarity for a passage without blocks (a table)


def _stripped(heading: str) -> str:
    return heading.split("⭐")[0].strip()


def rescore(
    chunks: Sequence[StoredChunk],
    block: Mapping[str, float],
    referenced: str,
    block_weight: float,
    stage_weight: float,
) -> list[StoredChunk]:
    """`chunks` (fused order, RRF scores) re-ordered by the rule above; scores are left as they were."""
    if not chunks:
        return []
    top = chunks[0].score or 1.0
    sims = [block.get(c.id, _NO_BLOCK) for c in chunks]
    best = max(sims)

    def score(i: int) -> float:
        c = chunks[i]
        closeness = sims[i] - best if sims[i] > _NO_BLOCK else 0.0
        under = bool(referenced) and any(_stripped(h) in referenced for h in c.headings if _stripped(h))
        return c.score / top + block_weight * closeness + stage_weight * under

    return [chunks[i] for i in sorted(range(len(chunks)), key=lambda i: -score(i))]
