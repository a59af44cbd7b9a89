"""score_many: one output per input, in order; bad records reported with their row, good ones scored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, strategies as st

import par_rules
from par_rules import RecordError, Result, score_many

METHODOLOGY = par_rules.load("example/par-index/district", year=2024)

GOOD: dict[str, Any] = {
    "plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True, "inspected_share": 1,
    "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60, "digitised_rate": 40,
    "violations": 0, "initiatives": 1, "e_gov_points": 16, "satisfaction": {"A": 1},
}


def unit(name: str, **changes: Any) -> dict[str, Any]:
    return {**GOOD, "unit": name, **changes}


def test_bad_records_do_not_stop_the_good_ones() -> None:
    records = [unit("a"), unit("b", online_rate="lots"), unit("c"), "not a record", unit("e", violations=-1), unit("f")]
    outputs = list(score_many(METHODOLOGY, records))
    assert len(outputs) == len(records)
    assert [type(output).__name__ for output in outputs] == ["Result", "RecordError", "Result", "RecordError", "RecordError", "Result"]
    assert [output.unit for output in outputs if isinstance(output, Result)] == ["a", "c", "f"]
    rows = [{problem.row for problem in output.problems} for output in outputs if isinstance(output, RecordError)]
    assert rows == [{2}, {4}, {5}]
    assert outputs[1].problems[0].indicator == "online_rate"


def test_the_figures_of_a_batch_are_those_of_score_one_by_one() -> None:
    # 10 + 17 (2.3: 6 x 40 / 80 = 3) + 10 + 8.5 + 16 + 33.25 (6.2 not applicable: 6 rescaled)
    (result,) = score_many(METHODOLOGY, [unit("a")])
    assert isinstance(result, Result)
    assert result.total == par_rules.score(METHODOLOGY, unit("a")).total
    assert str(result.published_total) == "94.75"


def test_rows_given_with_the_records_are_kept() -> None:
    outputs = list(score_many(METHODOLOGY, [(7, unit("a")), (9, unit("b", plan_issued="soon"))]))
    assert isinstance(outputs[0], Result)
    assert isinstance(outputs[1], RecordError) and outputs[1].problems[0].row == 9
    assert "row 9: indicator plan_issued" in str(outputs[1])


def test_an_error_passed_in_comes_out_in_its_place() -> None:
    unreadable = RecordError([par_rules.Problem("not valid JSON", row=2)])
    outputs = list(score_many(METHODOLOGY, [(1, unit("a")), (2, unreadable), (3, unit("c"))]))
    assert outputs[1] is unreadable and isinstance(outputs[2], Result)


def test_streams_without_reading_ahead() -> None:
    pulled: list[int] = []

    def records() -> Iterator[dict[str, Any]]:
        for number in range(1000):
            pulled.append(number)
            yield unit(f"u{number}")

    outputs = score_many(METHODOLOGY, records())
    first = next(outputs)
    assert isinstance(first, Result) and first.unit == "u0"
    assert pulled == [0]


def test_an_id_picks_the_version_per_record_and_a_year_with_no_version_is_that_rows_error() -> None:
    outputs = list(score_many("example/par-index/district", [unit("a", period=2024), unit("b", period=1999), unit("c")]))
    assert isinstance(outputs[0], Result) and outputs[0].methodology.version == "2024"
    assert isinstance(outputs[1], RecordError)
    assert outputs[1].problems[0].row == 2 and "1999" in outputs[1].problems[0].message
    assert isinstance(outputs[2], Result)


@given(st.lists(st.sampled_from(["good", "bad_value", "unknown", "not_mapping", "bad_period"]), max_size=12))
def test_one_output_per_input_in_order(kinds: list[str]) -> None:
    makers = {
        "good": lambda n: unit(f"u{n}"),
        "bad_value": lambda n: unit(f"u{n}", plan_completion="-"),
        "unknown": lambda n: unit(f"u{n}", onlin_rate=3),
        "not_mapping": lambda n: [n],
        "bad_period": lambda n: unit(f"u{n}", period="next year"),
    }
    records = [makers[kind](n) for n, kind in enumerate(kinds)]
    outputs = list(score_many(METHODOLOGY, records))
    assert len(outputs) == len(records)
    for row, (kind, output) in enumerate(zip(kinds, outputs), start=1):
        if kind == "good":
            assert isinstance(output, Result) and output.unit == f"u{row - 1}"
        else:
            assert isinstance(output, RecordError)
            assert {problem.row for problem in output.problems} == {row}
