"""Each chunking rule, shown on real snippets of the corpus."""

from __future__ import annotations

from pathlib import Path

from tutor.ingest.chunking import chunk_document, sentence_pieces
from tutor.ingest.links import extract_links
from tutor.ingest.loaders import load_document

REPO = Path(__file__).resolve().parents[3]
MB = 1_000_000

SKILL_1 = """# AI 理论与开发完整学习路线

## 阶段 0：基础准备（1-2 个月）

### 技能点 1：Python 编程 ⭐⭐⭐⭐⭐

#### 学习资源

| 资源 | 类型 | 语言 | 质量 | 链接 |
|------|------|------|------|------|
| 廖雪峰 Python 教程 | 教程 | 中文 | ⭐⭐⭐⭐⭐ | https://www.liaoxuefeng.com/wiki/1016959663602400 |
| Python 官方教程 | 文档 | 中文 | ⭐⭐⭐⭐⭐ | https://docs.python.org/zh-cn/3/tutorial/ |
| 《Python 编程：从入门到实践》 | 书籍 | 中文 | ⭐⭐⭐⭐⭐ | - |
| 莫烦 Python | 视频 | 中文 | ⭐⭐⭐⭐ | https://mofanpy.com/ |

#### 检验标准
- ✅ 能独立写 500 行以上的项目
- ✅ 理解面向对象编程

### 技能点 3：Linux 和 Git ⭐⭐⭐

#### Linux 基础命令
```bash
# 文件操作
cd, ls, mkdir, rm, cp, mv

# 文本处理
cat, grep, sed, awk
```
"""


def _doc(tmp_path: Path, text: str, name: str = "roadmap.md"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_document(p, MB)


def test_heading_path_is_exact_and_code_comments_are_not_headings(tmp_path: Path) -> None:
    chunks = chunk_document(_doc(tmp_path, SKILL_1))
    paths = [c.headings for c in chunks]
    assert [
        "AI 理论与开发完整学习路线",
        "阶段 0：基础准备（1-2 个月）",
        "技能点 1：Python 编程 ⭐⭐⭐⭐⭐",
        "学习资源",
    ] in paths
    linux = [c for c in chunks if c.headings[-1] == "Linux 基础命令"]
    assert len(linux) == 1 and "# 文件操作" in linux[0].text and "cat, grep" in linux[0].text
    assert all("文件操作" not in h for c in chunks for h in c.headings)


def test_chunks_never_cross_headings_and_small_sections_stay_whole(tmp_path: Path) -> None:
    chunks = chunk_document(_doc(tmp_path, SKILL_1))
    check = [c for c in chunks if c.headings[-1] == "检验标准"]
    assert len(check) == 1
    assert check[0].text == "- ✅ 能独立写 500 行以上的项目\n- ✅ 理解面向对象编程"
    assert all("|" not in c.text for c in check)


def test_line_numbers_point_into_the_original_file(tmp_path: Path) -> None:
    text = "---\ntitle: t\n---\n" + SKILL_1
    doc = _doc(tmp_path, text)
    lines = text.split("\n")
    for c in chunk_document(doc):
        first_line = c.text.split("\n")[0]
        assert lines[c.line_start - 1] == first_line, (c.line_start, first_line)
        assert lines[c.line_end - 1] == c.text.split("\n")[-1]


def test_table_rows_are_atomic_and_header_repeats_when_split(tmp_path: Path) -> None:
    chunks = chunk_document(_doc(tmp_path, SKILL_1), chunk_size=200, chunk_overlap=0)
    table = [c for c in chunks if c.headings[-1] == "学习资源"]
    assert len(table) >= 2
    for c in table:
        rows = c.text.split("\n")
        assert rows[0] == "| 资源 | 类型 | 语言 | 质量 | 链接 |" and rows[1].startswith("|------")
        assert all(r.startswith("|") and r.endswith("|") for r in rows)
    body_rows = [r for c in table for r in c.text.split("\n")[2:]]
    assert len(body_rows) == 4 and any("莫烦 Python" in r for r in body_rows)


def test_list_items_are_not_split(tmp_path: Path) -> None:
    items = "\n".join(
        f"- **要点 {i}**：理解 Self-Attention 的数学原理，并能手写多头注意力的前向计算过程。"
        for i in range(12)
    )
    chunks = chunk_document(_doc(tmp_path, f"## 核心内容\n\n{items}\n"), chunk_size=150, chunk_overlap=0)
    assert len(chunks) > 1
    for c in chunks:
        for line in c.text.split("\n"):
            assert line.startswith("- **要点") and line.endswith("过程。")


def test_long_paragraph_splits_at_sentence_ends_with_overlap(tmp_path: Path) -> None:
    para = (
        "好奇心与求知欲是推动人类社会进步的重要动力之一。在信息时代，技术的发展不断带来新的挑战和机遇！"
        "持续的好奇心和求知欲成为科技创新的关键驱动力？技术博客作为分享和讨论技术知识的重要平台；"
        "It carries new knowledge. It also sparks new thinking! "
    ) * 4
    chunks = chunk_document(
        _doc(tmp_path, f"### 1.1 问题由来\n{para}\n", "c.md"), chunk_size=120, chunk_overlap=40
    )
    assert len(chunks) >= 3
    for c in chunks:
        assert c.text[-1] in "。！？；.!?", c.text
        assert len(c.text) <= 120
    # overlap: each chunk after the first starts with a sentence that ended the previous one
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        first_sentence = sentence_pieces(nxt.text)[0]
        assert first_sentence.strip() in prev.text


def test_whole_corpus_chunks_have_paths_lines_and_sizes() -> None:
    for path in sorted((REPO / "corpus").glob("*.md")):
        doc = load_document(path, 20 * MB)
        chunks = chunk_document(doc)
        assert chunks, path
        ids = [c.id for c in chunks]
        assert len(set(ids)) == len(ids)
        for c in chunks:
            assert c.headings and c.line_start <= c.line_end
            assert c.text.strip()
    roadmap = chunk_document(load_document(REPO / "corpus" / "ai-learning-roadmap.md", 20 * MB))
    rag = [c for c in roadmap if any(h.startswith("技能点 11：RAG") for h in c.headings)]
    assert {c.headings[-1] for c in rag} >= {"核心内容", "学习资源", "实践项目", "检验标准"}
    assert all(c.stage == 3 for c in rag)


def test_chunk_ids_are_stable_for_unchanged_content(tmp_path: Path) -> None:
    a = [c.id for c in chunk_document(_doc(tmp_path, SKILL_1))]
    b = [c.id for c in chunk_document(_doc(tmp_path, SKILL_1))]
    c = [c.id for c in chunk_document(_doc(tmp_path, SKILL_1 + "\n新增一段。\n"))]
    assert a == b and a != c


def test_links_from_tables_inline_and_bare_urls() -> None:
    text = (
        "| 廖雪峰 Python 教程 | 教程 | 中文 | ⭐⭐⭐⭐⭐ | https://www.liaoxuefeng.com/wiki/1016959663602400 |\n"
        "- LeetCode：https://leetcode.cn/\n"
        "- [学习路线总览](#学习路线总览) 与 [Hugging Face 课程](https://huggingface.co/learn) 。\n"
    )
    links = extract_links(text)
    assert [link.url for link in links] == [
        "https://www.liaoxuefeng.com/wiki/1016959663602400",
        "https://leetcode.cn/",
        "https://huggingface.co/learn",
    ]
    assert links[2].text == "Hugging Face 课程"
