"""The UI in a real headless chromium: chat with citations, what next, progress, reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

STREAM_PROBE = """() => {
  window.__lengths = [];
  const root = document.querySelector('#chatbot');
  new MutationObserver(() => {
    const bots = root.querySelectorAll('.message.bot, [data-testid="bot"]');
    const last = bots[bots.length - 1];
    if (last) window.__lengths.push(last.innerText.length);
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(name)).click()


def _first_card_skill(page) -> str:
    page.wait_for_selector("#next-cards .tutor-card")
    return page.locator("#next-cards .tutor-card").first.get_attribute("data-skill")


def test_chat_next_progress_and_reload(ui_server: str, browser, artifacts: Path, corpus_services) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(ui_server)
    page.wait_for_selector("#status-line :text('索引')")
    assert "未配置语言模型" in page.inner_text("#status-line")  # retrieval-only mode is announced

    # 1. ask: the answer streams in and carries a citation
    page.evaluate(STREAM_PROBE)
    page.locator("#ask-box textarea").fill("RAG 里怎么做混合检索？")
    page.locator("#ask-box textarea").press("Enter")
    page.wait_for_selector("#chatbot :text('出处')")
    bot_text = page.locator("#chatbot").inner_text()
    assert "[1]" in bot_text and "RAG 检索增强" in bot_text and "相关度" in bot_text
    lengths = page.evaluate("window.__lengths")
    assert len(set(lengths)) >= 3, lengths  # several partial renders before the final answer
    assert "混合检索" in page.inner_text("#sources")
    page.locator("button.followup").first.wait_for()
    page.screenshot(path=str(artifacts / "ui-chat.png"), full_page=False)

    # thumbs up: stored with the question, the answer and its sources
    like = page.locator(
        "#chatbot button[aria-label='赞'], #chatbot button[aria-label='Like']"
    ).last  # zh-CN locale
    like.wait_for(state="attached")
    like.scroll_into_view_if_needed()
    like.hover(force=True)
    like.click(force=True)  # the message's buttons show on hover
    page.wait_for_selector(":text('谢谢反馈')")
    rows = list(corpus_services.history.feedback())
    assert rows and rows[-1]["rating"] == "up" and rows[-1]["question"] == "RAG 里怎么做混合检索？"
    assert rows[-1]["sources"] and "出处" in rows[-1]["answer"]

    # 2. what next for a fresh learner
    _tab(page, "What next")
    before = _first_card_skill(page)
    page.screenshot(path=str(artifacts / "ui-next.png"))

    # 3. tick that skill in Progress: the recommendation changes at once
    _tab(page, "Progress")
    label = page.locator(".stage-skills label").filter(has_text=re.compile(rf"^\s*{before}\. "))
    label.first.click()
    page.wait_for_function(
        "b => { const c = document.querySelector('#next-cards .tutor-card');"
        " return c && c.dataset.skill !== b; }",
        arg=before,
    )
    page.screenshot(path=str(artifacts / "ui-progress.png"))
    _tab(page, "What next")
    after = _first_card_skill(page)
    assert after != before

    # 4. reload: the conversation is still there
    page.reload()
    page.wait_for_selector("#chatbot :text('RAG 里怎么做混合检索？')")
    page.wait_for_selector("#chatbot :text('出处')")
    page.screenshot(path=str(artifacts / "ui-reloaded.png"))
    context.close()
