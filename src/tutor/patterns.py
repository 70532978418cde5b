"""Regular expressions that several layers share, so a fix to one is a fix everywhere."""

from __future__ import annotations

import re

__all__ = ["CJK", "CJK_CHARS", "FENCE", "HEADING", "SKILL_REF", "STAGE_REF"]

#: one CJK ideograph (Extension A, the basic block, compatibility ideographs)
CJK_CHARS = r"\u3400-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARS}]")

#: an ATX heading line: group 1 the hashes, group 2 the text without closing hashes
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
#: the opening or closing line of a fenced code block
FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")

#: "阶段 3" anywhere in a text: group 1 the stage number
STAGE_REF = re.compile(r"阶段\s*(\d+)")
#: "技能点 12" anywhere in a text: group 1 the skill number
SKILL_REF = re.compile(r"技能点\s*(\d+)")
