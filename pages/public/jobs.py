"""Open jobs: the public landing page."""

import streamlit as st

from portal import ui
from services import company, jobs

actor = ui.current_actor()
profile = company.company_profile(actor)

if profile:
    st.title(f"Work at {ui.plain(profile.name)}")
    st.markdown(f"**{ui.plain(profile.tagline)}**")
    st.write(profile.about)
else:
    st.title("Open jobs")

search_col, department_col = st.columns([3, 1])
search = search_col.text_input("Search jobs", placeholder="Title, skill or city",
                               max_chars=100)
department = department_col.selectbox("Department", ["All departments", *jobs.departments(actor)])
department = None if department == "All departments" else department

page_key = f"jobs-page:{search}:{department}"
result = jobs.list_jobs(actor, search=search, department=department,
                        page=ui.page_number(page_key), page_size=10)

if not result.total and (search or department):
    st.info("No open jobs match your search. Try fewer words or another department.")
elif not result.total:
    st.info("No jobs are open right now. Check back soon.")
for job in result.rows:
    with st.container(border=True):
        st.subheader(ui.plain(job.title), anchor=False)
        facts = [job.department, job.location, job.remote_policy.capitalize(),
                 job.employment_type.replace("_", " ").capitalize()]
        if job.salary_range:
            facts.append(job.salary_range)
        st.caption(" · ".join(ui.plain(fact) for fact in facts))
        with st.expander("Read more"):
            st.markdown(job.description)  # written by recruiters, in Markdown
if result.total:
    ui.pagination(result, page_key)
