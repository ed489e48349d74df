"""Referrals as lists: an alumnus sees their own, recruiters see all (row-level security);
and a referral's stage in words: the application stage it is, named as the company names it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa

from portal.db import transaction
from portal.models import Actor, Page
from services.candidates.hiring_stages import StageWords, stage_labels

OUTCOME_NOTES = {"owner": "", "duplicate": "Someone referred them first",
                 "applied_first": "They had applied before your referral",
                 "pending": "Waiting for the candidate to confirm: it counts once they open the link "
                            "we emailed them, or tell a recruiter"}
# The same, as recruiters read it: whether a referral counts for its referrer.
STAFF_OUTCOME_NOTES = {"owner": "Counts for the referrer",
                       "duplicate": "Not counted: someone referred them first",
                       "applied_first": "Not counted: they had applied before",
                       "pending": "Not counted yet: waiting for the candidate to confirm"}
STAGES = ("submitted", "reviewing", "interviewing", "offer", "hired", "not_selected")
# A referral's stage is its application's (issue 16): the application's status for each referral
# stage, as private.application_status_of maps it in the database. Every word a referral's stage
# is shown in is that status's name in the company's words (hiring_stages.stage_labels).
APPLICATION_STATUS = {"submitted": "new", "reviewing": "reviewing", "interviewing": "interviewing",
                      "offer": "offer", "hired": "hired", "not_selected": "rejected"}


@dataclass(frozen=True)
class ReferralStageWords:
    """Each referral stage's name as one reader reads it, and the stages a filter or a move may
    offer (those whose application stage the company has in use)."""
    names: dict[str, str]
    in_use: tuple[str, ...]

    def name(self, stage: str) -> str:
        return self.names[stage]

    def shown(self, counts: dict[str, int]) -> tuple[str, ...]:
        """The stages to show beside `counts`: those in use, and a switched-off one still holding
        referrals (they keep their stage, and its name)."""
        return tuple(s for s in STAGES if s in self.in_use or counts.get(s))


def referral_stage_words(words: StageWords, *, for_candidate: bool) -> ReferralStageWords:
    """The referral stages in `words`: the recruiters' names, or (`for_candidate`) the wording
    the referrer and the candidate read."""
    named = words.candidate_label if for_candidate else words.label
    return ReferralStageWords({s: named(APPLICATION_STATUS[s]) for s in STAGES},
                              tuple(s for s in STAGES if APPLICATION_STATUS[s] in words.in_use))


def stage_words(actor: Actor | None) -> ReferralStageWords:
    """The referral stages as `actor` reads them: staff the company's names for recruiters,
    anyone else (referrers; `None` for a message to a referrer or a candidate) its wording for
    candidates."""
    staff = actor is not None and actor.role is not None and actor.role.is_staff
    return referral_stage_words(stage_labels(actor if staff else None), for_candidate=not staff)

# Which referrals count, as SQL conditions on `public.referrals r`, written once for the
# programme's figures, the overview and the privacy purge. Points and badges are added up
# in the database (private.referrer_scores), on the same condition as CREDITED.
#   credited     the referral that owns its candidate (private.record_referral decides). A
#                duplicate, or a referral of someone who had applied already, is recorded
#                and credited to no one: it earns nothing and is in no figure.
#   in progress  a process still going on: a credited referral not yet hired nor not
#                selected, or any other referral a recruiter moved on. A duplicate or
#                applied-first referral nobody moved on is a record of who else referred
#                them, not a process: not in the overview, and it keeps no data from the purge.
CREDITED = "r.outcome = 'owner'"
IN_PROGRESS = (f"(r.stage not in ('hired', 'not_selected')"
               f" and ({CREDITED} or r.stage <> 'submitted'))")


@dataclass(frozen=True)
class ReferralRow:
    id: UUID
    candidate_name: str  # "—" for a referrer whose referral does not own the candidate
    outcome: str  # owner, duplicate (someone referred them first) or applied_first
    job_title: str | None
    referrer_name: str | None
    stage: str
    reward_amount: Decimal | None
    reward_paid_at: datetime | None
    created_at: datetime
    stage_changed_at: datetime


def list_referrals(actor: Actor, *, mine: bool = False, stage: str | None = None,
                   job_id: UUID | None = None, page: int = 1,
                   page_size: int = 25) -> Page[ReferralRow]:
    """Referrals newest first. `mine` keeps the actor's own (what alumni see anyway);
    `job_id` keeps one job's."""
    where = ("(not :mine or r.referrer_id = cast(:me as uuid))"
             " and (cast(:job as uuid) is null or r.job_id = cast(:job as uuid))"
             " and (cast(:stage as public.referral_stage) is null"
             "      or r.stage = cast(:stage as public.referral_stage))")
    params = {"mine": mine, "me": actor.user_id, "stage": stage, "job": job_id, "limit": page_size,
              "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(sa.text(f"select count(*) from public.referrals r where {where}"),  # noqa: S608
                             params).scalar_one()
        rows = conn.execute(sa.text(
            referral_row_sql(where) + " order by r.created_at desc, r.id limit :limit offset :offset"),
            params).all()
    return Page([ReferralRow(**row._mapping) for row in rows], total, page, page_size)


def referral_row_sql(where: str, *, extra: str = "") -> str:
    """The select of ReferralRow's columns (and `extra` ones) for the referrals matching `where`
    (a condition on `public.referrals r`), under the reader's row-level security."""
    return f"""
        select r.id, coalesce(c.full_name, '—') as candidate_name, r.outcome, j.title as job_title,
               p.full_name as referrer_name, r.stage::text as stage, r.reward_amount, r.reward_paid_at,
               r.created_at, r.stage_changed_at{", " + extra if extra else ""}
        from public.referrals r
        left join public.candidates c on c.id = r.candidate_id  -- hidden unless the referral owns them
        left join public.jobs j on j.id = r.job_id
        left join public.profiles p on p.id = r.referrer_id
        where {where}
        """  # noqa: S608 - conditions written in this package, values bound


def count_by_stage(actor: Actor, *, mine: bool = False) -> dict[str, int]:
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select stage, count(*) from public.referrals"
            " where (not :mine or referrer_id = cast(:me as uuid)) group by stage"),
            {"mine": mine, "me": actor.user_id}).all()
    counts = dict.fromkeys(STAGES, 0)
    counts.update({stage: n for stage, n in rows})
    return counts
