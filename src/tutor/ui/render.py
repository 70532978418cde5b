"""Answers, sources, plans and progress as Markdown/HTML for the browser.  No logic beyond layout."""

from __future__ import annotations

import html
from typing import Any

__all__ = ["answer_markdown", "sources_panel", "plan_cards", "stage_bars", "status_line"]


def _zh(language: str) -> bool:
    return language == "zh"


def answer_markdown(answer: Any) -> str:
    """The answer, then its citations beneath it (title › headings, lines, relevance, link)."""
    parts = [answer.text]
    cited = [s for s in answer.sources if s.cited]
    if cited:
        rows = []
        for s in cited:
            score = f" · {'相关度' if _zh(answer.language) else 'relevance'} {s.score:.2f}" if s.score is not None else ""
            link = f" · [{'链接' if _zh(answer.language) else 'link'}]({s.link})" if s.link else ""
            rows.append(f"[{s.n}] {s.label}{score}{link}")
        parts.append(("**出处**" if _zh(answer.language) else "**Sources**") + "\n\n" + "\n".join(f"- {r}" for r in rows))
    moved = [c for c in answer.citation_checks if c.action != "kept"]
    if moved:
        parts.append(("_引用检查：" if _zh(answer.language) else "_Citation check: ")
                     + "; ".join(f"[{c.cited}] → {'[' + str(c.moved_to) + ']' if c.moved_to else '✗'}" for c in moved) + "_")
    if answer.notice:
        parts.append(f"> {answer.notice}")
    return "\n\n".join(parts)


def sources_panel(answer: Any | None) -> str:
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
    link = f'<a href="{html.escape(r["link"])}" target="_blank" rel="noopener">{name}</a>' if r.get("link") else name
    return f"<li>{link} <span class='tutor-facts'>{html.escape(facts)}</span></li>"


def plan_cards(plan: dict[str, Any]) -> str:
    """The planner's recommendations as cards (skill, why, study, resources, project, done-when, estimate)."""
    if plan.get("finished_all"):
        return f"<div class='tutor-card'><h3>🎉 全部完成</h3><p>{html.escape(plan.get('note') or '')}</p></div>"
    cards = []
    for i, rec in enumerate(plan.get("recommendations", [])):
        skill = rec["skill"]
        badge = "补基础 gap" if rec["kind"] == "gap" else ("首选 next" if i == 0 else "也可以 also")
        study = "".join(f"<li>{html.escape(s)}</li>" for s in rec["study"][:6])
        resources = "".join(_resource(r) for r in rec["resources"])
        checks = "".join(f"<li>{html.escape(c)}</li>" for c in rec["done_when"][:5])
        cites = ", ".join(f"{html.escape(c['heading'])} L{c['lines'][0]}–{c['lines'][1]}" for c in rec["citations"][:2])
        project = f"<p><b>实践项目 Project</b>：{html.escape(rec['project'])}</p>" if rec.get("project") else ""
        cards.append(
            f"<div class='tutor-card' data-skill='{skill['number']}'>"
            f"<div class='tutor-badge'>{badge}</div><h3>{html.escape(skill['heading'])}</h3>"
            f"<p><b>为什么 Why</b>：{html.escape(rec['reason'])}</p>"
            f"<p><b>学什么 Study</b></p><ul>{study}</ul>"
            f"<p><b>资源 Resources</b></p><ul>{resources}</ul>{project}"
            f"<p><b>检验标准 Done when</b></p><ul>{checks}</ul>"
            f"<p><b>预计 Estimate</b>：{html.escape(rec['estimate'])}</p>"
            f"<p class='tutor-cite'>出处 Source：{cites}</p></div>")
    return "<div class='tutor-cards'>" + "".join(cards) + "</div>" if cards else "<p>—</p>"


def stage_bars(curriculum: Any, finished: list[int]) -> str:
    rows = []
    done = set(finished)
    for stage in curriculum.stages:
        total = len(stage.skills)
        n = len(done & set(stage.skills))
        pct = round(100 * n / total) if total else 0
        rows.append(f"<div class='tutor-bar'><span>{html.escape(stage.heading.split('（')[0])}</span>"
                    f"<progress max='{total}' value='{n}'></progress><span>{n}/{total} · {pct}%</span></div>")
    return "".join(rows)


def status_line(status: dict[str, Any]) -> str:
    llm = ("🟢 " if status["llm_ok"] else "🟡 ") + status["llm"]
    if status["llm_ok"]:
        state = ""
    elif status["llm"].startswith("none"):
        state = "（未配置语言模型：回答直接摘自资料 / no model configured: answers quote the material）"
    else:
        state = f"（未连接：回答仅基于检索 / not reachable: retrieval-only — {status['llm_detail']}）"
    return (f"**LLM** {html.escape(llm)}{html.escape(state)} ｜ **索引 Index** {status['chunks']} 段 chunks / "
            f"{status['documents']} 篇 docs ｜ **嵌入 Embedder** {status['embedder']}")
