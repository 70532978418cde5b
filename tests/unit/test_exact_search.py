"""The in-memory exact dense search: ranking, ties, and Chroma's filter language."""

from __future__ import annotations

import pytest

from tutor.index.exact import ExactView, UnsupportedFilter, where_matches


def _view() -> ExactView:
    # inserted out of id order; b and c point the same way (a tie)
    return ExactView.from_rows(
        ["c", "a", "b"],
        [[0.0, 2.0], [1.0, 0.0], [0.0, 1.0]],
        ["tc", "ta", "tb"],
        [{"doc": "x", "n": 3}, {"doc": "y", "n": 1}, {"doc": "x", "n": 2}],
    )


def test_ranked_by_cosine_ties_in_id_order() -> None:
    view = _view()
    ranked = [(view.ids[r], round(s, 3)) for r, s in view.ranked([0.1, 1.0])]
    assert ranked[:2] == [("b", 0.995), ("c", 0.995)]
    assert ranked[2][0] == "a"
    assert view.texts[view.ids.index("c")] == "tc"


def test_search_applies_where() -> None:
    view = _view()
    assert [view.ids[r] for r, _ in view.search([1.0, 0.0], {"doc": {"$ne": "y"}})] == ["b", "c"]
    assert [view.ids[r] for r, _ in view.search([1.0, 0.0], {"doc": "y"})] == ["a"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"doc": "x"}, True),
        ({"doc": {"$in": ["y", "z"]}}, False),
        ({"doc": {"$nin": ["y"]}}, True),
        ({"$and": [{"doc": "x"}, {"n": {"$gte": 3}}]}, True),
        ({"$and": [{"doc": "x"}, {"n": {"$lt": 3}}]}, False),
        ({"$or": [{"doc": "y"}, {"n": {"$gt": 2}}]}, True),
        ({"missing": {"$gt": 1}}, False),
        (None, True),
    ],
)
def test_where_matches(where: dict | None, expected: bool) -> None:
    assert where_matches({"doc": "x", "n": 3}, where) is expected


def test_unknown_operator_is_refused() -> None:
    with pytest.raises(UnsupportedFilter):
        where_matches({"doc": "x"}, {"doc": {"$contains": "x"}})
