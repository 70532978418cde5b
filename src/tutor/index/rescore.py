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
(`bench/retrieval_rescore.py`, eval/README.md).  `learned_order` adds to the rule a linear model over
more of the same signals (`tutor.index.ranker`, retrieval.learned_ranker, learned_ranker_weight).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.index.heading_match import heading_evidence, passage_titles
from tutor.index.memory import memory_bonus
from tutor.index.ranker import Candidates, cached_ranker, feature_rows
from tutor.index.roadmap_sections import under_any
from tutor.index.routing import refers_to_document, strip_document_reference
from tutor.index.sections import asks_next_step
from tutor.index.settings import RetrievalSettings
from tutor.index.store import StoredChunk
from tutor.patterns import CJK
from tutor.whats_next import NEXT_WORD

if TYPE_CHECKING:
    from tutor.index.levers import QueryLevers

__all__ = ["done_sections", "learned_candidates", "learned_order", "rescore", "rule_order", "rule_scores"]

_NO_BLOCK = -2.0  # SectionView's similarity for a passage without blocks (a table)


def _stripped(heading: str) -> str:
    return heading.split("⭐")[0].strip()


def rule_scores(
    chunks: Sequence[StoredChunk],
    block: Mapping[str, float],
    referenced: str,
    block_weight: float,
    stage_weight: float,
) -> list[float]:
    """The rule above's score of each of `chunks` (fused order, RRF scores)."""
    if not chunks:
        return []
    top = chunks[0].score or 1.0
    sims = [block.get(c.id, _NO_BLOCK) for c in chunks]
    best = max(sims)
    return [
        c.score / top
        + block_weight * (sim - best if sim > _NO_BLOCK else 0.0)
        + stage_weight * under_referenced(c, referenced)
        for c, sim in zip(chunks, sims, strict=True)
    ]


def rescore(
    chunks: Sequence[StoredChunk],
    block: Mapping[str, float],
    referenced: str,
    block_weight: float,
    stage_weight: float,
) -> list[StoredChunk]:
    """`chunks` (fused order, RRF scores) re-ordered by the rule above; scores are left as they were."""
    scores = rule_scores(chunks, block, referenced, block_weight, stage_weight)
    return [chunks[i] for i in sorted(range(len(chunks)), key=lambda i: -scores[i])]


def referenced_text(levers: QueryLevers, query: str) -> str:
    """The headings of the stages and skills the question refers to (the levers' query hooks)."""
    return " ".join(r for r in (hook(query) for hook in levers.hooks) if r)


def under_referenced(chunk: StoredChunk, referenced: str) -> bool:
    return bool(referenced) and any(_stripped(h) in referenced for h in chunk.headings if _stripped(h))


def rule_order(
    levers: QueryLevers, cfg: RetrievalSettings, query: str, fused: list[StoredChunk], vector: Sequence[float]
) -> list[StoredChunk]:
    """The fused top `rescore_depth` re-ordered by the hand-set rule above (`rescore`), minus the
    finished-section penalty, plus the heading evidence for a question about a named document."""
    head = fused[: cfg.rescore_depth]
    ids = [c.id for c in head]
    block = levers.sections().block_similarity(ids, vector) if cfg.rescore_block_weight else {}
    referenced = referenced_text(levers, query) if cfg.rescore_stage_weight else ""
    scores = rule_scores(head, block, referenced, cfg.rescore_block_weight, cfg.rescore_stage_weight)
    if cfg.rescore_done_weight > 0:
        done = done_sections(levers, query)
        if done:
            scores = [s - cfg.rescore_done_weight * done(c) for s, c in zip(scores, head, strict=True)]
    if cfg.rescore_next_weight > 0:
        after = next_sections(levers, query)
        if after:
            scores = [s + cfg.rescore_next_weight * after(c) for s, c in zip(scores, head, strict=True)]
    if cfg.question_memory_rescore > 0:
        bonus = memory_bonus(levers, cfg, query, head)
        scores = [s + cfg.question_memory_rescore * b for s, b in zip(scores, bonus, strict=True)]
    if cfg.rescore_heading_weight > 0 and refers_to_document(query):
        named = levers.section_kinds()(query) or ""
        titles = [passage_titles(_last(c), c.text) for c in head]
        said = heading_evidence(strip_document_reference(query), titles, named)
        # near-ties inside the leading document only: a heading elsewhere must not move the document
        said = [e if c.doc == head[0].doc else 0.0 for c, e in zip(head, said, strict=True)]
        # "I've done step X, what next?" names the section the learner has finished: it goes down
        weight = -cfg.rescore_heading_weight if asks_next_step(query) else cfg.rescore_heading_weight
        scores = [s + weight * e for s, e in zip(scores, said, strict=True)]
    order = sorted(range(len(head)), key=lambda i: -scores[i])
    return [head[i] for i in order] + fused[cfg.rescore_depth :]


def _last(chunk: StoredChunk) -> str:
    return chunk.headings[-1] if chunk.headings else ""


def done_sections(levers: QueryLevers, query: str) -> Callable[[StoredChunk], bool] | None:
    """For "I finished X, what next?": whether a passage sits under X and not under what follows X
    (`RoadmapSections.done_targets` / `next_targets`); None for any other question."""
    sections = levers.roadmap
    if sections is None or refers_to_document(query) or not asks_next_step(query):
        return None
    done = sections.done_targets(query, True)
    if not done:
        return None
    after = sections.next_targets(query, True)
    return lambda c: under_any(c.headings, done) and not under_any(c.headings, after)


def next_sections(levers: QueryLevers, query: str) -> Callable[[StoredChunk], bool] | None:
    """For "I finished X, what next?": whether a passage is the first under what follows X (`next_targets`):
    X's own sections and the roadmap's summaries (关键技能, 3 个月后) share the question's words, the next
    skill's section does not; its first passage only, so the passages that write the order down (核心路径,
    学习路线总览) keep their place above the rest of it.  None for any other question."""
    sections = levers.roadmap
    if sections is None or refers_to_document(query) or not asks_next_step(query):
        return None
    try:
        skills = {s.heading for s in sections.curriculum().skills}
        said = sections.understand(query).evidence
    except Exception:  # noqa: BLE001 - a ranking must never fail the search
        return None
    asked = NEXT_WORD.search(query)
    if asked and any(
        k.startswith("skill ") and v and query.find(v, asked.end()) >= 0 for k, v in said.items()
    ):
        return (
            None  # "学完机器学习是直接接着学深度学习吗": it names the skill it asks about; the order answers
        )
    # the next *skill*: after a stage, the overview that writes the stages down (学习路线总览) answers as well
    targets = [t for t in sections.next_targets(query, True) if t.heading in skills]
    first = {c.id for c in levers.roadmap_passages(targets, limit=1)}
    return (lambda c: c.id in first) if first else None


def learned_candidates(
    levers: QueryLevers,
    cfg: RetrievalSettings,
    query: str,
    fused: list[StoredChunk],
    vector: Sequence[float],
    lists: Mapping[str, Sequence[StoredChunk]],
) -> Candidates:
    """What the learned ranker (`tutor.index.ranker`) sees of the fused top `rescore_depth`."""
    head = fused[: cfg.rescore_depth]
    ids = [c.id for c in head]
    referenced = referenced_text(levers, query)
    kind_words = (levers.section_kinds()(query) or "").split()
    return Candidates(
        chunks=head,
        english=not CJK.search(query),
        rrf_k=cfg.rrf_k,
        lists=lists,
        block=levers.sections().block_similarity(ids, vector),
        item=levers.items().similarity(ids, vector) if cfg.item_view_weight > 0 else {},
        heading=levers.heading_vectors().similarity(head, vector),
        under_ref={c.id: under_referenced(c, referenced) for c in head},
        kind={c.id: bool(c.headings) and any(w in c.headings[-1] for w in kind_words) for c in head},
    )


def learned_order(
    levers: QueryLevers,
    cfg: RetrievalSettings,
    query: str,
    fused: list[StoredChunk],
    vector: Sequence[float],
    lists: Mapping[str, Sequence[StoredChunk]],
) -> list[StoredChunk]:
    """The fused top `rescore_depth` re-ordered by the rule's score plus `learned_ranker_weight` x the
    learned ranker's (retrieval.learned_ranker); equal scores keep the fused order."""
    path = Path(cfg.learned_ranker_file) if cfg.learned_ranker_file else None
    ranker = cached_ranker(path)
    c = learned_candidates(levers, cfg, query, fused, vector, lists)
    rule = rule_scores(
        c.chunks, c.block, referenced_text(levers, query), cfg.rescore_block_weight, cfg.rescore_stage_weight
    )
    learned = ranker.scores(feature_rows(c))
    score = [r + cfg.learned_ranker_weight * x for r, x in zip(rule, learned, strict=True)]
    order = sorted(range(len(c.chunks)), key=lambda i: -score[i])
    return [c.chunks[i] for i in order] + fused[cfg.rescore_depth :]
