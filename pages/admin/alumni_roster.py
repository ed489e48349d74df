"""Admin → Alumni roster: import former employees from CSV and invite them to register."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.words import counted
from services.referrals import roster as alumni

actor = ui.require_role(Role.ADMIN)
st.title("Alumni roster")
st.caption("Only people on this roster can register as alumni, and only through the invitation "
           "link they are sent. Employees are added under Users.")

with st.expander("Import from CSV", icon=":material/upload_file:"):
    st.markdown(
        "Columns, header row first, in any order: `name`, `email`, and optionally `department`, "
        "`last_day` (YYYY-MM-DD) and `linkedin_url`. Bad rows are reported by row number and the "
        "good ones kept; an email already on the roster is skipped, so a file imported twice adds "
        "its people once.")
    ui.csv_import("roster-import", lambda data, name: alumni.import_roster(actor, data, name),
                  "person", "Fix them in the file and import it again.", plural="people")

search_col, status_col = st.columns([3, 1])
search = search_col.text_input("Search the roster", placeholder="Name, email or department",
                               max_chars=100)
status = status_col.selectbox("Status", [None, *alumni.STATUSES],
                              format_func=lambda s: "Any status" if s is None else s.capitalize())
page_key = f"roster-page:{search}:{status}"
result = alumni.list_roster(actor, search=search, status=status, page=ui.page_number(page_key),
                            page_size=25)


def invite(ids) -> None:
    try:
        st.session_state["roster-invited"] = alumni.send_invitations(actor, ids)
    except UserFacingError as error:
        st.session_state["roster-error"] = str(error)


chosen = []
if not result.total:
    st.info("Nobody on the roster matches. Import a CSV file above to add people."
            if not search and status is None else "Nobody on the roster matches.")
else:
    emails = alumni.invitation_emails(actor, [r.id for r in result.rows])
    table = st.dataframe(
        [{"Name": r.full_name, "Email": r.email, "Department": r.department,
          "Last day": ui.day_text(r.last_day), "LinkedIn": r.linkedin_url or "",
          "Status": r.status.capitalize(), "Invited": ui.day_text(r.invited_at, with_time=True),
          "Invitation email": emails[r.id].describe() if r.id in emails else ""}
         for r in result.rows],
        hide_index=True, on_select="rerun", selection_mode="multi-row",
        key=f"{page_key}:selection:{result.number}",
        column_config={"LinkedIn": st.column_config.LinkColumn(),
                       "Invitation email": st.column_config.TextColumn(width="large")})
    chosen = [result.rows[i].id for i in table.selection.rows if i < len(result.rows)]
    ui.pagination(result, page_key)

left, right = st.columns(2)
left.button(f"Invite the {len(chosen)} chosen" if chosen else "Invite the chosen",
            disabled=not chosen, on_click=invite, args=(chosen,), icon=":material/send:",
            help="Choose rows in the table. A row invited before gets a new link.")
right.button("Invite everyone not invited yet", on_click=invite, args=(None,), type="primary",
             icon=":material/forward_to_inbox:")

if message := st.session_state.pop("roster-error", None):
    ui.show_error(message)
if invited := st.session_state.get("roster-invited"):
    if not invited.count:
        st.info("Nobody to invite: they are invited or registered already.")
    if invited.queued:
        st.success(f"Queued {counted(invited.queued, 'invitation email')}: the worker sends them now. Each "
                   "person's \"Invitation email\" column says whether theirs was sent or what went wrong.")
    if invited.to_forward:
        st.warning("Not emailed, as no SMTP server is set: "
                   f"{counted(len(invited.to_forward), 'invitation')}. Forward each link to its "
                   "person; the links are shown only now and are valid for 14 days.")
        st.dataframe([{"Name": i.full_name, "Email": i.email, "Invitation link": i.link}
                      for i in invited.to_forward], hide_index=True)
