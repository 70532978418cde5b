"""The router's rules (the part that needs no model)."""

from __future__ import annotations

import pytest

from tutor.chain.router import route_message


@pytest.mark.parametrize(
    "text",
    [
        "我刚学完 Python 基础，接下来学什么？",
        "下一步学什么",
        "零基础应该从哪里开始？",
        "帮我规划一下学习计划",
        "What should I learn next?",
        "Where should I start?",
        "I've finished PyTorch, what next?",
    ],
)
def test_next_step_questions(text: str) -> None:
    assert route_message(text).kind == "next_step"


@pytest.mark.parametrize(
    "text",
    [
        "RAG 里怎么做混合检索？",
        "有哪些向量数据库可以选？",
        "推荐一个中文的机器学习视频课",
        "How does self-attention work?",
        "Recommend a course on reinforcement learning",
        "法国的首都是哪里？",
    ],
)
def test_material_questions(text: str) -> None:
    assert route_message(text).kind == "material"


@pytest.mark.parametrize(
    "text", ["你好", "谢谢！", "hi", "thank you", "你是谁？", "讲个笑话", "what's the weather like?", ""]
)
def test_chitchat(text: str) -> None:
    assert route_message(text).kind == "chitchat"


def test_resource_requests_are_not_next_step_even_with_learning_words() -> None:
    assert route_message("推荐一本适合初学者学习深度学习的书").kind == "material"
    assert route_message("推荐一下学习路线的下一步").kind == "next_step"
