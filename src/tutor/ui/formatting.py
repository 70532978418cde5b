"""Everything the browser shows, as Markdown/HTML or table rows: the UI's one place for formatting.

No logic beyond layout and the bilingual labels; the handlers in `ui/app.py` only call these.
"""

from __future__ import annotations

import html
from typing import Any

from tutor.chain.answer import Answer
from tutor.curriculum.model import Curriculum
from tutor.index.manifest import Manifest
from tutor.llm.backends import LLMBackend
from tutor.resources.store import CatalogStore

__all__ = [
    "ALL",
    "answer_markdown",
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
    if answer.notice:
        parts.append(f"> {answer.notice}")
    return "\n\n".join(parts)


def sources_panel(answer: Answer | None) -> str:
    if answer is None or not answer.sources:
        return "_引用的原文段落会显示在这里。 / The cited passages appear here._"
    blocks = []
    for s in answer.sources:
        mark = "✅" if s.cited else "·"
        score = f" — {s.score:.2f}" if s.score is not None else ""
        body = s.text.strip()
        if len(body) > 1500:
            body = body[:1500] + " …"
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in body.splitlines())
        blocks.append(f"**{mark} [{s.n}] {s.label}**{score}\n\n{quoted}")
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
        badge = "补基础 gap" if rec["kind"] == "gap" else ("首选 next" if i == 0 else "也可以 also")
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
    return "<div class='tutor-cards'>" + "".join(cards) + "</div>" if cards else "<p>—</p>"


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
    llm = ("🟢 " if status["llm_ok"] else "🟡 ") + status["llm"]
    if status["llm_ok"]:
        state = ""
    elif status["llm"].startswith("none"):
        state = "（未配置语言模型：回答直接摘自资料 / no model configured: answers quote the material）"
    else:
        state = f"（未连接：回答仅基于检索 / not reachable: retrieval-only — {status['llm_detail']}）"
    return (
        f"**LLM** {html.escape(llm)}{html.escape(state)} ｜ **索引 Index** {status['chunks']} 段 chunks / "
        f"{status['documents']} 篇 docs ｜ **嵌入 Embedder** {status['embedder']}"
    )


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


def resource_rows(
    catalog: CatalogStore,
    curriculum: Curriculum,
    query: str = "",
    stage: int | None = None,
    kind: str | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """Every catalog resource (the resources tab), filtered, with its last fetch/check status."""
    q = query.strip().lower()
    skill_names = {s.number: s.name for s in curriculum.skills}
    rows = []
    for r in catalog.resources(stage=stage, kind=kind, lang=language):
        skills = sorted({c["skill"] for c in r["contexts"] if c["skill"] is not None})
        stages = sorted({c["stage"] for c in r["contexts"] if c["stage"] is not None})
        row = {
            "stage": stages[0] if stages else None,
            "skill": "、".join(f"{n}. {skill_names.get(n, '')}" for n in skills),
            "name": r["name"],
            "type": r["type"] or "",
            "language": r["lang"] or "",
            "stars": r["stars"] or 0,
            "link": r["url"],
            "status": _status_label(r),
        }
        if q and not any(q in str(v).lower() for v in row.values()):
            continue
        rows.append(row)
    return rows


def resources_table(
    catalog: CatalogStore,
    curriculum: Curriculum,
    query: str = "",
    stage: str = ALL,
    kind: str = ALL,
    language: str = ALL,
) -> list[list[Any]]:
    """The resources tab's table for the chosen filters (dropdown labels, ALL for none)."""
    names = stage_names(curriculum)
    stage_no = next((n for n, name in names.items() if name == stage), None)
    rows = resource_rows(
        catalog,
        curriculum,
        query or "",
        stage_no,
        None if kind in ("", ALL) else kind,
        None if language in ("", ALL) else language,
    )
    return [
        [
            names.get(r["stage"], "—"),
            r["skill"],
            r["name"],
            r["type"],
            r["language"],
            "⭐" * r["stars"],
            f"[{r['link']}]({r['link']})" if r["link"] else "",
            r["status"],
        ]
        for r in rows
    ]


def _status_label(r: dict[str, Any]) -> str:
    state = r.get("status")
    if not state:
        return "未抓取 not fetched"
    when = (r.get("last_checked") or r.get("last_fetched") or "")[:10]
    detail = f" ({r['detail']})" if r.get("detail") else ""
    return f"{state}{detail} {when}".strip()
