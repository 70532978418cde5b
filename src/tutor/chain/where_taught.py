"""Where the roadmap teaches a thing the learner describes: a question about the material, not what comes next.

"把请求的结果先存起来，下次一样的请求直接返回不用再算，这个在路线图哪个技能点？" and "让大模型一边推理一边调用工具、
看了结果再决定下一步的那种方法，路线图里有讲吗？" describe a concept in their own words; the words of the
description (下次, 下一步, 再) are those of a what-next question, and the nearest router example is one
("我现在该学哪个技能点？").  What they ask is where "this thing" (这个, 那种方法) is taught or what it is called.
"""

from __future__ import annotations

import re

__all__ = ["asks_where_taught"]

# "这个/那种方法/这种技巧" … "在路线图哪个技能点 / 路线图里有讲吗 / 叫什么": the thing just described, asked about;
# the words between hold no order word (学, 之后, 先, 再, 下): "这个阶段之后学哪个技能点" asks what comes next
_WHERE_THIS_ZH = re.compile(
    r"(?:这个|那个|这种|那种|这一?类|那一?类|它)(?:方法|技巧|技术|做法|办法|东西|概念|思路|套路)?"
    r"[^。？?！!学后先再下]{0,8}?"
    r"(?:哪(?:个|一)(?:技能点?|阶段|部分|章节?)|哪一?块|哪(?:里|儿)(?:讲|有|提|教|学)?|有讲吗?|有没有讲|讲(?:过|到)了?吗"
    r"|叫(?:作|做)?(?:什么|啥)|(?:什么|啥)名字)"
)


def asks_where_taught(text: str) -> bool:
    """Does the question ask where (or under what name) the roadmap teaches the thing it describes?"""
    return _WHERE_THIS_ZH.search(text) is not None
