"""The header (status line, details, polling until the index is ready) and the resources tab's handlers,
and the theme: Gradio's Soft with accents dark enough for WCAG AA contrast."""

from __future__ import annotations

import threading
from typing import Any

import gradio as gr

from tutor.app import App
from tutor.ui import formatting as fmt
from tutor.ui.layout import Page

__all__ = ["THEME", "wire_resources", "wire_status"]


def wire_resources(page: Page, app: App) -> None:
    def filtered(query: str, stage: str, kind: str, language: str) -> list[list[Any]]:
        return fmt.resources_table(app.catalog, app.roadmap.curriculum, query, stage, kind, language)

    for component in page.filters:
        component.change(filtered, page.filters, [page.table], api_visibility="private")

    def reopened(query: str, stage: str, kind: str, language: str) -> tuple[Any, ...]:
        """The catalog fills during the first run's ingest: rebuild the choices whenever the tab opens."""
        types, languages = fmt.filter_choices(app.catalog, app.roadmap.curriculum)
        kind = kind if kind in types else fmt.ALL
        language = language if language in languages else fmt.ALL
        return (
            filtered(query, stage, kind, language),
            gr.update(choices=types, value=kind),
            gr.update(choices=languages, value=language),
        )

    page.resources_tab.select(
        reopened, page.filters, [page.table, page.type_dd, page.lang_dd], api_visibility="private"
    )


def wire_status(page: Page, app: App, ready: threading.Event) -> None:
    """The header says when the start-up index is ready, then stops polling."""

    def tick() -> tuple[Any, ...]:
        status = fmt.status(app.llm, app.index.manifest(), app.index.model_id)
        status["ready"] = ready.is_set()
        return fmt.status_line(status), fmt.status_details(status), gr.update(active=not status["ready"])

    page.status_timer.tick(
        tick,
        None,
        [page.status, page.status_details, page.status_timer],
        api_visibility="private",
        show_progress="hidden",
    )


# Soft with darker accents: its indigo-500 text and buttons fall short of WCAG AA contrast (axe, 4.5:1)
THEME = gr.themes.Soft().set(
    block_title_text_color="*primary_800",
    block_label_text_color="*primary_800",
    block_info_text_color="*neutral_700",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white",
    checkbox_label_background_fill_selected="*primary_700",
    checkbox_label_text_color_selected="white",
)
