"""A stage counted in words, corrected by the words beside it.

"第三阶段，就是学 PyTorch 和 Transformer 的那个", "the second stage, the one about ML theory": the learner counts
from 1 where the roadmap counts from 0 (阶段 0 is the first), and says which stage they mean beside the count.
When those words name the stage next to the counted one (by its profile, a skill, or its title), they decide;
a number said in digits ("阶段 3") stands, as does a count its description agrees with.
"""

from __future__ import annotations

import re

from tutor.chain.stage_profile import Understood, read_described, stage_scores
from tutor.curriculum.model import Curriculum

__all__ = ["COUNTED_BEFORE", "read_apposition", "read_stage_words"]

# a stage counted in words ("第三个阶段", "the second stage"): the learner may count from 1 where the roadmap counts
# from 0, and says which one they mean in the words beside it
_ORDINAL = re.compile(
    r"第\s*[一二三四五六七]\s*个?阶段|\b(?:first|second|third|fourth|fifth|sixth)\s+(?:stage|phase)\b"
    r"|\b(?:stage|phase)\s+(?:one|two|three|four|five|six)\b|\b[1-6](?:st|nd|rd|th)\s+(?:stage|phase)\b",
    re.IGNORECASE,
)
# a counted stage right before a bracket: "第二个阶段（AI理论基础）" describes which stage, it elaborates no skill
COUNTED_BEFORE = re.compile(rf"(?:{_ORDINAL.pattern})\s*$", re.IGNORECASE)
_BESIDE = re.compile(
    r"\s*[，,（(—–:：-]\s*(?:也就是|就是|即|i\.e\.,?|aka|namely)?\s*(?P<d>[^，,。？?！!）)—–]{2,50})", re.I
)


def _apposition_stage(d: str, curriculum: Curriculum, u: Understood) -> int | None:
    """The stage the words beside an ordinal describe: profile words, skills and stage names said in them."""
    scores = stage_scores(d, curriculum)
    for key, said in u.evidence.items():  # evidence lowered ("ai理论"), the bracket as said ("AI理论")
        kind, _, n = key.partition(" ")
        if said and said.lower() in d.lower() and n.isdigit():
            stage = curriculum.skill(int(n)).stage if kind == "skill" else int(n) if kind == "stage" else None
            if stage is not None:
                scores[stage] = scores.get(stage, 0.0) + (1.0 if kind == "skill" else 2.0)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 1):
        return None
    return ranked[0][0]


def read_apposition(text: str, curriculum: Curriculum, u: Understood) -> None:
    """ "第三阶段，就是学 PyTorch 和 Transformer 的那个": the description beside a counted stage decides, when it
    names the stage next to the counted one (counting from 1, not 0); a number said as digits stands."""
    m = _ORDINAL.search(text)
    counted = [
        n for n in u.stages if u.evidence.get(f"stage {n}", "").lower() == (m.group(0).lower() if m else "")
    ]
    beside = _BESIDE.match(text, m.end()) if m and counted else None
    if beside is None:
        return
    d = beside.group("d")
    stage = _apposition_stage(d, curriculum, u)
    if stage is None or stage == counted[0] or abs(stage - counted[0]) > 1:
        return
    for key in [k for k in u.evidence if k.startswith("stage ")]:
        u.evidence.pop(key)
    u.stages, u.evidence[f"stage {stage}"] = [stage], f"{m.group(0)}{beside.group(0)}"  # type: ignore[union-attr]
    for n in [
        n for n in u.skills if curriculum.skill(n).stage == stage and u.evidence.get(f"skill {n}", "\0") in d
    ]:
        u.skills.remove(n)
        u.evidence.pop(f"skill {n}", None)


def read_stage_words(text: str, curriculum: Curriculum, u: Understood) -> None:
    """A stage described instead of numbered (`stage_profile`), then a counted one its description corrects."""
    read_described(text, curriculum, u)  # "the phase where I ship models to production": its stage
    read_apposition(text, curriculum, u)  # "第三阶段，就是学 PyTorch 的那个": 阶段 2
