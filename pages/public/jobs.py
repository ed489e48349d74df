"""Open jobs: the public job board, searchable and filtered, one page at a time."""

import streamlit as st

from portal import ui
from services.postings import listings
from services.postings.tracking import TrackedSource

# A tracked link to the board (an alumnus's or a campaign's) is carried on to each job.
source = TrackedSource.from_params(st.query_params.to_dict())
# The company and the filters' choices, from the whole board: the same for every visitor, so
# shared between sessions until a job changes (as is each filtered page below).
whole_board = listings.board()
profile, options = whole_board.company, whole_board.filters

if profile:
    st.title(f"Work at {ui.plain(profile.name)}")
    # The tagline and the admins' own Markdown about the company, one element.
    st.markdown(f"**{ui.plain(profile.tagline)}**\n\n{profile.about or ''}")
else:
    st.title("Open jobs")

# Search and filters live in the URL (`?q=…&department=…`), so a filtered board can be shared
# or bookmarked; a value the board does not know is dropped from the URL and ignored.
search = st.text_input("Search jobs", placeholder="Title, skill or city", max_chars=100,
                       key="q", bind="query-params")
# A row that wraps rather than columns: four in a row on a computer, two by two on a phone
# (columns would stack all four there, a screenful of filters before the first job).
FILTER_WIDTH = 170  # pixels: two fit side by side on a 390-pixel phone
filter_row = st.container(horizontal=True, wrap=True, gap="small", key="board-filters")
# "" is "all" (None would show a clear button on a choice that is already everything).
department = filter_row.selectbox("Department", ["", *options.departments], key="department",
                                      bind="query-params", format_func=lambda d: d or "All departments",
                                      width=FILTER_WIDTH)
location = filter_row.selectbox("Location", ["", *options.locations], key="location",
                                  bind="query-params", format_func=lambda d: d or "All locations",
                                  width=FILTER_WIDTH)
remote = filter_row.selectbox("Remote", ["", *listings.REMOTE_LABELS], key="remote", bind="query-params",
                              format_func=lambda r: listings.REMOTE_LABELS.get(r, "On site or remote"),
                              width=FILTER_WIDTH)
employment = filter_row.selectbox("Type", ["", *listings.EMPLOYMENT_LABELS], key="type", bind="query-params",
                                format_func=lambda t: listings.EMPLOYMENT_LABELS.get(t, "All types"),
                                width=FILTER_WIDTH)
department, location, remote, employment = (department or None, location or None, remote or None,
                                            employment or None)
# The board as filtered, in the URL's words: a job's "All open jobs" link comes back to it.
filters_in_url = {key: value for key, value in (
    ("q", search), ("department", department), ("location", location),
    ("remote", listings.REMOTE_LABELS.get(remote or "")),
    ("type", listings.EMPLOYMENT_LABELS.get(employment or ""))) if value}

page_key = f"jobs-page:{search}:{department}:{location}:{remote}:{employment}"
result = listings.board(search, department, location, remote, employment,
                        page=ui.page_number(page_key), page_size=10).jobs

if not result.total and (search or department or location or remote or employment):
    st.info("No open jobs match your search. Try fewer words or clear a filter.")
elif not result.total:
    st.info("No jobs are open right now. Check back soon.")
for job in result.rows:
    with st.container(border=True):
        # One element for the title, the facts (as a caption looks) and the excerpt: each
        # element costs a rerun about as much as the rest of a card.
        st.markdown(ui.job_card_text(job.title, tuple(job.facts), job.description))
        ui.page_link("pages/public/job.py", label="View and apply", icon=":material/arrow_forward:",
                     query_params={"id": str(job.id), **source.query(), **filters_in_url,
                                   **({"page": str(result.number)} if result.number > 1 else {})})
if result.total:
    ui.pagination(result, page_key)

st.divider()
ui.page_link("pages/public/faq.py", label="Questions? Read the answers or ask one",
             icon=":material/forum:")
