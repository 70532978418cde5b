"""Rich renderings for the CLI; kept apart so commands stay a few lines each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from tutor.ingest.pipeline import IngestReport
    from tutor.services import RetrievedPassage

__all__ = ["ingest_table", "passages_table"]

_STATUS_STYLE = {
    "added": "green",
    "updated": "cyan",
    "unchanged": "dim",
    "removed": "yellow",
    "failed": "red",
}


def ingest_table(report: IngestReport) -> Table:
    table = Table(title="Ingest", show_lines=False)
    for col, justify in (("document", "left"), ("status", "left"), ("chunks", "right"),
                         ("seconds", "right"), ("note", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in sorted(report.results, key=lambda r: (r.status != "failed", r.doc_id)):
        style = _STATUS_STYLE.get(r.status, "")
        table.add_row(r.doc_id, f"[{style}]{r.status}[/]", str(r.chunks), f"{r.seconds:.2f}", r.reason)
    counts = ", ".join(
        f"{s} {report.count(s)}" for s in ("added", "updated", "unchanged", "removed", "failed") if report.count(s)
    )
    table.caption = (
        f"{counts or 'nothing to do'} · {report.total_chunks} chunks in "
        f"{report.collection or '-'} · {report.seconds:.2f} s"
    )
    return table


def passages_table(question: str, hits: Sequence[RetrievedPassage]) -> Table:
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
