"""The recommended shapes per company size: seats, hybrid splits, ranges, the too-many rule."""

from __future__ import annotations

from roost.team.models import CompanySize
from roost.team.profiles import SOCIAL_AREAS, Responsibility
from roost.team.shapes import SHAPES, shape_for

R = Responsibility


def _seats(size: str) -> list[tuple[str, list[str], int]]:
    shape = shape_for(size)
    assert shape is not None
    return [(str(s.label), [r.value for r in s.responsibilities], s.count) for s in shape.seats]


def test_a_small_team_splits_six_areas_into_two_hybrid_seats() -> None:
    assert _seats("small") == [
        ("Strategy, analytics and paid", ["strategy", "analytics", "paid"], 1),
        ("Content, publishing and community", ["content", "publishing", "community"], 1),
    ]
    shape = SHAPES[CompanySize.SMALL]
    assert (shape.min_people, shape.max_people, shape.max_areas) == (1, 2, 3)
    assert shape.solo is not None and set(shape.solo.responsibilities) == set(SOCIAL_AREAS)
    assert all(seat.hybrid for seat in shape.seats)
    assert shape.departments == ()


def test_mid_large_and_enterprise_shapes() -> None:
    assert _seats("mid") == [
        ("Social media manager", ["strategy", "publishing"], 1),
        ("Content creator", ["content"], 1),
        ("Community manager", ["community"], 1),
        ("Analyst and paid media", ["analytics", "paid"], 1),
    ]
    assert _seats("large") == [
        ("Social media manager", ["strategy", "publishing"], 1),
        ("Content creator", ["content"], 2),
        ("Community manager", ["community"], 2),
        ("Social data analyst", ["analytics"], 1),
        ("Paid media specialist", ["paid"], 1),
    ]
    assert _seats("enterprise") == [
        ("Head of social", ["strategy"], 1),
        ("Publishing and approvals lead", ["publishing"], 1),
        ("Content creator", ["content"], 4),
        ("Community manager", ["community"], 3),
        ("Social data analyst", ["analytics"], 1),
        ("Paid media specialist", ["paid"], 1),
    ]
    limits = {size.value: (s.min_people, s.max_people, s.max_areas) for size, s in SHAPES.items()}
    assert limits == {
        "small": (1, 2, 3),
        "mid": (3, 5, 2),
        "large": (6, 10, 2),
        "enterprise": (11, None, 1),
    }
    assert SHAPES[CompanySize.MID].departments == (R.CARE,)
    assert SHAPES[CompanySize.ENTERPRISE].departments == (R.CARE, R.SALES)


def test_every_shape_covers_every_social_area_within_its_range() -> None:
    for shape in SHAPES.values():
        covered = {r for seat in shape.seats for r in seat.responsibilities}
        assert covered == set(SOCIAL_AREAS), shape.size
        assert shape.seat_count >= shape.min_people
        assert shape.max_people is None or shape.seat_count <= shape.max_people
        assert all(len(s.responsibilities) <= shape.max_areas for s in shape.seats)
    assert set(SHAPES) == set(CompanySize)


def test_no_shape_without_a_known_size() -> None:
    assert shape_for("") is None
    assert shape_for("huge") is None
