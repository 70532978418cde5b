"""The Gradio app: chat, what next, progress, resources.  Handlers call the application's parts
and format with `ui/formatting.py`; the layout is built tab by tab, then each tab is wired.

Safe defaults: analytics off before Gradio is imported, bound to 127.0.0.1, no share
link, a queue with a concurrency limit, optional per-user login.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio otherwise calls out at start

import gradio as gr  # noqa: E402

from tutor.app import App  # noqa: E402
from tutor.chain.answer import AnswerStream  # noqa: E402
from tutor.chain.router import route_message  # noqa: E402
from tutor.curriculum.progress import LearnerProfile  # noqa: E402
from tutor.errors import TutorError  # noqa: E402
from tutor.ui import formatting as fmt  # noqa: E402
from tutor.ui.layout import CSS, Page, layout  # noqa: E402

__all__ = ["build_app", "launch_ui", "UIState", "serve_forever"]

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
        self.ready = threading.Event()
        self.ingest_error: str | None = None
        pairs = (pair.partition(":") for pair in app.settings.ui.auth)
        self.auth = [(user, password) for user, sep, password in pairs if sep]

    def ingest_in_background(self) -> None:
        def work() -> None:
            try:
                self.app.ingest()
                self.app.tutor  # noqa: B018 - load the router examples while the user reads the page
            except TutorError as exc:
                self.ingest_error = str(exc)
                log.error("Start-up ingest failed: %s", exc)
            finally:
                self.ready.set()

        threading.Thread(target=work, name="tutor-ingest", daemon=True).start()

    def learner(self, chosen: str | None, request: gr.Request | None) -> str:
        if self.auth and request is not None and request.username:
            learner = request.username  # logged in: always yourself, whatever the page sends
        else:
            learner = (chosen or "").strip() or self.app.settings.ui.default_learner
        self.app.learners.ensure(learner)
        return learner


def build_app(app: App, state: UIState | None = None) -> gr.Blocks:
    ui = state or UIState(app)
    if state is None:
        ui.ready.set()
    with gr.Blocks(title="tutor · AI 学习导师") as demo:
        page = layout(app, logins=bool(ui.auth))
        _wire_learner(demo, page, app, ui)
        _wire_chat(page, app, ui)
        _wire_progress(page, app, ui)
        _wire_resources(page, app)
    return demo


def _plan(app: App, profile: LearnerProfile) -> str:
    return fmt.plan_cards(app.roadmap.next_steps(profile).to_json())


def _wire_learner(demo: gr.Blocks, page: Page, app: App, ui: UIState) -> None:
    curriculum = app.roadmap.curriculum
    learners = app.learners

    def learner_view(learner: str) -> tuple[Any, ...]:
        profile = learners.progress.get(learner)
        messages = [{"role": m["role"], "content": m["content"]} for m in learners.history.messages(learner)]
        groups = [[n for n in stage.skills if n in profile.finished] for stage in curriculum.stages]
        return (
            learner,
            gr.update(choices=learners.progress.list(), value=learner),
            messages,
            _plan(app, profile),
            fmt.stage_bars(curriculum, profile.finished),
            profile.hours_per_day,
            profile.goal or "",
            *groups,
        )

    def on_load(chosen: str, request: gr.Request) -> tuple[Any, ...]:
        status = fmt.status(app.llm, app.index.manifest(), app.index.model_id)
        return (
            *learner_view(ui.learner(chosen, request)),
            fmt.status_line(status),
            fmt.resources_table(app.catalog, curriculum),
        )

    demo.load(
        on_load, [page.learner_state], [*page.view_outputs, page.status, page.table], api_visibility="private"
    )

    def switch(chosen: str, request: gr.Request) -> tuple[Any, ...]:
        return (*learner_view(ui.learner(chosen, request)), fmt.sources_panel(None))

    page.learner_btn.click(
        switch, [page.learner_dd], [*page.view_outputs, page.sources_md], api_visibility="private"
    )


def _respond(app: App, ui: UIState) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """The chat handler: stream one answer into the chat; store the exchange for this learner."""
    history_store = app.learners.history

    def respond(
        message: str, messages: list[dict[str, Any]], chosen: str, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        learner = ui.learner(chosen, request)
        message = (message or "").strip()
        hidden = [gr.update(visible=False)] * 3
        if not message:
            yield messages, gr.update(), "", *hidden
            return
        history = [
            (m["role"], _text(m["content"])) for m in messages if m.get("role") in ("user", "assistant")
        ]
        messages = [*messages, {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        if not ui.ready.is_set() and route_message(message).kind == "material":
            # what-next and small talk need no index; questions about the material wait for it
            messages[-1]["content"] = "⏳ 正在建立索引，马上就好… / Building the index, one moment…"
            yield messages, gr.update(), "", *hidden
            ui.ready.wait()
        stream = AnswerStream(app.ask_stream(message, history, learner))
        try:
            for event in stream:
                if event.kind == "token":
                    messages[-1] = {"role": "assistant", "content": stream.text}
                    yield messages, gr.update(), "", *hidden
            answer = stream.final()
        except TutorError as exc:
            messages[-1] = {"role": "assistant", "content": f"⚠️ {exc}"}
            yield messages, gr.update(), "", *hidden
            return
        final = fmt.answer_markdown(answer)
        messages[-1] = {"role": "assistant", "content": final}
        history_store.append(learner, "user", message)
        history_store.append(
            learner,
            "assistant",
            final,
            {
                "question": message,
                "route": answer.route,
                "relevance": answer.relevance,
                "backend": answer.backend,
                "sources": [s.model_dump(exclude={"text"}) for s in answer.cited_sources],
            },
        )
        followups = [gr.update(value=q, visible=True) for q in answer.followups[:3]]
        followups += [gr.update(visible=False)] * (3 - len(followups))
        yield messages, fmt.sources_panel(answer), "", *followups

    return respond


def _wire_chat(page: Page, app: App, ui: UIState) -> None:
    history = app.learners.history
    respond = _respond(app, ui)
    inputs, outputs = [page.box, page.chatbot, page.learner_state], page.chat_outputs
    page.send.click(respond, inputs, outputs, api_name="chat", concurrency_id="chat")
    page.box.submit(respond, inputs, outputs, api_visibility="private", concurrency_id="chat")
    for chip in page.chips:
        chip.click(
            respond,
            [chip, page.chatbot, page.learner_state],
            outputs,
            api_visibility="private",
            concurrency_id="chat",
        )

    def do_retry(
        messages: list[dict[str, Any]], chosen: str, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        learner = ui.learner(chosen, request)
        question = history.drop_last_answer(learner)
        if question is None:
            yield messages, gr.update(), "", *[gr.update()] * 3
            return
        yield from respond(question, messages[:-2], learner, request)

    page.retry.click(
        do_retry, [page.chatbot, page.learner_state], outputs, api_visibility="private", concurrency_id="chat"
    )

    def do_clear(chosen: str, request: gr.Request) -> tuple[Any, ...]:
        history.clear(ui.learner(chosen, request))
        return [], fmt.sources_panel(None), "", *[gr.update(visible=False)] * 3

    page.clear.click(do_clear, [page.learner_state], outputs, api_visibility="private")
    page.chatbot.clear(
        do_clear, [page.learner_state], outputs, api_visibility="private"
    )  # its own trash icon too

    def on_like(messages: list[dict[str, Any]], chosen: str, data: gr.LikeData, request: gr.Request) -> None:
        learner = ui.learner(chosen, request)
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

    page.chatbot.like(on_like, [page.chatbot, page.learner_state], None, api_visibility="private")


def _wire_progress(page: Page, app: App, ui: UIState) -> None:
    curriculum = app.roadmap.curriculum
    learners = app.learners

    def refresh_next(chosen: str, request: gr.Request) -> str:
        return _plan(app, learners.progress.get(ui.learner(chosen, request)))

    page.next_btn.click(refresh_next, [page.learner_state], [page.cards], api_name="next_steps")

    def ticker(skills: list[int]) -> Callable[[str, list[int] | None, gr.Request], tuple[str, str]]:
        """A stage checklist's handler: its ticks replace that stage's part of the finished skills."""

        def tick(chosen: str, ticked: list[int] | None, request: gr.Request) -> tuple[str, str]:
            learner = ui.learner(chosen, request)
            others = [n for n in learners.progress.get(learner).finished if n not in skills]
            profile = learners.set_finished(learner, sorted({*others, *(int(n) for n in ticked or [])}))
            return _plan(app, profile), fmt.stage_bars(curriculum, profile.finished)

        return tick

    for stage, group in zip(curriculum.stages, page.groups, strict=True):
        group.input(
            ticker(stage.skills),
            [page.learner_state, group],
            [page.cards, page.bars],
            api_visibility="private",
        )

    def save_profile(chosen: str, hours_value: float | None, goal_value: str, request: gr.Request) -> str:
        learner = ui.learner(chosen, request)
        try:
            profile = learners.progress.upsert(learner, hours_per_day=hours_value, goal=goal_value or None)
        except TutorError as exc:
            raise gr.Error(str(exc)) from exc
        gr.Info("已保存 / Saved")
        return _plan(app, profile)

    page.save.click(
        save_profile, [page.learner_state, page.hours, page.goal], [page.cards], api_visibility="private"
    )


def _wire_resources(page: Page, app: App) -> None:
    def filtered(query: str, stage: str, kind: str, language: str) -> list[list[Any]]:
        return fmt.resources_table(app.catalog, app.roadmap.curriculum, query, stage, kind, language)

    for component in page.filters:
        component.change(filtered, page.filters, [page.table], api_visibility="private")


def launch_ui(
    app: App, host: str | None = None, port: int | None = None, ingest: bool = True, block: bool = True
) -> tuple[gr.Blocks, str]:
    """Start serving at once; the start-up ingest (a no-op when nothing changed) runs behind it."""
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
        theme=gr.themes.Soft(),
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
