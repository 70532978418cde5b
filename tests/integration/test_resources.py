"""The resource catalog from the shipped corpus, and the fetcher against a real local HTTP server
(pytest-httpserver) serving an article with boilerplate, a redirect chain, a 404, a slow page, an
oversized body, a PDF, an image, a robots.txt-forbidden path, a flaky 503 and a page that changes."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.conftest import CORPUS, make_settings
from tests.unit.ingest.test_loaders import minimal_pdf
from tutor.resources.catalog import extract_catalog, merge_entries, normalize_url
from tutor.resources.operations import fetch_resources
from tutor.services import Services, build_services

pytestmark = [pytest.mark.integration]


def test_catalog_has_every_link_of_the_roadmap_with_its_contexts() -> None:
    text = (CORPUS / "ai-learning-roadmap.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[
        1
    ]  # after the front matter (its sourceLink is the document's, not a resource)
    offset = text[: text.index(body)].count("\n")
    merged = merge_entries(extract_catalog("ai-learning-roadmap", body, offset))
    # an independent scan: every URL occurrence in the body, by line
    occurrences = [
        (n + 1 + offset, normalize_url(u))
        for n, line in enumerate(body.split("\n"))
        for u in re.findall(r"https?://[^\s)|>，。]+", line)
    ]
    found = {(c.line, url) for url, e in merged.items() for c in e.contexts}
    assert set(occurrences) <= found and len(occurrences) == 108
    assert len(merged) == 102  # 108 occurrences, 6 repeats
    lihongyi = merged["https://www.bilibili.com/video/BV1Wv411h7kN"]
    assert (lihongyi.name, lihongyi.type, lihongyi.lang, lihongyi.stars) == (
        "李宏毅机器学习",
        "视频课程",
        "中文",
        5,
    )
    assert {(c.skill, c.stage) for c in lihongyi.contexts} == {(4, 1), (6, 1)}  # listed under ML and NLP
    lora = merged["https://arxiv.org/abs/2106.09685"]
    assert lora.type == "论文" and lora.contexts[0].kind == "paper"
    explainer = merged[
        "https://www.bilibili.com/video/BV1Qh4y1L7Wd"
    ]  # LoRA 解读 video: in a table and the paper list
    assert {c.kind for c in explainer.contexts} == {"table", "explainer"}
    assert normalize_url("HTTPS://Example.com:443/a/?utm_source=x&b=1#top") == "https://example.com/a?b=1"


def test_catalog_lives_in_sqlite_and_cards_reach_resource_questions(corpus_services: Services) -> None:
    rows = corpus_services.catalog.resources()
    assert len(rows) == 102
    videos = corpus_services.catalog.resources(skill=4, kind="视频", lang="中文")
    assert {r["name"] for r in videos} >= {"李宏毅机器学习", "吴恩达机器学习（网易云课堂）"}
    hits = corpus_services.retrieve("推荐一个中文的机器学习视频课", k=5)
    assert any(h.doc == "resource-cards" and "机器学习" in " ".join(h.headings) for h in hits[:3])
    plain = corpus_services.retrieve("Transformer 的自注意力机制是什么？", k=5)
    assert all(h.doc != "resource-cards" for h in plain)  # cards only answer questions that ask for resources


ARTICLE = """<html><head><title>混合检索实战</title></head><body>
<nav>首页 | 登录 | 注册 | 广告合作 BoilerplateCorp</nav>
<aside>热门文章 推荐阅读 BoilerplateCorp 排行榜</aside>
<article><h1>混合检索实战</h1>
<p>量子菠萝融合法把 BM25 的关键词排名和向量检索的语义排名合并成一个列表，常用倒数排名融合。</p>
<h2>权重怎么调</h2>
<p>中文问题里关键词检索的权重可以大一些，英文问题里语义检索更可靠，这是本文的实验结论。</p>
<p>最后，用一个小的评测集来比较不同权重下的召回率，再决定上线配置。</p>
</article>
<footer>版权所有 © 2026 BoilerplateCorp 备案号 123456</footer>
</body></html>"""


@pytest.fixture
def httpserver_threaded():
    """A threaded server, so the slow page does not hold up the others."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def site(httpserver_threaded):
    """The local web the test corpus links to."""
    state = {"version": 1, "flaky": 0}
    hs = httpserver_threaded
    hs.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    hs.expect_request("/article").respond_with_data(ARTICLE, content_type="text/html; charset=utf-8")
    hs.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/older"}))
    hs.expect_request("/older").respond_with_response(Response(status=302, headers={"Location": "/article2"}))
    hs.expect_request("/article2").respond_with_data(
        ARTICLE.replace("量子菠萝融合法", "重定向之后的菠萝文章"), content_type="text/html"
    )
    hs.expect_request("/missing").respond_with_data("nope", status=404)

    def slow(request: Request) -> Response:
        time.sleep(2.5)
        return Response("late", content_type="text/html")

    hs.expect_request("/slow").respond_with_handler(slow)
    hs.expect_request("/big").respond_with_data("x" * 300_000, content_type="text/plain")
    hs.expect_request("/paper.pdf").respond_with_data(
        minimal_pdf("Pineapple attention paper"), content_type="application/pdf"
    )
    hs.expect_request("/logo.png").respond_with_data(b"\x89PNG\r\n", content_type="image/png")
    hs.expect_request("/private/notes").respond_with_data("secret", content_type="text/plain")

    def flaky(request: Request) -> Response:
        state["flaky"] += 1
        if state["flaky"] == 1:
            return Response("busy", status=503)
        return Response("# 稳定之后\n\n第二次请求成功的菠萝笔记。", content_type="text/markdown")

    hs.expect_request("/flaky").respond_with_handler(flaky)

    def changing(request: Request) -> Response:
        etag = f'"v{state["version"]}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        body = f"# 会变的页面\n\n版本 {state['version']} 的菠萝内容。"
        return Response(body, content_type="text/plain", headers={"ETag": etag})

    hs.expect_request("/changing").respond_with_handler(changing)
    return hs, state


def _services(tmp_path: Path, models_dir: Path, embedder, base: str) -> Services:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    links = [
        "article",
        "old",
        "missing",
        "slow",
        "big",
        "paper.pdf",
        "logo.png",
        "private/notes",
        "flaky",
        "changing",
    ]
    rows = "\n".join(f"| 资源 {name} | 教程 | 中文 | ⭐⭐⭐ | {base}/{name} |" for name in links)
    (corpus / "links.md").write_text(
        f"# 链接测试\n\n## 阶段 3：大模型应用\n\n### 技能点 11：RAG 检索增强\n\n#### 学习资源\n\n"
        f"| 资源 | 类型 | 语言 | 质量 | 链接 |\n|---|---|---|---|---|\n{rows}\n",
        encoding="utf-8",
    )
    settings = make_settings(
        tmp_path / "data",
        models_dir,
        corpus={"paths": [corpus]},
        resources={"delay_s": 0.0, "timeout_s": 1.0, "retries": 1, "max_mb": 0.2},
    )
    svc = build_services(settings, embedder=embedder)
    svc.ingest()
    return svc


@pytest.mark.slow
def test_fetch_run_indexes_main_text_and_records_every_failure(
    tmp_path: Path, models_dir: Path, embedder, site
) -> None:
    server, state = site
    base = server.url_for("").rstrip("/")
    svc = _services(tmp_path, models_dir, embedder, base)
    summary = fetch_resources(svc.catalog, svc.settings, svc.ingest)
    by_url = {r.url.removeprefix(base): r for r in summary.results}
    assert by_url["/article"].outcome == "fetched"
    assert by_url["/old"].outcome == "fetched" and by_url["/old"].final_url.endswith("/article2")
    assert by_url["/paper.pdf"].outcome == "fetched"
    assert by_url["/flaky"].outcome == "fetched"  # 503 once, retried with backoff
    assert by_url["/missing"].reason == "HTTP 404"
    assert by_url["/slow"].reason.startswith("timeout")
    assert by_url["/big"].reason.startswith("too big")
    assert by_url["/logo.png"].reason == "wrong type (image/png)"
    assert by_url["/private/notes"].reason == "robots.txt disallows it"
    assert summary.counts() == {"fetched": 5, "failed": 5}
    failures = summary.failures_by_reason()
    assert failures == {
        "HTTP 404": 1,
        "timeout": 1,
        "too big": 1,
        "wrong type": 1,
        "robots.txt disallows it": 1,
    }

    manifest = svc.manifest()
    chunks = svc.store.get_live(manifest.collection, manifest.live_revs)
    pages = [c for c in chunks if c.doc.startswith("web-")]
    text = "\n".join(" ".join(c.headings) + "\n" + c.text for c in pages)
    assert "量子菠萝融合法" in text and "权重怎么调" in text and "重定向之后的菠萝文章" in text
    assert "Pineapple attention paper" in text and "第二次请求成功" in text
    assert "BoilerplateCorp" not in text and "备案号" not in text and "热门文章" not in text
    article = next(c for c in pages if "量子菠萝融合法" in c.text)
    assert article.metadata["source_url"] == f"{base}/article"
    moved = next(c for c in pages if "重定向之后的菠萝文章" in c.text)
    assert moved.metadata["source_url"] == f"{base}/article2"  # cited at the final URL of the redirect chain
    assert (
        article.metadata["page_skill"] == 11
        and article.metadata["stage"] == 3
        and article.metadata["page_fetched_at"]
    )
    answer = svc.ask("量子菠萝融合法是怎么合并排名的？")
    assert any(s.link == f"{base}/article" for s in answer.cited_sources)  # citations show the URL

    record = svc.catalog.get(f"{base}/missing")
    assert record.status == "failed" and record.detail == "HTTP 404"

    # a later run: conditional request, unchanged; then the page changes and is re-indexed
    again = {
        r.url.removeprefix(base): r
        for r in fetch_resources(svc.catalog, svc.settings, svc.ingest, index=False).results
    }
    assert again["/changing"].outcome == "unchanged" and again["/changing"].http_status == 304
    state["version"] = 2
    third = {
        r.url.removeprefix(base): r for r in fetch_resources(svc.catalog, svc.settings, svc.ingest).results
    }
    assert third["/changing"].outcome == "fetched"
    manifest = svc.manifest()
    texts = "\n".join(c.text for c in svc.store.get_live(manifest.collection, manifest.live_revs))
    assert "版本 2 的菠萝内容" in texts and "版本 1 的菠萝内容" not in texts


def test_offline_run_finishes_with_a_summary_and_cards_still_work(
    tmp_path: Path, models_dir: Path, embedder
) -> None:
    svc = _services(tmp_path, models_dir, embedder, "http://tutor-offline-test.invalid")
    start = time.monotonic()
    summary = fetch_resources(svc.catalog, svc.settings, svc.ingest, index=False)
    assert time.monotonic() - start < 30
    assert summary.counts() == {"failed": 10}
    assert list(summary.failures_by_reason()) == ["DNS lookup failed"]
    assert len(svc.catalog.resources()) == 10
    hits = svc.retrieve("有没有 RAG 的中文教程资源？", k=3)
    assert any(h.doc == "resource-cards" for h in hits)


def test_resources_list_json_cli(corpus_services: Services) -> None:
    from typer.testing import CliRunner

    from tutor.cli import app

    s = corpus_services.settings
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(s.data_dir), "resources", "list", "--json", "--skill", "11"],
        env={"TUTOR_CORPUS__PATHS": json.dumps([str(p) for p in s.corpus.paths])},
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(any(c["skill"] == 11 for c in r["contexts"]) for r in rows)
    assert {"url", "name", "type", "lang", "stars", "status", "last_fetched", "contexts"} <= set(rows[0])


@pytest.mark.slow
def test_check_reports_dead_and_moved_links_without_indexing(
    tmp_path: Path, models_dir: Path, embedder, site
) -> None:
    from tutor.resources.operations import check_resources

    server, _ = site
    base = server.url_for("").rstrip("/")
    svc = _services(tmp_path, models_dir, embedder, base)
    chunks_before = svc.manifest().chunk_count
    report = {r["url"].removeprefix(base): r for r in check_resources(svc.catalog, svc.settings)}
    assert report["/missing"]["state"] == "dead" and report["/missing"]["http_status"] == 404
    assert report["/old"]["state"] == "moved" and report["/old"]["final_url"].endswith("/article2")
    assert report["/article"]["state"] == "ok"
    assert report["/missing"]["where"][0].startswith("links:")  # doc:line, for the maintainer
    assert svc.catalog.get(f"{base}/missing").status == "check:dead"
    assert svc.manifest().chunk_count == chunks_before  # nothing re-indexed
