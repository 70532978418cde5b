"""`tutor eval ...`: validate an eval set; score retrieval, the planner, the router and refusals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tutor.cli import render, summaries
from tutor.cli._state import console, err_console, print_json, state
from tutor.errors import InputError

__all__ = ["register"]

eval_app = typer.Typer(help="Evaluate retrieval against an eval set.", no_args_is_help=True)


_ALL_MODES = "dense,bm25,hybrid,naive"


def _ints(text: str, option: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise InputError(option, f"must be comma-separated integers ({exc})") from exc


def _compare(runs: tuple[Path, Path], modes: list[str] | None, as_json: bool) -> None:
    """`--compare A B`: per mode, the metrics of both runs and every question that moved."""
    from tutor.evaluation.compare import compare_runs, load_run

    comparisons = compare_runs(load_run(runs[0]), load_run(runs[1]), modes)
    if as_json:
        print_json([c.to_json() for c in comparisons])
        return
    for table in render.compare_tables(comparisons, *runs):
        console.print(table)


@eval_app.command("validate")
def eval_validate(dataset: Annotated[Path, typer.Argument(help="A retrieval eval set (JSONL).")]) -> None:
    """Check every gold section exists in its document and every must_contain string is in it."""
    from tutor.evaluation.dataset import corpus_texts, load_dataset, validate_dataset

    settings = state.settings()
    report = validate_dataset(load_dataset(dataset), corpus_texts(settings))
    for error in report.errors:
        err_console.print(f"[red]invalid[/] {error}", highlight=False)
    console.print(f"{report.checked} questions checked, {len(report.errors)} problems")
    if report.errors:
        raise typer.Exit(1)


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Path, typer.Option("--dataset", help="Eval set (JSONL).")] = Path(
        "eval/retrieval.jsonl"
    ),
    mode: Annotated[
        str, typer.Option("--mode", help="Comma-separated: dense,bm25,hybrid,naive.")
    ] = _ALL_MODES,
    k: Annotated[str, typer.Option("--k", help="Comma-separated cut-offs for Recall@k.")] = "1,3,5,10",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write report.md, report.json and recall.png here.")
    ] = None,
    save: Annotated[
        Path | None, typer.Option("--save", help="Save per-question results (JSON) for a later --compare.")
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Compare two saved runs A B question by question (runs nothing)."),
    ] = None,
) -> None:
    """Score retrieval modes side by side: Recall@k, MRR@10, nDCG@10, latency, breakdowns."""
    from tutor.evaluation.compare import save_run
    from tutor.evaluation.report import to_json, write_report
    from tutor.evaluation.runner import run_retrieval_eval

    if compare:
        _compare(compare, None if mode == _ALL_MODES else mode.split(","), as_json)
        return
    ks = _ints(k, "--k")
    modes = [m.strip() for m in mode.split(",") if m.strip()]
    app = state.app()
    questions, results = run_retrieval_eval(
        app.index,
        app.search_for,
        app.naive_baseline(),
        dataset,
        modes,
        ks,
        show_progress=sys.stderr.isatty() and not as_json,
    )
    payload = to_json(dataset, len(questions), results)
    if save:
        save_run(save, dataset, results, app.settings.retrieval.model_dump(mode="json"))
        err_console.print(f"saved per-question results to {save}", highlight=False)
    if report:
        written = write_report(report, dataset, results)
        err_console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
    if as_json:
        print_json(payload)
        return
    for table in render.eval_tables(payload):
        console.print(table)


@eval_app.command("next-step")
def eval_next_step(
    dataset: Annotated[Path, typer.Option("--dataset", help="Planner eval set (JSONL).")] = Path(
        "eval/next_step.jsonl"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Top-1 accuracy and acceptable@3 of the next-step planner; lists failures."""
    from tutor.evaluation.next_step import run_next_step_eval

    report = run_next_step_eval(state.app().learners, dataset)
    payload = report.to_json()
    if as_json:
        print_json(payload)
    else:
        console.print(summaries.next_step_eval_text(payload))
    if report.failures:
        raise typer.Exit(1)


@eval_app.command("router")
def eval_router(
    dataset: Annotated[
        Path, typer.Option("--dataset", help="Labelled utterances (JSONL: text, route).")
    ] = Path("eval/router.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Accuracy of the question router (next_step / material / chitchat) and its confusions."""
    from tutor.evaluation.chain_eval import run_router_eval

    tutor = state.app().tutor
    payload = run_router_eval(tutor.router, dataset, tutor).to_json()
    if as_json:
        print_json(payload)
        return
    console.print(summaries.router_eval_text(payload))


@eval_app.command("refusal")
def eval_refusal(
    out_of_scope: Annotated[
        Path, typer.Option("--out-of-scope", help="Questions the material does not cover.")
    ] = Path("eval/out_of_scope.jsonl"),
    in_scope: Annotated[
        Path, typer.Option("--in-scope", help="Questions it covers (the retrieval set).")
    ] = Path("eval/retrieval.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How often the tutor refuses out-of-scope questions, and wrongly refuses in-scope ones."""
    from tutor.evaluation.chain_eval import run_refusal_eval

    payload = run_refusal_eval(state.app().tutor, out_of_scope, in_scope).to_json()
    if as_json:
        print_json(payload)
        return
    console.print(summaries.refusal_eval_text(payload))


@eval_app.command("answers")
def eval_answers(
    dataset: Annotated[Path, typer.Option("--dataset", help="Answer eval set (JSONL).")] = Path(
        "eval/answers.jsonl"
    ),
    report: Annotated[
        Path | None, typer.Option("--report", help="Write report.md, report.json, answers.png here.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N questions.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary JSON (without failures).")
    ] = False,
) -> None:
    """Answer-level eval with the configured backend: facts, citations, lists, refusals, routes, latency."""
    from tutor.evaluation.answers import run_answer_eval
    from tutor.evaluation.answers_report import summary_table, write_answer_report

    result = run_answer_eval(state.app().tutor, dataset, limit)
    payload = result.to_json()
    if report is not None:
        write_answer_report(report, result)
    if as_json:
        print_json({k: v for k, v in payload.items() if k != "failures"})
        return
    for key in (None, "by_lang", "by_kind"):
        typer.echo(summary_table(payload, key) + "\n")


@eval_app.command("train-ranker")
def eval_train_ranker(
    dataset: Annotated[
        list[Path], typer.Option("--dataset", help="A training set (JSONL); repeat for several.")
    ] = [Path("eval/retrieval_dev.jsonl"), Path("eval/retrieval_spent.jsonl")],  # noqa: B006 - typer's default
    judge: Annotated[
        list[Path] | None, typer.Option("--judge", help="A set to judge on, never trained on; repeatable.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the coefficients here (retrieval.learned_ranker_file)."),
    ] = None,
    samples: Annotated[
        Path | None, typer.Option("--samples", help="Keep the collected candidates here and reuse them.")
    ] = None,
) -> None:
    """Fit the learned ranker on the training sets (5-fold CV picks the L2 strength); judge it on others."""
    from tutor.evaluation.train_ranker import collect, load_samples, save_samples, train, write
    from tutor.index.retriever import HybridRetriever

    judged = [p for p in judge or [] if p not in dataset]
    by_set = load_samples(samples) if samples else None
    if by_set is None or any(str(p) not in by_set for p in [*dataset, *judged]):
        retriever = state.app().retriever(k=10, mode="hybrid")
        if not isinstance(retriever, HybridRetriever):
            raise InputError("retrieval.mode", "the learned ranker re-scores hybrid candidates")
        by_set = {str(p): collect(retriever.candidates, p) for p in [*dataset, *judged]}
        if samples:
            save_samples(samples, by_set)
    command = "tutor eval train-ranker " + " ".join(
        [*(f"--dataset {p}" for p in dataset), *(f"--judge {p}" for p in judged)]
    )
    training = [s for p in dataset for s in by_set[str(p)]]
    ranker, report = train(
        training, {p.stem: by_set[str(p)] for p in judged}, [str(p) for p in dataset], command
    )
    if out:
        write(ranker, report, out)
        err_console.print(f"wrote {out}", highlight=False)
    print_json({**report, "weights": dict(zip(ranker.features, ranker.weights, strict=True))})


@eval_app.command("train-memory")
def eval_train_memory(
    dataset: Annotated[
        list[Path], typer.Option("--dataset", help="A labelled set (JSONL); repeat for several.")
    ] = [  # noqa: B006 - typer's default
        Path("eval/retrieval_spent.jsonl"),
        Path("eval/answers_spent.jsonl"),
        Path("eval/retrieval_dev.jsonl"),
        Path("eval/answers_dev.jsonl"),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the memory here (retrieval.question_memory_file)."),
    ] = None,
) -> None:
    """Embed the labelled questions of the sets with the configured embedder: the question memory."""
    from tutor.evaluation.train_memory import build_memory, labelled
    from tutor.index.memory import embedder_key, packaged_memory_path

    embedder = state.app().embedder
    items = labelled(dataset)
    memory = build_memory(items, embedder.embed_queries, embedder_key(embedder))
    target = out or packaged_memory_path()
    memory.save(target, trained_on=[str(p) for p in dataset], questions=len(items))
    err_console.print(f"wrote {target}: {len(items)} questions", highlight=False)


def _rules_reading(u: Any) -> Any:
    """The rules' reading as `train_reading` scores the gates against it (the gate case, the units named)."""
    from tutor.chain.reading_gate import case
    from tutor.chain.reading_model import named_units
    from tutor.evaluation.train_reading import RulesReading

    return RulesReading(case(u) or "", frozenset(named_units(u.stages, u.skills)))


@eval_app.command("train-reading")
def eval_train_reading(
    dataset: Annotated[list[Path], typer.Option("--dataset", help="A labelled answers set; repeatable.")] = [  # noqa: B006
        Path("eval/answers_spent.jsonl"),
        Path("eval/answers_dev.jsonl"),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the model here (chain.learned_reading_file).")
    ] = None,
    per_writer: Annotated[
        Path | None,
        typer.Option("--per-writer", help="Also write here one model per spent writer, fitted without them."),
    ] = None,
    writers: Annotated[
        bool, typer.Option("--by-writer", help="Report leave-one-writer-out accuracy.")
    ] = False,
    fails: Annotated[
        list[Path] | None,
        typer.Option("--fails", help="An answers report dir: its failures are scored apart."),
    ] = None,
    c: Annotated[
        float | None, typer.Option("--c", help="The aspect and route heads' C; default: 5-fold CV picks it.")
    ] = None,
) -> None:
    """Fit the learned reading (aspect, route) on labelled questions' query vectors; judge it writer by writer."""
    import json

    from tutor.chain.understanding import understand
    from tutor.evaluation.train_reading import by_writer, embed_all, fit, load_questions, without_each, write

    questions = load_questions(dataset)
    embedder = state.app().load_embedder()
    x = embed_all(embedder.embed_queries, questions)
    command = "tutor eval train-reading " + " ".join(f"--dataset {p}" for p in dataset)
    command += f" --c {c}" if c is not None else ""
    model = fit(questions, x, embedder.model_id, command, c)
    if per_writer:
        per_writer.mkdir(parents=True, exist_ok=True)
        for w, m in without_each(questions, x, embedder.model_id, command, model.meta["c"]).items():
            write(m, per_writer / f"reading_without_{w}.json")
    if out:
        write(model, out)
        err_console.print(f"wrote {out}", highlight=False)
    report: dict[str, object] = {"c": model.meta["c"], "questions": len(questions)}
    if writers:
        failed = frozenset(
            f["id"] for d in fails or [] for f in json.loads((d / "report.json").read_text())["failures"]
        )
        app = state.app()
        cur, conf = app.tutor.roadmap.curriculum, app.tutor.roadmap.config
        rules = {q.id: _rules_reading(understand(q.text, cur, conf)) for q in questions}  # the rules alone
        report["by_writer"] = by_writer(questions, x, model.meta["c"], failed, rules)
    print_json(report)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
