"""One candidate's profile (recruiters and admins): everything the portal holds about one
person, read in one transaction: their applications with stages, history and notes, the
referrals about them, the questions they asked (by their email or their account), their
résumés, and one timeline of it all; and merging one person's two candidate records (the same
LinkedIn profile under two emails) into one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa

from portal.db import transaction, translate_refusals
from portal.models import Actor
from portal.permissions import require_staff
from portal.words import counted
from services.candidates.applications import Note, StageEvent


@dataclass(frozen=True)
class ProfileApplication:
    application_id: UUID
    job_id: UUID
    job_title: str
    currency: str
    status: str
    source: str
    applied_at: datetime
    stage_since: datetime
    resume_name: str | None  # None: no résumé
    note: str | None  # what the candidate wrote when applying
    message: str | None  # the last message to the candidate
    message_at: datetime | None
    agency_name: str | None  # an agency's candidate, added by hand
    agency_fee: Decimal | None
    events: list[StageEvent] = field(default_factory=list)  # oldest first
    notes: list[Note] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class ReferralStep:
    from_stage: str | None
    to_stage: str
    changed_at: datetime


@dataclass(frozen=True)
class ProfileReferral:
    referral_id: UUID
    job_title: str | None  # None: open to anything
    referrer_name: str | None  # None: the referrer's account is gone
    stage: str
    outcome: str
    relationship: str
    reason: str
    created_at: datetime
    resume_name: str | None
    steps: list[ReferralStep] = field(default_factory=list)  # oldest first


@dataclass(frozen=True)
class ProfileQuestion:
    body: str
    status: str
    job_title: str | None
    asked_at: datetime
    answer: str | None


@dataclass(frozen=True)
class SamePerson:
    """Another candidate with the same LinkedIn profile: likely the same person, another email."""
    candidate_id: UUID
    full_name: str
    email: str


@dataclass(frozen=True)
class Profile:
    candidate_id: UUID
    full_name: str
    email: str
    phone: str | None
    linkedin_url: str | None
    has_account: bool
    created_at: datetime
    applications: list[ProfileApplication]  # newest first
    referrals: list[ProfileReferral]  # newest first
    questions: list[ProfileQuestion]  # newest first
    same_linkedin: list[SamePerson] = field(default_factory=list)


def profile(actor: Actor, candidate_id: UUID | str) -> Profile | None:
    """Everything about one candidate, in one transaction (so the parts agree with each
    other), or None when there is no such candidate (or the link is incomplete)."""
    try:
        candidate_id = UUID(str(candidate_id))
    except ValueError:
        return None
    params = {"id": candidate_id}
    with transaction(actor) as conn:
        require_staff(conn, "see a candidate's profile")
        person = conn.execute(sa.text(
            "select c.id as candidate_id, c.full_name, c.email, c.phone, c.linkedin_url,"
            " c.user_id is not null as has_account, c.user_id,"
            # known since their first application or referral, if the record came later
            " least(c.created_at,"
            "       (select min(a.created_at) from public.applications a where a.candidate_id = c.id),"
            "       (select min(r.created_at) from public.referrals r where r.candidate_id = c.id))"
            "   as created_at"
            " from public.candidates c where c.id = :id"), params).first()
        if person is None:
            return None
        applications = conn.execute(sa.text(
            "select a.id as application_id, j.id as job_id, j.title as job_title, j.currency,"
            "  a.status::text as status, a.source, a.created_at as applied_at,"
            "  coalesce((select e.changed_at from public.application_events e"
            "            where e.application_id = a.id order by e.id desc limit 1),"
            "           a.updated_at) as stage_since,"
            "  case when a.resume_path is not null then coalesce(a.resume_name, 'résumé') end"
            "    as resume_name,"
            "  a.note, a.candidate_message as message, a.candidate_message_at as message_at,"
            "  g.agency_name, g.agency_fee"
            " from public.applications a join public.jobs j on j.id = a.job_id"
            " left join public.application_agencies g on g.application_id = a.id"
            " where a.candidate_id = :id order by a.created_at desc, a.id"), params).all()
        events = conn.execute(sa.text(
            "select e.application_id, e.from_status::text as from_status,"
            "  e.to_status::text as to_status, e.changed_at,"
            "  coalesce(nullif(p.full_name, ''), p.email) as changed_by, e.reason, e.reason_detail,"
            "  e.message"
            " from public.application_events e"
            " join public.applications a on a.id = e.application_id"
            " left join public.profiles p on p.id = e.changed_by"
            " where a.candidate_id = :id order by e.id"), params).all()
        notes = conn.execute(sa.text(
            "select n.application_id, coalesce(nullif(p.full_name, ''), p.email) as author,"
            "  n.body, n.created_at"
            " from public.application_notes n"
            " join public.applications a on a.id = n.application_id"
            " left join public.profiles p on p.id = n.author_id"
            " where a.candidate_id = :id order by n.id desc"), params).all()
        referrals = conn.execute(sa.text(
            "select r.id as referral_id, j.title as job_title,"
            "  coalesce(nullif(p.full_name, ''), p.email) as referrer_name, r.stage::text as stage,"
            "  r.outcome, r.relationship, r.reason, r.created_at,"
            "  case when r.resume_path is not null then coalesce(r.resume_name, 'résumé') end"
            "    as resume_name"
            " from public.referrals r left join public.jobs j on j.id = r.job_id"
            " left join public.profiles p on p.id = r.referrer_id"
            " where r.candidate_id = :id order by r.created_at desc, r.id"), params).all()
        steps = conn.execute(sa.text(
            "select e.referral_id, e.from_stage::text as from_stage, e.to_stage::text as to_stage,"
            "  e.changed_at"
            " from public.referral_stage_events e join public.referrals r on r.id = e.referral_id"
            " where r.candidate_id = :id order by e.id"), params).all()
        # Questions asked with this email, or from this person's account.
        questions = conn.execute(sa.text(
            "select q.body, q.status::text as status, j.title as job_title, q.created_at as asked_at,"
            "  q.answer"
            " from public.question_askers qa join public.questions q on q.id = qa.question_id"
            " left join public.jobs j on j.id = q.job_id"
            " where qa.email = lower(:email)"
            "    or (cast(:user as uuid) is not null and qa.user_id = cast(:user as uuid))"
            " order by q.created_at desc, q.id"),
            {"email": person.email, "user": person.user_id}).all()

        same_linkedin = conn.execute(sa.text(
            "select c.id as candidate_id, c.full_name, c.email from public.candidates c"
            " where c.linkedin_url = :linkedin and c.id <> :id"  # stored as validation tidies it
            " order by c.created_at limit 10"),
            {"linkedin": person.linkedin_url, "id": candidate_id}).all() if person.linkedin_url else []

    events_of: dict[UUID, list[StageEvent]] = {}
    for e in events:
        values = dict(e._mapping)
        events_of.setdefault(values.pop("application_id"), []).append(StageEvent(**values))
    notes_of: dict[UUID, list[Note]] = {}
    for n in notes:
        values = dict(n._mapping)
        notes_of.setdefault(values.pop("application_id"), []).append(Note(**values))
    steps_of: dict[UUID, list[ReferralStep]] = {}
    for s in steps:
        values = dict(s._mapping)
        steps_of.setdefault(values.pop("referral_id"), []).append(ReferralStep(**values))
    found = dict(person._mapping)
    found.pop("user_id")
    return Profile(
        **found,
        applications=[ProfileApplication(**a._mapping, events=events_of.get(a.application_id, []),
                                         notes=notes_of.get(a.application_id, []))
                      for a in applications],
        referrals=[ProfileReferral(**r._mapping, steps=steps_of.get(r.referral_id, []))
                   for r in referrals],
        questions=[ProfileQuestion(**q._mapping) for q in questions],
        same_linkedin=[SamePerson(**s._mapping) for s in same_linkedin])


@dataclass(frozen=True)
class Merged:
    applications: int
    referrals: int
    questions: int

    def describe(self, merged: str, kept: str) -> str:
        """"Merged Dana K. (dana@old.example) into this profile: 1 application, ..." for the page."""
        return (f"Merged {merged} into {kept}: {counted(self.applications, 'application')}, "
                f"{counted(self.referrals, 'referral')} and {counted(self.questions, 'question')} "
                "moved here.")


def merge(actor: Actor, keep_id: UUID, merge_id: UUID) -> Merged:
    """Merge candidate `merge_id` into `keep_id` (one person under two emails, the same LinkedIn
    profile): its applications, referrals, hires and questions become `keep_id`'s and it is
    deleted, in one step the database checks and audits (private.merge_candidates)."""
    with translate_refusals(denied="Only recruiters and admins can merge candidates.",
                            missing="One of these candidates does not exist any more."), \
            transaction(actor) as conn:
        row = conn.execute(sa.text(
            "select applications, referrals, questions from private.merge_candidates(:keep, :merge)"),
            {"keep": keep_id, "merge": merge_id}).one()
    return Merged(**row._mapping)
