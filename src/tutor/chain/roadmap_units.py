"""The roadmap's smaller units as answers: a skill's topic groups and the rows of its tables.

A learner asks about a part of a skill more often than about the whole of it: "线性代数要学什么、
为什么重要", "NLP 里文本表示要学哪几种方法", "What retrieval strategies should I know for RAG?".  The
parsed roadmap holds each bold-labelled group of a skill's content (`ContentGroup`) with its items,
its "为什么重要" line and the lines it stands on, so such a question gets that group whole, cited to
its own lines.  A group counts as named when its title stands in the question (an English question
through the material's own bilingual terms, `chain.glossary`); a title that is also a sub-section
heading of the roadmap ("核心概念") is too generic to stand alone and needs its skill named.

Tables are data too: the rows of a table whose cells the question names (a stage the 适合阶段 column covers,
"免费", "GPU", "视频") come first, cited; the rest follows by name.  Siblings shortened: `chain.group_short`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.chain.glossary import english_terms, expand_english
from tutor.chain.glossary_topics import expand_chinese
from tutor.chain.group_short import with_siblings
from tutor.chain.refs import BOTH_LANGUAGES, EXPLAIN, TWO_PARTS, WHOLE_LIST
from tutor.chain.structured_parts import Builder, Structured, skill_label, stage_label
from tutor.chain.text import CJK
from tutor.chain.understanding import Understanding
from tutor.curriculum.model import Citation, ContentGroup, Curriculum, RecommendedItem, Resource, Skill
from tutor.ingest.tables import column_role, strip_md

if TYPE_CHECKING:
    from tutor.index.store import StoredChunk

__all__ = [
    "GroupRef", "asked_tables", "group_answer", "matching_rows", "named_groups", "other_documents_text",
    "recommended_sections", "recommended_tables", "row_tokens", "split_resources", "tables_alone", "tables_answer",
]  # fmt: skip

_PAREN = re.compile(r"[（(]([^）)]*)[）)]")
_SPLIT = re.compile(r"\s*[,，、/]\s*")
_TOKEN = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z0-9+#.\-]{1,}")
# the question asks about something other than what a group covers
_OTHER_ASPECTS = {"resources", "checks", "project", "time", "prerequisites", "next", "milestone", "stage"}


@dataclass(frozen=True)
class GroupRef:
    skill: int
    index: int  # into the skill's content groups


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def other_documents_text(docs: dict[str, list[StoredChunk]], roadmap_doc: str) -> str:
    """The other documents' text, whitespace removed and case-folded, for `named_groups`."""
    return _compact(" ".join(c.text for doc, chunks in docs.items() if doc != roadmap_doc for c in chunks))


def matching_text(question: str, language: str) -> str:
    """What titles and cells are looked for in: a Chinese question as asked, an English one with the
    material's own Chinese terms added."""
    return expand_chinese(question) if CJK.search(question) and language == "zh" else expand_english(question)


def _title_forms(title: str) -> list[str]:
    """'卷积神经网络（CNN）' -> 卷积神经网络, CNN; 'Memory 管理' -> Memory 管理 (matched without spaces)."""
    title = strip_md(title)
    inner = [p.strip() for m in _PAREN.finditer(title) for p in _SPLIT.split(m.group(1)) if p.strip()]
    core = _PAREN.sub("", title).strip()
    return [f for f in (core, *inner) if len(CJK.findall(f)) >= 2 or len(f) >= 3]


def _said(form: str, text: str, compact: str) -> bool:
    if CJK.search(form):
        return _compact(form) in compact
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def _generic_titles(cur: Curriculum) -> set[str]:
    """Group titles that are also a sub-section heading somewhere ("核心概念"): not a topic on their own."""
    headings = {_compact(t) for s in cur.skills for t in s.section_citations}
    return {
        g.title for s in cur.skills for g in s.content if g.title and _compact(strip_md(g.title)) in headings
    }


def named_groups(
    question: str, language: str, u: Understanding, cur: Curriculum, elsewhere: str = ""
) -> list[GroupRef]:
    """The titled content groups the question names (of the named skills only, when it names skills).
    `elsewhere`: the other documents' text; a title they use too ("模型构建" of the essays' 数学模型构建) is
    ambiguous without its skill."""
    text = matching_text(question, language)
    compact = _compact(text)
    generic = _generic_titles(cur) | {
        g.title
        for s in cur.skills
        for g in s.content
        if g.title and elsewhere and any(_compact(f) in elsewhere for f in _title_forms(g.title)[:1])
    }
    # an English question names "高级技巧" as "advanced … techniques": two of its terms, in either order
    terms = [] if CJK.search(question) and language == "zh" else english_terms(question)
    pairs = {_compact(a + c) for a in terms for c in terms if a != c}
    found: list[GroupRef] = []
    for skill in cur.skills:
        if u.skills and skill.number not in u.skills:
            continue
        for k, group in enumerate(skill.content):
            if not group.title or (group.title in generic and skill.number not in u.skills):
                continue
            forms = _title_forms(group.title)
            if any(_said(f, text, compact) for f in forms) or any(_compact(f) in pairs for f in forms):
                found.append(GroupRef(skill.number, k))
        own = [g.index for g in found if g.skill == skill.number]  # "线代、微积分、概率": siblings shortened
        own = with_siblings(text, [g.title for g in skill.content], own)
        found = [g for g in found if g.skill != skill.number] + [GroupRef(skill.number, k) for k in own]
    if len({g.skill for g in found}) > 2 or (found and u.skills and WHOLE_LIST.search(question)):
        return []  # a title shared by many skills names none; "向量库、检索策略啥的都列出来" gives examples of all
    if not found and u.skills and not u.aspects and not EXPLAIN.search(question):
        found = _group_by_item_word(text, terms, u, cur)  # not "怎么做混合检索": a list does not explain
    elif found and u.skills and TWO_PARTS.search(question):  # "activation functions and CNN architectures"
        found += [g for g in _group_by_item_word(text, terms, u, cur, 3) if g not in found]
    return found[:3]


def _group_by_item_word(
    text: str, terms: list[str], u: Understanding, cur: Curriculum, most: int = 1
) -> list[GroupRef]:
    """A named skill and a word of exactly one of its groups ("the deployment section … quantization"):
    that group.  The words of the skill's own name choose the skill, not a group; an English question's
    words are its glossary terms."""
    hits: list[GroupRef] = []
    for n in u.skills:
        skill = cur.skill(n)
        name = _compact(skill.name)
        for k, group in enumerate(skill.content):
            body = _compact(" ".join([group.title or "", *group.items]))
            if terms:
                words = [t for t in terms if len(CJK.findall(t)) >= 2 and _compact(t) not in name]
                said = any(_compact(t) in body for t in words)
            else:
                pieces = {w for item in group.items for w in _TOKEN.findall(_PAREN.sub(" ", item))}
                said = any(
                    len(CJK.findall(w)) >= 2 and _compact(w) not in name and _compact(w) in _compact(text)
                    for w in pieces
                )
            if said:
                hits.append(GroupRef(n, k))
    return hits if len(hits) <= most else []


def _group_citation(skill: Skill, group: ContentGroup) -> Citation:
    cited = skill.section_citations.get(group.section, skill.citation)
    if group.lines is None:
        return cited
    return Citation(doc=cited.doc, heading=group.title or group.section, lines=group.lines)


_HEADING = re.compile(r"^(#{2,6})\s+(.+?)\s*$")


def _same_named_section(b: Builder, title: str, skill: Skill) -> tuple[Citation, list[str], list[str]] | None:
    """A section elsewhere in the roadmap headed by the group's title (an appendix "### 向量数据库" beside
    the RAG skill's "**向量数据库**" group): its citation, heading path and list items; None if there is none."""
    lo, hi = skill.citation.lines
    want = _compact(strip_md(title))
    for i, line in enumerate(b.lines):
        m = _HEADING.match(line)
        if not m or lo <= i + 1 <= hi or _compact(strip_md(m.group(2))) != want:
            continue
        level = len(m.group(1))
        parents = [
            h.group(2)
            for j in range(i - 1, -1, -1)
            if (h := _HEADING.match(b.lines[j])) and len(h.group(1)) < level
        ][:1]
        items: list[tuple[int, str]] = []
        for j in range(i + 1, len(b.lines)):
            if _HEADING.match(b.lines[j]) or b.lines[j].strip() == "---":
                break
            if b.lines[j].lstrip().startswith(("- ", "* ")):
                items.append((j + 1, strip_md(b.lines[j].strip()[2:])))
        if items:
            cite = Citation(doc=skill.citation.doc, heading=m.group(2), lines=(i + 1, items[-1][0]))
            return cite, [*parents, m.group(2)], [t for _, t in items]
    return None


def group_answer(
    question: str,
    language: str,
    u: Understanding,
    cur: Curriculum,
    b: Builder,
    elsewhere: str = "",
    refs: list[GroupRef] | None = None,
) -> Structured | None:
    """The named topic groups (`refs`, else those the question names) whole ("为什么重要" included), each cited
    to its own lines; None when the question names no group or asks another aspect of it (its resources …)."""
    asked = set(u.aspects) & _OTHER_ASPECTS
    if asked - {"prerequisites"} or u.milestones or u.whole_roadmap:
        return None
    refs = refs or named_groups(question, language, u, cur, elsewhere)
    first = min(s.number for s in cur.stages)
    if not refs or (asked and any(cur.skill(r.skill).stage != first for r in refs)):
        return None  # "Is linear algebra necessary before neural nets?": what of a foundation comes first
    zh = b.zh
    for ref in refs:
        skill = cur.skill(ref.skill)
        group = skill.content[ref.index]
        heads = [cur.stage(skill.stage).heading, skill.heading, group.section, group.title or ""]
        n = b.cite(_group_citation(skill, group), heads)
        at = stage_label(cur, skill.stage, zh)
        where = skill_label(skill, zh) + (f"（{at}）" if zh else f" ({at})")
        lead = (
            f"「{group.title}」是 {where} 的{group.section}，包括："
            if zh
            else f"“{group.title}” is part of {where}, under {group.section}; the roadmap lists "
            "(quoted in the original Chinese):"
        )
        b.out.append(lead)
        b.section(
            f"{skill_label(skill, zh)} › {group.section} › {group.title}", n, [b.item(i) for i in group.items]
        )
        other = _same_named_section(b, group.title or "", skill)
        if other is not None:  # the roadmap lists the same topic again under its own heading: that list too
            cite, path, items = other
            m = b.cite(cite, path)
            b.out.append(
                f"\n路线图的「{path[-1]}」一节还列出："
                if zh
                else f"\nThe roadmap's “{path[-1]}” section also lists:"
            )
            b.section(" › ".join(path), m, [b.item(i) for i in items])
    text = "\n".join(b.out).strip("\n")
    return Structured(text=text, sources=b.sources, items=[i for i in b.items if i], sections=b.sections)


# --- tables -------------------------------------------------------------------------------------


def row_tokens(columns: dict[str, str]) -> dict[str, set[str]]:
    """The words of a row's descriptive cells by column (not its name, link or rating): '免费 GPU' ->
    免费, GPU; a long Chinese cell also by its ends ('视频课程' is a 视频 and a 课程)."""
    out: dict[str, set[str]] = {}
    for header, value in columns.items():
        if column_role(header) in ("name", "link", "stars") or value.strip().startswith("http"):
            continue
        words = out.setdefault(header, set())
        for t in _TOKEN.findall(strip_md(value)):
            words.add(t)
            if CJK.match(t) and len(t) >= 4:
                words |= {t[:2], t[-2:]}
    return out


def _stage_rows(rows: list[RecommendedItem], stages: list[int]) -> list[RecommendedItem]:
    """Rows whose stage range covers a named stage ("阶段 1-2" covers 1 and 2)."""
    if not stages or not any(r.stages for r in rows):
        return []
    return [r for r in rows if set(r.stages) & set(stages)]


def _named_rows(
    tokens: list[dict[str, set[str]]], question: str, language: str, table: str = ""
) -> list[int]:
    """Indices of the rows matching what the question says of each column it names (a type and a
    language: both); a word every row has filters nothing.  [] when it names nothing that tells rows
    apart, or nothing matches, or everything does.  The words of the table's own name ("社区" of 社区和论坛)
    choose the table, not its rows."""
    text = matching_text(question, language)
    compact = _compact(text)
    both = BOTH_LANGUAGES.search(question)  # "中英文的都要": the language column filters nothing
    keep = set(range(len(tokens)))
    columns = dict.fromkeys(c for row in tokens for c in row)
    for column in (c for c in columns if not both or column_role(c) != "lang"):
        counts: dict[str, int] = {}
        for row in tokens:
            for t in row.get(column, set()):
                counts[t] = counts.get(t, 0) + 1
        named = {
            t
            for t, c in counts.items()
            if c < len(tokens) and _said(t, text, compact) and _compact(t) not in _compact(table)
        }
        if named:
            keep &= {i for i, row in enumerate(tokens) if row.get(column, set()) & named}
    hit = sorted(keep)
    return hit if 0 < len(hit) < len(tokens) else []


def split_resources(
    resources: list[Resource], question: str, language: str
) -> tuple[list[Resource], list[Resource]]:
    """A skill's resources the question filters by type or language ("视频", "中文的", "books") first, and
    the rest; ([], all) when it names no type or language that tells them apart."""
    tokens = [row_tokens({"类型": r.type or "", "语言": r.lang or ""}) for r in resources]
    hit = set(_named_rows(tokens, question, language))
    return [r for i, r in enumerate(resources) if i in hit], [
        r for i, r in enumerate(resources) if i not in hit
    ]


def matching_rows(
    rows: list[RecommendedItem], question: str, language: str, stages: list[int]
) -> list[RecommendedItem]:
    """The rows the question filters the table to: by a stage column when it names stages, else by the
    cells it names that tell rows apart (a word every row has filters nothing); [] when it names none
    (then the whole table answers)."""
    by_stage = _stage_rows(rows, stages)
    if by_stage:
        return by_stage
    table = rows[0].table if rows else ""
    return [rows[i] for i in _named_rows([row_tokens(r.columns) for r in rows], question, language, table)]


def recommended_tables(question: str, curriculum: Curriculum, least: float = 0.5) -> list[str]:
    """The 推荐资源汇总 tables a resource question names ("视频课", "communities", "free GPUs to practice")."""
    from tutor.chain.text import overlap_ratio

    expanded = expand_english(question)
    tables = list(dict.fromkeys(r.table for r in curriculum.recommended))
    scored = [(overlap_ratio(re.sub(r"推荐|学习", "", t), expanded), t) for t in tables]
    best = max((sc for sc, _ in scored), default=0.0)
    return [t for sc, t in scored if sc >= least and sc == best]


def asked_tables(question: str, u: Understanding, curriculum: Curriculum) -> list[str]:
    """The tables a question asks for: a resource question naming one, a practice question naming one
    ("free platforms to practice on"), or a question that names one and nothing else of the roadmap
    ("有哪些实践平台可以免费用 GPU", "有什么社区或者论坛")."""
    if not question:
        return []
    if "resources" in u.aspects:
        return recommended_tables(question, curriculum)
    if u.skills or u.stages or u.milestones or not set(u.aspects) <= {"project"}:
        return []
    return recommended_tables(question, curriculum)


def tables_alone(u: Understanding, tables: list[str], cur: Curriculum) -> bool:
    """A named table with a stage column, asked about stages only ("书籍推荐里适合阶段 1 的"): the stages
    filter that table; they do not ask for the stages' own resources."""
    if not tables or u.skills or not u.stages:
        return False
    return any(r.stages for r in cur.recommended if r.table in tables)


def _row_line(r: RecommendedItem) -> str:
    facts = [
        strip_md(v)
        for k, v in r.columns.items()
        if strip_md(v) != r.name and not v.startswith("http") and v.strip("- ")
    ]
    line = r.name + (f"（{'，'.join(facts)}）" if facts else "")
    return f"{line}：{r.link}" if r.link else line


def recommended_sections(
    b: Builder, tables: list[str], question: str, language: str, stages: list[int]
) -> None:
    """Each named table: the rows the question filters it to, every one cited, then the rest by name.
    `stages`: the named stages, or the named skills' stages (a stage column filters by them)."""
    zh = b.zh
    for table in tables:
        rows = [r for r in b.cur.recommended if r.table == table]
        n = b.cite(rows[0].citation, [rows[0].citation.heading])
        hit = matching_rows(rows, question, language, stages)
        shown = hit or rows
        head = table
        if hit:
            head += (
                f"（符合的 {len(hit)} 项，共 {len(rows)} 项）"
                if zh
                else f" ({len(hit)} of {len(rows)} match)"
            )
        b.section(head, n, [b.item(_row_line(r), r.name) for r in shown])
        rest = [b.item(r.name) for r in rows if r not in shown]
        if rest:
            b.out.append(("表中另有：" if zh else "The table also lists: ") + "、".join(rest) + f" [{n}]")


def tables_answer(
    b: Builder, tables: list[str], question: str, language: str, stages: list[int]
) -> Structured:
    """The named appendix tables alone, filtered by what the question names."""
    recommended_sections(b, tables, question, language, stages)
    lead = (
        "以下内容按路线图的推荐资源汇总整理："
        if b.zh
        else "From the roadmap's recommended resources (quoted in the original Chinese):"
    )
    return Structured(
        text=lead + "\n" + "\n".join(b.out).strip("\n"),
        sources=b.sources,
        items=[i for i in b.items if i],
        sections=b.sections,
    )
