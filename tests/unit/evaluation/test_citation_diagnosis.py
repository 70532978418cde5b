"""The imprecise-citation breakdown reads an answers.jsonl case and names the composer that cited."""

from __future__ import annotations

from tutor.evaluation.citation_diagnosis import composer_path, summarize


def _case(cid: str, composition: str, route: str = "material", ok: list[bool] | None = None) -> dict:
    ok = ok if ok is not None else [True, False]
    return {
        "id": cid,
        "kind": "essay",
        "route": route,
        "composition": composition,
        "understood": {"aspects": ["prerequisites"]} if composition == "structured" else None,
        "passed": all(ok),
        "answer": "- 甲 [1]\n- 乙 [2]",
        "cited": [{"n": n, "section": f"节 {n}"} for n in range(1, len(ok) + 1)],
        "cited_ok": ok,
    }


def test_the_composer_path_is_read_from_route_and_composition() -> None:
    assert composer_path(_case("a", "", route="next_step")) == "planner (next step)"
    assert composer_path(_case("b", "structured")) == "structured: prerequisites"
    assert composer_path(_case("c", "blocks (faq 0.973)")) == "essay/section: faq"
    assert composer_path(_case("d", "blocks")) == "blocks over retrieved passages"
    assert composer_path(_case("e", "structured+llm (2 dropped item(s) restored)")).endswith("by the llm")


def test_only_judged_cases_count_and_each_imprecise_passage_says_what_it_was_cited_for() -> None:
    cases = [_case("a", "blocks"), _case("b", "blocks (steps outline)", ok=[True]), _case("x", "blocks")]
    result = summarize(cases, judged_ids={"a", "b"})
    assert (result["cited"], result["imprecise"]) == (3, 1)
    assert result["imprecise_by_path"] == {"blocks over retrieved passages | answer failed": 1}
    assert result["rows"][0]["section"] == "节 2" and result["rows"][0]["quoted"] == ["- 乙 [2]"]
