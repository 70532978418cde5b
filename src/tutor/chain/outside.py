"""Messages about the world outside the learning material, told apart from small talk.

Small talk is about the tutor or the moment ("你吃饭了吗", "how's your day going?") or asks it for a moment's
entertainment ("讲个笑话", "sing a song"): it is steered back.  A question about the world ("明天北京天气怎么样")
or a request to do a task that is not learning ("帮我写一份租房合同", "draft a tenancy agreement", "帮我分析一下
走势", "该吃点什么药", "a good pasta recipe") is answered like any out-of-scope question: the material route's
polite refusal, never a chatty steer-back.
"""

from __future__ import annotations

import re

__all__ = ["asks_about_world", "asks_a_task"]

# small talk is about the tutor or the moment; a question about the world is answered (or refused) by retrieval
_TO_YOU = re.compile(r"\byou\b|\byour\b|你(?!们)|您", re.IGNORECASE)
_WORLD_QUESTION = re.compile(
    r"[?？吗]\s*$|(?<=[要能会是])\w{0,4}不\s*$|怎么样|咋样|\b(what'?s|what|who|which|when|where|how)\b|几(点|号)|谁|哪",
    re.IGNORECASE,
)
# a request ("能讲个笑话吗？", "给我讲个故事", "tell me a story") is not a question about the world: small talk steers
# a moment's entertainment back, and a task outside learning is `asks_a_task`
_REQUEST = re.compile(r"讲|唱|写|给我|帮我|\b(tell|sing|write|give|make)\b", re.IGNORECASE)
# a piece of work to produce: a document, a translation, an analysis, a plan outside learning, a recipe
_MAKE_ZH = re.compile(
    r"(?:帮我|给我|替我|为我|帮忙|请你?|麻烦你?|能不能|能否|可以|可不可以).{0,12}"
    r"(写|起草|草拟|拟定?|撰写|编写|做|翻译|译成|分析|算|计算|策划|制定|修改|润色|预订|订)"
    r"(一下|一|个|份|封|篇|首|段|张|套|条|些|几)*.{0,16}"
    r"(合同|协议|协议书|信(?![心息号任念])|邮件|简历|求职信|文案|诗|绝句|作文|演讲稿|攻略|行程|菜谱|食谱|走势|行情|股票|基金|机票|车票|酒店|账|税"
    r"|日语|英语|英文|法语|中文|韩语|德语)"
    r"|帮我(翻译|订|预订|起草|草拟)",
)
_MAKE_EN = re.compile(
    r"\b(write|draft|compose|prepare|translate|analy[sz]e|calculate|book|plan|organi[sz]e|proofread|edit|rewrite|summari[sz]e)\b"
    r".{0,40}\b(agreement|contract|lease|letter|email|e-mail|cover letter|resume|cv|poem|speech|trip|holiday"
    r"|vacation|itinerary|party|wedding|menu|shares?|stocks?|share price|portfolio|taxes|tax return|flight|hotel"
    r"|into (french|german|spanish|japanese|chinese|english|korean|italian))\b"
    r"|\brecipes?\b|\bwhat (should|can) i (cook|make for dinner|eat)\b",
    re.IGNORECASE,
)
# a personal matter for a professional (health, law, money): "我最近老失眠，该吃点什么药", "茅台股票现在能买吗"
_PERSONAL = re.compile(
    r"吃(点|些)?(什么|啥|哪种)药|什么药|看(什么|哪个)科|(股票|基金|股价).{0,12}(能|可以|该|要不要)?(买|卖|抄底|加仓|减仓|割肉)|走势"
    r"|推荐.{0,8}(股票|概念股|基金|理财产品)|(买|选)(哪|什么)(只|支|个)?(股|基金)"
    r"|\b(what|which) (medicine|medication|pills?|drugs?)\b|\bwhether to (buy|sell)\b"
    r"|\bshould i (buy|sell)\b.{0,30}\b(shares?|stocks?|crypto|bitcoin|funds?)\b",
    re.IGNORECASE,
)


def asks_a_task(text: str) -> bool:
    """A request to do a task outside learning (a contract, a letter, a translation, a stock analysis, a
    recipe) or for a professional's advice on a personal matter (medicine, shares)."""
    return bool(_MAKE_ZH.search(text) or _MAKE_EN.search(text) or _PERSONAL.search(text))


def asks_about_world(text: str) -> bool:
    """A question not addressed to the tutor ("明天北京天气怎么样", "Who won the last World Cup?") or a task
    outside learning; not a request for entertainment ("能讲个笑话吗？"), which small talk steers back."""
    if asks_a_task(text):
        return True
    return bool(_WORLD_QUESTION.search(text)) and not _TO_YOU.search(text) and not _REQUEST.search(text)
