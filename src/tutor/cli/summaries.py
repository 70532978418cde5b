"""Terminal formatting of the small eval summaries (next step, router, refusal) and of quizzes."""

from __future__ import annotations

from typing import Any

from rich.text import Text

__all__ = ["next_step_eval_text", "quiz_question", "quiz_result", "refusal_eval_text", "router_eval_text"]


def next_step_eval_text(payload: dict[str, Any]) -> str:
    lines = [
        f"{payload['n']} cases · top-1 accuracy {payload['top1_accuracy']:.3f} · "
        f"acceptable@3 {payload['acceptable@3']:.3f}"
    ]
    lines += [
        f"[red]failed[/] {f['id']}: expected {f['expected_next']} got {f['got']}" for f in payload["failures"]
    ]
    return "\n".join(lines)


def router_eval_text(payload: dict[str, Any]) -> str:
    lines = [f"{payload['n']} utterances · accuracy {payload['accuracy']:.3f}"]
    lines += [f"  {key}: {count}" for key, count in payload["confusion"].items()]
    lines += [
        f"[red]miss[/] {f['text']!r}: expected {f['expected']}, got {f['got']} ({f['reason']})"
        for f in payload["failures"]
    ]
    return "\n".join(lines)


def refusal_eval_text(payload: dict[str, Any]) -> str:
    return (
        f"out-of-scope refused: {payload['refusal_rate_out_of_scope']:.3f} of {payload['n_out_of_scope']} "
        f"(zh {payload['refusal_rate_out_of_scope_zh']:.3f}, en {payload['refusal_rate_out_of_scope_en']:.3f})\n"
        f"in-scope wrongly refused: {payload['false_refusal_rate_in_scope']:.3f} of {payload['n_in_scope']} "
        f"(zh {payload['false_refusal_rate_in_scope_zh']:.3f}, en {payload['false_refusal_rate_in_scope_en']:.3f})"
    )


def quiz_question(i: int, question: Any) -> Text:
    """One quiz question with numbered options and the roadmap lines it was built from."""
    c = question.citation
    body = f"{i}. {question.prompt}\n" + "\n".join(f"   {k}) {o}" for k, o in enumerate(question.options, 1))
    return Text(body + f"\n   [{c.heading} L{c.lines[0]}-{c.lines[1]}]")


def quiz_result(result: Any) -> Text:
    """Score, verdict and what to review."""
    verdict = (
        "建议标记为完成 / suggested as done — `tutor next` moves on"
        if result.suggest_done
        else (
            "已通过，但还有未达到的标准 / passed, criteria not yet met"
            if result.passed
            else "未通过 / not passed"
        )
    )
    lines = [f"score {result.score:.0%} — {verdict}"]
    lines += [f"  review: {w}" for w in result.wrong]
    lines += [f"  not yet: {u}" for u in result.unmet]
    return Text("\n".join(lines), style="green" if result.suggest_done else "yellow")
