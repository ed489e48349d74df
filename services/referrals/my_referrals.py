"""What an alumnus's or employee's My referrals page shows, read in one transaction: their
notifications, points and badges, counts per stage, and one page of their referrals with
each one's timeline and bonus; and one referral's own page."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from portal.db import one_transaction
from portal.models import Actor, Page
from services.referrals import pipeline, recognition, rewards, stages
from services.referrals.pipeline import Notification, ReferralDetail, StageEvent
from services.referrals.recognition import Recognition
from services.referrals.rewards import Bonus, Payout
from services.referrals.stages import ReferralRow


@dataclass(frozen=True)
class MyReferrals:
    notifications: list[Notification]  # the newest
    unread: int
    recognition: Recognition
    on_leaderboard: bool  # not opted out
    counts: dict[str, int]  # per stage, all of theirs
    referrals: Page[ReferralRow]  # the page asked for
    timelines: dict[UUID, list[StageEvent]]  # of the referrals on that page
    payouts: dict[UUID, Payout]  # their share of each bonus on that page, where one is planned
    stage_words: stages.ReferralStageWords  # the stages as the referrer reads them


def my_referrals(actor: Actor, page: int = 1) -> MyReferrals:
    with one_transaction(actor):
        news, unread = pipeline.notifications(actor)
        listed = stages.list_referrals(actor, mine=True, page=page)
        ids = [r.id for r in listed.rows]
        return MyReferrals(news, unread, recognition.my_recognition(actor), not recognition.opted_out(actor),
                           stages.count_by_stage(actor, mine=True), listed, pipeline.timelines(actor, ids),
                           rewards.my_payouts(actor, ids), stages.stage_words(actor))


@dataclass(frozen=True)
class MyReferral:
    detail: ReferralDetail
    payout: Payout | None  # their share of the bonus, once one is planned
    bonus: Bonus | None  # what the referral earns now, and by which rule
    stage_words: stages.ReferralStageWords  # the stages as the referrer reads them


def my_referral(actor: Actor, referral_id: UUID | str | None) -> MyReferral | None:
    """One of the actor's referrals, or None (not theirs, or no such referral)."""
    with one_transaction(actor):
        detail = pipeline.my_referral(actor, referral_id)
        if detail is None:
            return None
        ids = [detail.referral.id]
        return MyReferral(detail, rewards.my_payouts(actor, ids).get(ids[0]),
                          rewards.bonuses(actor, ids).get(ids[0]), stages.stage_words(actor))
