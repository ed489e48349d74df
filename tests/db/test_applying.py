"""Applying to a job without an account (and with one), following the application by its
private link, and counting visits to a job's page, against the real database.

Everything a visitor does runs as `Actor.visitor()` through the services, so row-level
security and the database functions' own checks apply; setup and the checks of what was
stored run as the database owner. Résumés go to a `LocalStore` under the test's tmp_path.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal import tokens as links
from portal.db import transaction
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Role
from portal.public_address import public_url
from portal.storage import LocalStore
from services.candidates.applications import (
    ApplicationForm,
    Resume,
    application_by_link,
    apply,
    my_applications,
)
from services.people.accounts import create_account
from services.postings.tracking import TrackedSource, record_visit
from tests.db.rows import add_job
from tests.support import make_docx, make_pdf

VISITOR = Actor.visitor()






def form(email: str = "ada@example.com", **changes) -> ApplicationForm:
    values = {"full_name": "Ada Lovelace", "email": email, "phone": "+44 20 7946 0000",
              "linkedin_url": "linkedin.com/in/ada", "note": "I like engines.", "consent": True}
    return ApplicationForm(**{**values, **changes})


def add_person(engine, email: str, role: Role = Role.CANDIDATE) -> Actor:
    with engine.begin() as conn:
        user_id = create_account(conn, email.lower(), "Sam Okafor", role, None)
    return Actor(user_id=user_id, email=email, role=role)  # the sign-in's email, as typed


def candidates(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select id, full_name, email, phone, linkedin_url, user_id from public.candidates"
            " order by created_at")).all()


def applications(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select a.*, c.email from public.applications a"
            " join public.candidates c on c.id = a.candidate_id order by a.created_at")).all()


def files(store: LocalStore) -> set[str]:
    return {p.name for p in store.root.iterdir()} if store.root.exists() else set()


def token_of(follow_link: str) -> str:
    (token,) = parse_qs(urlsplit(follow_link).query)["application"]
    return token


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "resumes")


@pytest.fixture
def job(clean_db) -> UUID:
    return add_job(clean_db)


# --- applying -------------------------------------------------------------------------------

def test_a_visitor_applies_with_a_resume_and_the_link_that_brought_them(engine, job, store):
    post = uuid4()
    source = TrackedSource.from_params({"utm_source": "LinkedIn", "utm_medium": "social",
                                        "utm_campaign": "spring", "post": str(post)})
    pdf = make_pdf("Ada Lovelace")
    applied = apply(VISITOR, job, form(email=" Ada@Example.COM ", note="  I like engines.  "),
                    Resume("Ada Lovelace CV.pdf", pdf), source, store=store)

    assert applied.created and not applied.duplicate
    assert applied.follow_link.startswith(f"{public_url()}/follow?application=")
    (candidate,) = candidates(engine)
    assert (candidate.full_name, candidate.email) == ("Ada Lovelace", "ada@example.com")
    assert candidate.phone == "+44 20 7946 0000"
    assert candidate.linkedin_url == "https://linkedin.com/in/ada"
    assert candidate.user_id is None
    (application,) = applications(engine)
    assert application.id == applied.application_id and application.job_id == job
    assert application.candidate_id == candidate.id and application.status == "new"
    assert (application.source, application.utm_medium, application.utm_campaign) == \
        ("linkedin", "social", "spring")
    assert application.post_id == post and application.referral_code is None
    assert application.note == "I like engines."
    assert application.consent_at is not None
    assert application.resume_name == "Ada Lovelace CV.pdf"
    # The file is kept under our own key, not the uploaded name, with the uploaded bytes.
    assert files(store) == {application.resume_path}
    assert application.resume_path.endswith(".pdf") and "Ada" not in application.resume_path
    assert store.read(application.resume_path) == pdf


def test_a_referral_link_and_a_word_resume(engine, job, store):
    applied = apply(VISITOR, job, form(phone="", linkedin_url="", note=""),
                    Resume("cv.docx", make_docx("Ada")), TrackedSource.from_params({"ref": "Tom42"}),
                    store=store)
    (application,) = applications(engine)
    assert application.id == applied.application_id
    assert (application.source, application.referral_code) == ("referral", "tom42")
    assert application.note is None and application.resume_path.endswith(".docx")
    (candidate,) = candidates(engine)
    assert candidate.phone is None and candidate.linkedin_url is None


def test_applying_without_a_resume_stores_no_file(engine, job, store):
    applied = apply(VISITOR, job, form(), None, TrackedSource(), store=store)
    (application,) = applications(engine)
    assert applied.created and application.source == "direct"
    assert application.resume_path is None and application.resume_name is None
    assert files(store) == set()


def test_the_private_link_shows_the_application_and_only_its_hash_is_stored(engine, job, store):
    applied = apply(VISITOR, job, form(), None, TrackedSource(), store=store)
    token = token_of(applied.follow_link)
    assert links.plausible_token(token)

    followed = application_by_link(VISITOR, token)
    assert followed is not None
    assert (followed.job_title, followed.status, followed.job_id) == ("Data Analyst", "new", job)

    (application,) = applications(engine)
    stored = bytes(application.follow_token_hash)
    assert stored == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in stored
    with engine.connect() as conn:  # the token itself is nowhere in the row
        row_text = conn.execute(sa.text("select a::text from public.applications a")).scalar_one()
    assert token not in row_text

    # Anyone signed in sees the same through the link, and nothing more.
    someone = add_person(engine, "someone@example.com")
    assert application_by_link(someone, token) == followed


def test_the_private_link_follows_the_application_as_it_moves_on(engine, job, store):
    applied = apply(VISITOR, job, form(), None, TrackedSource(), store=store)
    with engine.begin() as conn:  # applied a week ago
        conn.execute(sa.text("update public.applications set created_at = now() - interval '7 days',"
                             " updated_at = now() - interval '7 days'"))
    with engine.begin() as conn:
        conn.execute(sa.text("update public.applications set status = 'interviewing'"))
    followed = application_by_link(VISITOR, token_of(applied.follow_link))
    assert followed.status == "interviewing"
    assert followed.updated_at > followed.applied_at  # the change is dated, not the application


@pytest.mark.parametrize("token", ["", "short", "a" * 65, "../../etc/passwd", "' or 1=1 --",
                                   "tøken-with-unicode-characters-0000", None])
def test_a_garbage_token_shows_nothing(job, token):
    assert application_by_link(VISITOR, token) is None


def test_a_wrong_token_shows_nothing(job, store):
    apply(VISITOR, job, form(), None, TrackedSource(), store=store)
    assert application_by_link(VISITOR, links.new_token()) is None


def test_applying_twice_stores_nothing_new_and_drops_the_second_resume(engine, job, store):
    first = apply(VISITOR, job, form(), Resume("first.pdf", make_pdf("first")),
                  TrackedSource.from_params({"utm_source": "newsletter"}), store=store)
    (kept,) = files(store)

    again = apply(VISITOR, job, form(email="ADA@example.com", full_name="Someone Else",
                                     note="Second try"),
                  Resume("second.pdf", make_pdf("second")),
                  TrackedSource.from_params({"utm_source": "linkedin"}), store=store)

    assert not again.created and again.duplicate and again.follow_link is None
    assert again.application_id == first.application_id
    (application,) = applications(engine)
    assert (application.source, application.note, application.resume_name) == \
        ("newsletter", "I like engines.", "first.pdf")
    assert files(store) == {kept} == {application.resume_path}
    assert [c.full_name for c in candidates(engine)] == ["Ada Lovelace"]
    # The first link still works; no second link was made.
    assert application_by_link(VISITOR, token_of(first.follow_link)) is not None


def test_the_same_person_may_apply_to_two_jobs(engine, job, store):
    other = add_job(engine, title="Data Engineer")
    assert apply(VISITOR, job, form(), None, TrackedSource(), store=store).created
    assert apply(VISITOR, other, form(), None, TrackedSource(), store=store).created
    assert len(candidates(engine)) == 1
    assert {a.job_id for a in applications(engine)} == {job, other}


@pytest.mark.parametrize("status", ["draft", "closed", None])
def test_a_job_that_is_not_open_takes_no_application_and_keeps_no_file(engine, clean_db, store,
                                                                       status):
    job = add_job(engine, status=status) if status else uuid4()
    with pytest.raises(NotFound, match="no longer open"):
        apply(VISITOR, job, form(), Resume("cv.pdf", make_pdf("Ada")), TrackedSource(), store=store)
    assert files(store) == set()
    assert candidates(engine) == [] and applications(engine) == []


def test_a_failed_save_keeps_no_file(engine, job, store, monkeypatch):
    # The database refuses after the file is stored: two private links the same (an
    # unexpected refusal, with no words for it).
    monkeypatch.setattr(links, "new_token", lambda: "the-same-token-twice")
    kept = apply(VISITOR, job, form(), Resume("cv.pdf", make_pdf("Ada")), TrackedSource(), store=store)
    with pytest.raises(sa.exc.DBAPIError):
        apply(VISITOR, job, form(email="bo@example.com"), Resume("cv.pdf", make_pdf("Bo")),
              TrackedSource(), store=store)
    (application,) = applications(engine)
    assert application.id == kept.application_id and files(store) == {application.resume_path}


def test_a_stranger_cannot_change_a_known_candidates_name(engine, job, store):
    with engine.begin() as conn:
        conn.execute(sa.text(
            "insert into public.candidates (full_name, email, phone, linkedin_url)"
            " values ('Ada Lovelace', 'Ada@Example.com', '+44 1', 'https://linkedin.com/in/ada')"))
    applied = apply(VISITOR, job, form(full_name="Mallory Mischief", phone="+1 555 0100",
                                       linkedin_url="linkedin.com/in/mallory"),
                    None, TrackedSource(), store=store)
    assert applied.created
    (candidate,) = candidates(engine)
    assert candidate.full_name == "Ada Lovelace"
    assert (candidate.phone, candidate.linkedin_url) == ("+44 1", "https://linkedin.com/in/ada")
    assert applications(engine)[0].candidate_id == candidate.id


def test_a_signed_in_candidate_applying_as_themselves_is_linked(engine, job, store):
    sam = add_person(engine, "Sam@Example.org")
    applied = apply(sam, job, form(email="sam@example.ORG", full_name="Sam Okafor"), None,
                    TrackedSource(), store=store)
    (candidate,) = candidates(engine)
    assert candidate.user_id == sam.user_id
    assert [a.id for a in my_applications(sam)] == [applied.application_id]


def test_a_signed_in_candidate_applying_with_someone_elses_email_is_not_linked(engine, job, store):
    sam = add_person(engine, "sam@example.org")
    apply(sam, job, form(email="ada@example.com"), None, TrackedSource(), store=store)
    (candidate,) = candidates(engine)
    assert candidate.user_id is None
    assert my_applications(sam) == []


def test_an_earlier_visitor_application_is_linked_when_the_person_applies_signed_in(engine, job,
                                                                                   store):
    first = apply(VISITOR, job, form(email="sam@example.org"), None, TrackedSource(), store=store)
    other = add_job(engine, title="Data Engineer")
    # A stranger signed in with another address does not take it over…
    mallory = add_person(engine, "mallory@example.org")
    apply(mallory, other, form(email="sam@example.org"), None, TrackedSource(), store=store)
    assert candidates(engine)[0].user_id is None
    # …the person themselves does, and then sees both applications.
    sam = add_person(engine, "sam@example.org")
    third = add_job(engine, title="Analytics Lead")
    latest = apply(sam, third, form(email="sam@example.org"), None, TrackedSource(), store=store)
    assert candidates(engine)[0].user_id == sam.user_id
    assert first.application_id in {a.id for a in my_applications(sam)}
    assert latest.application_id in {a.id for a in my_applications(sam)}
    assert len(my_applications(sam)) == 3


@pytest.mark.parametrize("changes, message", [
    ({"consent": False}, "privacy notice"),
    ({"email": "ada@"}, "not a valid email address"),
    ({"email": ""}, "Enter an email address"),
    ({"full_name": "   "}, "Enter a name"),
    ({"linkedin_url": "https://evil.io/in/ada"}, "not a LinkedIn profile address"),
    ({"phone": "call me"}, "phone number"),
    ({"note": "x" * 2001}, "Note: at most 2,000 characters"),
])
def test_a_bad_form_stores_nothing(engine, job, store, changes, message):
    with pytest.raises(ValidationError, match=message):
        apply(VISITOR, job, form(**changes), Resume("cv.pdf", make_pdf("Ada")), TrackedSource(),
              store=store)
    assert files(store) == set()
    assert candidates(engine) == [] and applications(engine) == []


def test_a_bad_resume_stores_nothing(engine, job, store):
    with pytest.raises(ValidationError, match="is not a PDF document"):
        apply(VISITOR, job, form(), Resume("cv.pdf", b"just text"), TrackedSource(), store=store)
    assert files(store) == set() and applications(engine) == []


def _all_waiting(engine, threads: list[threading.Thread]) -> None:
    """Until every thread waits for a lock inside submit_application, so that they go on
    together when the lock is released. Fails if they do not all get there: the race would
    then not be exercised. The time allowed is generous (a loaded machine is slow to start
    eight threads and their connections); it bounds the wait, it is not what is measured."""
    deadline = time.monotonic() + 120
    waiting = 0
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.execute(sa.text(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                " and query like '%submit_application%'")).scalar_one()
        if waiting >= len(threads):
            return
        finished = [t for t in threads if not t.is_alive()]
        assert not finished, f"{len(finished)} applicant(s) finished without waiting for the held job"
        time.sleep(0.05)
    pytest.fail(f"only {waiting} of {len(threads)} applicants were waiting on the lock after 120 s")


def test_eight_simultaneous_applications_with_the_same_email_make_one(engine, job, store):
    results: list = []
    errors: list = []

    def applicant(number: int) -> None:
        try:
            results.append(apply(VISITOR, job, form(email=f"ADA@example.com{' ' * number}",
                                                    full_name=f"Ada {number}"),
                                 Resume(f"cv{number}.pdf", make_pdf(f"cv {number}")),
                                 TrackedSource(), store=store))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=applicant, args=(n,)) for n in range(8)]
    # Hold the job (applying takes a share lock on it) so that all eight reach the
    # database before any of them goes on.
    with engine.connect() as blocker, blocker.begin():
        blocker.execute(sa.text("select 1 from public.jobs where id = :job for update"),
                        {"job": job})
        for thread in threads:
            thread.start()
        _all_waiting(engine, threads)
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(results) == 8
    assert sum(r.created for r in results) == 1
    assert len({r.application_id for r in results}) == 1
    assert len(candidates(engine)) == 1
    (application,) = applications(engine)
    assert application.id == results[0].application_id
    assert files(store) == {application.resume_path}


# --- visits ---------------------------------------------------------------------------------

def visits(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select job_id, session_id, source, utm_medium, utm_campaign, post_id"
            " from public.job_visits order by id")).all()


def test_a_visit_is_counted_once_per_session_with_its_source(engine, job):
    post = uuid4()
    source = TrackedSource.from_params({"utm_source": "linkedin", "utm_medium": "social",
                                        "utm_campaign": "spring", "post": str(post)})
    session, other_session = uuid4(), uuid4()
    assert record_visit(VISITOR, job, session, source) is True
    assert record_visit(VISITOR, job, session, TrackedSource()) is False  # a reload
    assert record_visit(VISITOR, job, other_session, TrackedSource()) is True
    other_job = add_job(engine, title="Data Engineer")
    assert record_visit(VISITOR, other_job, session, source) is True  # another job, same tab

    rows = visits(engine)
    assert len(rows) == 3
    assert tuple(rows[0]) == (job, session, "linkedin", "social", "spring", post)
    assert tuple(rows[1]) == (job, other_session, "direct", None, None, None)
    assert rows[2].job_id == other_job


def test_a_signed_in_visit_counts_too(engine, job):
    sam = add_person(engine, "sam@example.org")
    assert record_visit(sam, job, uuid4(), TrackedSource.from_params({"ref": "tom42"}))
    assert [v.source for v in visits(engine)] == ["referral"]


@pytest.mark.parametrize("status", ["draft", "closed", None])
def test_a_visit_to_a_job_that_is_not_open_is_not_counted(engine, clean_db, status):
    job = add_job(engine, status=status) if status else uuid4()
    assert record_visit(VISITOR, job, uuid4(), TrackedSource()) is False
    assert visits(engine) == []


# --- who reads what -------------------------------------------------------------------------

def rows_seen(actor: Actor, table: str) -> int | None:
    """How many rows `actor` sees in `table`; None when PostgreSQL refuses outright."""
    try:
        with transaction(actor) as conn:
            return conn.execute(sa.text(f"select count(*) from public.{table}")).scalar_one()  # noqa: S608
    except sa.exc.ProgrammingError as error:
        assert error.orig.sqlstate == "42501", error
        return None


def test_visitors_read_neither_visits_nor_applications(engine, job, store):
    apply(VISITOR, job, form(), None, TrackedSource(), store=store)
    record_visit(VISITOR, job, uuid4(), TrackedSource())
    for table in ("job_visits", "applications", "candidates"):
        assert rows_seen(VISITOR, table) in (None, 0), table
    # A signed-in candidate sees none of them either (the application is not theirs)…
    sam = add_person(engine, "sam@example.org")
    for table in ("job_visits", "applications", "candidates"):
        assert rows_seen(sam, table) in (None, 0), table
    # …while a recruiter sees them all.
    recruiter = add_person(engine, "recruiter@example.org", Role.RECRUITER)
    assert [rows_seen(recruiter, t) for t in ("job_visits", "applications", "candidates")] == \
        [1, 1, 1]
