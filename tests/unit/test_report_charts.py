"""The console's server-drawn column charts and the words for durations."""

from __future__ import annotations

from escalator_console.domain.report_charts import HEIGHT, WIDTH, columns, duration_words


def test_columns_share_the_width_and_the_tallest_fills_the_chart() -> None:
    drawn = columns([("a", 2.0), ("b", 4.0), ("c", 1.0), ("d", 0.0)])
    assert [c.x for c in drawn] == [25.0, 275.0, 525.0, 775.0]
    assert {c.width for c in drawn} == {200.0}
    assert [c.height for c in drawn] == [100.0, HEIGHT, 50.0, 0.0]
    assert [c.y for c in drawn] == [100.0, 0.0, 150.0, HEIGHT]
    assert drawn[-1].x + drawn[-1].width <= WIDTH
    assert [c.text for c in drawn] == ["2", "4", "1", "0"]


def test_percentages_scale_to_100_and_missing_values_draw_nothing() -> None:
    drawn = columns([("w1", 50.0), ("w2", None), ("w3", 66.7)], top=100, unit="%")
    assert [c.height for c in drawn] == [100.0, 0.0, 133.4]
    assert [c.text for c in drawn] == ["50%", "none", "66.7%"]
    assert columns([]) == []
    assert [c.height for c in columns([("x", 0.0), ("y", 0.0)])] == [0.0, 0.0]


def test_durations_read_as_a_person_says_them() -> None:
    assert [duration_words(s) for s in (None, 45, 600, 12_600, 200_000)] == [
        "\u2013",
        "45 s",
        "10 min",
        "3.5 h",
        "2.3 days",
    ]
