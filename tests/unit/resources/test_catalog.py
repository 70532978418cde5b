"""Catalog extraction on small documents: every kind of link, its context, de-duplication."""

from __future__ import annotations

from tutor.resources.catalog import extract_catalog, merge_entries
from tutor.resources.intent import asks_for_resources

DOC = """# 路线

## 阶段 1：基础

### 技能点 4：机器学习

| 资源 | 类型 | 语言 | 质量 | 链接 |
|---|---|---|---|---|
| 课程 A | 视频 | 中文 | ⭐⭐⭐ | https://a.example/course/ |
| 课程 B | 书籍 | 英文 | ⭐⭐ | https://b.example/book?utm_source=x |

参考 [官方文档](https://docs.example/ml) 和 https://bare.example/page。

```
https://in-code.example/ignored
```

## 论文

1. **Great Paper** (2020)
   - 链接：https://arxiv.org/abs/1234.5678
   - 解读：https://video.example/explain

| 孤零零的一行 | https://lone.example/row |
| 课程 A again | 视频 | 中文 | ⭐ | https://a.example/course |
"""


def test_every_link_kind_with_context_and_one_resource_per_url() -> None:
    merged = merge_entries(extract_catalog("doc", DOC, line_offset=10))
    assert set(merged) == {
        "https://a.example/course",
        "https://b.example/book",
        "https://docs.example/ml",
        "https://bare.example/page",
        "https://arxiv.org/abs/1234.5678",
        "https://video.example/explain",
        "https://lone.example/row",
    }
    a = merged["https://a.example/course"]
    assert (a.name, a.type, a.lang, a.stars) == ("课程 A", "视频", "中文", 3)
    assert [(c.kind, c.skill, c.stage, c.line) for c in a.contexts][0] == (
        "table",
        4,
        1,
        19,
    )  # line 9 + line_offset 10
    assert len(a.contexts) == 2  # the same URL again, de-duplicated into one resource
    assert merged["https://docs.example/ml"].name == "官方文档"
    assert merged["https://docs.example/ml"].contexts[0].kind == "inline"
    assert merged["https://bare.example/page"].contexts[0].kind == "bare"
    paper = merged["https://arxiv.org/abs/1234.5678"]
    assert paper.name == "Great Paper" and paper.type == "论文" and paper.contexts[0].headings[-1] == "论文"
    assert merged["https://video.example/explain"].name == "Great Paper（解读）"
    assert merged["https://lone.example/row"].name == "孤零零的一行"


def test_resource_intent() -> None:
    for q in (
        "推荐一个中文的机器学习视频课",
        "Any English book on NLP?",
        "有没有 vLLM 的中文文档？",
        "强化学习有什么中文书？",
    ):
        assert asks_for_resources(q), q
    for q in ("Transformer 的自注意力机制是什么？", "How does self-attention work?", "接下来学什么"):
        assert not asks_for_resources(q), q


def test_resource_kinds_named_in_english_use_the_materials_words() -> None:
    from tutor.resources.intent import ResourceKinds

    kinds = ResourceKinds.from_material("## 社区和论坛\n| 资源 | 类型 |\n| 书 A | 书籍 |\n### 实践平台")
    assert kinds("Where can I discuss ML in an English-speaking online community?") == "社区 论坛"
    assert kinds("Any forum for Hugging Face models?") == "社区 论坛"
    assert kinds("Which websites let me practise?") == "平台"
    assert kinds("Which book covers deep learning?") == "书籍"
    # a kind the material does not have adds nothing; Chinese questions are left to asks_for_resources
    assert kinds("Any good videos on attention?") is None
    assert kinds("有什么社区可以提问？") is None
    assert kinds("How does self-attention work?") is None
    assert len(ResourceKinds.from_material("没有资源表")) == 0
