"""Recognition (points, badges, the leaderboard and leaving it), alumni outreach (job
digests by email and in the portal, boomerang interest) and the programme's figures,
each against figures worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal import task_queue
from portal.db import act_as
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.people.accounts import create_account
from services.referrals import outreach, recognition
from services.referrals import programme_figures as rf
from tests.support import in_a_thread

# referrer -> [(job, created, stage)]; Oli has the most points but leaves the leaderboard.
REFERRALS = {
    "ann": [("eng", "2026-01-10", "hired"), ("eng", "2026-01-20", "interviewing"),
            ("sales", "2026-02-05", "submitted")],
    "ben": [("sales", "2026-02-10", "offer"), (None, "2026-02-11", "not_selected")],
    "eve": [("eng", "2026-03-01", "reviewing")],
    "oli": [("sales", "2026-03-01", "hired"), ("sales", "2026-03-02", "hired"),
            ("sales", "2026-03-03", "hired"), ("sales", "2026-03-04", "submitted"),
            ("sales", "2026-03-05", "submitted")],
}


@dataclass
class People:
    actors: dict[str, Actor]
    jobs: dict[str, UUID]
    referrals: dict[tuple[str, int], UUID]

    def __getitem__(self, who: str) -> Actor:
        return self.actors[who]


@pytest.fixture
def people(clean_db) -> People:
    actors, jobs, referrals = {}, {}, {}
    with clean_db.begin() as conn:
        for who, role in (("ann", Role.ALUMNUS), ("ben", Role.ALUMNUS), ("eve", Role.EMPLOYEE),
                          ("oli", Role.ALUMNUS), ("rita", Role.RECRUITER), ("cleo", Role.CANDIDATE)):
            user = create_account(conn, f"{who}@example.com", who.capitalize(), role, None)
            actors[who] = Actor(user_id=user, email=f"{who}@example.com", role=role,
                                full_name=who.capitalize())
        for key, title, dept, status in (("eng", "Backend Engineer", "Engineering", "published"),
                                         ("sales", "Account Executive", "Sales", "published"),
                                         ("draft", "Secret Role", "Engineering", "draft")):
            jobs[key] = conn.execute(sa.text(
                "insert into public.jobs (title, department, location, status)"
                " values (:t, :d, 'Berlin', cast(:s as public.job_status)) returning id"),
                {"t": title, "d": dept, "s": status}).scalar_one()
        for who, rows in REFERRALS.items():
            for i, (job, created, stage) in enumerate(rows):
                cand = conn.execute(sa.text(
                    "insert into public.candidates (full_name, email) values (:n, :e) returning id"),
                    {"n": f"{who} friend {i}", "e": f"{who}{i}@mail.test"}).scalar_one()
                referrals[(who, i)] = conn.execute(sa.text(
                    "insert into public.referrals (referrer_id, candidate_id, job_id, stage, created_at)"
                    " values (:r, :c, :j, cast(:s as public.referral_stage), cast(:at as timestamptz))"
                    " returning id"),
                    {"r": actors[who].user_id, "c": cand, "j": jobs.get(job), "s": stage,
                     "at": created + " 12:00+00"}).scalar_one()
    recognition.set_opt_out(actors["oli"], True)
    return People(actors, jobs, referrals)


# --- recognition ---------------------------------------------------------------------------

def test_points_and_badges_follow_the_stages_reached(people):
    ann = recognition.my_recognition(people["ann"])
    # 3 referrals x 10 + 2 interviews x 30 + 1 hire x 100
    assert (ann.referrals, ann.interviews, ann.hires, ann.points) == (3, 2, 1, 190)
    assert ann.badges == ("First referral", "Interview maker", "First hire")
    oli = recognition.my_recognition(people["oli"])
    assert (oli.points, oli.badges) == (5 * 10 + 3 * 30 + 3 * 100, tuple(recognition.BADGES))
    assert recognition.my_recognition(people["cleo"]) == recognition.Recognition()


def test_a_stage_change_moves_the_points(people, clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.referrals set stage = 'hired' where id = :id"),
                     {"id": people.referrals[("ben", 0)]})
    assert recognition.my_recognition(people["ben"]).points == 20 + 30 + 100


def test_an_interview_counts_once_reached_and_cannot_be_set_by_hand(people, clean_db):
    eve = people.referrals[("eve", 0)]
    with clean_db.begin() as conn:
        act_as(conn, people["rita"])
        for stage in ("interviewing", "not_selected"):
            conn.execute(sa.text("update public.referrals set stage = cast(:s as public.referral_stage)"
                                 " where id = :id"), {"s": stage, "id": eve})
        # Nor forged, nor erased, by a recruiter writing the column.
        conn.execute(sa.text("update public.referrals set interviewed_at = case when id = :eve then null"
                             " else now() end where id in (:eve, :ann)"),
                     {"eve": eve, "ann": people.referrals[("ann", 2)]})
    mine = recognition.my_recognition(people["eve"])
    assert (mine.referrals, mine.interviews, mine.hires, mine.points) == (1, 1, 0, 40)
    assert recognition.my_recognition(people["ann"]).interviews == 2  # unchanged
    figures = rf.figures(people["rita"], date(2026, 3, 1), date(2026, 3, 31))
    assert figures.by_month.to_dict("records")[0]["interviews"] == 4  # eve's and oli's three


def test_a_duplicate_or_applied_first_referral_earns_nothing(people, clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.referrals set outcome = 'duplicate' where id = :a"),
                     {"a": people.referrals[("ann", 0)]})
        conn.execute(sa.text("update public.referrals set outcome = 'applied_first' where id = :a"),
                     {"a": people.referrals[("ann", 1)]})
    ann = recognition.my_recognition(people["ann"])
    assert (ann.referrals, ann.interviews, ann.hires, ann.points) == (1, 0, 0, 10)
    january = rf.figures(people["rita"], date(2026, 1, 1), date(2026, 1, 31))
    assert january.by_month.empty


def test_leaderboard_ranks_by_points_without_who_opted_out(people):
    for viewer in ("ann", "eve", "rita", "oli"):
        board = recognition.leaderboard(people[viewer])
        assert [(s.place, s.full_name, s.points) for s in board] == \
            [(1, "Ann", 190), (2, "Ben", 50), (3, "Eve", 10)], viewer
        assert [s.is_me for s in board] == [viewer == "ann", False, viewer == "eve"]
    assert recognition.leaderboard(people["cleo"]) == []  # candidates have no leaderboard


def test_opted_out_never_leaks(people, clean_db):
    """Nobody else reaches an opted-out referrer's name or score: not the leaderboard, not
    the programme's top referrers, not the preference rows nor the scoring function."""
    assert recognition.opted_out(people["oli"])
    assert not recognition.opted_out(people["ann"])
    for viewer in ("ann", "ben", "eve", "rita"):
        assert "Oli" not in {s.full_name for s in recognition.leaderboard(people[viewer], limit=100)}
    figures = rf.figures(people["rita"], date(2026, 1, 1), date(2026, 12, 31))
    assert "Oli" not in set(figures.top_referrers["referrer"])
    with clean_db.connect() as conn, conn.begin():

        act_as(conn, people["ann"])
        assert conn.execute(sa.text("select count(*) from public.referrer_preferences")).scalar() == 0
        with pytest.raises(sa.exc.ProgrammingError):
            conn.execute(sa.text("select * from private.referrer_scores()"))
    # An alumnus cannot opt someone else in or out.
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, people["ann"])
        assert conn.execute(sa.text("update public.referrer_preferences set leaderboard_opt_out = false"
                                    )).rowcount == 0
    assert recognition.opted_out(people["oli"])
    # Coming back puts Oli first.
    recognition.set_opt_out(people["oli"], False)
    assert recognition.leaderboard(people["ann"])[0].full_name == "Oli"
    with pytest.raises(PermissionDenied):
        recognition.set_opt_out(people["rita"], True)


# --- programme figures ---------------------------------------------------------------------

def test_figures_by_month_department_and_referrer(people):
    figures = rf.figures(people["rita"], date(2026, 1, 1), date(2026, 3, 31))
    assert figures.by_month.to_dict("records") == [
        {"month": "2026-01", "referrals": 2, "interviews": 2, "hires": 1, "conversion": 0.5},
        {"month": "2026-02", "referrals": 3, "interviews": 1, "hires": 0, "conversion": 0.0},
        {"month": "2026-03", "referrals": 6, "interviews": 3, "hires": 3, "conversion": 0.5},
    ]
    assert figures.by_department.to_dict("records") == [
        {"department": "Sales", "referrals": 7, "interviews": 4, "hires": 3, "conversion": 0.429},
        {"department": "Engineering", "referrals": 3, "interviews": 2, "hires": 1, "conversion": 0.333},
        {"department": "Open to anything", "referrals": 1, "interviews": 0, "hires": 0, "conversion": 0.0},
    ]
    assert list(figures.top_referrers["referrer"]) == ["Ann", "Ben", "Eve"]
    assert figures.totals == {"referrals": 11, "interviews": 6, "hires": 4, "conversion": 4 / 11}
    # The period's edges: February only.
    february = rf.figures(people["rita"], date(2026, 2, 1), date(2026, 2, 28))
    assert list(february.by_month["month"]) == ["2026-02"]


def test_time_to_hire_referrals_against_other_sources(people, clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text("delete from public.hires"))  # the ones the hired referrals recorded today
        cand = conn.execute(sa.text("insert into public.candidates (full_name, email)"
                                    " values ('Direct', 'direct@mail.test') returning id")).scalar_one()
        apps = {}
        for key, job, created in (("a1", "eng", "2026-01-01"), ("a2", "sales", "2026-02-01"),
                                  ("a3", "draft", "2025-11-01")):
            apps[key] = conn.execute(sa.text(
                "insert into public.applications (job_id, candidate_id, created_at)"
                " values (:j, :c, cast(:at as timestamptz)) returning id"),
                {"j": people.jobs[job], "c": cand, "at": created + " 09:00+00"}).scalar_one()
        for source, hired, referral, application in (
                ("referral", "2026-02-09", people.referrals[("ann", 0)], None),   # 30 days
                ("referral", "2026-03-21", people.referrals[("oli", 0)], None),   # 20 days
                ("direct", "2026-03-02", None, apps["a1"]),                       # 60 days
                ("job_board", "2026-03-03", None, apps["a2"]),                    # 30 days
                ("agency", "2026-03-04", None, None),                             # no start known
                ("direct", "2025-12-01", None, apps["a3"])):                      # outside the period
            conn.execute(sa.text(
                "insert into public.hires (hire_date, job_title, department, source, first_year_salary,"
                " referral_id, application_id) values (:d, 'X', 'Eng', cast(:s as public.hire_source),"
                " 1, :r, :a)"), {"d": hired, "s": source, "r": referral, "a": application})
    table = rf.figures(people["rita"], date(2026, 1, 1), date(2026, 6, 30)).time_to_hire
    assert table.to_dict("records") == [
        {"source": "Referrals", "hires": 2, "average_days": 25.0, "median_days": 25.0, "without_start": 0},
        {"source": "Other sources", "hires": 2, "average_days": 45.0, "median_days": 45.0,
         "without_start": 1},
    ]


def test_figures_are_for_staff_only(people):
    with pytest.raises(PermissionDenied):
        rf.figures(people["ann"], date(2026, 1, 1), date(2026, 3, 31))
    with pytest.raises(ValidationError, match="after its last"):
        rf.figures(people["rita"], date(2026, 3, 1), date(2026, 1, 1))


# --- outreach ------------------------------------------------------------------------------

def test_a_digest_is_emailed_to_alumni_and_listed_in_the_portal(people, smtp):
    rita = people["rita"]
    assert outreach.departments(rita) == ["Engineering", "Sales"]
    preview = outreach.preview(rita, ["Engineering"])
    assert [j.title for j in preview] == ["Backend Engineer"]  # the draft is not open
    sent = outreach.send_digest(rita, ["Engineering"], "Hello from Rita")
    assert (sent.jobs, sent.recipients, sent.queued, sent.email_enabled) == (1, 3, 3, True)
    assert smtp.messages == []  # queued for the worker; the digest is in the portal already
    in_a_thread(task_queue.run, wait=False)
    assert sorted(to[0] for to, _ in smtp.messages) == ["ann@example.com", "ben@example.com",
                                                        "oli@example.com"]
    body = smtp.messages[0][1].get_payload(decode=True).decode()
    assert "Hello from Rita" in body and f"/job?id={people.jobs['eng']}" in body
    assert "Account Executive" not in body
    for viewer in ("ann", "eve", "rita"):
        [digest] = outreach.digests(people[viewer])
        assert (digest.departments, digest.emailed, [j.title for j in digest.jobs]) == \
            (("Engineering",), 3, ["Backend Engineer"])
    assert outreach.digests(people["cleo"]) == []


def test_without_smtp_the_digest_is_still_in_the_portal(people):
    sent = outreach.send_digest(people["rita"], ["Sales"])
    assert (sent.jobs, sent.queued, sent.email_enabled) == (1, 0, False)
    assert len(outreach.digests(people["ben"])) == 1


def test_a_digest_refuses_bad_choices(people):
    with pytest.raises(ValidationError, match="at least one department"):
        outreach.send_digest(people["rita"], [])
    with pytest.raises(ValidationError, match="no open jobs"):
        outreach.send_digest(people["rita"], ["Nowhere"])
    with pytest.raises(ValidationError, match="at most 2,000"):
        outreach.send_digest(people["rita"], ["Sales"], "x" * 2001)
    with pytest.raises(ValidationError) as both:  # both fields' problems at once
        outreach.send_digest(people["rita"], [], "x" * 2001)
    assert [field for field, _ in both.value.problems] == ["departments", "note"]
    with pytest.raises(PermissionDenied):
        outreach.send_digest(people["ann"], ["Sales"])
    assert outreach.digests(people["rita"]) == []


def test_boomerang_interest_and_filters(people, clean_db):
    outreach.say_interested(people["ann"], "Data engineering", "After my sabbatical")
    outreach.say_interested(people["ben"], "", "")
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.boomerang_interest set updated_at = now() - interval '60 days'"
                             " where user_id = :u"), {"u": people["ben"].user_id})
    rita = people["rita"]
    assert [a.full_name for a in outreach.interested(rita).rows] == ["Ann", "Ben"]
    assert [a.email for a in outreach.interested(rita, search="DATA").rows] == ["ann@example.com"]
    assert [a.full_name for a in outreach.interested(rita, search="sabbatical").rows] == ["Ann"]
    assert outreach.interested(rita, search="100%").total == 0
    recent = outreach.interested(rita, since=datetime.now() - timedelta(days=30))
    assert [a.full_name for a in recent.rows] == ["Ann"]
    # Updating keeps one row; withdrawing removes it.
    outreach.say_interested(people["ann"], "Platform", "")
    assert outreach.my_interest(people["ann"]).areas == "Platform"
    outreach.withdraw_interest(people["ben"])
    assert outreach.interested(rita).total == 1
    assert outreach.my_interest(people["ben"]) is None
    # Only alumni say so; only staff list them.
    with pytest.raises(PermissionDenied):
        outreach.say_interested(people["eve"], "x")
    with pytest.raises(PermissionDenied):
        outreach.interested(people["ann"])
    with pytest.raises(ValidationError, match="Areas: at most 300"):
        outreach.say_interested(people["ann"], "x" * 301)
