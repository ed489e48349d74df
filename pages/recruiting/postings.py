"""All job postings, whatever their status (recruiters and admins)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services import jobs

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Job postings")

search_col, status_col = st.columns([3, 2])
search = search_col.text_input("Search", placeholder="Title, description or city", max_chars=100)
statuses = status_col.multiselect("Status", jobs.ALL_STATUSES, default=list(jobs.ALL_STATUSES),
                                  format_func=lambda s: s.replace("_", " ").capitalize())

ui.paged_table(
    f"postings-page:{search}:{','.join(statuses)}",
    lambda page: jobs.list_jobs(actor, statuses=tuple(statuses) or jobs.ALL_STATUSES,
                                search=search, page=page),
    lambda j: {"Title": j.title, "Department": j.department, "Location": j.location,
               "Status": j.status.replace("_", " ").capitalize(), "Salary": j.salary_range,
               "Published": j.published_at.date() if j.published_at else None},
    empty="No postings match. Clear the search or choose more statuses.",
)
