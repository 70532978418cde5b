"""Topics listed in a bracket after a named skill say which part is meant (round 22): they name no further skill
in understanding, count as nothing finished in the learner's own words, and do not change the route."""

from __future__ import annotations

from tutor.chain.elaboration import blank_elaborations, elaborations
from tutor.chain.own_words import reported
from tutor.chain.router import route_message
from tutor.chain.understanding import understand

NLP = "just wrapped up the NLP part (word embeddings, attention, seq2seq). whats next on the roadmap?"


def test_a_bracket_after_a_named_skill_names_no_other_skill(cur, cfg) -> None:
    u = understand(NLP, cur, cfg)
    assert u.skills == [6] and u.aspects == ["next"]
    assert len(u.read_as) == len(NLP) and "attention" not in u.read_as
    assert understand("学完了 Python（numpy、pandas 那些），接下来学什么？", cur, cfg).skills == [1]


def test_a_bracket_that_rules_out_or_follows_nothing_named_is_kept(cur, cfg) -> None:
    assert elaborations("学完了阶段 1（除了 NLP）", cur, cfg) == []
    assert elaborations("(attention, seq2seq) which comes first?", cur, cfg) == []
    assert (
        blank_elaborations("学完了 Python（numpy、pandas 那些）", cur, cfg, keep_length=False)
        == "学完了 Python"
    )


def test_a_bracket_after_a_named_skill_counts_nothing_more_as_done(roadmap) -> None:
    stated, _ = reported(NLP, roadmap)
    assert stated == {6}
    stated, _ = reported("学完了 Python（numpy、pandas 那些），接下来学什么？", roadmap)
    assert stated == {1}


def test_wrapped_up_then_whats_next_asks_the_next_step() -> None:
    assert route_message("just wrapped up the NLP part. whats next on the roadmap?").kind == "next_step"


def test_a_listed_elaboration_after_a_colon_dash_or_including_names_no_other_skill(cur, cfg, roadmap) -> None:
    for text in (
        "I finished the NLP part: word2vec, attention, seq2seq. What's next?",
        "I finished the NLP part, including attention and seq2seq. What's next?",
    ):
        assert understand(text, cur, cfg).skills == [6]
        assert reported(text, roadmap)[0] == {6}
    # what follows the colon asks, or is no list: kept
    assert sorted(understand("RAG 和 LangChain：分别有哪些资源", cur, cfg).skills) == [11, 12]
    assert elaborations("Done with python basics - I can write a 500-line project now.", cur, cfg) == []
