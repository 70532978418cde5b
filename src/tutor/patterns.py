"""Regular expressions that several layers share, so a fix to one is a fix everywhere."""

from __future__ import annotations

import re

__all__ = [
    "CJK",
    "CJK_CHARS",
    "FENCE",
    "HEADING",
    "SKILL_REF",
    "STAGE_REF",
    "WHY_IT_MATTERS",
    "ZH_DIGITS",
    "han_pairs",
    "zh_number",
]

#: one CJK ideograph (Extension A, the basic block, compatibility ideographs)
CJK_CHARS = r"\u3400-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARS}]")

#: an ATX heading line: group 1 the hashes, group 2 the text without closing hashes
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
#: the opening or closing line of a fenced code block
FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")

#: "每块为啥重要", "why does each one matter": asks for the roadmap's 为什么重要 lines, not for an explanation
WHY_IT_MATTERS = re.compile(
    r"为(?:什么|啥)(?:很|这么|那么)?重要|\bwhy (?:does|do|is|are) (?:\w+ ){0,3}(?:matters?|important)\b",
    re.IGNORECASE,
)

#: "阶段 3" anywhere in a text: group 1 the stage number
STAGE_REF = re.compile(r"阶段\s*(\d+)")
#: "技能点 12" anywhere in a text: group 1 the skill number
SKILL_REF = re.compile(r"技能点\s*(\d+)")

#: Chinese numerals as learners write them (两 for 2, 〇 for 0)
ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def zh_number(text: str) -> int | None:
    """'三' -> 3, '十二' -> 12, '二十四' -> 24, '12' -> 12; None for anything else."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in ZH_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (ZH_DIGITS[tens] if tens else 1) * 10 + (ZH_DIGITS[ones] if ones else 0)
    value = 0
    for c in text:
        value = value * 10 + ZH_DIGITS[c]
    return value


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def han_pairs(text: str) -> set[str]:
    """Every pair of adjacent Chinese characters: Chinese words compared without a segmenter (jieba cuts a
    heading like "1.1 问题由来" down to {问题}), as the heading evidence and the plan scope check both need."""
    return {run[i : i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)}
