"""One reading of "what comes next" for the router, the query understanding and the retrieval (issue 12).

A learner asks what follows in two ways: with a "next" word ("下一步", "what comes after X", "move on to"), or
as a report of what is done with a question of where to go and no "next" word ("Finished stage 2, what do I
start on now?", "工程化都学完了，还有什么可以继续深入的？").  Both halves of the second are needed: "学完 RAG
要多久" asks a duration, "学完了应该能干啥" the check criteria.  A span of time ("三个月以后", "after six
months") asks for a milestone instead.

The three readers used to keep their own copies of these words, and the copies drifted apart (a phrasing one
of them knew routed to the planner while the retrieval did not boost the next skill's section); they all read
them here now: `tutor.chain.router` (the route), `tutor.chain.refs` (the "next" aspect) and
`tutor.index.retriever` / `levers` / `rescore` (the next skill's section).  It sits outside both packages, as
`tutor.patterns` does, so the retrieval reads the words without importing the chain.
"""

from __future__ import annotations

import re

__all__ = [
    "NEXT_WORD",
    "asks_next_step",
    "asks_where_taught",
    "asks_where_now",
    "reports_and_asks",
    "reports_done",
    "says_next",
]

# a word that asks what follows; "学完了能做什么" asks what one can do (the check criteria; "还能学什么" asks
# what follows), "next month" a time, "before I move on to X" what comes before X
NEXT_WORD = re.compile(
    r"之后学|以后学|然后学|接着(?:学|读|做|看)|接下来|下一步|下一个|下一?个?阶段|学完.{0,12}(?:学|(?<!能)做)什么|结束(?:了)?(?:之后|以后|后)"
    r"|\bnext\b(?!\s+(?:month|week|year|day|time)s?\b)|\bafter (?:that|this|finishing|learning)\b"
    r"|\bcomes? (?:right )?after\b|\bfollow(?:s|ing)?\b|\bafter (?:i'?m )?(?:done|finish)|(?<!before i )(?<!before you )\bmove on to\b"
    r"|\bleft to (?:learn|study)\b",
    re.IGNORECASE,
)
# a report of what is done ("RAG 搞定了", "PyTorch 用得挺熟了", "I wrapped up stage 3", "X is behind me"); what
# must be done first is a prerequisite ("需要先完成哪个阶段", "要先学完", "what has to be finished before")
_DONE = re.compile(
    r"(?<![先要得])(?:学完|学好|搞定|走完|过完|弄完|搞完|完成|掌握|读完|看完|做完|做出来)(?:了|啦)?|都过了|过了一遍"
    r"|(?:挺|很|比较|已经)?熟(?:练)?了|吃透|啃下来|(?:搞|弄)懂了|会用了"
    r"|(?<!\bbe )\b(?:done|finished|through|wrapped up|completed|mastered|comfortable with)\b|\bbehind me\b"
    r"|\bunder my belt\b|\bgot\b.{1,40}\bworking\b|\bi(?:'ve| have)(?: already| just)? (?:read|built|gone through)\b"
    r"|\bi can (?:already |now )?(?:build|use|train|write|deploy)\b",
    re.IGNORECASE,
)
# ... and a question of where to go from there, without a "next" word
_WHERE_NOW = re.compile(
    r"还有(?:什么|啥|哪些)(?:可以|能|要|该|值得|需要)?(?:继续)?(?:学|深入|钻研|研究|做|进阶)|后面(?:还)?(?:有什么|要|该|能)"
    r"|还(?:要|能|可以|该|应该|需要)?继续(?:学|深入|研究)|紧接着|继续深入|再往(?:下|后)走"
    r"|哪个阶段|该进入|进入哪|该学|学啥|学点(?:什么|啥)|干嘛|然后呢|轮到|往哪(?:儿|里)?走|后面还(?:安排|剩|有)|还剩(?:什么|啥|哪)"
    r"|\b(?:comes?|follows?)\s+(?:right\s+|directly\s+|immediately\s+)?after\b"
    r"|\banything\b.{0,20}\b(?:left|else|deeper|beyond)\b|\bwhat'?s left\b|\bstill left\b|\bgo(?:ing)? deeper\b"
    r"|\bwhat now\b|\bnow\?|\bfrom here\b|\bwhich stage\b|\bstart on\b|\bwhat (?:should|do|can) i (?:do|learn|study|start|pick)\b"
    r"|\bafter (?:it|them|those)\b|\bwhich (?:skill|stage|topic|one) (?:should|do|can) i\b",
    re.IGNORECASE,
)
# a span of time ("三个月以后", "after six months") asks for a milestone, not for what comes next; a point in
# time ("last week") is part of a progress report
_DURATION = re.compile(
    r"[0-9一二两三四五六七八九十半]\s*个?\s*(?:月|年|周|星期)"
    r"|\b(?:\d+|an?|one|two|three|four|five|six|eight|nine|ten|twelve|several|few|couple of)\s+(?:months?|years?|weeks?)\b",
    re.IGNORECASE,
)


# "这个/那种方法/这种技巧" … "在路线图哪个技能点 / 路线图里有讲吗 / 叫什么": the thing just described, asked about;
# the words between hold no order word (学, 之后, 先, 再, 下): "这个阶段之后学哪个技能点" asks what comes next
_WHERE_THIS_ZH = re.compile(
    r"(?:这个|那个|这种|那种|这一?类|那一?类|它)(?:方法|技巧|技术|做法|办法|东西|概念|思路|套路)?"
    r"[^。？?！!学后先再下]{0,8}?"
    r"(?:哪(?:个|一)(?:技能点?|阶段|部分|章节?)|哪一?块|哪(?:里|儿)(?:讲|有|提|教|学)?|有讲吗?|有没有讲|讲(?:过|到)了?吗"
    r"|叫(?:作|做)?(?:什么|啥)|(?:什么|啥)名字)"
)


def says_next(text: str) -> bool:
    """Does the text hold a word that asks what follows ("接下来", "what comes after", "move on to")?"""
    return bool(NEXT_WORD.search(text))


def reports_done(text: str) -> bool:
    """Does the text report something done ("学完了", "I've finished", "wrapped up")?"""
    return bool(_DONE.search(text))


def asks_where_now(text: str) -> bool:
    """Does the text ask where to go from here without a "next" word ("还有什么可以继续深入的", "what now")?"""
    return bool(_WHERE_NOW.search(text))


def reports_and_asks(text: str) -> bool:
    """A progress report and a question of where to go from it: both halves, so "学完 RAG 要多久" is not one."""
    return reports_done(text) and asks_where_now(text)


def asks_where_taught(text: str) -> bool:
    """Does the question ask where (or under what name) the roadmap teaches a thing it describes?  "把请求的结果先
    存起来，下次一样的请求直接返回…，这个在路线图哪个技能点？" and "…看了结果再决定下一步的那种方法，路线图里有讲吗？"
    describe a concept with the words of a what-next question (下次, 下一步); they ask where "this thing" is taught."""
    return _WHERE_THIS_ZH.search(text) is not None


def asks_next_step(text: str) -> bool:
    """Does the learner ask what comes after something (and not after a span of time, nor where the roadmap
    teaches a thing described in words such as 下一步)?"""
    if asks_where_taught(text) and not reports_done(text):
        return False
    return (says_next(text) or reports_and_asks(text)) and not _DURATION.search(text)
