"""Paged lists keep their page in the URL (`?page=…`): a link or a reload opens that page, a
value that is no page falls back to the first, a page past the end to the last, and a new
filter starts again at the first page."""

from __future__ import annotations

import sqlalchemy as sa

from tests.app.helpers import POSTING, app_as, assert_no_exception, demo_job_id, open_page, signed_in, texts

HIRES = "pages/recruiting/hires.py"


def _hires(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("select count(*) from public.hires")).scalar_one()


def _hires_at(actor, page: str):
    """Hires opened from a link that names `page` (open_page's own first argument is `page`)."""
    at = app_as(actor).run()
    at.query_params["page"] = page
    at.switch_page(HIRES).run()
    return at


def _range_shown(at) -> str:
    return next(c.value for c in at.caption if " of " in c.value and "–" in c.value)


def test_a_link_with_a_page_opens_that_page_and_bad_pages_fall_back(demo_db):
    total = _hires(demo_db)
    assert total > 50  # three pages of 25 at least
    recruiter = signed_in("recruiter@example.com")
    at = _hires_at(recruiter, "2")
    assert _range_shown(at) == f"26–50 of {total:,}"
    assert at.query_params["page"] == "2"

    for bad in ("abc", "-2", "0", "2.5", "1e9", "99999999999"):
        at = _hires_at(recruiter, bad)
        assert_no_exception(at)
        assert _range_shown(at) == f"1–25 of {total:,}", bad
        assert "page" not in at.query_params, bad  # the first page needs none

    last = -(-total // 25)
    at = _hires_at(recruiter, "99999")  # past the end: the last page, said in the URL
    assert_no_exception(at)
    assert _range_shown(at) == f"{(last - 1) * 25 + 1}–{total} of {total:,}"
    assert at.query_params["page"] == str(last)


def test_choosing_a_page_puts_it_in_the_url_and_a_new_filter_starts_again(demo_db):
    total = _hires(demo_db)
    at = open_page(HIRES, signed_in("recruiter@example.com"))
    assert "page" not in at.query_params
    at.session_state["hires-page::None"] = 3  # what clicking "3" under the table does
    at.run()
    assert _range_shown(at) == f"51–75 of {total:,}"
    assert at.query_params["page"] == "3"
    # a search is a new list: its first page, and no page in the URL
    at.text_input[0].input("a").run()
    assert_no_exception(at)
    assert _range_shown(at).startswith("1–")
    assert "page" not in at.query_params


def test_a_posting_keeps_each_lists_page_under_its_own_name(demo_db):
    job_id = demo_job_id(demo_db)
    at = open_page(POSTING, signed_in("recruiter@example.com"), id=str(job_id),
                   **{"applicants-page": "abc", "referrals-page": "7"})
    assert_no_exception(at)
    assert "Applicants (" in " ".join(t.label for t in at.tabs)
    assert "applicants-page" not in at.query_params and "referrals-page" not in at.query_params
    assert "Senior Backend Engineer" in texts(at)
