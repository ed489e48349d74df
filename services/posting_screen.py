"""Everything one job posting's page shows, read in one transaction.

The page gathers four capabilities: the posting and its form's choices (postings), its
applicants and their funnel (candidates), its referrals (referrals) and its social posts
with their results (social). Each capability keeps its own reads; this module runs them in
one `one_transaction`, so a rerun of the page costs one transaction and shows one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from portal.db import one_transaction
from portal.models import Actor, Page
from services.candidates import applications
from services.candidates.applications import FunnelRow
from services.postings import editing
from services.postings.editing import Applicant, FormChoices, Posting
from services.referrals import stages
from services.referrals.stages import ReferralRow
from services.social import performance, review
from services.social.performance import PostResult
from services.social.review import PostingSocial


@dataclass(frozen=True)
class PostingScreen:
    posting: Posting
    choices: FormChoices  # for the Edit tab's form
    applicants: Page[Applicant]  # the page of them the URL asks for, every stage
    funnel: list[FunnelRow]  # empty while nobody has applied
    referrals: Page[ReferralRow]
    social: PostingSocial
    post_results: dict[UUID, PostResult]  # by post, for the published ones


def posting_screen(actor: Actor, job_id: UUID | str, *, applicants_page: int = 1,
                   referrals_page: int = 1, today: date | None = None) -> PostingScreen | None:
    """The posting's page, or None when it does not exist or the actor may not see it."""
    with one_transaction(actor):
        posting = editing.posting(actor, job_id)
        if posting is None:
            return None
        job_id = posting.job.id
        applicants = editing.applicants(actor, job_id, page=applicants_page)
        social = review.posting_social(actor, job_id)
        return PostingScreen(
            posting, editing.form_choices(actor), applicants,
            applications.funnel(actor, job_id) if applicants.total else [],
            stages.list_referrals(actor, job_id=job_id, page=referrals_page), social,
            {r.post_id: r for r in performance.posting_results(actor, job_id, today)}
            if social.posts else {})
