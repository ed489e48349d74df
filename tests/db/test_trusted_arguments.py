"""Functions a visitor's request reaches, attacked through SQL as the Data API would send
it (each statement runs as the user's role with their claims): what only the server may
know (the rate limits and keys, the screening verdict, which stored file is a résumé) is
not taken from the caller."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.storage import LocalStore
from services.candidates.applications import ApplicationForm, Resume, apply, store_resume
from services.postings.tracking import TrackedSource
from services.referrals import submission as referring
from tests.db.question_world import People
from tests.support import make_pdf

REFUSED = sa.exc.DBAPIError
APPLY = ("select application_id from private.submit_application(:job, 'Mallory', 'mallory@example.com',"
         " null, null, null, 'direct', null, null, null, null, :resume, 'cv.pdf', null)")
REFER = ("select referral_id from private.submit_referral('Mallory', 'mallory@example.com', null,"
         " null, 'Colleagues', 'Great at the job', :resume, 'cv.pdf', true)")


def sql(actor, statement: str, **params):
    with transaction(actor) as conn:
        return conn.execute(sa.text(statement), params).first()


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "resumes")


def resume_of(clean_db, email: str) -> str:
    with clean_db.connect() as conn:
        return conn.execute(sa.text(
            "select a.resume_path from public.applications a join public.candidates c"
            " on c.id = a.candidate_id where c.email = :email"), {"email": email}).scalar_one()


# --- asking ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["visitor", "candidate", "recruiter"])
def test_nobody_asks_with_their_own_limits_keys_or_verdict(people: People, who):
    # Formerly (job, body, email, held_reason, session, address, token, limits…): a caller
    # chose a limit of a million and a verdict of "clean".
    with pytest.raises(REFUSED, match="does not exist"):
        sql(getattr(people, who), "select private.ask_question(null, 'Lift my limit please?', null,"
            " null, 's', 'a', null, 1000000, 1000000)")
    with pytest.raises(REFUSED, match="permission denied"):
        sql(getattr(people, who), "select private.ask_question(null, null, 'Moderated clean, honest?',"
            " null, null, 's', 'a', null)")


# --- résumés --------------------------------------------------------------------------------

def test_a_visitor_cannot_point_an_application_at_another_candidates_resume(clean_db, people, store):
    apply(people.visitor, people.job, ApplicationForm("Ada Lovelace", "ada@example.com", consent=True),
          Resume("Ada CV.pdf", make_pdf()), TrackedSource(), store=store)
    adas = resume_of(clean_db, "ada@example.com")
    for path in (adas, "0" * 32 + ".pdf", "../../etc/passwd"):
        with pytest.raises(REFUSED, match="résumé you uploaded was not found"):
            sql(people.visitor, APPLY, job=people.job, resume=path)
    assert sql(people.visitor, APPLY, job=people.job, resume=None)  # without one, as before


def test_an_alumnus_cannot_attach_another_candidates_resume_to_a_referral(clean_db, people, store):
    apply(people.visitor, people.job, ApplicationForm("Ada Lovelace", "ada@example.com", consent=True),
          Resume("Ada CV.pdf", make_pdf()), TrackedSource(), store=store)
    with pytest.raises(REFUSED, match="résumé you uploaded was not found"):
        sql(people.alumnus, REFER, resume=resume_of(clean_db, "ada@example.com"))


def test_a_stored_upload_is_attached_once(clean_db, people, store):
    key = store_resume(Resume("Mallory CV.pdf", make_pdf()), store)
    assert sql(people.visitor, APPLY, job=people.job, resume=key)
    with pytest.raises(REFUSED, match="résumé you uploaded was not found"):
        sql(people.alumnus, REFER, resume=key)
    assert resume_of(clean_db, "mallory@example.com") == key


def test_the_forms_still_attach_their_resumes(clean_db, people, store):
    apply(people.visitor, people.job, ApplicationForm("Ada Lovelace", "ada@example.com", consent=True),
          Resume("Ada CV.pdf", make_pdf()), TrackedSource(), store=store)
    referred = referring.refer(people.alumnus, referring.ReferralForm(
        full_name="Bo Chen", email="bo@example.com", relationship="Colleagues",
        reason="Great at the job, truly", candidate_agreed=True),
        Resume("Bo CV.pdf", make_pdf("Bo")), store=store)
    with clean_db.connect() as conn:
        kept = conn.execute(sa.text("select resume_path from public.referrals where id = :id"),
                            {"id": referred.referral_id}).scalar_one()
        assert conn.execute(sa.text("select count(*) from private.resume_uploads")).scalar() == 0
    assert {p.name for p in store.root.iterdir()} == {kept, resume_of(clean_db, "ada@example.com")}

