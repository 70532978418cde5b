"""Everything the browser shows, as Markdown/HTML or table rows: the UI's one place for formatting.

No logic beyond layout and the bilingual labels; the handlers in `ui/app.py` only call these.
"""

from __future__ import annotations

import html
from typing import Any

from tutor.chain.answer import Answer, Source
from tutor.chain.replies import OFFLINE_NOTICE
from tutor.curriculum.model import Curriculum
from tutor.curriculum.quiz import Quiz, QuizResult, normalise_type
from tutor.index.manifest import Manifest
from tutor.ingest.corpus_meta import DocMeta
from tutor.llm.backends import LLMBackend
from tutor.resources.store import CatalogStore

__all__ = [
    "ALL",
    "answer_markdown",
    "credits_markdown",
    "filter_choices",
    "normalise_language",
    "quiz_intro",
    "quiz_result",
    "status_details",
    "plan_cards",
    "resource_rows",
    "resources_table",
    "sources_panel",
    "stage_bars",
    "stage_names",
    "status",
    "status_line",
]

ALL = "全部 All"  # the "no filter" choice of every dropdown


def _zh(language: str) -> bool:
    return language == "zh"


def answer_markdown(answer: Answer) -> str:
    """The answer, then its citations beneath it (title › headings, lines, relevance, link)."""
    parts = [answer.text]
    cited = [s for s in answer.sources if s.cited]
    if cited:
        rows = []
        for s in cited:
            score = (
                f" · {'相关度' if _zh(answer.language) else 'relevance'} {s.score:.2f}"
                if s.score is not None
                else ""
            )
            link = f" · [{'链接' if _zh(answer.language) else 'link'}]({s.link})" if s.link else ""
            rows.append(f"[{s.n}] {s.label}{score}{link}")
        parts.append(
            ("**出处**" if _zh(answer.language) else "**Sources**")
            + "\n\n"
            + "\n".join(f"- {r}" for r in rows)
        )
    moved = [c for c in answer.citation_checks if c.action != "kept"]
    if moved:
        parts.append(
            ("_引用检查：" if _zh(answer.language) else "_Citation check: ")
            + "; ".join(f"[{c.cited}] → {'[' + str(c.moved_to) + ']' if c.moved_to else '✗'}" for c in moved)
            + "_"
        )
    if answer.notice and answer.notice != OFFLINE_NOTICE:  # offline mode is said once, in the header
        parts.append(f"> {answer.notice}")
    return "\n\n".join(parts)


def _passage(s: Source) -> str:
    mark = "✅" if s.cited else "·"
    score = f" — {s.score:.2f}" if s.score is not None else ""
    body = s.text.strip()
    if len(body) > 1500:
        body = body[:1500] + " …"
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in body.splitlines())
    return f"**{mark} [{s.n}] {s.label}**{score}\n\n{quoted}"


def sources_panel(sources: list[Source] | None) -> str:
    """The cited passages first and open; the other retrieved passages collapsed beneath them."""
    if not sources:
        return "_引用的原文段落会显示在这里。 / The cited passages appear here._"
    cited = [s for s in sources if s.cited]
    rest = [s for s in sources if not s.cited]
    blocks = [_passage(s) for s in cited] or ["_没有引用的段落 / no passage was cited_"]
    if rest:
        inner = "\n\n".join(_passage(s) for s in rest)
        blocks.append(
            f"<details><summary>其他检索到的段落 Other retrieved passages ({len(rest)})</summary>\n\n"
            f"{inner}\n\n</details>"
        )
    return "\n\n".join(blocks)


def _resource(r: dict[str, Any]) -> str:
    facts = " · ".join(str(x) for x in (r.get("type"), r.get("lang"), "⭐" * int(r.get("stars") or 0)) if x)
    name = html.escape(r["name"])
    link = (
        f'<a href="{html.escape(r["link"])}" target="_blank" rel="noopener">{name}</a>'
        if r.get("link")
        else name
    )
    return f"<li>{link} <span class='tutor-facts'>{html.escape(facts)}</span></li>"


def plan_cards(plan: dict[str, Any]) -> str:
    """The planner's recommendations as cards (skill, why, study, resources, project, done-when, estimate)."""
    if plan.get("finished_all"):
        return (
            f"<div class='tutor-card'><h3>🎉 全部完成</h3><p>{html.escape(plan.get('note') or '')}</p></div>"
        )
    cards = []
    for i, rec in enumerate(plan.get("recommendations", [])):
        skill = rec["skill"]
        badge = {"gap": "补基础 gap", "after": "之后 then"}.get(
            rec["kind"], "首选 next" if i == 0 else "也可以 also"
        )
        study = "".join(f"<li>{html.escape(s)}</li>" for s in rec["study"][:6])
        resources = "".join(_resource(r) for r in rec["resources"])
        checks = "".join(f"<li>{html.escape(c)}</li>" for c in rec["done_when"][:5])
        cites = ", ".join(
            f"{html.escape(c['heading'])} L{c['lines'][0]}–{c['lines'][1]}" for c in rec["citations"][:2]
        )
        project = (
            f"<p><b>实践项目 Project</b>：{html.escape(rec['project'])}</p>" if rec.get("project") else ""
        )
        cards.append(
            f"<div class='tutor-card' data-skill='{skill['number']}'>"
            f"<div class='tutor-badge'>{badge}</div><h3>{html.escape(skill['heading'])}</h3>"
            f"<p><b>为什么 Why</b>：{html.escape(rec['reason'])}</p>"
            f"<p><b>学什么 Study</b></p><ul>{study}</ul>"
            f"<p><b>资源 Resources</b></p><ul>{resources}</ul>{project}"
            f"<p><b>检验标准 Done when</b></p><ul>{checks}</ul>"
            f"<p><b>预计 Estimate</b>：{html.escape(rec['estimate'])}</p>"
            f"<p class='tutor-cite'>出处 Source：{cites}</p></div>"
        )
    note = f"<p class='tutor-note'>✅ {html.escape(plan['note'])}</p>" if plan.get("note") else ""
    return note + ("<div class='tutor-cards'>" + "".join(cards) + "</div>" if cards else "<p>—</p>")


def stage_bars(curriculum: Curriculum, finished: list[int]) -> str:
    rows = []
    done = set(finished)
    for stage in curriculum.stages:
        total = len(stage.skills)
        n = len(done & set(stage.skills))
        pct = round(100 * n / total) if total else 0
        rows.append(
            f"<div class='tutor-bar'><span>{html.escape(stage.heading.split('（')[0])}</span>"
            f"<progress max='{total}' value='{n}'></progress><span>{n}/{total} · {pct}%</span></div>"
        )
    return "".join(rows)


def status_line(status: dict[str, Any]) -> str:
    """One calm line: online or offline mode, index size, embedder.  Details go to `status_details`."""
    mode = f"🟢 **LLM** {html.escape(status['llm'])}" if status["llm_ok"] else f"📖 {OFFLINE_NOTICE}"
    index = (
        f"**索引 Index** {status['chunks']} 段 chunks / {status['documents']} 篇 docs"
        if status.get("ready", True)
        else "**索引 Index** 建立中 building…"
    )
    return f"{mode} ｜ {index} ｜ **嵌入 Embedder** {html.escape(status['embedder'])}"


def status_details(status: dict[str, Any]) -> str:
    """The technical detail behind the status line (also in the server log)."""
    lines = [
        f"- LLM: `{status['llm']}` — {'reachable' if status['llm_ok'] else 'not answering'}"
        + (f" ({status['llm_detail']})" if status.get("llm_detail") else "")
    ]
    if not status["llm_ok"]:
        lines.append(
            "- 连接模型 To connect one: `tutor serve-llm` on a GPU machine, or "
            "`TUTOR_LLM__BACKEND=llamacpp TUTOR_LLM__GGUF_PATH=model.gguf`"
        )
    return "\n".join(lines)


def status(llm: LLMBackend, manifest: Manifest, embedder: str) -> dict[str, Any]:
    """What the header shows: LLM backend and reachability, index size, embedder."""
    health = llm.health()
    return {
        "llm": llm.label,
        "llm_ok": health.ok,
        "llm_detail": health.detail,
        "documents": len(manifest.docs),
        "chunks": manifest.chunk_count,
        "embedder": embedder,
    }


def stage_names(curriculum: Curriculum) -> dict[int, str]:
    """Stage number -> its heading without the duration, as the filters and tables show it."""
    return {s.number: s.heading.split("（")[0] for s in curriculum.stages}


_LANGUAGES = [("中英", "中英 Both"), ("英", "英文 English"), ("中", "中文 Chinese")]


def normalise_language(lang: str | None) -> str:
    """A few languages for the filter: '中文字幕'/'中文翻译' -> Chinese, '中英字幕' -> both."""
    text = lang or ""
    return next((label for key, label in _LANGUAGES if key in text), text)


def resource_rows(
    catalog: CatalogStore,
    curriculum: Curriculum,
    query: str = "",
    stage: int | None = None,
    kind: str | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """Every catalog resource (the resources tab), filtered, with its last fetch/check status.
    `kind` and `language` are the normalised labels the filters offer."""
    q = query.strip().lower()
    skill_names = {s.number: s.name for s in curriculum.skills}
    rows = []
    for r in catalog.resources(stage=stage):
        skills = sorted({c["skill"] for c in r["contexts"] if c["skill"] is not None})
        stages = sorted({c["stage"] for c in r["contexts"] if c["stage"] is not None})
        row = {
            "stage": stages[0] if stages else None,
            "skill": "、".join(f"{n}. {skill_names.get(n, '')}" for n in skills),
            "name": r["name"],
            "type": normalise_type(r["type"]),
            "language": normalise_language(r["lang"]),
            "stars": r["stars"] or 0,
            "link": r["url"],
            "status": _status_label(r),
        }
        if (kind and row["type"] != kind) or (language and row["language"] != language):
            continue
        if q and not any(q in str(v).lower() for v in row.values()):
            continue
        rows.append(row)
    return rows


def filter_choices(catalog: CatalogStore, curriculum: Curriculum) -> tuple[list[str], list[str]]:
    """The type and language filters' choices, from the catalog as it is now (it fills on first ingest)."""
    rows = resource_rows(catalog, curriculum)
    types = sorted({r["type"] for r in rows if r["type"]})
    languages = sorted({r["language"] for r in rows if r["language"]})
    return [ALL, *types], [ALL, *languages]


TABLE_HEADERS = [
    "阶段 Stage",
    "技能 Skill",
    "资源 Resource",
    "类型 Type",
    "语言 Lang",
    "推荐 Stars",
    "状态 Status",
]


def resources_table(
    catalog: CatalogStore,
    curriculum: Curriculum,
    query: str = "",
    stage: str = ALL,
    kind: str = ALL,
    language: str = ALL,
) -> list[list[Any]]:
    """The resources tab's table for the chosen filters (dropdown labels, ALL for none).
    The name is the link, so no column holds a long URL and the table fits the page."""
    names = stage_names(curriculum)
    stage_no = next((n for n, name in names.items() if name == stage), None)
    rows = resource_rows(
        catalog,
        curriculum,
        query or "",
        stage_no,
        None if kind in ("", ALL, None) else kind,
        None if language in ("", ALL, None) else language,
    )
    return [
        [
            names.get(r["stage"], "—"),
            r["skill"],
            f"[{_md_escape(r['name'])}]({r['link']})" if r["link"] else _md_escape(r["name"]),
            r["type"],
            r["language"],
            "⭐" * r["stars"],
            r["status"],
        ]
        for r in rows
    ]


def _md_escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def credits_markdown(docs: list[DocMeta]) -> str:
    """The material and who wrote it (corpus/corpus.yaml), for the credits panel."""
    if not docs:
        return "_没有 corpus.yaml：资料的作者与来源未知 / no corpus.yaml: authors and sources unknown_"
    rows = []
    for d in docs:
        facts = [f"作者 author: {d.author}" if d.author else "", d.licence or ""]
        source = f"[{d.source}]({d.source})" if d.source else ""
        line = f"- **{d.title or d.file}**" + "".join(f" · {x}" for x in [*facts, source] if x)
        rows.append(line + (f"  \n  {d.summary}" if d.summary else ""))
    return "\n".join(rows)


def quiz_intro(quiz: Quiz) -> str:
    graded = sum(q.kind != "self" for q in quiz.questions)
    return (
        f"### 📝 {html.escape(quiz.heading)}\n{graded} 道题 + {len(quiz.questions) - graded} 项自评 "
        f"/ {graded} questions + {len(quiz.questions) - graded} self-checks, built from the roadmap "
        f"({quiz.questions[0].citation.heading} L{quiz.questions[0].citation.lines[0]}–"
        f"{quiz.questions[0].citation.lines[1]})."
        if quiz.questions
        else "—"
    )


def quiz_result(result: QuizResult) -> str:
    if result.suggest_done:
        verdict = "✅ 通过，建议标记为完成：下一步已更新 / Passed — suggested as done; What next moved on"
    elif result.passed:
        verdict = "🟡 答题通过，但还有未达到的检验标准 / Passed, but some criteria are not met yet"
    else:
        verdict = "🔁 还没通过，复习下面几点再试 / Not passed yet — review these and try again"
    lines = [f"**{verdict}** — 得分 score {result.score:.0%}"]
    lines += [f"- 复习 review: {html.escape(w)}" for w in result.wrong]
    lines += [f"- 尚未达到 not yet: {html.escape(u)}" for u in result.unmet]
    return "\n".join(lines)


def _status_label(r: dict[str, Any]) -> str:
    state = r.get("status")
    if not state:
        return "未抓取 not fetched"
    when = (r.get("last_checked") or r.get("last_fetched") or "")[:10]
    detail = f" ({r['detail']})" if r.get("detail") else ""
    return f"{state}{detail} {when}".strip()
