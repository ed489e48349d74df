"""Company facts (what drafted answers draw on) and the settings for questions and
candidates' data: admins keep them, everyone reads the facts, nobody else writes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.errors import NotFound, PermissionDenied, ValidationError
from services.people import preferences
from services.postings import company


def _audit(engine: sa.Engine, action: str) -> list[sa.Row]:
    with engine.connect() as conn:
        return conn.execute(sa.text("select actor_id, subject_id, details from public.audit_log"
                                    " where action = :action order by id"), {"action": action}).all()


def test_an_admin_adds_edits_and_deletes_facts(clean_db, people):
    holidays = company.save_fact(people.admin, topic="benefits", title=" Holidays ",
                                 body="30 days a year.")
    steps = company.save_fact(people.admin, topic="process", title="Steps", body="Call, task, offer.")
    assert [(f.topic, f.title, f.body) for f in company.facts(people.visitor)] == [
        ("benefits", "Holidays", "30 days a year."), ("process", "Steps", "Call, task, offer.")]

    assert company.save_fact(people.admin, topic="culture", title="Time off",
                             body="32 days a year.", fact_id=holidays) == holidays
    assert [(f.id, f.topic, f.title, f.body) for f in company.facts(people.candidate)] == [
        (holidays, "culture", "Time off", "32 days a year."),
        (steps, "process", "Steps", "Call, task, offer.")]

    company.delete_fact(people.admin, steps)
    assert [f.id for f in company.facts(people.recruiter)] == [holidays]
    saved = _audit(clean_db, "company.fact_saved")
    assert [(a.actor_id, a.subject_id) for a in saved] == [
        (people.admin.user_id, str(holidays)), (people.admin.user_id, str(steps)),
        (people.admin.user_id, str(holidays))]
    assert saved[-1].details == {"title": "Time off"}
    assert [a.subject_id for a in _audit(clean_db, "company.fact_deleted")] == [str(steps)]


def test_editing_a_deleted_fact_says_so(clean_db, people):
    fact = company.save_fact(people.admin, topic="other", title="Gone", body="Soon deleted.")
    company.delete_fact(people.admin, fact)
    with pytest.raises(NotFound):
        company.save_fact(people.admin, topic="other", title="Gone", body="Edited.", fact_id=fact)
    assert company.facts(people.admin) == []


@pytest.mark.parametrize("who", ["recruiter", "candidate", "alumnus", "visitor"])
def test_only_admins_keep_facts(clean_db, people, who):
    actor = getattr(people, who)
    fact = company.save_fact(people.admin, topic="benefits", title="Holidays", body="30 days.")
    with pytest.raises(PermissionDenied):
        company.save_fact(actor, topic="benefits", title="Bonus", body="A million.")
    with pytest.raises(PermissionDenied):
        company.save_fact(actor, topic="benefits", title="Holidays", body="300 days.", fact_id=fact)
    with pytest.raises(PermissionDenied):
        company.delete_fact(actor, fact)
    assert [(f.title, f.body) for f in company.facts(people.admin)] == [("Holidays", "30 days.")]


@pytest.mark.parametrize(("fields", "message"), [
    ({"topic": "salaries"}, "Choose a topic"),
    ({"topic": ""}, "Choose a topic"),
    ({"title": " "}, "Title"),
    ({"title": "x"}, "Title"),
    ({"title": "x" * 121}, "Title"),
    ({"body": ""}, "Text"),
    ({"body": "x" * 4001}, "at most 4,000"),
])
def test_facts_are_checked(clean_db, people, fields, message):
    values = {"topic": "benefits", "title": "Holidays", "body": "30 days."} | fields
    with pytest.raises(ValidationError, match=message):
        company.save_fact(people.admin, **values)
    assert company.facts(people.admin) == []


def test_the_longest_fact_is_kept(clean_db, people):
    company.save_fact(people.admin, topic="other", title="t" * 120, body="b" * 4000)
    [fact] = company.facts(people.admin)
    assert len(fact.title) == 120 and len(fact.body) == 4000


# --- settings -------------------------------------------------------------------------------

def test_the_defaults_until_an_admin_changes_them(clean_db, people):
    assert preferences.preferences(people.visitor) == preferences.Preferences(48, 365)
    preferences.save(people.admin, answer_target_hours=24, candidate_retention_days=90)
    assert preferences.preferences(people.recruiter) == preferences.Preferences(24, 90)
    [entry] = _audit(clean_db, "settings.changed")
    assert entry.actor_id == people.admin.user_id
    assert entry.details == {"answer_target_hours": "24", "candidate_retention_days": "90"}


@pytest.mark.parametrize(("hours", "days"), [(1, 30), (720, 3650)])
def test_the_bounds_are_allowed(clean_db, people, hours, days):
    preferences.save(people.admin, answer_target_hours=hours, candidate_retention_days=days)
    assert preferences.preferences(people.admin) == preferences.Preferences(hours, days)


@pytest.mark.parametrize(("hours", "days", "message"), [
    (0, 365, "answer target"), (721, 365, "answer target"), (-5, 365, "answer target"),
    (48, 29, "kept between"), (48, 3651, "kept between"),
])
def test_settings_outside_the_bounds_are_refused(clean_db, people, hours, days, message):
    with pytest.raises(ValidationError, match=message):
        preferences.save(people.admin, answer_target_hours=hours, candidate_retention_days=days)
    assert preferences.preferences(people.admin) == preferences.Preferences()


@pytest.mark.parametrize("who", ["recruiter", "candidate", "visitor"])
def test_only_admins_change_settings(clean_db, people, who):
    with pytest.raises(PermissionDenied):
        preferences.save(getattr(people, who), answer_target_hours=24, candidate_retention_days=90)
    assert preferences.preferences(people.admin) == preferences.Preferences()
