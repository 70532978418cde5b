"""Whether a message asks what a skill requires (its check criteria) or reports that the learner is done.

"要练到什么程度", "学完以后怎么检验自己真的会了", "How do I know I've mastered the math fundamentals?" ask for the
roadmap's 检验标准; "我已经学完了…" reports progress.  A report inside the question ("before I can say I've finished
stage 2", "how do I know I've mastered X") is supposed, not made: the requirement is asked, not the next step.
"""

from __future__ import annotations

import re

__all__ = ["REQUIREMENT", "asks_requirement", "says_done"]

# "要练到什么程度 / how do I know I've mastered X / 学完了应该能干啥": the skill's check criteria, from the material.
REQUIREMENT = re.compile(
    r"什么程度|什么水平|哪种程度|多好才|多熟|合格|过关|达标|检验标准|什么标准|什么\s*level|算\s*ok|算(是)?(学会|学完|掌握|入门|合格|过关|可以|会了)|才(能|可以)(进入|开始|学)"
    r"|\bgood enough\b|\bthe bar\b|how (do|can|will|would) i know\b|\b(check|pass) criteria\b|\bcriteria\b|\bready to (move|go|start)"
    r"|how (well|much) (do|should|must) i (know|master|learn)|\bhow good\b|\bmastered\b"
    r"|(应该|应当|要|得)能(干|做)(啥|什么|哪些)|具备(哪些|什么|啥)(样的)?(能力|水平)|\bwhat should i be able to\b|\b(?:need|have) to be able to\b"
    r"|(?:怎么|如何|怎样)(?:才能)?(?:知道|判断|检验|确认|衡量|证明)(?:自己)?(?:真的|是不是|有没有|是否)?(?:已经)?(?:学会|学完|学好|掌握|会|懂)",
    re.IGNORECASE,
)
# a progress report, not the question whether it counts ("阶段 2 也算学完了，接下来…" vs "这样算学完了吗")
_SAYS_DONE = re.compile(
    r"我(已经|刚|刚刚|都)?(学完|学会|掌握了|会了|过了|通过了)|\bi('ve| have)? (finished|learned|mastered)\b"
    r"|(?<!才)算(是)?(学完|学会|掌握|搞定|入门)了(?=[，,。；;！!…\s]|$)",
    re.IGNORECASE,
)
# "How do I know I've mastered X", "before I can say I've finished stage 2": a report the learner asks about,
# not one they make (the requirement is asked)
_SUPPOSED = re.compile(
    r"\b(?:know|tell|say|sure|claim|confirm|check|prove)\s+(?:that\s+|if\s+|whether\s+)?i(?:'ve| have)?\s+"
    r"(?:really\s+|actually\s+|truly\s+)?(?:finished|learned|mastered)\b",
    re.IGNORECASE,
)


def says_done(text: str) -> bool:
    """The learner reports being done (not a report they ask about)."""
    return _SAYS_DONE.search(_SUPPOSED.sub(" ", text)) is not None


def asks_requirement(text: str) -> bool:
    """What a skill or stage requires is asked, and no progress report is made."""
    return REQUIREMENT.search(text) is not None and not says_done(text)
