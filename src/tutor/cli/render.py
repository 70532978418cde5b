"""Rich renderings for the CLI; kept apart so commands stay a few lines each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from tutor.api.schemas import Passage
    from tutor.app import RetrievedPassage
    from tutor.curriculum.model import Resource
    from tutor.evaluation.compare import Comparison
    from tutor.ingest.pipeline import IngestReport

__all__ = [
    "answer_footer",
    "catalog_table",
    "check_table",
    "compare_tables",
    "curriculum_table",
    "eval_tables",
    "fetch_table",
    "ingest_table",
    "mentions_text",
    "next_steps_panels",
    "passages_table",
    "progress_table",
    "resources_table",
]

_STATUS_STYLE = {
    "added": "green",
    "updated": "cyan",
    "unchanged": "dim",
    "removed": "yellow",
    "failed": "red",
}


def ingest_table(report: IngestReport) -> Table:
    table = Table(title="Ingest", show_lines=False)
    for col, justify in (
        ("document", "left"),
        ("status", "left"),
        ("chunks", "right"),
        ("seconds", "right"),
        ("note", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in sorted(report.results, key=lambda r: (r.status != "failed", r.doc_id)):
        style = _STATUS_STYLE.get(r.status, "")
        table.add_row(r.doc_id, f"[{style}]{r.status}[/]", str(r.chunks), f"{r.seconds:.2f}", r.reason)
    counts = ", ".join(
        f"{s} {report.count(s)}"
        for s in ("added", "updated", "unchanged", "removed", "failed")
        if report.count(s)
    )
    table.caption = (
        f"{counts or 'nothing to do'} · {report.total_chunks} chunks in "
        f"{report.collection or '-'} · {report.seconds:.2f} s"
    )
    return table


def passages_table(question: str, hits: Sequence[RetrievedPassage | Passage]) -> Table:
    """The passages found; from this process (`RetrievedPassage`) or a resident server (`Passage`)."""
    table = Table(title=f"Passages for: {question}", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("source")
    table.add_column("text")
    for n, h in enumerate(hits, 1):
        where = " › ".join(h.headings) or h.title
        src = f"[bold]{h.doc}[/] L{h.lines[0]}-{h.lines[1]}\n{where}"
        text = h.text if len(h.text) <= 300 else h.text[:300] + " …"
        table.add_row(str(n), f"{h.score:.3f}", src, text)
    if not hits:
        table.caption = "no passages"
    return table


def eval_tables(payload: dict) -> list[Table]:
    modes = payload["modes"]
    first = next(iter(modes.values()))
    ks = list(first["recall"])
    main = Table(title=f"Retrieval eval · {payload['dataset']} · {payload['n']} questions")
    main.add_column("mode")
    for k in ks:
        main.add_column(f"R@{k}", justify="right")
    for col in ("MRR@10", "nDCG@10", "p50 ms", "p95 ms"):
        main.add_column(col, justify="right")
    for mode, s in modes.items():
        main.add_row(
            mode,
            *[f"{s['recall'][k]:.3f}" for k in ks],
            f"{s['mrr@10']:.3f}",
            f"{s['ndcg@10']:.3f}",
            f"{s['latency_ms']['p50']:.1f}",
            f"{s['latency_ms']['p95']:.1f}",
        )
    tables = [main]
    for key in ("by_lang", "by_kind"):
        t = Table(title=f"Recall@5 {key.replace('_', ' ')}")
        t.add_column(key[3:])
        t.add_column("n", justify="right")
        for mode in modes:
            t.add_column(mode, justify="right")
        for label in sorted(first[key]):
            t.add_row(
                label,
                str(first[key][label]["n"]),
                *[f"{modes[m][key].get(label, {}).get('recall', {}).get('5', 0):.3f}" for m in modes],
            )
        tables.append(t)
    return tables


_OUTCOME_ORDER = {"fixed": 0, "broken": 1, "better": 2, "worse": 3}
_OUTCOME_STYLE = {"fixed": "green", "broken": "red"}


def compare_tables(comparisons: Sequence[Comparison], a: Any, b: Any) -> list[Table]:
    """Per mode: metrics before/after, then every question whose first relevant rank moved."""
    tables = []
    for comp in comparisons:
        counts = comp.counts()
        t = Table(title=f"{comp.mode}: A={a} → B={b}")
        t.add_column("metric")
        for col in ("A", "B", "Δ"):
            t.add_column(col, justify="right")
        for key, va in comp.metrics_a.items():
            vb = comp.metrics_b.get(key, 0.0)
            t.add_row(key, f"{va:.3f}", f"{vb:.3f}", f"{vb - va:+.3f}")
        t.caption = (
            f"fixed {counts['fixed']} · broken {counts['broken']} (top-5 line) · better {counts['better']} · "
            f"worse {counts['worse']} · same {counts['same']}"
        )
        if comp.only_a or comp.only_b:
            t.caption += f" · only in A {len(comp.only_a)}, only in B {len(comp.only_b)}"
        tables.append(t)
        moved = [d for d in comp.deltas if d.outcome != "same"]
        if not moved:
            continue
        m = Table(
            title=f"{comp.mode}: questions that moved (rank of the first relevant passage, - = not in top 10)"
        )
        for col in ("outcome", "id", "lang", "kind", "A", "B", "question"):
            m.add_column(col)
        for d in sorted(moved, key=lambda d: (_OUTCOME_ORDER[d.outcome], d.id)):
            style = _OUTCOME_STYLE.get(d.outcome)
            outcome = f"[{style}]{d.outcome}[/]" if style else d.outcome
            m.add_row(outcome, d.id, d.lang, d.kind, str(d.rank_a or "-"), str(d.rank_b or "-"), d.question)
        tables.append(m)
    return tables


def curriculum_table(curriculum) -> Table:
    table = Table(title=curriculum.title, show_lines=True)
    for col in ("stage", "skill", "★", "resources", "projects", "checks", "lines"):
        table.add_column(col)
    for stage in curriculum.stages:
        for n in stage.skills:
            s = curriculum.skill(n)
            table.add_row(
                f"{stage.number} {stage.name}（{stage.duration}）",
                f"{s.number}. {s.name}",
                str(s.stars),
                str(len(s.resources)),
                str(len(s.projects)),
                str(len(s.checks)),
                f"L{s.citation.lines[0]}-{s.citation.lines[1]}",
            )
    table.caption = "core path: " + " → ".join(curriculum.core_path)
    return table


def resource_cells(r: Resource) -> list[str]:
    """One roadmap resource as name, type, language, stars and link: the CLI's one resource row."""
    return [r.name, r.type or "", r.lang or "", "⭐" * (r.stars or 0), r.link or "-"]


def resources_table(heading: str, rows) -> Table:
    table = Table(title=heading)
    for col in ("name", "type", "lang", "stars", "link"):
        table.add_column(col)
    for r in rows:
        table.add_row(*resource_cells(r))
    if not rows:
        table.caption = "no resources match"
    return table


def progress_table(curriculum, profile) -> Table:
    table = Table(
        title=f"{profile.name} ({profile.id}) · {profile.hours_per_day:g} h/day · goal: {profile.goal or '-'}"
    )
    table.add_column("stage")
    table.add_column("skills")
    table.add_column("progress", justify="right")
    for stage in curriculum.stages:
        marks = []
        for n in stage.skills:
            s = curriculum.skill(n)
            mark = (
                "[green]✔[/]"
                if n in profile.finished
                else ("[yellow]…[/]" if n in profile.in_progress else "☐")
            )
            marks.append(f"{mark} {n}. {s.name}")
        done = sum(n in profile.finished for n in stage.skills)
        table.add_row(f"{stage.number} {stage.name}", "\n".join(marks), f"{done}/{len(stage.skills)}")
    return table


def mentions_text(curriculum, mentions) -> str:
    name = lambda n: f"{n}. {curriculum.skill(n).name}"  # noqa: E731
    parts = []
    if mentions.known:
        parts.append("recognised as done: " + ", ".join(name(n) for n in mentions.known))
    if mentions.partial:
        parts.append("in progress: " + ", ".join(name(n) for n in mentions.partial))
    if mentions.not_known:
        parts.append("explicitly not known: " + ", ".join(name(n) for n in mentions.not_known))
    if mentions.ambiguous:
        parts.append(
            "ambiguous (not applied): " + ", ".join(f"{w} → {v}" for w, v in mentions.ambiguous.items())
        )
    if mentions.unknown_terms:
        parts.append("not in the roadmap: " + ", ".join(mentions.unknown_terms))
    return "\n".join(parts) or "no skills recognised in that description"


def next_steps_panels(plan) -> list:
    from rich.panel import Panel

    if plan.finished_all:
        cites = "\n".join(f"- {c.heading} (L{c.lines[0]}-{c.lines[1]})" for c in plan.beyond)
        return [Panel(f"{plan.note}\n{cites}", title="Next steps")]
    panels = []
    for n, r in enumerate(plan.recommendations, 1):
        res = "\n".join("  • " + " · ".join(resource_cells(x)) for x in r.resources)
        body = (
            f"[bold]Why:[/] {r.reason}\n[bold]Study:[/]\n"
            + "\n".join(f"  • {s}" for s in r.study)
            + f"\n[bold]Resources:[/]\n{res}\n[bold]Project:[/] {r.project or '-'}\n[bold]Done when:[/]\n"
            + "\n".join(f"  ✅ {d}" for d in r.done_when)
            + f"\n[bold]Estimate:[/] {r.estimate}\n[dim]Sources: "
            + "; ".join(f"{c.heading} L{c.lines[0]}-{c.lines[1]}" for c in r.citations)
            + "[/]"
        )
        tag = "fill the gap" if r.kind == "gap" else "next"
        panels.append(Panel(body, title=f"{n}. {r.skill.heading}  [{tag}]", title_align="left"))
    return panels


def answer_footer(answer: Any) -> list[Any]:
    """Sources, citation verdicts, the notice and follow-ups printed under an answer."""

    out: list[Any] = []
    cited = [s for s in answer.sources if s.cited]
    if cited:
        table = Table(
            title="Sources" if answer.language == "en" else "出处", show_lines=False, title_justify="left"
        )
        table.add_column("#", justify="right")
        table.add_column("section")
        table.add_column("relevance", justify="right")
        table.add_column("link")
        for s in cited:
            table.add_row(f"[{s.n}]", s.label, "" if s.score is None else f"{s.score:.2f}", s.link or "")
        out.append(table)
    changed = [c for c in answer.citation_checks if c.action != "kept"]
    for c in changed:
        verdict = f"moved to [{c.moved_to}]" if c.action == "moved" else "dropped"
        out.append(
            Text(
                f"citation [{c.cited}] {verdict}: its passage does not support “{c.sentence[:60]}”",
                style="yellow",
            )
        )
    if answer.removed_citations:
        out.append(Text(f"removed citations to missing passages: {answer.removed_citations}", style="yellow"))
    if answer.notice:
        out.append(Text(answer.notice, style="dim"))
    if answer.followups:
        label = "你还可以问：" if answer.language == "zh" else "You could also ask:"
        out.append(Text(label + "\n" + "\n".join(f"  • {q}" for q in answer.followups), style="cyan"))
    return out


def catalog_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    """`tutor resources list`: one row per catalog resource."""
    table = Table(title=f"{len(rows)} resources", show_lines=False)
    for col in ("name", "type", "lang", "stars", "skills", "status", "url"):
        table.add_column(col, overflow="fold")
    for r in rows:
        skills = ",".join(sorted({str(c["skill"]) for c in r["contexts"] if c["skill"] is not None}))
        table.add_row(
            r["name"],
            r["type"] or "",
            r["lang"] or "",
            "⭐" * (r["stars"] or 0),
            skills,
            r["status"] or "not fetched",
            r["url"],
        )
    return table


def check_table(report: list[dict[str, Any]]) -> list[Any]:
    """`tutor resources check`: the links that need attention, then a count per state."""
    from collections import Counter

    table = Table(title="Links that need attention")
    for col in ("state", "name", "reason", "url", "now at", "cited at"):
        table.add_column(col, overflow="fold")
    for r in report:
        if r["state"] != "ok":
            table.add_row(
                r["state"],
                r["name"],
                r["reason"],
                r["url"],
                r["final_url"] if r["state"] == "moved" else "",
                " ".join(r["where"][:3]),
            )
    summary = " · ".join(f"{k} {v}" for k, v in Counter(r["state"] for r in report).items())
    return [table, Text(summary)]


def fetch_table(payload: dict[str, Any], total_chunks: int | None) -> list[Any]:
    """`tutor fetch-resources`: outcomes and failure reasons, then what was written and indexed."""

    table = Table(title="fetch-resources")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for outcome, n in sorted(payload["counts"].items()):
        table.add_row(outcome, str(n))
    for reason, n in sorted(payload["failures_by_reason"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  failed: {reason}", str(n))
    tail = f" · index now {total_chunks} chunks" if total_chunks is not None else ""
    return [table, Text(f"pages written {payload['pages_written']}{tail}")]
