from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutor.errors import InputError
from tutor.ingest.loaders import discover, load_document

MB = 1_000_000
ROADMAP_HEAD = """---
title: AI 学习
tags: [AI]
author: panxiao
sourceLink: "https://github.com/px6707/myblog"
---

# AI 理论与开发完整学习路线

> 从零基础到 AI 工程师的系统化学习指南
"""


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica, built by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_front_matter_becomes_metadata_and_h1_the_title(tmp_path: Path) -> None:
    p = tmp_path / "ai-learning-roadmap.md"
    p.write_text(ROADMAP_HEAD, encoding="utf-8")
    doc = load_document(p, MB)
    assert doc.doc_id == "ai-learning-roadmap"
    assert doc.title == "AI 理论与开发完整学习路线"
    assert doc.metadata["author"] == "panxiao" and doc.metadata["tags"] == ["AI"]
    assert doc.source_url == "https://github.com/px6707/myblog"
    assert doc.line_offset == 6  # chunks cite lines of the original file
    assert doc.text.startswith("\n# AI 理论")


def test_title_falls_back_to_front_matter_then_file_name(tmp_path: Path) -> None:
    a = tmp_path / "programmer-midlife-crisis.md"
    a.write_text(
        "                 \n\n## 1. 背景介绍\n\n### 1.1 问题由来\n随着科技的快速发展。\n", encoding="utf-8"
    )
    assert load_document(a, MB).title == "programmer midlife crisis"
    b = tmp_path / "b.md"
    b.write_text("---\ntitle: 好奇心\n---\n## 1. 背景介绍\n正文。\n", encoding="utf-8")
    assert load_document(b, MB).title == "好奇心"


def test_bash_comment_in_code_fence_is_not_a_title(tmp_path: Path) -> None:
    p = tmp_path / "linux.md"
    p.write_text("## Linux 基础命令\n\n```bash\n# 文件操作\ncd, ls\n```\n", encoding="utf-8")
    assert load_document(p, MB).title == "linux"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    text = "## 技能点 1：Python 编程\n\n推荐廖雪峰的 Python 教程，适合零基础入门。\n"
    p = tmp_path / "enc.md"
    p.write_bytes(text.encode(encoding))
    doc = load_document(p, MB)
    assert "廖雪峰" in doc.text
    assert doc.metadata["encoding"] == expected


def test_undecodable_text_is_reported_not_guessed(tmp_path: Path) -> None:
    p = tmp_path / "latin.md"
    p.write_bytes("Café résumé naïve — “quoted” ".encode("cp1252") * 3 + bytes([0x81, 0x8D, 0x8F]))
    with pytest.raises(InputError, match="cannot decode text") as err:
        load_document(p, MB)
    assert err.value.path == str(p)


@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("blank.md", b"  \n\n \t\n", "empty file"),
        ("binary.md", bytes(range(256)) * 4, "binary file"),
        ("fake.pdf", b"hello, not a pdf", "not a PDF"),
        ("only-fm.md", b"---\ntitle: x\n---\n\n", "no text content"),
        ("broken.md", b"---\ntitle: [unclosed\n---\n# T\n", "broken front matter"),
        ("unclosed.md", b"---\ntitle: x\nno closing line\n", "broken front matter"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_input_names_file_and_reason(tmp_path: Path, name: str, payload: bytes, reason: str) -> None:
    p = tmp_path / name
    p.write_bytes(payload)
    with pytest.raises(InputError, match=reason) as err:
        load_document(p, MB)
    assert name in str(err.value)


def test_oversized_file_is_refused_with_the_limit(tmp_path: Path) -> None:
    p = tmp_path / "huge.md"
    p.write_text("# 大文件\n" + "字" * 400_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"over the 1.0 MB limit"):
        load_document(p, MB)


def test_unreadable_path_is_reported(tmp_path: Path) -> None:
    link = tmp_path / "dangling.md"
    os.symlink(tmp_path / "gone.md", link)
    with pytest.raises(InputError, match="cannot read"):
        load_document(link, MB)


def test_html_becomes_markdown_with_headings(tmp_path: Path) -> None:
    p = tmp_path / "page.html"
    p.write_text(
        "<html><head><title>RAG 入门</title><script>var x=1;</script></head><body>"
        "<h1>RAG 检索增强</h1><p>混合检索结合 <b>BM25</b> 与向量检索。</p>"
        "<h2>资源</h2><ul><li><a href='https://example.org/rag'>教程</a></li></ul></body></html>",
        encoding="utf-8",
    )
    doc = load_document(p, MB)
    assert doc.kind == "html" and doc.title == "RAG 检索增强"
    assert "# RAG 检索增强" in doc.text and "## 资源" in doc.text
    assert "[教程](https://example.org/rag)" in doc.text
    assert "var x" not in doc.text


def test_pdf_text_is_extracted_per_page(tmp_path: Path) -> None:
    p = tmp_path / "paper.pdf"
    p.write_bytes(minimal_pdf("Attention is all you need"))
    doc = load_document(p, MB)
    assert doc.kind == "pdf"
    assert "## Page 1" in doc.text and "Attention is all you need" in doc.text


def test_discover_walks_recursively_with_globs(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for rel in ["x.md", "a/y.txt", "a/b/z.html", "a/b/skip.py", ".git/hidden.md", "_draft.md", "a/b/old.md"]:
        (tmp_path / rel).write_text("# t\n", encoding="utf-8")
    found = {
        p.relative_to(tmp_path).as_posix()
        for p in discover(tmp_path, ["*.md", "*.txt", "*.html"], [".*", "_*", "*/old.md"])
    }
    assert found == {"x.md", "a/y.txt", "a/b/z.html"}
    with pytest.raises(InputError, match="no such file"):
        discover(tmp_path / "missing", ["*.md"], [])
