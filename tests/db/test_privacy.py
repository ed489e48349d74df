"""Candidates' personal data on request, against the real database: exporting everything
held about one email address, erasing it, purging unsuccessful candidates after the
retention period, the admin-only service functions, and the `portal privacy` commands.

People apply and ask through the same services and database functions the public pages
use; setup that has no page yet (referrals, statuses, backdating) runs as the owner.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from portal.storage import LocalStore, resume_store
from services.candidates import questions
from services.candidates.applications import ApplicationForm, Resume, application_by_link, apply
from services.people import privacy
from services.postings.tracking import TrackedSource
from tests.db.rows import add_account, add_candidate, add_job, candidate_emails, count
from tests.support import make_pdf, portal_command

VISITOR = Actor.visitor()




def applies(job: UUID, name: str, email: str, store, resume: bytes | None = None):
    return apply(VISITOR, job, ApplicationForm(full_name=name, email=email, consent=True,
                                               phone="+44 20 7946 0000"),
                 Resume(f"{name} CV.pdf", resume) if resume else None, TrackedSource(),
                 store=store)


def ask(email: str | None, body: str, actor: Actor = VISITOR) -> UUID:
    return questions.ask(actor, body, email=email or "", session_id=uuid4().hex,
                         address=uuid4().hex).question_id


@dataclass
class World:
    ada: Actor            # has an account too
    tom: Actor            # the alumnus who referred her
    recruiter: Actor
    admin: Actor
    analyst: UUID         # job Ada applied to with a résumé
    engineer: UUID        # job she applied to without one, and was hired for
    ada_resume: bytes
    ada_resume_key: str
    ada_follow_link: str
    bob_resume_key: str
    asked: dict[str, UUID]


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "resumes")


@pytest.fixture
def world(clean_db, store) -> World:
    engine = clean_db
    ada = add_account(engine, "ada@example.com", "Ada Lovelace", Role.CANDIDATE)
    tom = add_account(engine, "tom@example.com", "Tom Becker", Role.ALUMNUS)
    recruiter = add_account(engine, "rita@example.com", "Rita Recruiter", Role.RECRUITER)
    admin = add_account(engine, "maya@example.com", "Maya Admin", Role.ADMIN)
    analyst, engineer = (add_job(engine, title, salary_min=60_000, salary_max=80_000)
                          for title in ("Data Analyst", "Data Engineer"))

    ada_pdf, bob_pdf = make_pdf("Ada Lovelace"), make_pdf("Bob Builder")
    first = applies(analyst, "Ada Lovelace", "Ada@Example.com", store, ada_pdf)
    applies(engineer, "Ada Lovelace", "ada@example.com", store)
    applies(analyst, "Bob Builder", "bob@example.com", store, bob_pdf)
    with engine.begin() as conn:
        keys = dict(conn.execute(sa.text(
            "select c.email, a.resume_path from public.applications a"
            " join public.candidates c on c.id = a.candidate_id where a.resume_path is not null")).all())
        conn.execute(sa.text(
            "insert into public.referrals (referrer_id, candidate_id, job_id, relationship, reason)"
            " select :tom, c.id, :job, 'former colleague', 'Sharp analyst'"
            " from public.candidates c where c.email = 'ada@example.com'"),
            {"tom": tom.user_id, "job": analyst})
        # Hired for the engineering job: the database records the hire.
        conn.execute(sa.text(
            "update public.applications a set status = 'hired' from public.candidates c"
            " where c.id = a.candidate_id and c.email = 'ada@example.com' and a.job_id = :job"),
            {"job": engineer})

    asked = {
        "pending": ask("Ada@Example.com", "Is there a relocation package?"),
        "published": ask("ada@example.com", "Can I work four days a week?"),
        "signed_in": ask(None, "How long does the process take?", actor=ada),
        "bob": ask("bob@example.com", "Do you sponsor visas for engineers?"),
    }
    with engine.begin() as conn:
        conn.execute(sa.text("update public.questions set status = 'published', answer = 'Yes.',"
                             " answered_at = now() where id = :id"), {"id": asked["published"]})
    return World(ada, tom, recruiter, admin, analyst, engineer, ada_pdf, keys["ada@example.com"],
                 first.follow_link, keys["bob@example.com"], asked)


# --- export ---------------------------------------------------------------------------------

def test_export_holds_everything_about_the_person_and_nothing_about_others(engine, world, store):
    with engine.begin() as conn:
        data = privacy.export_person(conn, " ADA@example.com ", store)

    assert data["email"] == "ada@example.com"
    (candidate,) = data["candidate"]
    assert (candidate["full_name"], candidate["email"], candidate["phone"]) == \
        ("Ada Lovelace", "ada@example.com", "+44 20 7946 0000")

    by_job = {a["job"]: a for a in data["applications"]}
    assert set(by_job) == {"Data Analyst", "Data Engineer"}
    analyst = by_job["Data Analyst"]
    assert analyst["resume_name"] == "Ada Lovelace CV.pdf"
    assert base64.b64decode(analyst["resume_base64"]) == world.ada_resume
    assert analyst["consent_at"] and analyst["status"] == "Received"  # as the candidate reads it
    assert "resume_path" not in analyst  # where the file is kept is ours, not theirs
    assert by_job["Data Engineer"]["status"] == "Hired"
    assert "resume_base64" not in by_job["Data Engineer"]

    (referral,) = data["referrals"]
    assert (referral["referred_by"], referral["job"], referral["relationship"], referral["reason"]) \
        == ("Tom Becker", "Data Analyst", "former colleague", "Sharp analyst")

    assert sorted(q["body"] for q in data["questions"]) == [
        "Can I work four days a week?", "How long does the process take?",
        "Is there a relocation package?"]
    published = next(q for q in data["questions"] if q["status"] == "published")
    assert published["answer"] == "Yes."

    (account,) = data["account"]
    assert (account["email"], account["full_name"], account["role"]) == \
        ("ada@example.com", "Ada Lovelace", "candidate")

    text = json.dumps(data)  # plain JSON, no custom encoder needed
    assert "bob" not in text.lower() and "visas" not in text
    assert base64.b64encode(make_pdf("Bob Builder")).decode() not in text


def test_export_of_an_unknown_address_is_empty(engine, world, store):
    with engine.begin() as conn:
        data = privacy.export_person(conn, "nobody@example.com", store)
    assert data["email"] == "nobody@example.com"
    assert all(data[key] == [] for key in ("candidate", "applications", "referrals", "questions",
                                           "account"))


def test_export_notes_a_resume_whose_file_is_gone(engine, world, store):
    store.delete(world.ada_resume_key)
    with engine.begin() as conn:
        data = privacy.export_person(conn, "ada@example.com", store)
    analyst = next(a for a in data["applications"] if a["job"] == "Data Analyst")
    assert analyst["resume_name"] == "Ada Lovelace CV.pdf" and analyst["resume_base64"] is None


@pytest.mark.parametrize("bad", ["", "ada", "ada@", "not an email"])
def test_export_and_erase_need_an_email_address(engine, world, store, bad):
    with engine.begin() as conn, pytest.raises(ValidationError, match="email"):
        privacy.export_person(conn, bad, store)
    with engine.begin() as conn, pytest.raises(ValidationError, match="email"):
        privacy.erase_person(conn, bad, store)
    assert count(engine, "public.candidates") == 2


# --- erase ----------------------------------------------------------------------------------

def hire_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select job_title, application_id, candidate_id, first_year_salary from public.hires")).all()


def test_erase_removes_the_person_and_keeps_their_hire_without_them(engine, world, store):
    (hire_before,) = hire_rows(engine)
    assert hire_before.application_id is not None and hire_before.candidate_id is not None
    with engine.begin() as conn:
        erasure = privacy.erase_person(conn, "Ada@Example.com", store)

    assert (erasure.candidates, erasure.applications, erasure.referrals) == (1, 2, 1)
    assert (erasure.questions_deleted, erasure.questions_unlinked) == (2, 1)
    assert erasure.resumes == [world.ada_resume_key] and erasure.has_account and erasure.anything
    summary = erasure.summary()
    assert "Erased 1 candidate record, 2 applications, 1 referral and 1 résumé file" \
        in summary and "deactivate it on the Users page" in summary

    assert count(engine, "public.candidates where email = 'ada@example.com'") == 0
    assert count(engine, "public.applications") == 1  # Bob's
    assert count(engine, "public.referrals") == 0
    # Unpublished questions go; the published one stays, no longer linked to her.
    remaining = {world.asked[k] for k in ("published", "bob")}
    with engine.connect() as conn:
        assert set(conn.execute(sa.text("select id from public.questions")).scalars()) == remaining
        askers = conn.execute(sa.text("select question_id, email from public.question_askers")).all()
    assert [tuple(a) for a in askers] == [(world.asked["bob"], "bob@example.com")]
    # The hire is counted still, without the person.
    (hire,) = hire_rows(engine)
    assert (hire.job_title, hire.first_year_salary) == \
        (hire_before.job_title, hire_before.first_year_salary)
    assert hire.application_id is None and hire.candidate_id is None
    # Her private link leads nowhere now; her account is for an admin to deal with.
    assert application_by_link(VISITOR, world.ada_follow_link.rsplit("=", 1)[1]) is None
    assert count(engine, "public.profiles where email = 'ada@example.com'") == 1
    # The log says an erasure happened, not whose.
    with engine.connect() as conn:
        logged = conn.execute(sa.text(
            "select details::text from public.audit_log where action = 'privacy.erased'")).scalar_one()
    assert "ada" not in logged.lower() and '"candidates": "1"' in logged


def test_resumes_go_only_when_remove_files_deletes_them(engine, world, store):
    with engine.begin() as conn:
        erasure = privacy.erase_person(conn, "ada@example.com", store)
        assert store.read(world.ada_resume_key) == world.ada_resume  # still there before commit
    assert store.read(world.ada_resume_key) == world.ada_resume
    privacy.remove_files(erasure, store)
    with pytest.raises(FileNotFoundError):
        store.read(world.ada_resume_key)
    assert store.read(world.bob_resume_key)  # someone else's stays
    privacy.remove_files(erasure, store)  # twice is harmless


def test_a_failed_erasure_leaves_everything_in_place(engine, world, store):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), engine.begin() as conn:
        privacy.erase_person(conn, "ada@example.com", store)
        raise Boom
    assert count(engine, "public.candidates where email = 'ada@example.com'") == 1
    assert count(engine, "public.applications") == 3 and count(engine, "public.questions") == 4
    assert store.read(world.ada_resume_key) == world.ada_resume


def test_erasing_someone_only_known_by_questions(engine, world, store):
    with engine.begin() as conn:
        erasure = privacy.erase_person(conn, "bob@example.com", store)
        again = privacy.erase_person(conn, "carol@example.com", store)
    assert (erasure.candidates, erasure.questions_deleted, erasure.has_account) == (1, 1, False)
    assert "Users page" not in erasure.summary()
    assert not again.anything and not again.has_account and again.resumes == []


# --- the admin-only service functions -------------------------------------------------------

def test_export_erase_and_purge_are_for_admins_only(engine, world):
    for actor in (world.recruiter, world.tom, world.ada, VISITOR):
        with pytest.raises(PermissionDenied, match="Only admins"):
            privacy.export_for(actor, "ada@example.com")
        with pytest.raises(PermissionDenied, match="Only admins"):
            privacy.erase_for(actor, "ada@example.com")
        with pytest.raises(PermissionDenied, match="Only admins"):
            privacy.purge_for(actor)
    assert count(engine, "public.candidates where email = 'ada@example.com'") == 1
    assert count(engine, "public.audit_log where action like 'privacy.%'") == 0


def test_an_admin_exports_and_erases_under_row_level_security(engine, world):
    default_store = resume_store()  # where the admin functions keep and delete résumés
    applies(world.analyst, "Cleo Carter", "cleo@example.com", default_store, make_pdf("Cleo"))

    data = privacy.export_for(world.admin, "cleo@example.com")
    (application,) = data["applications"]
    assert base64.b64decode(application["resume_base64"]) == make_pdf("Cleo")
    assert json.dumps(data)

    erasure = privacy.erase_for(world.admin, "cleo@example.com")
    assert (erasure.candidates, erasure.applications, len(erasure.resumes)) == (1, 1, 1)
    assert count(engine, "public.candidates where email = 'cleo@example.com'") == 0
    with pytest.raises(FileNotFoundError):
        default_store.read(erasure.resumes[0])
    with engine.connect() as conn:
        logged = conn.execute(sa.text(
            "select action, actor_id from public.audit_log where action like 'privacy.%'"
            " order by id")).all()
    assert [tuple(row) for row in logged] == [("privacy.exported", world.admin.user_id),
                                              ("privacy.erased", world.admin.user_id)]


# --- purge ----------------------------------------------------------------------------------

def test_purge_erases_only_unsuccessful_candidates_past_retention(engine, world, store):
    a, b = world.analyst, world.engineer
    old = 400  # the default retention is 365 days
    add_candidate(engine, "old-rejected@x.org", days_ago=old, applications={a: ("rejected", old)})
    add_candidate(engine, "old-withdrawn@x.org", days_ago=old,
                  applications={a: ("rejected", old), b: ("withdrawn", old - 20)})
    add_candidate(engine, "old-not-selected@x.org", days_ago=old,
                  referral=(world.tom, "not_selected", old))
    kept = {
        add_candidate(engine, "recently-rejected@x.org", days_ago=old,
                      applications={a: ("rejected", 10)}),
        add_candidate(engine, "one-still-open@x.org", days_ago=old,
                      applications={a: ("rejected", old), b: ("new", old)}),
        add_candidate(engine, "hired@x.org", days_ago=old, applications={a: ("hired", old)}),
        add_candidate(engine, "referral-open@x.org", days_ago=old,
                      applications={a: ("rejected", old)},
                      referral=(world.tom, "interviewing", old)),
        add_candidate(engine, "new-candidate@x.org", days_ago=10, applications={}),
        add_candidate(engine, "never-applied@x.org", days_ago=old),
    }
    # Rejected today after a long wait: the retention period starts now.
    waited = add_candidate(engine, "waited@x.org", days_ago=old, applications={a: ("reviewing", old)})
    with engine.begin() as conn:
        conn.execute(sa.text("update public.applications set status = 'rejected'"
                             " where candidate_id = :id"), {"id": waited})
    before = candidate_emails(engine)

    with engine.begin() as conn:
        erasure = privacy.purge_expired(conn)

    gone = {"old-rejected@x.org", "old-withdrawn@x.org", "old-not-selected@x.org"}
    assert before - candidate_emails(engine) == gone
    assert (erasure.candidates, erasure.applications, erasure.referrals) == (3, 3, 1)
    assert len(kept) == 6 and "waited@x.org" in candidate_emails(engine)
    # World's own candidates (an open application, a hire) are untouched.
    assert {"ada@example.com", "bob@example.com"} <= candidate_emails(engine)
    with engine.connect() as conn:
        logged = conn.execute(sa.text(
            "select details ->> 'retention_days' from public.audit_log"
            " where action = 'privacy.purged'")).scalar_one()
    assert logged == "365"


# Every application status and referral stage, and whether the purge may take a candidate
# whose only application or referral has been at it, untouched, for longer than the retention
# period: an open process (up to and including an offer) and a hire keep the candidate; only a
# closed, unsuccessful one lets them go.
APPLICATION_KEPT = {"new": True, "reviewing": True, "interviewing": True, "offer": True, "hired": True,
                    "rejected": False, "withdrawn": False}
REFERRAL_KEPT = {"submitted": True, "reviewing": True, "interviewing": True, "offer": True, "hired": True,
                 "not_selected": False}


def test_the_status_lists_cover_every_status(engine):
    with engine.connect() as conn:
        assert conn.execute(sa.text("select enum_range(null::public.application_status)::text[]")
                            ).scalar_one() == list(APPLICATION_KEPT)
        assert conn.execute(sa.text("select enum_range(null::public.referral_stage)::text[]")
                            ).scalar_one() == list(REFERRAL_KEPT)


@pytest.mark.parametrize("status,kept", APPLICATION_KEPT.items())
def test_the_purge_keeps_an_expired_candidate_only_while_an_application_is_open(engine, world, status,
                                                                                 kept):
    old = 400  # past the default 365 days
    add_candidate(engine, "expired@x.org", days_ago=old, applications={world.analyst: (status, old)})
    # The same status beside an application closed long ago: the open one still decides.
    add_candidate(engine, "two-applications@x.org", days_ago=old,
                  applications={world.analyst: ("rejected", old), world.engineer: (status, old)})
    before = candidate_emails(engine)

    erasure = privacy.purge_as_owner()  # the scheduled purge

    after = candidate_emails(engine)
    assert ({"expired@x.org", "two-applications@x.org"} <= after) is kept, (status, before - after)
    assert before - after == (set() if kept else {"expired@x.org", "two-applications@x.org"})
    assert erasure.candidates == (0 if kept else 2)


@pytest.mark.parametrize("stage,kept", REFERRAL_KEPT.items())
def test_the_purge_keeps_an_expired_candidate_only_while_a_referral_is_open(engine, world, stage, kept):
    old = 400
    add_candidate(engine, "referred@x.org", days_ago=old, referral=(world.tom, stage, old))
    before = candidate_emails(engine)

    privacy.purge_as_owner()

    assert before - candidate_emails(engine) == (set() if kept else {"referred@x.org"})


def test_purge_follows_the_retention_setting_and_removes_resumes_after(engine, world, store):
    applies(world.analyst, "Dan Doe", "dan@example.com", store, make_pdf("Dan"))
    with engine.begin() as conn:
        conn.execute(sa.text(
            "update public.applications a set status = 'rejected' from public.candidates c"
            " where c.id = a.candidate_id and c.email = 'dan@example.com'"))
        conn.execute(sa.text(
            "update public.applications a set updated_at = now() - interval '40 days',"
            " created_at = now() - interval '40 days' from public.candidates c"
            " where c.id = a.candidate_id and c.email = 'dan@example.com'"))
        conn.execute(sa.text("update public.candidates set created_at = now() - interval '40 days'"
                             " where email = 'dan@example.com'"))
        key = conn.execute(sa.text(
            "select a.resume_path from public.applications a join public.candidates c"
            " on c.id = a.candidate_id where c.email = 'dan@example.com'")).scalar_one()

    with engine.begin() as conn:
        assert privacy.purge_expired(conn).candidates == 0  # 40 days < 365
    assert count(engine, "public.audit_log where action = 'privacy.purged'") == 0
    with engine.begin() as conn:
        conn.execute(sa.text("update public.portal_settings set candidate_retention_days = 30"))
    with engine.begin() as conn:
        erasure = privacy.purge_expired(conn)
    assert erasure.candidates == 1 and erasure.resumes == [key]
    assert "dan@example.com" not in candidate_emails(engine)
    assert store.read(key)  # the file waits for the commit…
    privacy.remove_files(erasure, store)
    with pytest.raises(FileNotFoundError):  # …and then goes
        store.read(key)


# --- the `portal privacy` commands ---------------------------------------------------------

@pytest.fixture
def cli_person(clean_db) -> dict:
    """Someone who applied with a résumé kept where the CLI looks for it, and asked."""
    job = add_job(clean_db, "Data Analyst")
    pdf = make_pdf("Eve Example")
    applies(job, "Eve Example", "eve@example.com", resume_store(), pdf)
    ask("eve@example.com", "Is the role open to juniors?")
    with clean_db.connect() as conn:
        key = conn.execute(sa.text("select resume_path from public.applications")).scalar_one()
    return {"pdf": pdf, "key": key}


def test_cli_export_prints_json_or_writes_a_file(engine, cli_person, tmp_path):
    printed = portal_command("privacy", "export", "EVE@example.com")
    assert printed.returncode == 0, printed.stderr
    data = json.loads(printed.stdout)
    assert data["candidate"][0]["full_name"] == "Eve Example"
    assert base64.b64decode(data["applications"][0]["resume_base64"]) == cli_person["pdf"]
    assert [q["body"] for q in data["questions"]] == ["Is the role open to juniors?"]

    target = tmp_path / "eve.json"
    written = portal_command("privacy", "export", "eve@example.com", "--output", str(target))
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == f"wrote {target}: 1 application, 1 question"
    assert json.loads(target.read_text(encoding="utf-8"))["email"] == "eve@example.com"


def test_cli_erase_needs_yes_then_erases(engine, cli_person):
    refused = portal_command("privacy", "erase", "eve@example.com")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert count(engine, "public.candidates") == 1
    assert resume_store().read(cli_person["key"]) == cli_person["pdf"]

    erased = portal_command("privacy", "erase", "eve@example.com", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith("Erased 1 candidate record, 1 application")
    assert count(engine, "public.candidates") == 0 and count(engine, "public.questions") == 0
    with pytest.raises(FileNotFoundError):
        resume_store().read(cli_person["key"])

    nothing = portal_command("privacy", "erase", "eve@example.com", "--yes")
    assert nothing.returncode == 0 and nothing.stdout.strip() == "Nothing is held about that address."


def test_cli_purge_prints_how_many(engine, world):
    add_candidate(engine, "old@x.org", days_ago=400, applications={world.analyst: ("rejected", 400)})
    result = portal_command("privacy", "purge")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Erased 1 unsuccessful candidate past the retention period,"
                                    " with 1 application")
    assert "old@x.org" not in candidate_emails(engine)


@pytest.mark.parametrize("args", [("export", "not-an-email"), ("erase", "eve@", "--yes")])
def test_cli_bad_email_is_one_line_and_nonzero(engine, cli_person, args):
    result = portal_command("privacy", *args)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "not a valid email address" in result.stderr and "Traceback" not in result.stderr
    assert count(engine, "public.candidates") == 1


def test_cli_export_to_an_unwritable_place_is_one_line(engine, cli_person, tmp_path):
    result = portal_command("privacy", "export", "eve@example.com", "--output",
                     str(tmp_path / "missing-folder" / "eve.json"))
    assert result.returncode == 1 and result.stderr.startswith("error: cannot write")
    assert result.stderr.count("\n") == 1

