"""All job postings, whatever their status (recruiters and admins): searched, filtered,
paged, opened, written, imported and exported."""

import streamlit as st

from portal import ui
from portal.models import Role
from services.postings import editing
from services.postings import listings as jobs
from services.postings.listings import JobFilter

POSTING_PAGE = "pages/recruiting/posting.py"

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
title_col, new_col = st.columns([4, 1], vertical_alignment="bottom")
title_col.title("Job postings")
if new_col.button("New posting", type="primary", icon=":material/add:", width="stretch"):
    st.switch_page(POSTING_PAGE, query_params={"new": "1"})

with st.expander("Import postings from a CSV file", icon=":material/upload_file:"):
    st.markdown(
        "One posting per row; the first row names the columns: `title`, `department`, "
        "`location`, and optionally `remote_policy` (`onsite`, `hybrid` or `remote`), "
        "`employment_type` (" + ", ".join(f"`{t}`" for t in jobs.EMPLOYMENT_LABELS) + "), "
        "`level` (" + ", ".join(f"`{t}`" for t in jobs.LEVEL_LABELS) + "; empty: none), "
        "`salary_min`, `salary_max`, `currency` (empty: the reporting currency), `description` "
        "(Markdown), `hiring_manager`, `referral_bonus` (empty: the default bonus), "
        "`target_start_date` (YYYY-MM-DD) and `owner_email` (a recruiter's or admin's; empty: you). "
        "Every row becomes a new draft; a row imported before is skipped, so importing the same file "
        "again adds nothing twice. Rows are numbered as in a spreadsheet; bad rows are listed and "
        "left out, the good ones are kept. An export from this page can be imported as it is.")
    ui.csv_import("import-postings", lambda data, name: editing.import_postings(actor, data, name),
                  "draft posting", "Fix them and import the file again: the rows imported now "
                  "are skipped.")

waiting = editing.awaiting_approval(actor)
if waiting:
    with st.container(border=True):
        st.markdown(f"**Waiting for approval: {len(waiting)}**")
        for posting in waiting:
            why_not = posting.approval_refusal(actor)
            ui.page_link(POSTING_PAGE, label=ui.plain(posting.job.title),
                         query_params={"id": str(posting.job.id)},
                         icon=":material/how_to_reg:" if why_not is None else ":material/hourglass_empty:")
            st.caption(f"Submitted by {ui.plain(posting.submitted_by_name or 'someone')}; approved by "
                       f"{ui.plain(posting.approver_needed)}. "
                       + ("You may approve it." if why_not is None else
                          "Not you: you wrote or submitted it, and self-approval is not allowed."))

choices = editing.form_choices(actor)  # the owners and departments to filter by
owners = {member.id: member.name for member in choices.owners}
departments = choices.departments
search_col, status_col, department_col, owner_col = st.columns([3, 3, 2, 2])
# Search and filters live in the URL (`?q=…&status=…`), so a filtered list can be shared or
# bookmarked; a value the list does not know is dropped from the URL and ignored.
search = search_col.text_input("Search", placeholder="Title, description or city", max_chars=100,
                               key="q", bind="query-params")
# None chosen is every status (five chosen ones did not fit: "Approve…" was cut off).
statuses = status_col.multiselect("Status", jobs.ALL_STATUSES, format_func=editing.STATUS_LABELS.get,
                                  key="status", bind="query-params", placeholder="All statuses")
# "" is "all" (None would show a clear button on a choice that is already everything).
department = department_col.selectbox("Department", ["", *departments], key="department",
                                      bind="query-params",
                                      format_func=lambda d: d or "All departments") or None
owner = owner_col.selectbox("Owner", ["", *owners], key="owner", bind="query-params",
                            format_func=lambda o: owners[o] if o else "Everyone") or None
chosen = JobFilter(tuple(statuses) or jobs.ALL_STATUSES, search, department, owner_id=owner)

ui.paged_table(
    f"postings-page:{chosen}",
    lambda page: jobs.list_jobs(actor, statuses=chosen.statuses, search=search,
                                department=department, owner_id=owner, page=page),
    lambda j: {"Title": j.title, "Department": j.department,
               "Level": jobs.LEVEL_LABELS.get(j.level, ""), "Location": j.location,
               "Status": editing.STATUS_LABELS[j.status], "Owner": owners.get(j.owner_id, ""),
               "Salary": j.salary_range,
               "Published": ui.day_text(j.published_at)},
    empty="No postings match. Clear the search or choose other statuses.",
    on_select=lambda j: st.switch_page(POSTING_PAGE, query_params={"id": str(j.id)}),
)
st.caption("Select a row to open the posting: its details, its next step, its applicants and "
           "its referrals.")
st.download_button("Export these postings as CSV", lambda: editing.export_csv(actor, chosen),
                   file_name="postings.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
