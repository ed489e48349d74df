"""The Savings, Hires and Running costs & assumptions pages through AppTest."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from portal.months import month_start
from tests.app.helpers import (
    app_as,
    as_read,
    assert_errors,
    assert_no_exception,
    open_as,
    problem_under,
    texts,
)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# The demo's running costs (services/demo.py _running_costs), every month of the default
# period (this month and the eleven before): content 6,500 + tools 900 + promotion, 6,000 in the
# four campaign months (0, 3, 6, 9 back) and 2,500 in the eight others:
# 12 x 7,400 + 4 x 6,000 + 8 x 2,500 = 132,800 USD.
DEMO_RUNNING_COSTS = 132_800


def _expected_savings(engine, fee_rate: float = 0.20) -> dict:
    """The savings model (services/savings/report.py's docstring) worked out again in plain SQL, hire
    by hire, for the page's default period: the demo's rates (EUR 1.08, GBP 1.27), the default
    job-board baseline of 4,700 USD a hire. Returns the figures and the payback month."""
    start = month_start(date.today(), 11)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            """
            with h as (
              select date_trunc('month', hire_date)::date as month, source::text as source,
                     first_year_salary * r.rate as salary,
                     (referral_bonus + ad_spend + job_board_fee + agency_fee + other_cost) * r.rate as cost
              from public.hires
              join (values ('USD', 1.0), ('EUR', 1.08), ('GBP', 1.27)) r (currency, rate)
                on r.currency = hires.currency
              where hire_date between :start and current_date)
            select month, count(*) as hires, sum(cost) as cost,
                   sum(case when source <> 'agency' then :fee * salary - cost else 0 end) as headhunter,
                   sum(case when source in ('referral', 'social', 'direct', 'internal')
                            then 4700 - cost else 0 end) as job_boards,
                   sum(case when source <> 'agency' then salary else 0 end) as salary_not_agency
            from h group by month order by month
            """), {"start": start, "fee": fee_rate}).all()
        months = conn.execute(sa.text(
            "select month, sum(amount) from public.programme_costs where month >= :start group by 1"),
            {"start": start}).all()
    costs = dict(months)
    assert sum(costs.values()) == DEMO_RUNNING_COSTS
    payback, saved, spent = None, 0.0, 0.0
    by_month = {row.month: float(row.headhunter) for row in rows}
    for month in sorted(set(by_month) | set(costs)):
        saved, spent = saved + by_month.get(month, 0.0), spent + float(costs.get(month, 0))
        if payback is None and spent > 0 and saved > spent:
            payback = month
    headhunter = sum(float(r.headhunter) for r in rows)
    return {"hires": sum(r.hires for r in rows), "cost": sum(float(r.cost) for r in rows),
            "headhunter": headhunter, "job_boards": sum(float(r.job_boards) for r in rows),
            "roi": (headhunter - DEMO_RUNNING_COSTS) / DEMO_RUNNING_COSTS, "payback": payback,
            "salary_not_agency": sum(float(r.salary_not_agency) for r in rows)}


def _close(shown: str, expected: float) -> bool:
    """A money figure as shown ("USD 1,234") is the expected amount to the unit it shows."""
    return abs(_amount(shown) - expected) <= 0.5 + 1e-6


def test_savings_page_shows_the_headline_figures_and_tables(demo_db):
    at = open_as("recruiter@example.com", "pages/recruiting/savings.py")
    assert "Savings" in texts(at)
    expected = _expected_savings(demo_db)
    assert expected["hires"] > 90  # the demo's year of hires (96 imported, the portal's own)
    assert metric(at, "Hires") == str(expected["hires"])
    assert _close(metric(at, "Actual cost per hire"), expected["cost"] / expected["hires"])
    assert _close(metric(at, "Saving vs headhunter"), expected["headhunter"])
    assert _close(metric(at, "Saving vs job boards"), expected["job_boards"])
    assert metric(at, "Running costs") == "USD 132,800"
    assert metric(at, "ROI") == f"{expected['roi']:.0%}"
    assert metric(at, "Payback month") == expected["payback"].strftime("%b %Y")
    by_source = at.dataframe[0].value
    assert "Referral" in set(by_source["Source"])
    assert by_source["Hires"].sum() == expected["hires"]
    assert abs(by_source["Saving vs headhunter"].sum() - expected["headhunter"]) <= len(by_source) * 0.5
    assert [b.label for b in at.get("download_button")][-3:] == \
        ["Excel workbook", "One-page PDF", "Detail CSV"]


def test_what_if_sliders_recompute_the_figures(demo_db):
    at = open_as("admin@example.com", "pages/recruiting/savings.py")
    what_if = next(d for d in at.dataframe if "What if" in d.value.columns).value
    # Untouched sliders: the what-if is the actual.
    assert list(what_if["Actual"]) == list(what_if["What if"])
    at.slider[0].set_value(30.0).run()
    what_if = next(d for d in at.dataframe if "What if" in d.value.columns).value
    shown = dict(zip(what_if["Figure"], zip(what_if["Actual"], what_if["What if"], strict=True), strict=True))
    # A 30 % fee, the bonus and the referral share as they were: every hire not made through an
    # agency saves 30 % of its salary instead of 20 %, nothing else moves.
    actual, at_30 = _expected_savings(demo_db), _expected_savings(demo_db, fee_rate=0.30)
    assert abs(at_30["headhunter"] - actual["headhunter"] - 0.10 * actual["salary_not_agency"]) < 0.01
    assert _close(shown["Saving vs headhunter"][0], actual["headhunter"])
    assert _close(shown["Saving vs headhunter"][1], at_30["headhunter"])
    assert shown["Actual cost per hire"][0] == shown["Actual cost per hire"][1]
    assert _close(shown["Actual cost per hire"][1], actual["cost"] / actual["hires"])
    assert shown["Saving vs job boards"][0] == shown["Saving vs job boards"][1]
    assert shown["ROI"] == (f"{actual['roi']:.0%}", f"{at_30['roi']:.0%}")


def _amount(text: str) -> float:
    return float(text.split(" ", 1)[1].replace(",", ""))


def test_savings_page_with_no_hires(clean_db):
    from portal.db import owner_transaction
    from portal.models import Role
    from services.people.accounts import create_account
    with owner_transaction() as conn:
        create_account(conn, "r@example.com", "R", Role.RECRUITER, "a long password!")
    from services.people import sign_in
    at = app_as(sign_in.with_password("r@example.com", "a long password!")).run()
    at.switch_page("pages/recruiting/savings.py").run()
    assert_no_exception(at)
    assert metric(at, "Hires") == "0"
    assert metric(at, "ROI") == "—"
    assert "No hires in this period" in texts(at)


def test_savings_page_warns_about_a_currency_without_a_rate(demo_db, engine):
    with engine.begin() as conn:
        conn.execute(sa.text("delete from public.exchange_rates where currency = 'EUR'"))
    at = open_as("recruiter@example.com", "pages/recruiting/savings.py")
    assert any("no exchange rate from EUR to USD" in w.value for w in at.warning)


def test_hires_page_lists_and_corrects_a_hire(demo_db):
    savings_before = open_as("recruiter@example.com", "pages/recruiting/savings.py")
    at = open_as("recruiter@example.com", "pages/recruiting/hires.py")
    assert "Hires" in texts(at)
    assert len(at.dataframe[0].value) == 25
    at.selectbox[0].set_value("agency").run()
    agency = at.dataframe[0].value
    assert set(agency["Source"]) == {"Agency"}
    # The latest agency hire (newest first), corrected: it came through a referral after all.
    at.session_state["hires-table:hires-page::agency:1"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert_no_exception(at)
    with demo_db.connect() as conn:
        hire = conn.execute(sa.text(
            "select id, hire_date, first_year_salary, other_cost from public.hires where source = 'agency'"
            " order by hire_date desc, created_at desc, id limit 1")).one()
    assert hire.hire_date >= month_start(date.today(), 11)  # in the savings page's period
    assert at.subheader[0].value == f"{agency['Job'][0]}, hired {hire.hire_date:%d %b %Y}"
    form = [s for s in at.selectbox if s.label == "Source"][-1]
    form.set_value("referral")
    next(n for n in at.number_input if n.label == "First-year salary").set_value(100_000.0)
    next(t for t in at.text_input if t.label == "Currency").set_value("US")
    next(t for t in at.text_input if t.label == "Channel").set_value("Indeed\x00")
    next(n for n in at.number_input if n.label == "Agency fee").set_value(0.0)
    next(n for n in at.number_input if n.label == "Referral bonus").set_value(2_000.0)
    at.button(key=f"FormSubmitter:edit-hire:{hire.id}-Save").click().run()
    # both problems at once, each under its field; nothing typed is lost
    assert_errors(at, "“US” is not a currency code")
    assert "“US” is not a currency code" in problem_under(at, "Currency")
    assert "Channel: remove a NUL character" in problem_under(at, "Channel")
    assert problem_under(at, "Source") is None
    assert next(n for n in at.number_input if n.label == "First-year salary").value == 100_000.0
    next(t for t in at.text_input if t.label == "Currency").set_value("USD")
    next(t for t in at.text_input if t.label == "Channel").set_value("Indeed")
    at.button(key=f"FormSubmitter:edit-hire:{hire.id}-Save").click().run()
    assert_no_exception(at)

    with demo_db.connect() as conn:
        stored = conn.execute(sa.text(
            "select source::text, first_year_salary, currency, referral_bonus, agency_fee, other_cost"
            " from public.hires where id = :id"), {"id": hire.id}).one()
    assert tuple(stored) == ("referral", 100_000, "USD", 2_000, 0, hire.other_cost)
    assert len(at.dataframe[0].value) == len(agency) - 1  # no longer among the agency hires

    # On the Savings page: an agency hire saved nothing; as a referral it saves 20 % of
    # 100,000 less its cost (2,000 + its other cost) against a headhunter, and 4,700 less the
    # same against job boards. The other figures are rounded to the unit: within 1.
    cost = 2_000 + float(hire.other_cost)
    savings_after = open_as("recruiter@example.com", "pages/recruiting/savings.py")
    for label, change in (("Saving vs headhunter", 20_000 - cost), ("Saving vs job boards", 4_700 - cost)):
        moved = _amount(metric(savings_after, label)) - _amount(metric(savings_before, label))
        assert abs(moved - change) <= 1, (label, moved, change)
    assert metric(savings_after, "Hires") == metric(savings_before, "Hires")

    def hires_by_source(at: AppTest) -> dict:
        table = at.dataframe[0].value
        return table.groupby("Source")["Hires"].sum().to_dict()
    before, after = hires_by_source(savings_before), hires_by_source(savings_after)
    assert after["Agency"] == before["Agency"] - 1 and after["Referral"] == before["Referral"] + 1


def test_running_costs_page_saves_a_month_and_rejects_bad_currency(demo_db):
    at = open_as("recruiter@example.com", "pages/recruiting/running_costs.py")
    assert len(at.dataframe[0].value) == 12  # the demo's year, one page
    at.number_input[0].set_value(1234.0)
    at.text_input[0].set_value("US")
    at.button(key="FormSubmitter:costs:" + str(at.selectbox[0].value) + "-Save month").click().run()
    assert "is not a currency code" in texts(at)
    assert at.number_input[0].value == 1234.0  # nothing typed is lost
    at.text_input[0].set_value("USD")
    at.button(key="FormSubmitter:costs:" + str(at.selectbox[0].value) + "-Save month").click().run()
    assert_no_exception(at)
    assert "Saved the running costs" in texts(at)


def test_assumptions_are_read_only_for_recruiters_and_editable_for_admins(demo_db):
    at = open_as("recruiter@example.com", "pages/recruiting/running_costs.py")
    assert "Only admins change these" in texts(at)
    assert at.button(key="FormSubmitter:assumptions-Save assumptions").disabled
    at = open_as("admin@example.com", "pages/recruiting/running_costs.py")
    fee = next(n for n in at.number_input if n.label.startswith("Headhunter fee"))
    fee.set_value(25.0)
    next(t for t in at.text_input if t.label == "Reporting currency").input("U$")
    at.button(key="FormSubmitter:assumptions-Save assumptions").click().run()
    # refused under its field, and what was typed stays
    assert_errors(at, "“U$” is not a currency code")
    assert "“U$” is not a currency code" in problem_under(at, "Reporting currency")
    assert problem_under(at, "Headhunter fee, % of first-year salary") is None
    assert next(n for n in at.number_input if n.label.startswith("Headhunter fee")).value == 25.0
    next(t for t in at.text_input if t.label == "Reporting currency").input("USD")
    at.button(key="FormSubmitter:assumptions-Save assumptions").click().run()
    assert_no_exception(at)
    at = open_as("admin@example.com", "pages/recruiting/savings.py")
    assert "fee rate (25.0%)" in texts(at)


def test_admin_sets_and_removes_an_exchange_rate(demo_db):
    at = open_as("admin@example.com", "pages/recruiting/running_costs.py")
    currency = next(t for t in at.text_input if t.label == "Currency" and t.placeholder == "EUR")
    rate = next(n for n in at.number_input if n.label.startswith("Value of 1 unit in"))
    currency.input("C1")
    rate.set_value(1.125)
    at.button(key="FormSubmitter:rate-Set rate").click().run()
    assert_errors(at, "“C1” is not a currency code")
    # under the field (the month's costs form above has a "Currency" of its own)
    assert [c.value for c in at.caption if "“C1” is not a currency code" in as_read(c.value)]
    currency = next(t for t in at.text_input if t.label == "Currency" and t.placeholder == "EUR")
    currency.input("CHF")
    at.button(key="FormSubmitter:rate-Set rate").click().run()
    assert_no_exception(at)
    with demo_db.connect() as conn:
        stored = conn.execute(sa.text("select rate from public.exchange_rates where currency = 'CHF'"))
        assert float(stored.scalar_one()) == 1.125
    shown = at.dataframe[1].value
    assert shown.loc[shown["Currency"] == "CHF"].iloc[0, 1] == 1.125
    next(s for s in at.selectbox if s.label == "Remove a rate").select("CHF")
    next(b for b in at.button if b.label == "Remove").click().run()
    assert_no_exception(at)
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.exchange_rates"
                                    " where currency = 'CHF'")).scalar_one() == 0
