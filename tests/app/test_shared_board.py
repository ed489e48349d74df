"""The public pages share what every visitor sees between sessions (portal/shared.py): a
posting published or closed shows on the board at the next run, for everyone."""

from __future__ import annotations

import sqlalchemy as sa

from services.postings import editing
from tests.app.helpers import BACKEND, assert_no_exception, board_cards, demo_job_id, open_page, texts
from tests.support import signed_in


def _board_titles(at) -> str:
    return "\n".join(title for title, _ in board_cards(at))


def test_publishing_and_closing_a_job_shows_on_the_board_at_the_next_run(demo_db):
    admin = signed_in("admin@example.com")
    with demo_db.connect() as conn:
        draft_id, draft = conn.execute(sa.text(
            "select id, title from public.jobs where status = 'draft' order by title limit 1")).one()
    visitor = open_page("pages/public/jobs.py")
    staff = open_page("pages/public/jobs.py", admin)
    assert BACKEND in _board_titles(visitor) and draft not in _board_titles(visitor)

    recruiter = signed_in("recruiter@example.com")
    editing.move(recruiter, draft_id, "in_review")
    editing.move(admin, draft_id, "approved")  # by someone other than who submitted it
    editing.move(recruiter, draft_id, "published")
    for at in (visitor.run(), staff.run()):
        assert_no_exception(at)
        assert draft in _board_titles(at)

    editing.move(admin, demo_job_id(demo_db), "closed", "filled")
    for at in (visitor.run(), staff.run()):
        assert BACKEND not in _board_titles(at)
    job = open_page("pages/public/job.py", id=str(demo_job_id(demo_db)))
    assert "This job is closed" in texts(job)


def test_a_recruiter_sees_their_change_at_once_on_the_public_pages(demo_db):
    recruiter = signed_in("recruiter@example.com")
    job_id = demo_job_id(demo_db)
    page = open_page("pages/public/job.py", recruiter, id=str(job_id))
    assert BACKEND in texts(page)
    with demo_db.begin() as conn:  # any change, even one made outside the portal
        conn.execute(sa.text("update public.jobs set title = 'Principal Backend Engineer' where id = :id"),
                     {"id": job_id})
    assert "Principal Backend Engineer" in texts(page.run())
    assert "Principal Backend Engineer" in _board_titles(open_page("pages/public/jobs.py"))
