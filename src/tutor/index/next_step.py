"""Does a learner ask what comes after something?  (The retrieval's reading of "what next", issue 13.)

Said with a "next" word ("下一步", "what comes after X", "move on to"), or as a report of what is done
with a question of where to go and no "next" word ("Finished stage 2, what do I start on now?",
"机器学习、深度学习、NLP 都学完了，该进入哪个阶段？").  A span of time ("三个月以后", "after six months") asks
for a milestone instead.
"""

from __future__ import annotations

import re

__all__ = ["asks_next_step"]

# "what comes next" in a learner's words: the chain's "next" aspect (`tutor.chain.refs`) and the
# "after I'm done with X" forms of `ReferenceSections`
_NEXT = re.compile(
    r"之后学|以后学|然后学|接下来|下一步|下一个|下一?个?阶段|学完.{0,12}(?:学|做)什么|结束(?:了)?(?:之后|以后|后)"
    r"|\bnext\b|\bafter (?:that|this|finishing|learning)\b|\bcomes? (?:right )?after\b|\bfollow(?:s|ing)?\b"
    r"|\bafter (?:i'?m )?(?:done|finish)|接着学|\bmove on to\b|\bleft to (?:learn|study)\b",
    re.IGNORECASE,
)
# a span of time ("三个月以后", "after six months") asks for a milestone, not for what comes next
_DURATION = re.compile(
    r"[0-9一二两三四五六七八九十半]\s*个?\s*(?:月|年|周|星期)|\b(?:months?|years?|weeks?)\b", re.I
)


# "Finished stage 2, what do I start on now?", "NLP 都学完了，该进入哪个阶段": a report of what is done and a
# question of where to go, with no "next" word; both halves are needed ("学完 RAG 要多久" asks a duration)
_DONE = re.compile(
    r"学完|学好了|搞定了|完成了|都过了|\b(?:finished|completed|wrapped up|done with|through with|got comfortable with)\b",
    re.IGNORECASE,
)
_WHERE_NOW = re.compile(
    r"哪个阶段|该进入|进入哪|该学|学啥|干嘛|然后呢|\bwhat now\b|\bnow\?|\bfrom here\b|\bwhich stage\b"
    r"|\bstart on\b|\bwhat (?:should|do|can) i (?:do|learn|study|start|pick)\b",
    re.IGNORECASE,
)


def asks_next_step(question: str) -> bool:
    """Does the learner ask what comes after something (and not after a span of time)?"""
    asks = bool(_NEXT.search(question)) or bool(_DONE.search(question) and _WHERE_NOW.search(question))
    return asks and not _DURATION.search(question)
