"""The Gradio app: chat, what next, progress, resources.  Handlers call the application's parts
and format with `ui/formatting.py`; the layout is built tab by tab, then each tab is wired.

Safe defaults: analytics off before Gradio is imported, bound to 127.0.0.1, no share
link, a queue with a concurrency limit, no uploads, optional per-user login.

Who the learner is comes from the server, never from the page: with `ui.auth` it is the logged-in
user; without it the UI is single-user (`ui.default_learner`) and offers no learner switching.
No other learner's id is ever sent to the page.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio otherwise calls out at start

import gradio as gr  # noqa: E402

from tutor.api.startup import Startup  # noqa: E402
from tutor.app import App  # noqa: E402
from tutor.chain.answer import AnswerStream, Source  # noqa: E402
from tutor.chain.router import route_message  # noqa: E402
from tutor.errors import TutorError  # noqa: E402
from tutor.ui import formatting as fmt  # noqa: E402
from tutor.ui.layout import CSS, Page, layout  # noqa: E402
from tutor.ui.panels import THEME, wire_resources, wire_status  # noqa: E402
from tutor.ui.quiz import wire_quiz  # noqa: E402

__all__ = ["build_app", "launch_ui", "UIState", "serve_forever", "STREAM_INTERVAL_S"]

#: the chat shows a streamed answer at most this often (a model's tokens still appear as they come)
STREAM_INTERVAL_S = 0.15

log = logging.getLogger(__name__)


def _text(content: Any) -> str:
    """Gradio 6 hands message content back as a list of blocks; older values are plain strings."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return str(content or "")


class UIState:
    """Per-process UI glue: waits for the start-up ingest, knows whether logins are on."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.startup = Startup(app, log)  # the same start-up work as `tutor serve`, logged as the UI's
        self.ready = self.startup.ready
        pairs = (pair.partition(":") for pair in app.settings.ui.auth)
        self.auth = [(user, password) for user, sep, password in pairs if sep]

    def ingest_in_background(self) -> None:
        self.startup.start(ingest=True)

    @property
    def ingest_error(self) -> str | None:
        return self.startup.error

    def learner(self, request: gr.Request | None) -> str:
        """Logged in: that user.  No login: the one local learner.  Nothing the page sends counts."""
        if self.auth:
            if request is None or not request.username:
                raise TutorError("not logged in")
            learner = request.username
        else:
            learner = self.app.settings.ui.default_learner
        self.app.learners.ensure(learner)
        return learner


class _NoUploads:
    """ASGI middleware: the UI has no file inputs, so Gradio's upload endpoint (which would let
    anyone write files to the server's disk) answers 403."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and str(scope.get("path", "")).rstrip("/").endswith("/upload"):
            from starlette.responses import PlainTextResponse

            await PlainTextResponse("uploads are disabled", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def build_app(app: App, state: UIState | None = None) -> gr.Blocks:
    ui = state or UIState(app)
    if state is None:
        ui.ready.set()
    with gr.Blocks(title="tutor · AI 学习导师") as demo:
        page = layout(app)
        _wire_learner(demo, page, app, ui)
        _wire_chat(page, app, ui)
        _wire_progress(page, app, ui)
        wire_quiz(page, app, ui.learner, _plan)
        wire_resources(page, app)
        wire_status(page, app, ui.ready)
    return demo


def _plan(app: App, learner: str) -> str:
    """The what-next cards, counting skills the learner's quizzes suggest as done."""
    return fmt.plan_cards(app.learners.next_steps(learner).to_json())


def _last_turn(app: App, learner: str) -> tuple[str, list[Any]]:
    """The sources panel and follow-up chips of the learner's last answer, so a reload restores them."""
    stored = app.learners.history.messages(learner)
    meta: dict[str, Any] = next((m["meta"] for m in reversed(stored) if m["role"] == "assistant"), {})
    passages = [Source.model_validate(p) for p in meta.get("passages", [])]
    followups = list(meta.get("followups", []))[:3]
    chips = [gr.update(value=q, visible=True) for q in followups]
    chips += [gr.update(visible=False)] * (3 - len(chips))
    return fmt.sources_panel(passages), chips


def _wire_learner(demo: gr.Blocks, page: Page, app: App, ui: UIState) -> None:
    curriculum = app.roadmap.curriculum
    learners = app.learners

    def learner_view(learner: str) -> tuple[Any, ...]:
        profile = learners.progress.get(learner)
        messages = [{"role": m["role"], "content": m["content"]} for m in learners.history.messages(learner)]
        groups = [[n for n in stage.skills if n in profile.finished] for stage in curriculum.stages]
        panel, chips = _last_turn(app, learner)
        return (
            f"学习者 Learner: **{html.escape(learner)}**",
            messages,
            _plan(app, learner),
            fmt.stage_bars(curriculum, profile.finished),
            profile.hours_per_day,
            profile.goal or "",
            *groups,
            panel,
            *chips,
        )

    def on_load(request: gr.Request) -> tuple[Any, ...]:
        status = fmt.status(app.llm, app.index.manifest(), app.index.model_id)
        status["ready"] = ui.ready.is_set()
        types, languages = fmt.filter_choices(app.catalog, curriculum)
        return (
            *learner_view(ui.learner(request)),
            fmt.status_line(status),
            fmt.status_details(status),
            fmt.resources_table(app.catalog, curriculum),
            gr.update(choices=types, value=fmt.ALL),
            gr.update(choices=languages, value=fmt.ALL),
        )

    demo.load(
        on_load,
        None,
        [*page.view_outputs, page.status, page.status_details, page.table, page.type_dd, page.lang_dd],
        api_visibility="private",
    )


def _store_exchange(history_store: Any, learner: str, message: str, final: str, answer: Any) -> None:
    """The question and the answer as shown, with what the page shows beside it (restored on reload),
    in one transaction (one commit, so one fsync, per exchange instead of two)."""
    history_store.append_exchange(
        learner,
        message,
        final,
        {
            "question": message,
            "route": answer.route,
            "relevance": answer.relevance,
            "backend": answer.backend,
            "sources": [s.model_dump(exclude={"text"}) for s in answer.cited_sources],
            "passages": [{**s.model_dump(), "text": s.text[:1600]} for s in answer.sources],
            "followups": answer.followups[:3],
        },
    )


def _respond(app: App, ui: UIState) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """The chat handler: stream one answer into the chat; store the exchange for this learner."""
    history_store = app.learners.history

    def respond(
        message: str, messages: list[dict[str, Any]], request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        learner = ui.learner(request)
        message = (message or "").strip()
        hidden = [gr.update(visible=False)] * 3
        messages = [m for m in (messages or []) if isinstance(m, dict)]
        if not message:
            yield messages, gr.update(), "", *hidden
            return
        # the page's copy is the learner's to edit: only a capped tail of it becomes context
        recent = messages[-2 * max(1, app.settings.chain.history_turns) :]
        history = [
            (m["role"], _text(m["content"])[:4000]) for m in recent if m.get("role") in ("user", "assistant")
        ]
        messages = [*messages, {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        if not ui.ready.is_set() and route_message(message).kind == "material":
            # what-next and small talk need no index; questions about the material wait for it
            messages[-1]["content"] = "⏳ 正在建立索引，马上就好… / Building the index, one moment…"
            yield messages, gr.update(), "", *hidden
            ui.ready.wait()
        stream = AnswerStream(app.ask_stream(message, history, learner))
        shown = 0.0
        try:
            for event in stream:
                # at most one page update per interval: each one re-sends and re-renders the whole
                # chat, and a quoted answer arrives in dozens of pieces within milliseconds
                if event.kind == "token" and time.monotonic() - shown >= STREAM_INTERVAL_S:
                    messages[-1] = {"role": "assistant", "content": stream.text}
                    yield messages, gr.update(), "", *hidden
                    shown = time.monotonic()
            answer = stream.final()
        except TutorError as exc:
            messages[-1] = {"role": "assistant", "content": f"⚠️ {exc}"}
            yield messages, gr.update(), "", *hidden
            return
        final = fmt.answer_markdown(answer)
        messages[-1] = {"role": "assistant", "content": final}
        _store_exchange(history_store, learner, message, final, answer)
        followups = [gr.update(value=q, visible=True) for q in answer.followups[:3]]
        followups += [gr.update(visible=False)] * (3 - len(followups))
        yield messages, fmt.sources_panel(answer.sources), "", *followups

    return respond


def _wire_chat(page: Page, app: App, ui: UIState) -> None:
    history = app.learners.history
    respond = _respond(app, ui)
    inputs, outputs = [page.box, page.chatbot], page.chat_outputs
    page.send.click(respond, inputs, outputs, api_name="chat", concurrency_id="chat")
    page.box.submit(respond, inputs, outputs, api_visibility="private", concurrency_id="chat")
    for chip in page.chips:
        chip.click(
            respond,
            [chip, page.chatbot],
            outputs,
            api_visibility="private",
            concurrency_id="chat",
        )

    def do_retry(messages: list[dict[str, Any]], request: gr.Request) -> Iterator[tuple[Any, ...]]:
        learner = ui.learner(request)
        question = history.drop_last_answer(learner)
        if question is None:
            yield messages, gr.update(), "", *[gr.update()] * 3
            return
        yield from respond(question, messages[:-2], request)

    page.retry.click(do_retry, [page.chatbot], outputs, api_visibility="private", concurrency_id="chat")

    def do_clear(request: gr.Request) -> tuple[Any, ...]:
        history.clear(ui.learner(request))
        return [], fmt.sources_panel(None), "", *[gr.update(visible=False)] * 3

    page.clear.click(do_clear, None, outputs, api_visibility="private")
    page.chatbot.clear(do_clear, None, outputs, api_visibility="private")  # its own trash icon too

    def on_like(messages: list[dict[str, Any]], data: gr.LikeData, request: gr.Request) -> None:
        learner = ui.learner(request)
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        stored = history.messages(learner)
        if not isinstance(index, int) or index >= len(stored) or stored[index]["role"] != "assistant":
            return
        meta = stored[index]["meta"]
        question = meta.get("question") or (stored[index - 1]["content"] if index else "")
        history.add_feedback(
            learner,
            1 if data.liked else -1,
            question,
            stored[index]["content"],
            meta.get("sources", []),
            {"route": meta.get("route"), "backend": meta.get("backend")},
        )
        gr.Info("谢谢反馈！/ Thanks for the feedback!")

    page.chatbot.like(on_like, [page.chatbot], None, api_visibility="private")


def _wire_progress(page: Page, app: App, ui: UIState) -> None:
    curriculum = app.roadmap.curriculum
    learners = app.learners

    def refresh_next(request: gr.Request) -> str:
        return _plan(app, ui.learner(request))

    page.next_btn.click(refresh_next, None, [page.cards], api_name="next_steps")

    def ticker(skills: list[int]) -> Callable[[list[int] | None, gr.Request], tuple[str, str]]:
        """A stage checklist's handler: its ticks replace that stage's part of the finished skills
        (only that stage's skill numbers count, whatever the page sends)."""

        def tick(ticked: list[int] | None, request: gr.Request) -> tuple[str, str]:
            learner = ui.learner(request)
            others = [n for n in learners.progress.get(learner).finished if n not in skills]
            mine = {int(n) for n in ticked or [] if int(n) in skills}
            profile = learners.set_finished(learner, sorted({*others, *mine}))
            return _plan(app, learner), fmt.stage_bars(curriculum, profile.finished)

        return tick

    for stage, group in zip(curriculum.stages, page.groups, strict=True):
        group.input(
            ticker(stage.skills),
            [group],
            [page.cards, page.bars],
            api_visibility="private",
        )

    def save_profile(hours_value: float | None, goal_value: str, request: gr.Request) -> str:
        learner = ui.learner(request)
        try:
            profile = learners.progress.upsert(learner, hours_per_day=hours_value, goal=goal_value or None)
        except TutorError as exc:
            raise gr.Error(str(exc)) from exc
        gr.Info("已保存 / Saved")
        return _plan(app, profile.id)

    page.save.click(save_profile, [page.hours, page.goal], [page.cards], api_visibility="private")


def launch_ui(
    app: App, host: str | None = None, port: int | None = None, ingest: bool = True, block: bool = True
) -> tuple[gr.Blocks, str]:
    """Start serving at once; the start-up ingest (a no-op when nothing changed) runs behind it."""
    from starlette.middleware import Middleware

    cfg = app.settings.ui
    state = UIState(app)
    if ingest:
        state.ingest_in_background()
    else:
        state.ready.set()
    demo = build_app(app, state)
    demo.queue(default_concurrency_limit=cfg.concurrency_limit, max_size=cfg.max_queue)
    _, url, _ = demo.launch(
        server_name=host or cfg.host,
        server_port=port if port is not None else (cfg.port or None),
        share=False,
        auth=state.auth or None,
        prevent_thread_lock=True,
        show_error=True,
        quiet=True,
        css=CSS,
        theme=THEME,
        max_file_size="1kb",
        app_kwargs={"middleware": [Middleware(_NoUploads)]},
    )
    log.info("UI at %s", url)
    if block:
        serve_forever(demo)
    return demo, url


def serve_forever(demo: gr.Blocks) -> None:
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
