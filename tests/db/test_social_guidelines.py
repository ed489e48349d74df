"""The social-media guidelines: admins keep them, recruiters read them, nobody else does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor
from services.social.guidelines import load_guidelines, save_guidelines
from services.social.policy import DEFAULT_DISCLOSURES, Guidelines, check_post, is_blocked


def test_defaults_match_the_checker(people):
    # the migration's defaults and the Python ones are the same guidelines
    assert load_guidelines(people.recruiter) == Guidelines() == Guidelines(
        (), DEFAULT_DISCLOSURES, disclosure_external=True, disclosure_internal=False)


def test_an_admin_saves_and_recruiters_check_posts_against_them(clean_db, people):
    saved = save_guidelines(people.admin, Guidelines(
        confidential_terms=(" Project   Falcon ", "", "Contoso", "contoso"),
        disclosures=("I work at Northwind",), disclosure_external=True, disclosure_internal=True))
    assert saved == Guidelines(("Project Falcon", "Contoso"), ("I work at Northwind",), True, True)
    assert load_guidelines(people.recruiter) == saved

    findings = check_post("Join #ProjectFalcon!", load_guidelines(people.recruiter), "internal")
    assert [f.kind for f in findings] == ["confidential", "disclosure"] and is_blocked(findings)

    with clean_db.connect() as conn:
        entry = conn.execute(sa.text("select actor_id, subject_id, details from public.audit_log"
                                     " where action = 'social_guidelines.changed'")).one()
    assert entry.actor_id == people.admin.user_id and entry.subject_id == "1"
    # the terms are counted, not copied into the log
    assert entry.details == {"confidential_terms": "2", "disclosures": "I work at Northwind",
                             "disclosure_external": "true", "disclosure_internal": "true"}


@pytest.mark.parametrize("guidelines,message", [
    (Guidelines(confidential_terms=("ok", "x")), "Confidential terms, line 2"),
    (Guidelines(confidential_terms=("a" * 101,)), "2 to 100 characters"),
    (Guidelines(confidential_terms=tuple(f"term {n}" for n in range(501))), "at most 500"),
    (Guidelines(disclosures=()), "add at least one"),
    (Guidelines(disclosures=("  ",), disclosure_external=False, disclosure_internal=True), "at least one"),
    (Guidelines(disclosures=tuple(f"#tag{n}" for n in range(51))), "at most 50"),
])
def test_bad_guidelines_are_refused_with_a_reason(people, guidelines, message):
    with pytest.raises(ValidationError, match=message):
        save_guidelines(people.admin, guidelines)
    assert load_guidelines(people.admin) == Guidelines()


def test_no_disclosure_needed_when_no_audience_requires_one(people):
    saved = save_guidelines(people.admin, Guidelines(disclosures=(), disclosure_external=False))
    assert load_guidelines(people.admin) == saved == Guidelines((), (), False, False)


@pytest.mark.parametrize("who", ["recruiter", "candidate", "alumnus"])
def test_only_admins_change_them(people, who):
    with pytest.raises(PermissionDenied):
        save_guidelines(getattr(people, who), Guidelines(confidential_terms=("Leak",)))
    assert load_guidelines(people.admin) == Guidelines()


@pytest.mark.parametrize("who", ["candidate", "alumnus", "visitor"])
def test_only_staff_read_them(people, who):
    actor = Actor.visitor() if who == "visitor" else getattr(people, who)
    with pytest.raises(PermissionDenied):
        load_guidelines(actor)
