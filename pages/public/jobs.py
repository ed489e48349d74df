"""Open jobs: the public job board, searchable and filtered, one page at a time."""

import streamlit as st

from portal import ui
from services.postings import listings
from services.postings.tracking import TrackedSource

# A tracked link to the board (an alumnus's or a campaign's) is carried on to each job.
source = TrackedSource.from_params(st.query_params.to_dict())

search = st.session_state.get("jobs-search", "")
department, location, remote, employment = (st.session_state.get(f"jobs-{name}") for name in
                                            ("department", "location", "remote", "type"))
page_key = f"jobs-page:{search}:{department}:{location}:{remote}:{employment}"
# The same for every visitor, so one round trip while no job has changed (shared results).
board = listings.board(search, department, location, remote, employment,
                       page=ui.page_number(page_key), page_size=10)
profile, options, result = board.company, board.filters, board.jobs

if profile:
    st.title(f"Work at {ui.plain(profile.name)}")
    st.markdown(f"**{ui.plain(profile.tagline)}**")
    st.write(profile.about)
else:
    st.title("Open jobs")

st.text_input("Search jobs", placeholder="Title, skill or city", max_chars=100, key="jobs-search")
department_col, location_col, remote_col, type_col = st.columns(4)
department_col.selectbox("Department", [None, *options.departments], key="jobs-department",
                         format_func=lambda d: d or "All departments")
location_col.selectbox("Location", [None, *options.locations], key="jobs-location",
                       format_func=lambda d: d or "All locations")
remote_col.selectbox("Remote", [None, *listings.REMOTE_LABELS], key="jobs-remote",
                     format_func=lambda r: listings.REMOTE_LABELS.get(r, "On site or remote"))
type_col.selectbox("Type", [None, *listings.EMPLOYMENT_LABELS], key="jobs-type",
                   format_func=lambda t: listings.EMPLOYMENT_LABELS.get(t, "All types"))

if not result.total and (search or department or location or remote or employment):
    st.info("No open jobs match your search. Try fewer words or clear a filter.")
elif not result.total:
    st.info("No jobs are open right now. Check back soon.")
for job in result.rows:
    with st.container(border=True):
        st.subheader(ui.plain(job.title), anchor=False)
        st.caption(" · ".join(ui.plain(fact) for fact in job.facts))
        if job.description:
            st.text(ui.excerpt(job.description))
        st.page_link("pages/public/job.py", label="View and apply", icon=":material/arrow_forward:",
                     query_params={"id": str(job.id), **source.query()})
if result.total:
    ui.pagination(result, page_key)

st.divider()
st.page_link("pages/public/faq.py", label="Questions about working here? Read the answers or ask",
             icon=":material/forum:")
