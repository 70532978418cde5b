"""The words that name parts of the roadmap: numbers (二十三, twenty-three), stage and skill references,
milestone time words and the aspect patterns that `understanding.understand` reads a question with."""

from __future__ import annotations

import re

from tutor.chain.glossary import GLOSSARY
from tutor.curriculum.model import Curriculum
from tutor.patterns import zh_number
from tutor.whats_next import NEXT_WORD

__all__ = [
    "ASPECT_PATTERNS",
    "EXPLAIN",
    "FOUNDATIONS",
    "REQUIRED",
    "LAST_STAGE",
    "SKILL_REFS",
    "stage_ranges",
    "STAGE_REFS",
    "core_name",
    "first_stage",
    "parse_number",
    "stage_by_name",
]

_EN_NUMBERS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen".split()
    )
}
_EN_ORDINALS = {
    "zeroth": 0,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "0th": 0,
}
ZH_NUM = r"(?:\d+|[零〇一二两三四五六七八九十]+)"
EN_NUM = r"(?:\d+|" + "|".join(_EN_NUMBERS) + ")"


def parse_number(token: str) -> int | None:
    """'3', '三', '十二', 'twelve' -> int; None when it is not a number."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    if token in _EN_NUMBERS:
        return _EN_NUMBERS[token]
    if token in _EN_ORDINALS:
        return _EN_ORDINALS[token]
    return zh_number(token)


STAGE_REFS = [
    re.compile(rf"阶段\s*({ZH_NUM})(?![个月年])(?<!一(?=[共起些般下样定直切点]))"),  # not "阶段一共…"
    re.compile(rf"第\s*({ZH_NUM})\s*(?:个)?阶段"),
    re.compile(rf"\bstage\s*#?\s*({EN_NUM})\b", re.IGNORECASE),
    re.compile(r"\b(" + "|".join(_EN_ORDINALS) + r")\s+stage\b", re.IGNORECASE),
    re.compile(rf"\bphase\s*#?\s*({EN_NUM})\b", re.IGNORECASE),
]
# "阶段 0 到 4", "阶段 1-3", "stages 0 to 4", "stage 1 through stage 3": every stage of the range
STAGE_RANGES = [
    re.compile(rf"阶段\s*({ZH_NUM})\s*(?:到|至|-|~|～|—|–)\s*(?:阶段\s*)?({ZH_NUM})(?!\s*[个月年周天])"),
    re.compile(
        rf"\b(?:stages?|phases?)\s*({EN_NUM})\s*(?:to|through|thru|-|–)\s*(?:(?:stage|phase)\s*)?({EN_NUM})\b"
        r"(?!\s*(?:months?|weeks?|years?))",
        re.IGNORECASE,
    ),
]
SKILL_REFS = [
    re.compile(rf"技能点\s*({ZH_NUM})(?<!一(?=[共起些般下样定直切]))"),  # not "技能点一共…"
    re.compile(rf"第\s*({ZH_NUM})\s*个?技能(?:点)?"),
    re.compile(rf"\bskill\s*(?:point\s*)?#?\s*({EN_NUM})\b", re.IGNORECASE),
]
# Words that name a stage only together with 阶段/stage (or as the stage's full name).
_STAGE_WORDS_EN = {
    0: r"foundation|foundations|basics|preparation|prep|groundwork",
    1: r"(?:ai )?theory|theoretical|fundamentals",
    2: r"deep learning practice|deep[- ]learning (?:in )?practice|practice|hands-on|practical",
    3: r"(?:llm|large[- ]model|large language model) applications?|applications?",
    4: r"engineering|ai engineering|production|productioni[sz]\w*|deployment",
    5: r"advanced(?: topics)?|advanced topic",
}
# "the last stage", "the last, ongoing-learning stage", "最后那个阶段", "the topics at the end of the curriculum"
# "第一个阶段", "the very first stage": the roadmap's first stage is 阶段 0 (three writers labelled it so); "第二阶段"
# stays 阶段 2 — their labels read the higher ordinals as the number; "the beginning stage", "起步阶段" too, with
# a determiner before and no number after ("starting stage 3" starts stage 3)
FIRST_STAGE = re.compile(
    r"第\s*[一1]\s*个?阶段|\b(?:very )?first (?:stage|phase)\b"
    r"|\b(?:the|this|that)\s+(?:very\s+)?(?:beginning|starting|initial|earliest|beginner)\s+(?:stage|phase)\b(?!\s*\d)"
    r"|(?:起步|起始|开始|初始|最初的?)阶段(?!\s*\d)",  # "起步阶段" ("开始阶段 3" starts 阶段 3)
    re.IGNORECASE,
)
CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")
LAST_STAGE = re.compile(
    r"最后(?:一个|那个|的)?(?:[“\"「][^”\"」]{1,10}[”\"」])?的?(?:高级|进阶)?阶段|\b(?:the )?(?:last|final)(?:,?\s+['\"‘“]?[a-z][a-z-]*['\"’”]?){0,4},?\s+(?:stage|phase)\b"
    r"|\b(?:topics|skills|stage|part) at the (?:very )?end of the (?:curriculum|roadmap|learning path)\b",
    re.IGNORECASE,
)


ASPECT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "checks",
        re.compile(
            r"检验|标准|什么程度|什么水平|哪种程度|多好|合格|过关|达标|算(?:是)?(?:学会|学完|掌握|入门|合格|过关|可以)|怎么(?:知道|判断|确认|检验)"
            r"|自测|考核|要求|达到|练到|学到什么|能做到(?:什么|哪些)|(?:应该|应当|要|得)能(?:干|做)(?:啥|什么|哪些)|具备(?:哪些|什么|啥)(?:样的)?(?:能力|水平)|要能做|要会做|才能进入|才算|清单|(?:掌握|学会|学好)了?的标志"
            r"|\bcriteria\b|\bcriterion\b|\bchecks?\b|\bcheckpoints?\b|how (?:do|can|will|would) i (?:know|tell|check)|good enough|\bthe bar\b"
            r"|\bready\b|\bmastered\b|\bmastery\b|\brequirements?\b|\brequired level\b|\bpass\b|\bbenchmarks?\b"
            r"|\bdone when\b|\bself[- ]check\b|\btest myself\b|what should i be able to|\bbe able to\b|\bexpect"
            r"|\bmove on\b|\bchecklist\b|\bhow (?:far|deep) should\b|\bhow good (?:exactly\b|do|should|must)|\bhow good\s*[?？]"
            r"|\bhow (?:is|are) (?:it|they|this|that|each) (?:checked|assessed|tested|measured|verified)\b"
            r"|\bbefore (?:i |you )?(?:can |could )?(?:say|declare)\b[^?.!,]{0,40}?\b(?:done|finished|complete|completed)\b"
            r"|\bhas to be true\b|\bbefore (?:i |you )?(?:leave|leaving)\b[^?.!,]{0,40}?\bbehind\b",
            re.IGNORECASE,
        ),
    ),
    (
        "resources",
        re.compile(
            r"资源|教程|书籍|书单|哪本书|什么书|的书|哪些书|好书|书和课|课和书|什么课|哪些课|课程|网课|视频|资料|材料|文档|链接|网站"
            r"|(?:在|去)?哪(?:里|儿)?(?:学|看)|推荐.{0,10}(?:看|读|学|书|课)|看什么|读什么|看啥|读啥"
            r"|\bresources?\b|\bbooks?\b|\bcourses?\b|\btutorials?\b|\bmaterials?\b|\bvideos?\b|\blinks?\b|\bwebsites?\b"
            r"|\bdocs\b|\bdocumentation\b|\bexplainers?\b|\bpoint (?:me|us) to\b"
            r"|\breading\b|where (?:can|do|should) i (?:learn|study|read|watch)|what (?:should|can|do) i (?:read|watch)"
            r"|read or watch|\bwatch\b|\brecommend",
            re.IGNORECASE,
        ),
    ),
    (
        "project",
        re.compile(
            r"项目|练手|练习|实战|动手|做点什么|从零(?:开始)?(?:实现|写|搭)|复现|\bprojects?\b|\bhands[- ]on\b|\bbuild\b|\bexercises?\b|\bpractice\b",
            re.IGNORECASE,
        ),
    ),
    (
        "prerequisites",
        re.compile(
            r"前置|先修|前提|之前(?:要|需要|得|应该)(?:先)?(?:学|掌握|会)|需要先(?:学|掌握|会|具备)|基础要求|先学什么再|跳过|直接学|直接上手|直接开始|直接跳(?:到|进|去)"
            r"|前面(?:那个|那一个|一个)?阶段|必须(?:要)?先?(?:学|会|掌握)|\b(?:from|of|in) the (?:previous|prior|preceding) (?:stage|phase)\b"
            r"|(?:需要|要|得)(?:有|具备)?(?:什么|哪些)[^，。？?、\s]{0,4}基础|先(?:学|掌握)(?:好|完)?(?:什么|哪些)|先把(?:哪些|什么|啥)[^，。？?]{0,4}(?:学|掌握|搞定)"
            r"|\bprerequisites?\b|\bbefore (?:i |you )?(?:can |could )?(?:start|learn|begin|study|studying|learning|starting|tackling"
            r"|getting|get into|diving|jumping)"
            r"|\b(?:need|know|learn|study|master|have|do|finish|cover)\b.{0,40}\bbefore\b"
            r"(?! (?:i |you )?(?:can |could )?(?:move|moving|go on|going on|proceed|advance|progress|call it|say i|consider it"
            r"|(?:call|consider|count|deem)\b[^?.!,]{0,40}?\b(?:done|finished|complete|completed|mastered)\b))"
            r"|what do i need (?:to know )?(?:first|before)|\brequire[sd]? (?:knowing|first)|\bskip\b|jump straight"
            r"|straight into|without (?:doing|learning|studying)",
            re.IGNORECASE,
        ),
    ),
    (
        "time",
        re.compile(
            r"多久|多长时间|多少时间|几个月|多少个月|几周|时长|花多少|需要多长|用多长|要多长|时间安排|时间规划|每天.{0,8}小时"
            r"|how long|how many (?:months|weeks|hours)|how much (?:\w+ )?time|\bduration\b|\btimeline\b|\btime plan\b|hours (?:a|per) day"
            r"|time (?:a|per) day",
            re.IGNORECASE,
        ),
    ),
    (
        "stage",
        re.compile(
            r"哪个阶段|哪一阶段|属于哪|在哪个阶段|第几阶段|which stage|what stage|where does .{0,40}fit|which part of the roadmap",
            re.IGNORECASE,
        ),
    ),
    ("next", NEXT_WORD),  # the one reading of "what comes next" (`tutor.whats_next`)
    (
        "content",
        re.compile(
            r"学什么|学哪些|学些(?:什么|啥)|学习什么|哪些内容|什么内容|内容|包括|包含|涵盖|知识点|主题|有哪些技能|哪些技能|讲了什么|讲什么|讲(?:了)?(?:些|的)(?:什么|啥)|讲哪些|是干(?:啥|什么)的|主要学|核心概念|要会什么|学习重点|重点"
            r"|哪些东西|什么东西|要学(?:些)?(?:什么|哪些|啥)|需要(?:学|会|掌握)(?:哪些|什么)|要会哪些|掌握(?:哪些|什么|啥|哪几)|哪些命令|什么命令"
            r"|(?:学|分|包括|有)哪几(?:块|部分|个部分|个方面|方面|类)"
            r"|what (?:is|are) (?:covered|taught)|\bcover(?:s|ed)?\b|\btopics?\b|\bcontents?\b|\binclude[sd]?\b|\bsyllabus\b"
            r"|what (?:do|will|should|would) i (?:\w+ )?(?:learn|study)|what skills|which skills|\bconsist|what .{0,20}do i need"
            r"|\bi (?:need|have|ought) to know\b|\bsupposed to (?:know|learn)\b|\bwhat are the (?:\w+ )?(?:areas|parts|components|pieces|blocks)\b"
            r"|\bwhat's in\b|\bfeatures\b|\bcommands\b|\boverview\b|\bwhich (?:parts?|bits|areas) of\b"
            r"|\bgo(?:es)? over\b|\bwalks? (?:you )?through\b"  # "what does the deployment skill go over?"
            r"|\bwhat(?:'s| is| are)\s+(?:[\w-]+\s+){1,4}about\b|是关于什么",
            re.IGNORECASE,
        ),
    ),
]
EXPLAIN = re.compile(
    r"是什么(?!内容)|什么是|为什么|原理|区别|怎么(?:做|实现|用|理解|工作)|如何(?:做|实现|用|理解)|解释|举例"
    r"|\bwhat(?: is|'s)\b(?!\s+(?:covered|taught|included|listed)\b)|\bwhy\b|\bhow does\b|\bexplain\b|\bdifference\b|\bhow (?:to|do you) (?:implement|use)",
    re.IGNORECASE,
)
#: a question asking two things ("activation functions and CNN architectures"): both parts are answered
TWO_PARTS = re.compile(r"\band\b|和|以及|与", re.IGNORECASE)
# "中英文的都要", "in English or Chinese, either": both languages asked, so the language column filters nothing
BOTH_LANGUAGES = re.compile(
    r"中英文|中文(?:和|跟|与|或)英文|英文(?:和|跟|与|或)中文|语言不限|不限语言|中英都"
    r"|\b(?:chinese|english) (?:and|or|&) (?:chinese|english)\b|\b(?:both|either|any) languages?\b",
    re.IGNORECASE,
)
# a skill's groups named as examples of the whole list ("向量库、检索策略啥的都列出来"), or the whole list asked
WHOLE_LIST = re.compile(
    r"都列出来|全部列出|全列出来|全都列|完整列出|一个不落|、[^、，。？?]{1,10}(?:啥的|之类|等等)"
    r"|\b(?:list (?:them )?all|everything|the (?:whole|full|complete) (?:list|content))\b"
    r"|[,，、][^,，、?？]{1,30}(?:\.{3}|…|\betc\b|\band so on\b)",  # "preprocessing, representations, sequences..."
    re.IGNORECASE,
)


_NAME_SUFFIX = re.compile(r"\s*(实战|深度掌握|架构|开发|基础|原理|检索增强|编程)$")


def core_name(name: str) -> str:
    """'模型微调实战' -> '模型微调', 'PyTorch 深度掌握' -> 'pytorch': how learners name a skill."""
    return _NAME_SUFFIX.sub("", name).strip().lower()


_EN_STAGE_NAMES = (
    re.compile(
        r"\b(?P<before>(?:[a-z][a-z-]*(?:\s*[/&]\s*|\s+)){1,3})(?:stage|phase)\b"
    ),  # "engineering / production stage"
    re.compile(r"\b(?:stage|phase)\s+(?:of|on|about)\s+(?P<after>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2})"),
)
_EN_NAME_SKIP = frozenset("the a an this that which what whole entire next previous first last".split())


def _stages_by_english_words(lowered: str, curriculum: Curriculum) -> list[tuple[int, str]]:
    """ "the theory foundations stage" -> 阶段 1 "AI 理论基础": the stage whose title holds most of the words;
    each stage the question names so ("before the application stage, what should the practice stage…").

    Each word next to "stage"/"phase" counts 1 for a stage if the material's word for it (the glossary) is in the
    stage's title and 2 if it is one of the stage's English names; the stage with the most wins if it has at least
    2 (one title word such as "learning" is too weak), and a tie names no stage (the other readers decide).
    """
    found: list[tuple[int, str]] = []
    for m in (m for pattern in _EN_STAGE_NAMES for m in pattern.finditer(lowered)):
        before = "before" in m.groupdict()
        phrase = m.group("before") if before else m.group("after")
        words = [w for w in re.findall(r"[a-z][a-z-]*", phrase) if w not in _EN_NAME_SKIP]
        scores = {stage.number: _word_scores(words, stage.number, stage.name) for stage in curriculum.stages}
        best = max(sum(v) for v in scores.values())
        winners = [n for n, v in scores.items() if sum(v) == best]
        if best < 2 or len(winners) != 1:  # one shared title word alone ("learning") names no stage
            continue
        first = next(i for i, v in enumerate(scores[winners[0]]) if v)
        if first and f"{words[first - 1]} {words[first]}" in GLOSSARY:  # "deep learning practice"
            first -= 1
        token = m.group(0)
        if all(winners[0] != n for n, _ in found):
            found.append((winners[0], token[token.find(words[first]) :].strip() if before else token))
    return found


def _word_scores(words: list[str], number: int, name: str) -> list[int]:
    title = name.lower().replace(" ", "")
    names = _STAGE_WORDS_EN.get(number)
    per_word = []
    for word in words:
        zh = GLOSSARY.get(word) or GLOSSARY.get(word.rstrip("s"))
        by_title = bool(zh and zh.lower().replace(" ", "") in title)
        per_word.append(by_title + 2 * bool(names and re.fullmatch(rf"(?:{names})", word)))
    if names and not any(per_word) and re.search(rf"\b(?:{names})\b", " ".join(words)):
        per_word = [2] * len(words)  # a name of several words ("deep learning practice")
    return per_word


# A shortened title keeps its Latin qualifier and a Chinese word ("ai理论"); a bare Chinese word ("大模型") is a topic.
_QUALIFIED = re.compile(r"[a-z][a-z0-9+-]*[\u4e00-\u9fff]{2,}")


def _stage_by_partial_title(lowered: str, curriculum: Curriculum) -> tuple[int, str] | None:
    """ "AI 理论" -> 阶段 1 "AI 理论基础": the title without its last word, when that names no skill.

    A learner shortens a stage's title by its last word ("基础", "实践"); a shortened title of fewer than three
    characters ("基础", "高级"), without the title's Latin qualifier ("大模型": a topic), (part of) a skill's name
    ("深度学习") or part of a longer word of the question ("AI 工程" in "AI 工程师", by jieba's words) names no stage.
    """
    compact_text = lowered.replace(" ", "")
    found: list[tuple[int, str]] = []
    bounds: set[int] | None = None
    skills = [s.name.lower().replace(" ", "") for s in curriculum.skills]
    for stage in curriculum.stages:
        title = stage.name.lower().replace(" ", "")
        for cut in (1, 2):
            short = title[:-cut]
            if len(short) < 3 or any(short in name for name in skills) or short not in compact_text:
                continue
            if bounds is None:
                bounds = _word_bounds(compact_text)
            at = compact_text.find(short)
            if at in bounds and at + len(short) in bounds and _QUALIFIED.fullmatch(short):
                found.append((stage.number, short))
                break
    return found[0] if len(found) == 1 else None


def _word_bounds(text: str) -> set[int]:
    from tutor.index.tokenize import segment  # jieba loads on first use, not on import

    bounds, at = {0}, 0
    for word in segment(text):
        at += len(word)
        bounds.add(at)
    return bounds


def first_stage(text: str, curriculum: Curriculum) -> re.Match[str] | None:
    """ "第一个阶段" / "the very first stage" as the roadmap's first stage (阶段 0), unless a stage is named by its
    title ("第一阶段 AI 理论基础" reads the number as the title's)."""
    found = FIRST_STAGE.search(text)
    return found if found and not stage_by_name(text, curriculum) else None


def stage_by_name(text: str, curriculum: Curriculum) -> list[tuple[int, str]]:
    """Stages named by their title, whole or shortened, in Chinese or in English."""
    out: list[tuple[int, str]] = []
    lowered = text.lower()
    for stage in curriculum.stages:
        name = stage.name.lower()
        compact = name.replace(" ", "")
        short = re.sub(r"^ai\s*", "", name)  # "AI 工程化" is "工程化阶段" to a learner
        by_short = (
            re.search(rf"{re.escape(short)}\s*(?:那个|这个|那一|这一|的)?\s*(?:阶段|部分)", lowered)
            if short != name
            else None
        )
        if by_short:
            out.append((stage.number, by_short.group(0)))
            continue
        # the full Chinese name with 阶段 nearby, or the name itself when it is no skill's name
        zh = re.search(rf"(?:{re.escape(name)}|{re.escape(compact)})\s*(?:阶段|部分|这一?阶段)?", lowered)
        if zh and (
            ("阶段" in lowered[zh.start() : zh.end() + 3])
            or re.search(r"阶段", lowered)
            or not any(s.name.lower() in name or name in s.name.lower() for s in curriculum.skills)
        ):
            out.append((stage.number, zh.group(0)))
    if not out:
        out = _stages_by_english_words(lowered, curriculum)
    if not out and (
        found := _stage_by_partial_title(lowered, curriculum) or _stage_by_stem(lowered, curriculum)
    ):
        out.append(found)
    return out


def _stage_by_stem(lowered: str, curriculum: Curriculum) -> tuple[int, str] | None:
    """ "做工程落地的那一阶段" -> 阶段 4 "AI 工程化": the Chinese title's stem (its last character cut), then 阶段
    within a few characters; one stage only."""
    found: list[tuple[int, str]] = []
    for stage in curriculum.stages:
        title = re.sub(r"^ai\s*", "", stage.name.lower()).replace(" ", "")
        stem = title[:-1]
        if len(stem) >= 2 and CJK_ONLY.fullmatch(stem):
            if m := re.search(rf"{re.escape(stem)}[^，。,.？?]{{0,6}}?阶段", lowered):
                found.append((stage.number, m.group(0)))
    return found[0] if len(found) == 1 else None


# "正式学 AI 之前得先打好哪些底子", "what groundwork before I really start studying AI": with nothing named, the
# foundations the roadmap puts first (阶段 0), not the learner's next step; "必修/mandatory" asks the skill tree
FOUNDATIONS = re.compile(
    r"(?:学|学习|开始学|正式学|入门|接触|进入)\s*(?:AI|人工智能|大模型|这条路线|路线)\s*(?:理论|开发)?\s*(?:之前|以前)"
    r"|\bbefore\s+(?:i\s+|you\s+)?(?:really\s+|actually\s+|even\s+|properly\s+|seriously\s+)?"
    r"(?:start|begin|starting|beginning|studying|learning|diving into|getting into|getting started (?:with|on))\s+"
    r"(?:(?:studying|learning|on|with)\s+)?(?:ai\b|artificial intelligence|the roadmap|machine learning\b|this roadmap)"
    r"|\bbefore\s+(?:any\s+(?:of\s+)?)?(?:the\s+)?(?:actual|real|proper|core)\s+(?:ai|ml|machine learning)\b",  # "actual AI stuff"
    re.IGNORECASE,
)


# "Is Linux required, or optional?", "Git 是必须学的吗，能跳过吗": whether the skill is required, which the 技能树
# branch it stands under says ("基础技能（必修）"), not what comes before it
REQUIRED = re.compile(
    r"必须(?:要)?先?(?:学|会|掌握)|必修|必需|非学不可|可选|选修|(?:能|可以|可不可以)(?:不学|跳过)|\brequired\b|\boptional\b"
    r"|\bmandatory\b|\bcompulsory\b|\ba must\b|\bmust[- ]have\b|\bcan i skip\b",
    re.IGNORECASE,
)


def stage_ranges(text: str, numbers: set[int]) -> list[tuple[tuple[int, int], str, list[int]]]:
    """(span, words, stages) of each range of stages the text names ("阶段 0 到 4": 0, 1, 2, 3, 4)."""
    found = []
    for pattern in STAGE_RANGES:
        for m in pattern.finditer(text):
            first, last = parse_number(m.group(1)), parse_number(m.group(2))
            if first in numbers and last in numbers and first < last:
                found.append((m.span(), m.group(0), sorted(k for k in numbers if first <= k <= last)))
    return found
