"""Hires: the portal's own and imported ones, their costs corrected, new ones imported."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.savings import hires
from services.savings.report import SOURCE_LABELS, source_label

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Hires")
st.caption("Every hire the savings are computed from. The portal records a hire when an "
           "application or a referral is marked hired; hires made elsewhere are imported here.")

ORIGINS = {"portal": "Portal", "import": "Imported", "entered": "Entered"}

with st.expander("Import hires from a CSV file", icon=":material/upload_file:"):
    st.markdown(
        "One hire per row; the first row names the columns: `hire_date` (YYYY-MM-DD), "
        "`job_title`, `department`, `source` (one of " + ", ".join(f"`{s}`" for s in SOURCE_LABELS)
        + "), `first_year_salary`, and optionally `currency`, `referral_bonus`, `ad_spend`, "
        "`job_board_fee`, `agency_fee`, `other_cost` and `channel`. Rows are numbered as in a "
        "spreadsheet. Bad rows are listed and left out; the good ones are kept. Importing the "
        "same rows again adds nothing.")
    ui.csv_import("import-hires", lambda data, name: hires.import_hires(actor, data, name), "hire",
                  "Fix them and import the file again; the rows already imported will not be "
                  "added twice.")

search_col, source_col = st.columns([3, 2])
search = search_col.text_input("Search", placeholder="Job title, department or channel",
                               max_chars=100)
source = source_col.selectbox("Source", [None, *SOURCE_LABELS],
                              format_func=lambda s: "All sources" if s is None else SOURCE_LABELS[s])
page_key = f"hires-page:{search}:{source}"
result = hires.list_hires(actor, search=search, source=source, page=ui.page_number(page_key))
if not result.total:
    st.info("No hires match." if search or source else
            "No hires yet. Mark an application or referral hired, or import a file above.")
    st.stop()

table_key = f"hires-table:{page_key}:{result.number}"
selection = st.dataframe(
    [{"Date": h.hire_date, "Job": h.job_title, "Department": h.department,
      "Source": source_label(h.source), "Channel": source_label(h.channel),
      "Salary": float(h.first_year_salary), "Actual cost": float(h.actual_cost),
      "Currency": h.currency, "From": ORIGINS[h.origin]} for h in result.rows],
    hide_index=True, on_select="rerun", selection_mode="single-row",
    key=table_key,  # a selection belongs to one page of one list: another page starts with none
    column_config={"Salary": st.column_config.NumberColumn(format="localized"),
                   "Actual cost": st.column_config.NumberColumn(format="localized")})
ui.pagination(result, page_key)

chosen = [row for row in (selection.selection.rows if selection else []) if row < len(result.rows)]
if not chosen:
    st.caption("Select a hire to correct its source, salary or costs.")
    st.stop()

hire = result.rows[chosen[0]]
st.subheader(ui.plain(f"{hire.job_title}, hired {hire.hire_date:%d %b %Y}"), anchor=False)
problems = ui.FieldProblems()  # a refused save: every problem at once, each under its field
with st.form(f"edit-hire:{hire.id}"):
    left, right = st.columns(2)
    with left:
        source_value = st.selectbox("Source", list(SOURCE_LABELS), index=list(SOURCE_LABELS).index(
            hire.source), format_func=SOURCE_LABELS.get)
        problems.under("source")
    with right:
        channel = st.text_input("Channel", hire.channel or "", max_chars=100,
                                help="The network, job board or agency, such as LinkedIn or Indeed.")
        problems.under("channel")
    with left:
        salary = st.number_input("First-year salary", 0.0, value=float(hire.first_year_salary),
                                 step=1000.0)
        problems.under("first_year_salary")
    with right:
        currency = st.text_input("Currency", hire.currency, max_chars=3)
        problems.under("currency")
    cost_inputs = {}
    for i, column in enumerate(hires.COST_COLUMNS):
        with left if i % 2 == 0 else right:
            cost_inputs[column] = st.number_input(column.replace("_", " ").capitalize(), 0.0,
                                                  value=float(getattr(hire, column)), step=50.0)
            problems.under(column)
    problems.by_button()
    save = st.form_submit_button("Save", type="primary")
if save:
    try:
        hires.update_hire(actor, hire.id, source=source_value, channel=channel,
                          first_year_salary=salary, currency=currency, costs=cost_inputs)
    except UserFacingError as error:
        problems.show(error)  # the form keeps everything typed
    else:
        st.toast("Hire saved.", icon=":material/check:")
        st.rerun()

with st.popover("Delete this hire", icon=":material/delete:"):
    st.write("The hire leaves the savings figures. A hire the portal recorded comes back only "
             "if its application or referral is marked hired again.")
    if st.button("Delete", type="primary", key=f"delete-hire:{hire.id}"):
        try:
            hires.delete_hire(actor, hire.id)
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.session_state.pop(table_key, None)  # the selected row is gone
            st.rerun()
