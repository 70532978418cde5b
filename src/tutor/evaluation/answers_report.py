"""The answer eval's report: summary tables, a chart, every failure with what was answered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tutor.evaluation.answers import AnswerReport

__all__ = ["summary_table", "write_answer_report"]

_METRICS = (
    "fact_coverage",
    "facts_cited",
    "citation_precision",
    "list_completeness",
    "refusal",
    "false_refusal",
    "misroutes",
)


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def summary_table(payload: dict[str, Any], key: str | None = None) -> str:
    """A Markdown table of the headline metrics, overall or by `key` (by_lang / by_kind)."""
    head = "| group | n | " + " | ".join(_METRICS) + " | p50 s |"
    rows = [head, "|" + "---|" * (len(_METRICS) + 3)]
    groups = {"all": payload} if key is None else payload[key]
    for label, s in groups.items():
        rows.append(
            f"| {label} | {s['n']} | "
            + " | ".join(_fmt(s[m]) for m in _METRICS)
            + f" | {s['latency_s']['p50']:.2f} |"
        )
    return "\n".join(rows)


def write_answer_report(directory: Path, report: AnswerReport) -> list[Path]:
    """report.md (tables + every failure with what was answered), report.json, answers.jsonl (every case)
    and answers.png."""
    directory.mkdir(parents=True, exist_ok=True)
    payload = report.to_json()
    (directory / "report.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    with (directory / "answers.jsonl").open("w", encoding="utf-8") as fh:  # every case, passed or not
        for row in report.all_cases():
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    _chart(directory / "answers.png", payload)

    lines = [
        f"# Answer eval: {Path(report.dataset).name}",
        "",
        f"{payload['n']} questions, backend `{payload['backend']}`.",
        "",
        "![metrics](answers.png)",
        "",
        summary_table(payload),
        "",
        "## By language",
        "",
        summary_table(payload, "by_lang"),
        "",
        "## By kind",
        "",
        summary_table(payload, "by_kind"),
        "",
        f"## Failures ({len(payload['failures'])})",
        "",
    ]
    for f in payload["failures"]:
        lines += _failure(f)
    (directory / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return [
        directory / "report.md",
        directory / "report.json",
        directory / "answers.jsonl",
        directory / "answers.png",
    ]


def _chart(path: Path, payload: dict[str, Any]) -> None:
    """The headline metrics as bars, overall and per language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [
        "fact_coverage",
        "citation_precision",
        "list_completeness",
        "refusal",
        "false_refusal",
        "misroutes",
    ]
    groups = {"all": payload, **payload["by_lang"]}
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(1, len(groups))
    for i, (label, s) in enumerate(groups.items()):
        xs = [j + i * width for j in range(len(metrics))]
        bars = ax.bar(xs, [s[m] or 0.0 for m in metrics], width, label=f"{label} (n={s['n']})")
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width * (len(groups) - 1) / 2 for j in range(len(metrics))], metrics, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(f"Answer eval ({payload['n']} questions, backend {payload['backend']})")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _failure(f: dict[str, Any]) -> list[str]:
    """One failed case: why it failed, what was understood and cited, and the answer."""
    why = []
    if f["refuse"] and not f["refused"]:
        why.append("answered an out-of-scope question")
    if not f["refuse"] and f["refused"]:
        why.append("refused")
    if f["missing_facts"]:
        why.append("missing " + ", ".join(f"`{m}`" for m in f["missing_facts"]))
    elif not f["facts_cited"] and not f["refuse"]:
        why.append("facts not in a cited passage")
    if f["forbidden_found"]:
        why.append("contains " + ", ".join(f"`{m}`" for m in f["forbidden_found"]))
    if f["expected_route"] != f["route"]:
        why.append(f"routed {f['route']} (expected {f['expected_route']})")
    return [
        f"### {f['id']} ({f['lang']}, {f['kind']}): {f['question']}",
        "",
        "; ".join(why) or "failed",
        "",
        f"understood: `{json.dumps(f['understood'], ensure_ascii=False)}` · composition: "
        f"{f['composition']} · cited: "
        + ", ".join(f"[{c['n']}] {c['doc']} › {c['section']} L{c['lines']}" for c in f["cited"]),
        "",
        "```text",
        f["answer"][:1500],
        "```",
        "",
    ]
