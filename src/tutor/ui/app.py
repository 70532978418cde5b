"""The Gradio app: chat, what next, progress, resources.  Every handler calls the service layer.

Safe defaults: analytics off before Gradio is imported, bound to 127.0.0.1, no share
link, a queue with a concurrency limit, no uploads, optional per-user login.

Who the learner is comes from the server, never from the page: with `ui.auth` it is the logged-in
user; without it the UI is single-user (`ui.default_learner`) and offers no learner switching.
No other learner's id is ever sent to the page.
"""

from __future__ import annotations

import html
import inspect
import logging
import os
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio otherwise calls out at start

import gradio as gr  # noqa: E402

from tutor.chain.replies import STARTER_QUESTIONS  # noqa: E402
from tutor.chain.router import route_message  # noqa: E402
from tutor.errors import TutorError  # noqa: E402
from tutor.ui import render  # noqa: E402

if TYPE_CHECKING:
    from tutor.services import Services

__all__ = ["build_app", "launch_ui", "UIState", "serve_forever"]

log = logging.getLogger(__name__)

CSS = """
.tutor-cards {display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px;}
.tutor-card {border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 16px;}
.tutor-card h3 {margin: 4px 0 8px;}
.tutor-badge {display: inline-block; font-size: 12px; padding: 2px 8px; border-radius: 10px;
              background: var(--color-accent-soft);}
.tutor-facts {color: var(--body-text-color-subdued); font-size: 12px;}
.tutor-cite {color: var(--body-text-color-subdued); font-size: 12px;}
.tutor-bar {display: grid; grid-template-columns: 160px 1fr 90px; gap: 8px; align-items: center;}
.tutor-bar progress {width: 100%;}
"""


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

    def __init__(self, services: Services) -> None:
        self.svc = services
        self.ready = threading.Event()
        self.ingest_error: str | None = None
        self.auth = [tuple(pair.split(":", 1)) for pair in services.settings.ui.auth if ":" in pair]

    def ingest_in_background(self) -> None:
        def work() -> None:
            try:
                self.svc.ingest()
                self.svc.tutor  # noqa: B018 - load the router examples while the user reads the page
            except TutorError as exc:
                self.ingest_error = str(exc)
                log.error("Start-up ingest failed: %s", exc)
            except Exception as exc:  # noqa: BLE001 - the UI keeps serving; the index it has still answers
                self.ingest_error = f"{type(exc).__name__}: {exc}"
                log.exception("Start-up ingest failed")
            finally:
                self.ready.set()

        threading.Thread(target=work, name="tutor-ingest", daemon=True).start()

    def learner(self, request: gr.Request | None) -> str:
        """Logged in: that user.  No login: the one local learner.  Nothing the page sends counts."""
        if self.auth:
            if request is None or not request.username:
                raise TutorError("not logged in")
            learner = request.username
        else:
            learner = self.svc.settings.ui.default_learner
        self.svc.ensure_learner(learner)
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


def build_app(services: Services, state: UIState | None = None) -> gr.Blocks:
    svc = services
    ui = state or UIState(services)
    if state is None:
        ui.ready.set()
    curriculum = svc.curriculum
    stage_names = {s.number: s.heading.split("（")[0] for s in curriculum.stages}
    all_resources = svc.resource_rows()
    types = sorted({t for r in all_resources for t in re.split(r"[/+]", r["type"]) if t})
    languages = sorted({r["language"] for r in all_resources if r["language"]})

    def resources_table(query: str, stage: str, kind: str, language: str) -> list[list[Any]]:
        stage_no = next((n for n, name in stage_names.items() if name == stage), None)
        rows = svc.resource_rows(query or "", stage_no, None if kind in ("", "全部 All") else kind,
                                 None if language in ("", "全部 All") else language)
        return [[stage_names.get(r["stage"], "—"), r["skill"], r["name"], r["type"], r["language"],
                 "⭐" * r["stars"], f"[{r['link']}]({r['link']})" if r["link"] else "", r["status"]] for r in rows]

    def learner_view(learner: str) -> tuple[Any, ...]:
        profile = svc.progress.get(learner)
        plan = svc.next_steps(profile).to_json()
        messages = [{"role": m["role"], "content": m["content"]} for m in svc.history.messages(learner)]
        groups = [[n for n in stage.skills if n in profile.finished] for stage in curriculum.stages]
        return (f"学习者 Learner: **{html.escape(learner)}**", messages,
                render.plan_cards(plan), render.stage_bars(curriculum, profile.finished),
                profile.hours_per_day, profile.goal or "", *groups)

    with gr.Blocks(title="tutor · AI 学习导师") as demo:
        gr.Markdown("## 🎓 tutor · AI 学习导师")
        status = gr.Markdown(elem_id="status-line")
        who = gr.Markdown(elem_id="learner")
        with gr.Tabs():
            with gr.Tab("💬 对话 Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="对话 Conversation", height=520, buttons=["copy", "copy_all"],
                            feedback_options=("Like", "Dislike"), elem_id="chatbot",
                            placeholder="问我路线里的任何知识点，或者“接下来学什么？”<br>"
                                        "Ask about anything in the roadmap, or “what should I learn next?”")
                        with gr.Row():
                            box = gr.Textbox(show_label=False, placeholder="输入问题，回车发送 / Type a question, Enter to send",
                                             scale=6, elem_id="ask-box", max_length=2000)
                            send = gr.Button("发送 Send", variant="primary", scale=1, elem_id="send")
                        with gr.Row():
                            chips = [gr.Button(visible=False, size="sm", elem_classes=["followup"]) for _ in range(3)]
                        with gr.Row():
                            retry = gr.Button("↻ 重试 Retry", size="sm", elem_id="retry")
                            clear = gr.Button("🗑 清空 Clear", size="sm", elem_id="clear")
                        gr.Examples(examples=STARTER_QUESTIONS["zh"] + STARTER_QUESTIONS["en"], inputs=box,
                                    label="示例问题 Examples")
                    with gr.Column(scale=2):
                        gr.Markdown("### 📎 引用原文 Sources")
                        sources_md = gr.Markdown(render.sources_panel(None), elem_id="sources")
            with gr.Tab("🧭 下一步 What next", id="next"):
                next_btn = gr.Button("刷新推荐 Refresh", elem_id="next-refresh")
                cards = gr.HTML(elem_id="next-cards")
            with gr.Tab("✅ 进度 Progress", id="progress"):
                bars = gr.HTML(elem_id="stage-bars")
                with gr.Row():
                    hours = gr.Number(label="每天学习小时 Hours per day", minimum=0.5, maximum=24, step=0.5)
                    goal = gr.Textbox(label="目标 Goal", placeholder="例如：做 RAG 应用 / e.g. build RAG apps",
                                      max_length=500)
                    save = gr.Button("保存 Save", elem_id="save-profile")
                groups = []
                for stage in curriculum.stages:
                    groups.append(gr.CheckboxGroup(
                        label=stage.heading, elem_classes=["stage-skills"], elem_id=f"stage-{stage.number}",
                        choices=[(f"{n}. {curriculum.skill(n).name}", n) for n in stage.skills]))
            with gr.Tab("📚 资源 Resources", id="resources"):
                with gr.Row():
                    query = gr.Textbox(label="搜索 Search", placeholder="PyTorch, 视频, 吴恩达 …", scale=3)
                    stage_dd = gr.Dropdown(["全部 All", *stage_names.values()], value="全部 All", label="阶段 Stage")
                    type_dd = gr.Dropdown(["全部 All", *types], value="全部 All", label="类型 Type")
                    lang_dd = gr.Dropdown(["全部 All", *languages], value="全部 All", label="语言 Language")
                table = gr.Dataframe(
                    headers=["阶段 Stage", "技能 Skill", "名称 Name", "类型 Type", "语言 Language", "推荐 Stars",
                             "链接 Link", "状态 Status"],
                    datatype=["str", "str", "str", "str", "str", "str", "markdown", "str"],
                    value=resources_table("", "全部 All", "全部 All", "全部 All"), interactive=False, wrap=True,
                    elem_id="resources-table")

        view_outputs = [who, chatbot, cards, bars, hours, goal, *groups]

        def on_load(request: gr.Request) -> tuple[Any, ...]:
            learner = ui.learner(request)
            return (*learner_view(learner), render.status_line(svc.status()),
                    resources_table("", "全部 All", "全部 All", "全部 All"))

        demo.load(on_load, None, [*view_outputs, status, table], api_visibility="private")

        def respond(message: str, messages: list[dict[str, Any]],
                    request: gr.Request) -> Iterator[tuple[Any, ...]]:
            """Stream one answer into the chat; store the exchange for this learner."""
            learner = ui.learner(request)
            message = (message or "").strip()
            hidden = [gr.update(visible=False)] * 3
            messages = [m for m in (messages or []) if isinstance(m, dict)][-200:]  # the page's copy: capped
            if not message:
                yield messages, gr.update(), "", *hidden
                return
            recent = messages[-2 * max(1, svc.settings.chain.history_turns):]
            history = [(m["role"], _text(m["content"])[:4000]) for m in recent if m.get("role") in ("user", "assistant")]
            messages = [*messages, {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
            if not ui.ready.is_set() and route_message(message).kind == "material":
                # what-next and small talk need no index; questions about the material wait for it
                messages[-1]["content"] = "⏳ 正在建立索引，马上就好… / Building the index, one moment…"
                yield messages, gr.update(), "", *hidden
                ui.ready.wait()
            partial = ""
            answer = None
            try:
                for event in svc.ask_stream(message, history, learner):
                    if event.kind == "token":
                        partial += event.text
                        messages[-1] = {"role": "assistant", "content": partial}
                        yield messages, gr.update(), "", *hidden
                    elif event.kind == "status" and event.text == "reset":
                        partial = ""
                    elif event.kind == "answer":
                        answer = event.answer
            except TutorError as exc:
                messages[-1] = {"role": "assistant", "content": f"⚠️ {exc}"}
                yield messages, gr.update(), "", *hidden
                return
            assert answer is not None
            final = render.answer_markdown(answer)
            messages[-1] = {"role": "assistant", "content": final}
            svc.history.append(learner, "user", message)
            svc.history.append(learner, "assistant", final, {
                "question": message, "route": answer.route, "relevance": answer.relevance,
                "backend": answer.backend, "sources": [s.model_dump(exclude={"text"}) for s in answer.cited_sources]})
            followups = [gr.update(value=q, visible=True) for q in answer.followups[:3]]
            followups += [gr.update(visible=False)] * (3 - len(followups))
            yield messages, render.sources_panel(answer), "", *followups

        chat_outputs = [chatbot, sources_md, box, *chips]
        send.click(respond, [box, chatbot], chat_outputs, api_name="chat", concurrency_id="chat")
        box.submit(respond, [box, chatbot], chat_outputs, api_visibility="private", concurrency_id="chat")
        for chip in chips:
            chip.click(respond, [chip, chatbot], chat_outputs, api_visibility="private", concurrency_id="chat")

        def do_retry(messages: list[dict[str, Any]], request: gr.Request) -> Iterator[tuple[Any, ...]]:
            learner = ui.learner(request)
            question = svc.history.drop_last_answer(learner)
            if question is None:
                yield messages, gr.update(), "", *[gr.update()] * 3
                return
            yield from respond(question, messages[:-2], request)

        retry.click(do_retry, [chatbot], chat_outputs, api_visibility="private", concurrency_id="chat")

        def do_clear(request: gr.Request) -> tuple[Any, ...]:
            svc.history.clear(ui.learner(request))
            return [], render.sources_panel(None), "", *[gr.update(visible=False)] * 3

        clear.click(do_clear, None, chat_outputs, api_visibility="private")
        chatbot.clear(do_clear, None, chat_outputs, api_visibility="private")  # its own trash icon too

        def on_like(messages: list[dict[str, Any]], data: gr.LikeData, request: gr.Request) -> None:
            learner = ui.learner(request)
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            stored = svc.history.messages(learner)
            if not isinstance(index, int) or index >= len(stored) or stored[index]["role"] != "assistant":
                return
            meta = stored[index]["meta"]
            question = meta.get("question") or (stored[index - 1]["content"] if index else "")
            svc.history.add_feedback(learner, 1 if data.liked else -1, question, stored[index]["content"],
                                     meta.get("sources", []), {"route": meta.get("route"), "backend": meta.get("backend")})
            gr.Info("谢谢反馈！/ Thanks for the feedback!")

        chatbot.like(on_like, [chatbot], None, api_visibility="private")

        def refresh_next(request: gr.Request) -> str:
            profile = svc.progress.get(ui.learner(request))
            return render.plan_cards(svc.next_steps(profile).to_json())

        next_btn.click(refresh_next, None, [cards], api_name="next_steps")

        def tick(*args: Any) -> tuple[str, str]:
            """Args: one value per stage checklist, then the request (see __signature__)."""
            values, request = args[:-1], args[-1]
            learner = ui.learner(request)
            valid = {n for stage in curriculum.stages for n in stage.skills}
            finished = sorted({int(n) for group in values for n in (group or []) if int(n) in valid})
            profile = svc.set_finished(learner, finished)
            return (render.plan_cards(svc.next_steps(profile).to_json()),
                    render.stage_bars(curriculum, profile.finished))

        # Gradio injects gr.Request by signature, which *args cannot express: spell it out per stage
        params = [inspect.Parameter(f"stage_{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD) for i in range(len(groups))]
        params.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request))
        tick.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]

        for group in groups:
            group.input(tick, groups, [cards, bars], api_visibility="private")

        def save_profile(hours_value: float | None, goal_value: str, request: gr.Request) -> str:
            learner = ui.learner(request)
            try:
                profile = svc.progress.upsert(learner, hours_per_day=hours_value, goal=goal_value or None)
            except TutorError as exc:
                raise gr.Error(str(exc)) from exc
            gr.Info("已保存 / Saved")
            return render.plan_cards(svc.next_steps(profile).to_json())

        save.click(save_profile, [hours, goal], [cards], api_visibility="private")

        filters = [query, stage_dd, type_dd, lang_dd]
        for component in filters:
            component.change(resources_table, filters, [table], api_visibility="private")

    return demo


def launch_ui(services: Services, host: str | None = None, port: int | None = None,
              ingest: bool = True, block: bool = True) -> tuple[gr.Blocks, str]:
    """Start serving at once; the start-up ingest (a no-op when nothing changed) runs behind it."""
    from starlette.middleware import Middleware

    cfg = services.settings.ui
    state = UIState(services)
    if ingest:
        state.ingest_in_background()
    else:
        state.ready.set()
    demo = build_app(services, state)
    demo.queue(default_concurrency_limit=cfg.concurrency_limit, max_size=cfg.max_queue)
    _, url, _ = demo.launch(
        server_name=host or cfg.host, server_port=port if port is not None else (cfg.port or None),
        share=False, auth=state.auth or None, prevent_thread_lock=True, show_error=True, quiet=True,
        css=CSS, theme=gr.themes.Soft(), max_file_size="1kb",
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
