"""app.core.csv: the one guard against CSV (formula) injection, used by every export."""

from __future__ import annotations

import pytest

from app.core import csv as core_csv
from app.release import oversight
from app.selection import report


@pytest.mark.parametrize("risky", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=", "-"])
def test_a_cell_that_starts_a_formula_gets_a_leading_apostrophe(risky):
    assert core_csv.safe_cell(risky) == "'" + risky


@pytest.mark.parametrize(
    "fine", ["Senior social worker", "", " =1", "1-2", "a=b", "'=1", "12.0", 12, -1, None]
)
def test_other_cells_are_left_alone(fine):
    # only the first character counts; numbers (even negative) are not strings
    assert core_csv.safe_cell(fine) == fine


def test_every_export_uses_the_one_copy():
    assert oversight.safe_cell is core_csv.safe_cell
    assert report.safe_cell is core_csv.safe_cell
