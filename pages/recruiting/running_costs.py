"""Running costs & assumptions: what the programme costs each month (recruiters), and the
baselines and exchange rates the savings are computed with (admins)."""

from datetime import date

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.months import month_start
from services.savings import running_costs
from services.savings.report import COST_CATEGORIES

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
is_admin = actor.role is Role.ADMIN
st.title("Running costs & assumptions")
assumptions = running_costs.assumptions(actor)

costs_tab, assumptions_tab = st.tabs(["Running costs", "Assumptions and exchange rates"])

with costs_tab:
    st.caption("What running the programme costs each month: content work, tools and "
               "promotion. ROI and the payback month are computed against these.")
    months = [month_start(date.today(), back) for back in range(36)]
    month = st.selectbox("Month", months, format_func=lambda m: m.strftime("%B %Y"))
    entered = running_costs.month_costs(actor, month)
    with st.form(f"costs:{month}"):
        columns = st.columns(len(COST_CATEGORIES))
        amounts = {category: column.number_input(
            label, min_value=0.0, step=100.0,
            value=float(entered.amounts.get(category, 0)) if entered else 0.0)
            for column, (category, label) in zip(columns, COST_CATEGORIES.items(), strict=True)}
        currency_col, note_col = st.columns([1, 4])
        currency = currency_col.text_input("Currency", entered.currency if entered
                                           else assumptions.currency, max_chars=3)
        note = note_col.text_input("Note", entered.note if entered else "", max_chars=500)
        saved = st.form_submit_button("Save month", type="primary")
    if saved:
        try:
            running_costs.save_month_costs(actor, month, amounts, currency, note)
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.success(f"Saved the running costs of {month:%B %Y}.")

    ui.paged_table(
        "running-costs-page",
        lambda page: running_costs.running_costs_page(actor, page=page),
        lambda m: {"Month": m.month.strftime("%b %Y"),
                   **{label: float(m.amounts.get(c, 0)) for c, label in COST_CATEGORIES.items()},
                   "Total": float(m.total), "Currency": m.currency, "Note": m.note},
        empty="No running costs entered yet. Choose a month above and enter its costs.",
    )

with assumptions_tab:
    if (removed := st.session_state.pop("assumptions-saved", None)) is not None:
        if removed:
            st.warning(f"Assumptions saved. The exchange rates for {', '.join(removed)} said what "
                       "they were worth in the old reporting currency and were removed: enter them "
                       "again below. Check the job-board baseline too; it is now read in the new "
                       "currency.")
        else:
            st.success("Assumptions saved.")
    if not is_admin:
        st.info("Only admins change these; ask one if a figure looks wrong.")
    problems = ui.FieldProblems()  # a refused save: the summary here, each problem under its field
    with st.form("assumptions"):
        left, middle, right = st.columns(3)
        with left:
            currency = st.text_input("Reporting currency", assumptions.currency, max_chars=3,
                                     disabled=not is_admin)
            problems.under("currency")
        with middle:
            fee_rate = st.number_input(
                "Headhunter fee, % of first-year salary", 0.0, 100.0, assumptions.fee_rate * 100,
                step=0.5, disabled=not is_admin, help="Agencies usually charge 15–35 %; 20 % is typical.")
            problems.under("fee_rate")
        with right:
            job_board_cost = st.number_input(
                "Job-board baseline cost per hire", 0.0, value=assumptions.job_board_cost_per_hire,
                step=100.0, disabled=not is_admin,
                help="What a hire through job boards costs; about 4,700 USD on average (SHRM).")
            problems.under("job_board_cost_per_hire")
        with left:
            bonus = st.number_input(
                "Default referral bonus of a new job posting", 0.0, value=assumptions.default_referral_bonus,
                step=250.0, disabled=not is_admin,
                help="Typically 1,000–2,500; each posting can set its own.")
            problems.under("default_referral_bonus")
        problems.by_button()
        saved = st.form_submit_button("Save assumptions", type="primary", disabled=not is_admin)
    if saved:
        try:
            removed = running_costs.save_assumptions(actor, currency=currency, fee_rate=fee_rate / 100,
                                                 job_board_cost_per_hire=job_board_cost,
                                                 default_referral_bonus=bonus)
        except UserFacingError as error:
            problems.show(error)  # the form keeps everything typed
        else:
            st.session_state["assumptions-saved"] = removed
            st.rerun()

    st.subheader("Exchange rates", anchor=False)
    st.caption(f"What one unit of another currency is worth in {assumptions.currency}. Changing "
               "the reporting currency removes them, since they were written in the old one. Hires "
               "and costs in a currency without a rate are left out of the figures, and the "
               "Savings page says so.")
    rates = assumptions.rates or {}
    if rates:
        st.dataframe([{"Currency": c, f"Value in {assumptions.currency}": r}
                      for c, r in rates.items()], hide_index=True)
    if is_admin:
        rate_problems = ui.FieldProblems()
        with st.form("rate"):
            code_col, rate_col = st.columns(2)
            with code_col:
                code = st.text_input("Currency", max_chars=3, placeholder="EUR")
                rate_problems.under("currency")
            with rate_col:
                rate = st.number_input(f"Value of 1 unit in {assumptions.currency}",
                                       running_costs.MIN_RATE, running_costs.MAX_RATE, value=1.0,
                                       step=0.01, format="%.6f")
                rate_problems.under("rate")
            set_rate = st.form_submit_button("Set rate")
        if set_rate:
            try:
                running_costs.set_rate(actor, code, rate)
            except UserFacingError as error:
                rate_problems.show(error)
            else:
                st.rerun()
        if rates:
            remove_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
            to_remove = remove_col.selectbox("Remove a rate", list(rates))
            if button_col.button("Remove", icon=":material/delete:"):
                running_costs.remove_rate(actor, to_remove)
                st.rerun()
