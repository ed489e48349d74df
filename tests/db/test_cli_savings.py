"""`portal import hires` and `portal report savings`, run as a user would from a shell."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from pypdf import PdfReader

from tests.support import portal_command

GOOD_AND_BAD = (
    "hire_date,job_title,department,source,first_year_salary,currency,referral_bonus,agency_fee\n"
    "2026-03-02,Backend Engineer,Engineering,referral,\"85,000\",USD,1500,\n"
    "2026-03-05,Designer,Design,agency,70000,EUR,,14000\n"
    "2026-13-01,Analyst,Data,direct,60000,USD,,\n"
    "2026-04-01,Sales Lead,Sales,headhunter,60000,USD,,\n"
)


def test_import_keeps_good_rows_reports_bad_ones_and_is_idempotent(clean_db, tmp_path: Path):
    file = tmp_path / "hires.csv"
    file.write_text(GOOD_AND_BAD)
    first = portal_command("import", "hires", str(file))
    assert first.returncode == 1  # some rows were left out
    assert "added 2 hires" in first.stdout
    assert "row 4: hire_date “2026-13-01” is not a date" in first.stderr
    assert "row 5: source “headhunter” is not one of" in first.stderr
    again = portal_command("import", "hires", str(file))
    assert "added 0 hires; skipped 2 rows imported before" in again.stdout
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.hires")).scalar() == 2
        assert conn.execute(sa.text(
            "select first_year_salary from public.hires where job_title = 'Backend Engineer'"
        )).scalar() == 85000


def test_import_of_a_missing_file_or_a_file_without_the_columns(clean_db, tmp_path: Path):
    missing = portal_command("import", "hires", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    file = tmp_path / "wrong.csv"
    file.write_text("date,title\n2026-01-01,x\n")
    wrong = portal_command("import", "hires", str(file))
    assert wrong.returncode == 1 and "missing: hire_date, job_title" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_report_in_each_format(demo_db, tmp_path: Path):
    # The demo's year of hires, dated back from today: a fixed period would leave them behind.
    today = date.today()
    for file_format in ("csv", "xlsx", "pdf"):
        output = tmp_path / f"report.{file_format}"
        result = portal_command("report", "savings", "--from", f"{today - timedelta(days=400)}",
                                "--to", f"{today}", "--format", file_format, "--output", str(output))
        assert result.returncode == 0, result.stderr
        assert f"wrote {output}" in result.stdout
    detail = pd.read_csv(tmp_path / "report.csv")
    assert {"month", "source", "hires", "saving_vs_headhunter"} <= set(detail.columns)
    assert detail["hires"].sum() > 0
    workbook = pd.read_excel(tmp_path / "report.xlsx", sheet_name=None)
    assert list(workbook) == ["Summary", "By source", "By department", "By month", "Detail"]
    assert workbook["By source"]["Hires"].sum() == detail["hires"].sum()
    pdf = PdfReader(io.BytesIO((tmp_path / "report.pdf").read_bytes()))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Northwind Analytics" in text and "SAVING VS HEADHUNTER" in text


def test_report_rejects_a_backwards_period_and_bad_dates(clean_db):
    backwards = portal_command("report", "savings", "--from", "2026-02-01", "--to", "2026-01-01",
                        "--format", "csv")
    assert backwards.returncode == 1 and "--to is before --from" in backwards.stderr
    bad = portal_command("report", "savings", "--from", "2026-02-30", "--to", "2026-03-01", "--format", "csv")
    assert bad.returncode == 2 and "not a date in the form YYYY-MM-DD" in bad.stderr
