"""The HTTP API as a real `tutor serve` process (API + UI on one port), driven by the `openai`
client and plain HTTP: answers with the `tutor` extras, streaming, keys, limits, health."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.integration.api_fixtures import RATE_LIMIT, ApiServer

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTION = "RAG 检索增强要学哪些内容？"


_http = httpx.Client(timeout=120)  # the first retrieval in the server loads its embedder


def _client(server: ApiServer, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0, timeout=120)


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_openai_client_gets_a_grounded_answer_with_the_tutor_extras(api_server: ApiServer) -> None:
    client = _client(api_server, api_server.learner_key)
    assert [m.id for m in client.models.list()] == ["tutor"]
    reply = client.chat.completions.create(model="tutor", messages=[{"role": "user", "content": QUESTION}])
    text = reply.choices[0].message.content or ""
    extra = (reply.model_extra or {})["tutor"]
    assert reply.choices[0].finish_reason == "stop"
    assert extra["route"] == "material" and extra["learner"] == "amy"
    assert extra["sources"] and all({"n", "doc", "lines", "cited"} <= set(s) for s in extra["sources"])
    cited = [s["n"] for s in extra["sources"] if s["cited"]]
    assert cited and all(f"[{n}]" in text for n in cited)  # the reply cites the sources it lists
    assert "followups" in extra and "next_step" in extra


def test_a_streamed_answer_is_the_same_answer_and_ends_with_the_extras(api_server: ApiServer) -> None:
    client = _client(api_server, api_server.learner_key)
    whole = client.chat.completions.create(model="tutor", messages=[{"role": "user", "content": QUESTION}])
    parts, extras, finish = [], [], []
    stream = client.chat.completions.create(
        model="tutor", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason:
            finish.append(chunk.choices[0].finish_reason)
        if (chunk.model_extra or {}).get("tutor"):
            extras.append(chunk.model_extra["tutor"])
    assert len(parts) > 1  # it really streamed
    assert "".join(parts) == whole.choices[0].message.content  # extractive answers are deterministic
    assert finish == ["stop"] and len(extras) == 1
    assert extras[0]["sources"] == (whole.model_extra or {})["tutor"]["sources"]


def test_the_conversation_is_stored_for_the_learner(api_server: ApiServer) -> None:
    from tutor.curriculum.progress import ProgressStore
    from tutor.history import HistoryStore

    client = _client(api_server, api_server.client_key)
    _http.put(
        f"{api_server.url}/api/learners/carol/progress",
        json={"name": "Carol"},
        headers=_auth(api_server.client_key),
    ).raise_for_status()
    reply = client.chat.completions.create(
        model="tutor", messages=[{"role": "user", "content": "我下一步学什么？"}], user="carol"
    )
    stored = HistoryStore(ProgressStore(api_server.data_dir / "learners.sqlite")).messages("carol")
    assert [m["role"] for m in stored[-2:]] == ["user", "assistant"]
    assert stored[-2]["content"] == "我下一步学什么？"
    assert stored[-1]["content"] == reply.choices[0].message.content
    assert (reply.model_extra or {})["tutor"]["route"] == "next_step"


def test_keys_are_required_and_a_learner_key_reaches_only_its_learner(api_server: ApiServer) -> None:
    with pytest.raises(openai.AuthenticationError):
        _client(api_server, "not-a-key").models.list()
    with pytest.raises(openai.AuthenticationError):
        _client(api_server, api_server.revoked_key).models.list()
    assert _http.get(f"{api_server.url}/v1/models").status_code == 401
    assert _http.get(f"{api_server.url}/api/learners/amy/progress").status_code == 401
    with pytest.raises(openai.PermissionDeniedError):
        _client(api_server, api_server.learner_key).chat.completions.create(
            model="tutor", messages=[{"role": "user", "content": "hi"}], user="bob"
        )
    learner = _auth(api_server.learner_key)
    assert _http.get(f"{api_server.url}/api/learners/bob/progress", headers=learner).status_code == 403
    put = _http.put(f"{api_server.url}/api/learners/bob/progress", json={"goal": "x"}, headers=learner)
    assert put.status_code == 403 and "another learner" in put.json()["error"]["message"]
    nxt = _http.post(f"{api_server.url}/api/next", json={"learner": "bob"}, headers=learner)
    assert nxt.status_code == 403


def test_progress_round_trip_and_next_step(api_server: ApiServer) -> None:
    learner = _auth(api_server.learner_key)
    put = _http.put(
        f"{api_server.url}/api/learners/amy/progress",
        json={"finished": [1, 2], "hours_per_day": 3},
        headers=learner,
    )
    assert put.status_code == 200, put.text
    got = _http.get(f"{api_server.url}/api/learners/amy/progress", headers=learner).json()
    assert got["finished"] == [1, 2] and got["hours_per_day"] == 3
    plan = _http.post(f"{api_server.url}/api/next", json={}, headers=learner).json()
    assert plan["recommendations"] and all(
        r["skill"]["number"] not in (1, 2) for r in plan["recommendations"]
    )
    bad = _http.put(f"{api_server.url}/api/learners/amy/progress", json={"finished": [99]}, headers=learner)
    assert bad.status_code == 400 and "99" in bad.json()["error"]["message"]
    missing = _http.get(
        f"{api_server.url}/api/learners/nobody/progress", headers=_auth(api_server.client_key)
    )
    assert missing.status_code == 404


def test_the_chat_and_api_next_name_the_same_next_skill(api_server: ApiServer) -> None:
    """One rule for "what next" (plan14): a stored learner who finished Prompt Engineering gets RAG (the roadmap's
    order) from `/api/next` and from the chat alike, not LangChain (the 核心路径 line's order) from one of them."""
    client_key = _auth(api_server.client_key)
    put = _http.put(
        f"{api_server.url}/api/learners/dora/progress",
        json={"name": "Dora", "finished": list(range(1, 11))},
        headers=client_key,
    )
    assert put.status_code == 200, put.text
    plan = _http.post(f"{api_server.url}/api/next", json={"learner": "dora"}, headers=client_key).json()
    first = plan["recommendations"][0]["skill"]
    assert first["number"] == 11
    reply = _client(api_server, api_server.client_key).chat.completions.create(
        model="tutor", messages=[{"role": "user", "content": "我下一步学什么？"}], user="dora"
    )
    extra = (reply.model_extra or {})["tutor"]
    assert extra["route"] == "next_step"
    assert first["heading"] in (extra["next_step"] or "")
    assert f"建议下一步学习 **{first['heading']}" in (reply.choices[0].message.content or "")


def test_retrieve_keeps_the_cli_json_contract(api_server: ApiServer) -> None:
    hits = _http.post(
        f"{api_server.url}/api/retrieve",
        json={"question": QUESTION, "k": 3},
        headers=_auth(api_server.client_key),
    )
    assert hits.status_code == 200, hits.text
    rows = hits.json()
    assert len(rows) == 3
    assert all(set(r) == {"id", "score", "doc", "title", "headings", "lines", "text", "links"} for r in rows)


def test_body_size_and_rate_limits(api_server: ApiServer) -> None:
    from tutor.api.keys import KeyStore
    from tutor.state.open import open_database
    from tutor.state.settings import StateSettings

    big = {"model": "tutor", "messages": [{"role": "user", "content": "长" * 40_000}]}
    too_large = _http.post(
        f"{api_server.url}/v1/chat/completions", json=big, headers=_auth(api_server.client_key)
    )
    assert too_large.status_code == 413
    key = KeyStore(open_database(StateSettings(), api_server.data_dir, "learners")).create("burst").secret
    statuses = []
    with httpx.Client(headers=_auth(key), timeout=120) as http:
        for _ in range(RATE_LIMIT + 1):
            statuses.append(http.get(f"{api_server.url}/v1/models").status_code)
        last = http.get(f"{api_server.url}/v1/models")
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT and statuses[-1] == 429
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
    other = _http.get(f"{api_server.url}/v1/models", headers=_auth(api_server.client_key))
    assert other.status_code == 200  # limits are per key


def test_health_readiness_schema_cors_and_the_mounted_ui(api_server: ApiServer) -> None:
    assert _http.get(f"{api_server.url}/healthz").json() == {"status": "ok"}
    ready = _http.get(f"{api_server.url}/readyz").json()
    assert ready["ready"] and ready["index"]["ok"] and ready["index"]["chunks"] > 0 and ready["store"]["ok"]
    assert ready["llm"]["ok"] is False and "offline" in ready["llm"]["mode"]  # llm.kind none in tests
    spec = _http.get(f"{api_server.url}/openapi.json").json()
    assert {"/v1/chat/completions", "/v1/models", "/api/retrieve", "/readyz"} <= set(spec["paths"])
    assert "TutorExtra" in spec["components"]["schemas"]
    preflight = httpx.options(
        f"{api_server.url}/v1/models",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers  # CORS is off by default
    page = _http.get(f"{api_server.url}/")
    assert page.status_code == 200 and "gradio" in page.text.lower()
