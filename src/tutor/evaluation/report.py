"""Eval results as JSON, a Markdown report with the misses, and a Recall@k bar chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tutor.evaluation.runner import ModeResult

__all__ = ["to_json", "write_report"]


def to_json(dataset: Path, n: int, results: dict[str, ModeResult]) -> dict[str, Any]:
    return {"dataset": str(dataset), "n": n, "modes": {m: r.summary() for m, r in results.items()}}


def _table(payload: dict[str, Any], ks: list[int]) -> str:
    head = "| mode | " + " | ".join(f"R@{k}" for k in ks) + " | MRR@10 | nDCG@10 | p50 ms | p95 ms |"
    sep = "|" + "---|" * (len(ks) + 5)
    rows = [head, sep]
    for mode, s in payload["modes"].items():
        rows.append(
            f"| {mode} | "
            + " | ".join(f"{s['recall'][str(k)]:.3f}" for k in ks)
            + f" | {s['mrr@10']:.3f} | {s['ndcg@10']:.3f} | {s['latency_ms']['p50']:.1f} | {s['latency_ms']['p95']:.1f} |"
        )
    return "\n".join(rows)


def _breakdown(payload: dict[str, Any], key: str, k: str = "5") -> str:
    labels = sorted({label for s in payload["modes"].values() for label in s[key]})
    modes = list(payload["modes"])
    rows = [
        f"| {key[3:]} | n | " + " | ".join(f"{m} R@{k}" for m in modes) + " |",
        "|" + "---|" * (len(modes) + 2),
    ]
    for label in labels:
        first = payload["modes"][modes[0]][key].get(label, {"n": 0})
        cells = [f"{payload['modes'][m][key].get(label, {}).get('recall', {}).get(k, 0):.3f}" for m in modes]
        rows.append(f"| {label} | {first['n']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _recall_chart(path: Path, payload: dict[str, Any], ks: list[int], name: str) -> None:
    """Recall@k bars, one group per k and one bar per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / max(1, len(payload["modes"]))
    for i, (mode, summary) in enumerate(payload["modes"].items()):
        xs = [j + i * width for j in range(len(ks))]
        vals = [summary["recall"][str(k)] for k in ks]
        bars = ax.bar(xs, vals, width, label=mode)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(
        [j + width * (len(payload["modes"]) - 1) / 2 for j in range(len(ks))], [f"Recall@{k}" for k in ks]
    )
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Retrieval recall by mode ({payload['n']} questions, {name})")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(directory: Path, dataset: Path, results: dict[str, ModeResult]) -> list[Path]:
    """Write report.md, report.json and recall.png into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    first = next(iter(results.values()))
    payload = to_json(dataset, len(first.results), results)
    ks = first.ks
    (directory / "report.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8"
    )

    _recall_chart(directory / "recall.png", payload, ks, dataset.name)
    lines = [
        f"# Retrieval eval: {dataset.name}",
        "",
        f"{payload['n']} questions.",
        "",
        "![Recall@k per mode](recall.png)",
        "",
        _table(payload, ks),
        "",
        "## Recall@5 by language",
        "",
        _breakdown(payload, "by_lang"),
        "",
        "## Recall@5 by kind",
        "",
        _breakdown(payload, "by_kind"),
        "",
        "## Recall@5 by document",
        "",
        _breakdown(payload, "by_doc"),
        "",
    ]
    for mode, result in results.items():
        missed = result.missed(5)
        lines += [f"## Missed at 5 by `{mode}` ({len(missed)})", ""]
        for r in missed:
            q = r.question
            lines.append(
                f"- **{q.id}** ({q.lang}, {q.kind}) {q.question} — gold: "
                + "; ".join(f"{g.doc} › {g.section}" for g in q.gold)
            )
            for h in r.returned[:3]:
                lines.append(
                    f"    - got {h.doc} › {' › '.join(h.headings[1:] or h.headings) or '(no headings)'} "
                    f"L{h.lines[0]}: {h.text[:60].replace(chr(10), ' ')}"
                )
        lines.append("")
    (directory / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return [directory / "report.md", directory / "report.json", directory / "recall.png"]
