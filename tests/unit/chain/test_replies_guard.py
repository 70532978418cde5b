"""The tutor's own fixed replies pass its output guard untouched (the guard removes lines a rule fires on)."""

from __future__ import annotations

import pytest

from tutor.chain import replies
from tutor.security.injection import detect


@pytest.mark.parametrize("language", ["zh", "en"])
def test_fixed_replies_trip_no_injection_rule(language: str) -> None:
    texts = [
        replies.decline_reply(language),  # it once said "我不会忽略自己的设定" and was redacted whole
        replies.refusal_reply(language, 0.5),
        replies.refusal_reply(language, None),
        replies.no_llm_notice(language, "no server"),
        replies.llm_down_notice(language, "timeout"),
        replies.weak_warning(language, 0.7),
        replies.chitchat_reply("你好" if language == "zh" else "hello", language),
        *replies.STARTER_QUESTIONS[language],
    ]
    for text in texts:
        for line in text.splitlines():
            assert not detect(line), (line, detect(line).rules)
