"""Rich renderings for the CLI; kept apart so commands stay a few lines each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from tutor.ingest.pipeline import IngestReport
    from tutor.services import RetrievedPassage

__all__ = ["eval_tables", "ingest_table", "passages_table"]

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
        main.add_row(mode, *[f"{s['recall'][k]:.3f}" for k in ks], f"{s['mrr@10']:.3f}", f"{s['ndcg@10']:.3f}",
                     f"{s['latency_ms']['p50']:.1f}", f"{s['latency_ms']['p95']:.1f}")
    tables = [main]
    for key in ("by_lang", "by_kind"):
        t = Table(title=f"Recall@5 {key.replace('_', ' ')}")
        t.add_column(key[3:])
        t.add_column("n", justify="right")
        for mode in modes:
            t.add_column(mode, justify="right")
        for label in sorted(first[key]):
            t.add_row(label, str(first[key][label]["n"]),
                      *[f"{modes[m][key].get(label, {}).get('recall', {}).get('5', 0):.3f}" for m in modes])
        tables.append(t)
    return tables
