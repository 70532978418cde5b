"""The page's layout: the components of each tab, built once; `ui/app.py` wires them to handlers."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio otherwise calls out at start

import gradio as gr  # noqa: E402

from tutor.app import App  # noqa: E402
from tutor.chain.replies import STARTER_QUESTIONS  # noqa: E402
from tutor.ui import formatting as fmt  # noqa: E402
from tutor.ui.formatting import ALL  # noqa: E402

__all__ = ["CSS", "Page", "layout"]

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


def _browser_secret(data_dir: Path) -> str:
    """A stable secret so the remembered learner survives a server restart, not just a reload."""
    path = data_dir / "ui-secret"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(16)
        path.write_text(value, encoding="utf-8")
        return value


@dataclass
class Page:
    """The components the handlers read and write."""

    learner_state: gr.BrowserState
    status: gr.Markdown
    learner_dd: gr.Dropdown
    learner_btn: gr.Button
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

    @property
    def view_outputs(self) -> list[Any]:
        return [
            self.learner_state,
            self.learner_dd,
            self.chatbot,
            self.cards,
            self.bars,
            self.hours,
            self.goal,
            *self.groups,
        ]

    @property
    def chat_outputs(self) -> list[Any]:
        return [self.chatbot, self.sources_md, self.box, *self.chips]


def _chat_tab() -> dict[str, Any]:
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="对话 Conversation",
                height=520,
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
        goal = gr.Textbox(label="目标 Goal", placeholder="例如：做 RAG 应用 / e.g. build RAG apps")
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
    all_resources = fmt.resource_rows(app.catalog, app.roadmap.curriculum)
    types = sorted({t for r in all_resources for t in re.split(r"[/+]", r["type"]) if t})
    languages = sorted({r["language"] for r in all_resources if r["language"]})
    with gr.Row():
        query = gr.Textbox(label="搜索 Search", placeholder="PyTorch, 视频, 吴恩达 …", scale=3)
        stage_dd = gr.Dropdown(
            [ALL, *fmt.stage_names(app.roadmap.curriculum).values()], value=ALL, label="阶段 Stage"
        )
        type_dd = gr.Dropdown([ALL, *types], value=ALL, label="类型 Type")
        lang_dd = gr.Dropdown([ALL, *languages], value=ALL, label="语言 Language")
    table = gr.Dataframe(
        headers=[
            "阶段 Stage",
            "技能 Skill",
            "名称 Name",
            "类型 Type",
            "语言 Language",
            "推荐 Stars",
            "链接 Link",
            "状态 Status",
        ],
        datatype=["str", "str", "str", "str", "str", "str", "markdown", "str"],
        value=fmt.resources_table(app.catalog, app.roadmap.curriculum),
        interactive=False,
        wrap=True,
        elem_id="resources-table",
    )
    return {"filters": [query, stage_dd, type_dd, lang_dd], "table": table}


def layout(app: App, logins: bool) -> Page:
    learner_state = gr.BrowserState(
        "", storage_key="tutor-learner", secret=_browser_secret(app.settings.data_dir)
    )
    gr.Markdown("## 🎓 tutor · AI 学习导师")
    status = gr.Markdown(elem_id="status-line")
    with gr.Row(visible=not logins):
        learner_dd = gr.Dropdown(
            label="学习者 Learner（选择或输入新名字 pick or type a new name）",
            choices=[],
            allow_custom_value=True,
            scale=3,
            elem_id="learner",
        )
        learner_btn = gr.Button("切换 / 创建 Switch / create", scale=1, elem_id="learner-switch")
    with gr.Tabs():
        with gr.Tab("💬 对话 Chat", id="chat"):
            chat = _chat_tab()
        with gr.Tab("🧭 下一步 What next", id="next"):
            next_btn = gr.Button("刷新推荐 Refresh", elem_id="next-refresh")
            cards = gr.HTML(elem_id="next-cards")
        with gr.Tab("✅ 进度 Progress", id="progress"):
            progress = _progress_tab(app)
        with gr.Tab("📚 资源 Resources", id="resources"):
            resources = _resources_tab(app)
    return Page(
        learner_state=learner_state,
        status=status,
        learner_dd=learner_dd,
        learner_btn=learner_btn,
        next_btn=next_btn,
        cards=cards,
        **chat,
        **progress,
        **resources,
    )
