"""Round 21: a stage counted in words ("第三阶段", "the second stage") is corrected by the description beside it
when that names the neighbouring stage (the learner counted from 1; the roadmap's first stage is 阶段 0)."""

from __future__ import annotations

from tutor.chain.understanding import understand


def test_the_description_beside_a_counted_stage_decides(cur, cfg) -> None:
    u = understand("第三阶段，就是学 PyTorch 和 Transformer 的那个，有哪些项目？", cur, cfg)
    assert u.stages == [2] and not u.skills and "project" in u.aspects
    en = understand("The second stage, the one about ML theory, how long is it?", cur, cfg)
    assert en.stages == [1] and not en.skills
    named = understand("第三个阶段，也就是深度学习实践那个，要多久？", cur, cfg)
    assert named.stages == [2]  # the title said beside the count, not both stages


def test_a_count_its_description_agrees_with_or_digits_stand(cur, cfg) -> None:
    assert understand("第二阶段，就是练 PyTorch 和 Transformer 的那个，要多久？", cur, cfg).stages == [2]
    assert understand("第一阶段，打基础的那个，学什么？", cur, cfg).stages == [0]
    assert understand("阶段 3，就是学 PyTorch 的那个，有哪些项目？", cur, cfg).stages == [3]


def test_the_main_line_in_english_names_the_core_path() -> None:
    from tutor.chain.structured_prereqs import CORE_PATH

    assert CORE_PATH.search("Going by the main line, what comes before Transformer?")
    assert CORE_PATH.search("按主线说") and not CORE_PATH.search("the main thing before Transformer")
