"""The Savings, Hires and Running costs & assumptions pages through AppTest."""

from __future__ import annotations

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.helpers import app_as, assert_no_exception, open_as, texts


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_savings_page_shows_the_headline_figures_and_tables(demo_db):
    at = open_as("recruiter@example.com", "pages/recruiting/savings.py")
    assert "Savings" in texts(at)
    assert int(metric(at, "Hires")) > 90
    assert metric(at, "Saving vs headhunter").startswith("USD ")
    assert metric(at, "Payback month") != "—"
    by_source = at.dataframe[0].value
    assert "Referral" in set(by_source["Source"])
    assert [b.label for b in at.get("download_button")][-3:] == \
        ["Excel workbook", "One-page PDF", "Detail CSV"]


def test_what_if_sliders_recompute_the_figures(demo_db):
    at = open_as("admin@example.com", "pages/recruiting/savings.py")
    what_if = next(d for d in at.dataframe if "What if" in d.value.columns).value
    # Untouched sliders: the what-if is the actual.
    assert list(what_if["Actual"]) == list(what_if["What if"])
    at.slider[0].set_value(30.0).run()
    what_if = next(d for d in at.dataframe if "What if" in d.value.columns).value
    row = what_if[what_if["Figure"] == "Saving vs headhunter"].iloc[0]
    assert _amount(row["What if"]) > _amount(row["Actual"])


def _amount(text: str) -> float:
    return float(text.split(" ", 1)[1].replace(",", ""))


def test_savings_page_with_no_hires(clean_db):
    from portal.db import owner_transaction
    from portal.models import Role
    from services.accounts import create_account
    with owner_transaction() as conn:
        create_account(conn, "r@example.com", "R", Role.RECRUITER, "a long password!")
    from services import sign_in
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
    at = open_as("recruiter@example.com", "pages/recruiting/hires.py")
    assert "Hires" in texts(at)
    assert len(at.dataframe[0].value) == 25
    at.selectbox[0].set_value("agency").run()
    assert set(at.dataframe[0].value["Source"]) == {"Agency"}


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
    at.button(key="FormSubmitter:assumptions-Save assumptions").click().run()
    assert_no_exception(at)
    at = open_as("admin@example.com", "pages/recruiting/savings.py")
    assert "fee rate (25.0%)" in texts(at)


def test_admin_sets_and_removes_an_exchange_rate(demo_db):
    at = open_as("admin@example.com", "pages/recruiting/running_costs.py")
    currency = next(t for t in at.text_input if t.label == "Currency" and t.placeholder == "EUR")
    rate = next(n for n in at.number_input if n.label.startswith("Value of 1 unit in"))
    currency.input("CHF")
    rate.set_value(1.125)
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
