"""Post performance: what each social post and each channel brought (visits, applications,
hires) and at what cost, best first; spend recorded on a post; both tables exported."""

from datetime import date, timedelta

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.spreadsheets import MEDIA_TYPES, csv_bytes
from portal.words import counted
from services.savings.export import money
from services.social import performance as perf
from services.social.performance import ResultsFilter

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Post performance")
st.caption("Which posts and channels bring visits, applications and hires, and what each cost. "
           "Use the best ones as the model for the next posts, and take the figures to the "
           "management meeting.")

today = date.today()
choices = perf.performance_choices(actor)  # the filters' and the spend form's choices
channel_names = dict(choices.channels)
period_col, channel_col = st.columns([3, 2])
period = period_col.date_input("Period", value=(today - timedelta(days=89), today), max_value=today,
                               format="YYYY-MM-DD",
                               help="Visits, applications, hires and spend dated in this period, "
                                    "both days included.")
channel = channel_col.selectbox("Channel", [None, *channel_names],
                                format_func=lambda c: "All channels" if c is None else channel_names[c])
if len(period) != 2:
    st.info("Choose the last day of the period too.")
    st.stop()
chosen = ResultsFilter(period[0], period[1], channel_id=channel)
currencies = choices.currencies
currency = currencies.currency
RESULTS_KEY = f"post-results:{chosen}"
results = perf.performance_results(actor, chosen, ui.page_number(RESULTS_KEY))  # one transaction

for missing, count in results.unconverted_costs.items():
    st.warning(f"Left out: {counted(count, 'recorded cost')} in {missing}, as there is no exchange rate from "
               f"{missing} to {currency}. An admin can add one under Running costs & assumptions.",
               icon=":material/currency_exchange:")

by_channel = results.by_channel
channels_table = perf.channels_table(by_channel)
total = perf.Figures(int(channels_table[perf.VISITS].sum()), int(channels_table[perf.APPLICATIONS].sum()),
                     int(channels_table[perf.HIRES].sum()),
                     channels_table[perf.COST].sum() if channels_table[perf.COST].notna().any() else None)
figures = [("Posts", f"{int(channels_table['Posts'].sum()):,}"), ("Visits", f"{total.visits:,}"),
           ("Applications", f"{total.applications:,}"), ("Hires", f"{total.hires:,}"),
           ("Cost", money(total.cost, currency)), ("Cost per hire", money(total.cost_per_hire, currency))]
# A row that wraps rather than columns: all six in a row on a computer, two or three a row on
# a phone (columns would stack them, a screenful of figures before the tables).
figures_row = st.container(horizontal=True, wrap=True, gap="medium", key="performance-figures")
for label, value in figures:
    figures_row.metric(label, value, width="content")


def shown(row: dict) -> dict:
    """A table row as people read it: money in the reporting currency, rates in %, "—" for none."""
    return {k: ("—" if v is None or v != v else  # None, or NaN from pandas
                money(v, currency) if k in perf.MONEY_COLUMNS else f"{v:.0%}" if k in perf.RATE_COLUMNS
                else v) for k, v in row.items()}


# Short headers for the long figures (the long name on hover), so that the channels' table fits
# 1400 pixels without its last column cut off; exports keep the long names.
short_headers = {perf.APPLICATION_RATE: st.column_config.TextColumn("Apply rate",
                                                                    help="Applications per visit"),
                 perf.HIRE_RATE: st.column_config.TextColumn("Hire rate", help="Hires per application"),
                 perf.COST_PER_APPLICATION: st.column_config.TextColumn("Per application",
                                                                        help="Cost per application"),
                 perf.COST_PER_HIRE: st.column_config.TextColumn("Per hire", help="Cost per hire")}
column_config = {"Published": st.column_config.DateColumn("Published", format="YYYY-MM-DD"), **short_headers}

if not by_channel:
    st.info("No published posts in this period. A post counts here once it is published with its "
            "tracked link; visits, applications and hires through that link are credited to it. "
            "Choose a longer period or another channel.")
else:
    st.subheader("By channel", anchor=False)
    st.markdown(f"**{perf.CHANNEL_CHARTS_TITLE}**")
    charts_row = st.container(horizontal=True, wrap=True, key="channel-charts")
    for spec in perf.channel_charts(channels_table):
        charts_row.vega_lite_chart(channels_table, spec, width="content")
    st.dataframe([shown(row) for row in channels_table.to_dict("records")], hide_index=True,
                 column_config=short_headers)
    st.download_button("Channels as CSV", lambda: csv_bytes(channels_table.round(2)),
                       perf.file_name("channels", chosen, "csv"), mime="text/csv",
                       icon=":material/download:", on_click="ignore")

    st.subheader("By post, best first", anchor=False)
    st.caption("Ordered by hires, then applications, then visits.")
    ui.paged_table(RESULTS_KEY, lambda _page: results.posts,
                   lambda r: shown(perf.post_row(r)),
                   empty="No posts in this period.", column_config=column_config)

    def posts_table():
        return perf.posts_table(perf.all_post_results(actor, chosen)).round(2)

    csv_col, excel_col = st.columns(2)
    csv_col.download_button("Posts as CSV", lambda: csv_bytes(posts_table()),
                            perf.file_name("posts", chosen, "csv"), mime="text/csv",
                            icon=":material/download:", width="stretch", on_click="ignore")
    excel_col.download_button("Excel workbook (both tables)",
                              lambda: perf.to_xlsx(channels_table.round(2), posts_table(), chosen, currency),
                              perf.file_name("all", chosen, "xlsx"), mime=MEDIA_TYPES["xlsx"],
                              icon=":material/table_view:", width="stretch", type="primary",
                              on_click="ignore")
    with st.expander("How these figures are computed"):
        st.markdown(perf.HOW_IT_IS_COMPUTED)

st.divider()
st.subheader("Record spend on a post", anchor=False)
posts = choices.published_posts
if not posts:
    st.info("Spend is recorded on published posts; there are none yet.")
else:
    st.caption(f"A boost, a paid promotion, or outside work on a post. Amounts in {currency}, or in "
               f"a currency with an exchange rate ({', '.join(currencies.known)}).")
    if recorded_message := st.session_state.pop("cost-recorded", None):
        st.success(recorded_message)
        st.session_state["cost-amount"], st.session_state["cost-note"] = None, ""  # ready for the next
    with st.form("record-cost"):
        post = st.selectbox("Post", list(posts), index=None, placeholder="Choose a published post",
                            key="cost-post")
        amount_col, currency_col, day_col = st.columns(3)
        amount = amount_col.number_input("Amount", min_value=0.0, value=None, step=10.0,
                                         placeholder="e.g. 150", key="cost-amount")
        code = currency_col.text_input("Currency", value=currency, max_chars=3, key="cost-currency")
        spent_on = day_col.date_input("Spent on", value=today, max_value=today, key="cost-day")
        note = st.text_input("Note (optional)", max_chars=500, key="cost-note",
                             placeholder="e.g. LinkedIn boost, one week")
        if st.form_submit_button("Record spend", type="primary", icon=":material/add_card:"):
            try:
                perf.record_cost(actor, posts.get(post), amount, code, spent_on, note)
            except UserFacingError as error:
                ui.show_error(error)
            else:
                st.session_state["cost-recorded"] = (
                    f"Recorded {money(amount, code.strip().upper())} on {ui.plain(post)}; the figures "
                    "above count it.")
                st.rerun()

recorded = results.recorded_costs
with st.expander(f"Spend recorded in this period ({len(recorded)})"):
    if not recorded:
        st.caption("Nothing recorded in this period.")
    else:
        is_admin = actor.role is Role.ADMIN
        chosen_rows = st.dataframe(
            [{"Post": c.post, "Amount": c.amount, "Currency": c.currency, "Spent on": ui.day_text(c.spent_on),
              "Note": c.note or "—", "Recorded by": c.recorded_by or "—"} for c in recorded],
            hide_index=True, key="recorded-costs", on_select="rerun" if is_admin else "ignore",
            selection_mode="single-row")
        if not is_admin:
            st.caption("A cost recorded by mistake is deleted by an admin.")
        elif rows := (chosen_rows.selection.rows if chosen_rows else []):
            cost = recorded[rows[0]]
            if st.button(f"Delete {money(cost.amount, cost.currency)} on {ui.plain(cost.post)}",
                         icon=":material/delete:"):
                try:
                    perf.delete_cost(actor, cost.id)
                except UserFacingError as error:
                    ui.show_error(error)
                else:
                    st.session_state.pop("recorded-costs", None)
                    st.rerun()
        else:
            st.caption("Select a row to delete a cost recorded by mistake.")
