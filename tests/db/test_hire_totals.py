"""`public.hire_totals`, the sums the database keeps per month, source, channel, department
and currency, always equal what the hires themselves add up to."""

from __future__ import annotations

import random
from datetime import date

import pandas as pd
import sqlalchemy as sa

from services.savings import report as savings

KEYS = ["month", "source", "channel", "department", "currency"]


def kept_totals(conn) -> pd.DataFrame:
    frame = savings._groups_frame(conn.execute(sa.text(
        "select month, source::text as source, channel, department, currency, hires, salary,"
        " referral_bonus, ad_spend, job_board_fee, agency_fee, other_cost from public.hire_totals")))
    return frame.sort_values(KEYS).reset_index(drop=True)


def summed_hires(conn) -> pd.DataFrame:
    frame = savings.hire_groups_from_hires(conn, date(2000, 1, 1), date(2100, 1, 1))
    return frame.sort_values(KEYS).reset_index(drop=True)


def test_totals_follow_inserts_updates_deletes_and_truncate(clean_db):
    rng = random.Random(7)
    with clean_db.begin() as conn:
        for step in range(12):
            rows = [{"date": date(2026, rng.randint(1, 4), rng.randint(1, 28)),
                     "dept": rng.choice(["Eng", "Sales"]), "source": rng.choice(savings.SOURCES),
                     "channel": rng.choice([None, "linkedin"]), "salary": rng.randint(1, 9) * 10000,
                     "bonus": rng.choice([0, 1500]), "currency": rng.choice(["USD", "EUR"])}
                    for _ in range(rng.randint(1, 30))]
            conn.execute(sa.text(
                "insert into public.hires (hire_date, job_title, department, source, channel,"
                " first_year_salary, referral_bonus, currency) values (:date, 'Job', :dept,"
                " cast(:source as public.hire_source), :channel, :salary, :bonus, :currency)"), rows)
            if step % 3 == 1:  # move some hires to another month, source and amount
                conn.execute(sa.text(
                    "update public.hires set hire_date = hire_date + 20, source = 'direct',"
                    " channel = null, ad_spend = ad_spend + 75 where random() < 0.3"))
            if step % 4 == 2:
                conn.execute(sa.text("delete from public.hires where random() < 0.2"))
            pd.testing.assert_frame_equal(kept_totals(conn), summed_hires(conn))
        assert not kept_totals(conn).empty
        # The staff data's number moves at commit (a deferred trigger): a table with such
        # events pending cannot be truncated in the same transaction until they have run.
        conn.execute(sa.text("set constraints all immediate"))
        conn.execute(sa.text("truncate public.hires cascade"))
        assert kept_totals(conn).empty


def test_report_groups_for_a_period_that_starts_and_ends_mid_month(clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text(
            "insert into public.hires (hire_date, job_title, department, source, first_year_salary)"
            " select d, 'Job', 'Eng', 'referral', 50000"
            " from generate_series(date '2026-01-01', date '2026-05-31', interval '1 day') d"))
        for start, end in ((date(2026, 1, 15), date(2026, 4, 10)), (date(2026, 2, 1), date(2026, 3, 31)),
                           (date(2026, 3, 5), date(2026, 3, 9)), (date(2025, 12, 1), date(2026, 6, 30))):
            groups = savings.hire_groups(conn, start, end)
            expected = savings.hire_groups_from_hires(conn, start, end)
            assert groups["hires"].sum() == (min(end, date(2026, 5, 31))
                                             - max(start, date(2026, 1, 1))).days + 1
            pd.testing.assert_frame_equal(groups.sort_values("month").reset_index(drop=True),
                                          expected.sort_values("month").reset_index(drop=True))


def test_whole_months():
    assert savings.whole_months(date(2026, 1, 1), date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 4, 1))
    assert savings.whole_months(date(2026, 1, 2), date(2026, 3, 30)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert savings.whole_months(date(2026, 3, 5), date(2026, 3, 9)) == (date(2026, 4, 1), date(2026, 4, 1))
    assert savings.whole_months(date(2026, 12, 1), date(2026, 12, 31)) == \
        (date(2026, 12, 1), date(2027, 1, 1))
