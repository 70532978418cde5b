"""The page's layout: the components of each tab, built once; `ui/app.py` wires them to handlers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio otherwise calls out at start

import gradio as gr  # noqa: E402

from tutor.app import App  # noqa: E402
from tutor.chain.replies import STARTER_QUESTIONS  # noqa: E402
from tutor.ingest.corpus_meta import credits  # noqa: E402
from tutor.ui import formatting as fmt  # noqa: E402
from tutor.ui.formatting import ALL  # noqa: E402

__all__ = ["CSS", "Page", "layout"]

CSS = """
.tutor-cards {display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px;}
.tutor-card {border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 16px;}
.tutor-card h3 {margin: 4px 0 8px;}
.tutor-badge {display: inline-block; font-size: 12px; padding: 2px 8px; border-radius: 10px;
              background: var(--color-accent-soft);}
.tutor-facts {color: #4b5563; font-size: 12px;}
.tutor-cite {color: #4b5563; font-size: 12px;}
.tutor-bar {display: grid; grid-template-columns: 160px 1fr 90px; gap: 8px; align-items: center;}
.tutor-bar progress {width: 100%;}
.tutor-note {margin: 4px 0 10px;}
#sources {max-height: 640px; overflow-y: auto;}
#status-line p {margin: 0;}
#resources-table table {table-layout: fixed; width: 100%;}
#resources-table td, #resources-table th {overflow-wrap: anywhere; white-space: normal !important;}
#resources-table td *, #resources-table th * {font-family: var(--font) !important;}
#resources-table a {text-decoration: underline;}
button[role="tab"].selected {color: #3730a3 !important;}
footer, footer a, footer button {color: #4b5563 !important;}
:focus-visible {outline: 2px solid #1d4ed8 !important; outline-offset: 2px;}
"""

MAX_QUESTIONS = 10  # radios made once; a quiz shows as many as it has


@dataclass
class Page:
    """The components the handlers read and write."""

    who: gr.Markdown  # the learner's name, decided by the server (login or single-user), never picked here
    status: gr.Markdown
    status_details: gr.Markdown
    chatbot: gr.Chatbot
    box: gr.Textbox
    send: gr.Button
    chips: list[gr.Button]
    retry: gr.Button
    clear: gr.Button
    sources_md: gr.Markdown
    next_btn: gr.Button
    cards: gr.HTML
    bars: gr.HTML
    hours: gr.Number
    goal: gr.Textbox
    save: gr.Button
    groups: list[gr.CheckboxGroup]
    filters: list[Any]
    table: gr.Dataframe
    quiz_skill: gr.Dropdown
    quiz_start: gr.Button
    quiz_intro: gr.Markdown
    quiz_questions: list[gr.Radio]
    quiz_submit: gr.Button
    quiz_result: gr.Markdown
    quiz_state: gr.State
    resources_tab: gr.Tab
    status_timer: gr.Timer

    @property
    def view_outputs(self) -> list[Any]:
        return [
            self.who,
            self.chatbot,
            self.cards,
            self.bars,
            self.hours,
            self.goal,
            *self.groups,
            self.sources_md,
            *self.chips,
        ]

    @property
    def chat_outputs(self) -> list[Any]:
        return [self.chatbot, self.sources_md, self.box, *self.chips]

    @property
    def type_dd(self) -> gr.Dropdown:
        return self.filters[2]

    @property
    def lang_dd(self) -> gr.Dropdown:
        return self.filters[3]


def _chat_tab() -> dict[str, Any]:
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="对话 Conversation",
                show_label=False,  # the label sat on top of the first message
                height=640,
                buttons=["copy", "copy_all"],
                feedback_options=("Like", "Dislike"),
                elem_id="chatbot",
                placeholder="问我路线里的任何知识点，或者“接下来学什么？”<br>"
                "Ask about anything in the roadmap, or “what should I learn next?”",
            )
            with gr.Row():
                box = gr.Textbox(
                    show_label=False,
                    placeholder="输入问题，回车发送 / Type a question, Enter to send",
                    scale=6,
                    elem_id="ask-box",
                    max_length=2000,
                )
                send = gr.Button("发送 Send", variant="primary", scale=1, elem_id="send")
            with gr.Row():
                chips = [gr.Button(visible=False, size="sm", elem_classes=["followup"]) for _ in range(3)]
            with gr.Row():
                retry = gr.Button("↻ 重试 Retry", size="sm", elem_id="retry")
                clear = gr.Button("🗑 清空 Clear", size="sm", elem_id="clear")
            gr.Examples(
                examples=STARTER_QUESTIONS["zh"] + STARTER_QUESTIONS["en"],
                inputs=box,
                label="示例问题 Examples",
            )
        with gr.Column(scale=2):
            gr.Markdown("### 📎 引用原文 Sources")
            sources_md = gr.Markdown(fmt.sources_panel(None), elem_id="sources")
    return {
        "chatbot": chatbot,
        "box": box,
        "send": send,
        "chips": chips,
        "retry": retry,
        "clear": clear,
        "sources_md": sources_md,
    }


def _progress_tab(app: App) -> dict[str, Any]:
    curriculum = app.roadmap.curriculum
    bars = gr.HTML(elem_id="stage-bars")
    with gr.Row():
        hours = gr.Number(label="每天学习小时 Hours per day", minimum=0.5, maximum=24, step=0.5)
        goal = gr.Textbox(
            label="目标 Goal", placeholder="例如：做 RAG 应用 / e.g. build RAG apps", max_length=500
        )
        save = gr.Button("保存 Save", elem_id="save-profile")
    groups = [
        gr.CheckboxGroup(
            label=stage.heading,
            elem_classes=["stage-skills"],
            elem_id=f"stage-{stage.number}",
            choices=[(f"{n}. {curriculum.skill(n).name}", n) for n in stage.skills],
        )
        for stage in curriculum.stages
    ]
    return {"bars": bars, "hours": hours, "goal": goal, "save": save, "groups": groups}


def _resources_tab(app: App) -> dict[str, Any]:
    # the type and language choices are filled on page load, from the catalog as it is then
    with gr.Row():
        query = gr.Textbox(label="搜索 Search", placeholder="PyTorch, 视频, 吴恩达 …", scale=3)
        stage_dd = gr.Dropdown(
            [ALL, *fmt.stage_names(app.roadmap.curriculum).values()], value=ALL, label="阶段 Stage"
        )
        type_dd = gr.Dropdown([ALL], value=ALL, label="类型 Type", elem_id="type-filter")
        lang_dd = gr.Dropdown([ALL], value=ALL, label="语言 Language", elem_id="lang-filter")
    table = gr.Dataframe(
        headers=fmt.TABLE_HEADERS,
        datatype=["str", "str", "markdown", "str", "str", "str", "str"],
        column_widths=["13%", "17%", "26%", "10%", "10%", "9%", "15%"],
        interactive=False,
        wrap=True,
        elem_id="resources-table",
        label="资源 Resources",
    )
    return {"filters": [query, stage_dd, type_dd, lang_dd], "table": table}


def _quiz_tab(app: App) -> dict[str, Any]:
    skills = [(f"{s.number}. {s.name}", s.number) for s in app.roadmap.curriculum.skills]
    gr.Markdown(
        "用路线图里的内容和检验标准自测：答题通过、每条标准都达到，就建议标记为完成。"
        " / Check yourself against the roadmap's content and criteria."
    )
    with gr.Row():
        quiz_skill = gr.Dropdown(
            skills, value=None, label="技能点 Skill（默认：当前 current）", elem_id="quiz-skill", scale=3
        )
        quiz_start = gr.Button("出题 Start quiz", elem_id="quiz-start", scale=1)
    quiz_intro = gr.Markdown(elem_id="quiz-intro")
    questions = [
        gr.Radio(
            choices=[], label=f"Q{i + 1}", visible=False, elem_classes=["quiz-q"], elem_id=f"quiz-q{i + 1}"
        )
        for i in range(MAX_QUESTIONS)
    ]
    quiz_submit = gr.Button("交卷 Submit", variant="primary", visible=False, elem_id="quiz-submit")
    quiz_result = gr.Markdown(elem_id="quiz-result")
    return {
        "quiz_skill": quiz_skill,
        "quiz_start": quiz_start,
        "quiz_intro": quiz_intro,
        "quiz_questions": questions,
        "quiz_submit": quiz_submit,
        "quiz_result": quiz_result,
        "quiz_state": gr.State(None),
    }


def layout(app: App) -> Page:
    """No learner picker: with logins the learner is the user, without them the one local learner."""
    gr.Markdown("## 🎓 tutor · AI 学习导师")
    status = gr.Markdown(elem_id="status-line")
    with gr.Accordion("详情 Details", open=False, elem_id="status-details"):
        status_details = gr.Markdown()
    status_timer = gr.Timer(3, active=True)  # refreshes the header until the start-up index is ready
    who = gr.Markdown(elem_id="learner")
    with gr.Tabs():
        with gr.Tab("💬 对话 Chat", id="chat"):
            chat = _chat_tab()
        with gr.Tab("🧭 下一步 What next", id="next"):
            next_btn = gr.Button("刷新推荐 Refresh", elem_id="next-refresh")
            cards = gr.HTML(elem_id="next-cards")
        with gr.Tab("✅ 进度 Progress", id="progress"):
            progress = _progress_tab(app)
        with gr.Tab("📝 测验 Quiz", id="quiz"):
            quiz = _quiz_tab(app)
        with gr.Tab("📚 资源 Resources", id="resources") as resources_tab:
            resources = _resources_tab(app)
    with gr.Accordion("📖 资料与作者 Material & credits", open=False, elem_id="credits"):
        gr.Markdown(fmt.credits_markdown(credits(app.settings.corpus.paths)))
    return Page(
        who=who,
        status=status,
        status_details=status_details,
        status_timer=status_timer,
        resources_tab=resources_tab,
        next_btn=next_btn,
        cards=cards,
        **chat,
        **progress,
        **resources,
        **quiz,
    )
