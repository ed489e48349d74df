"""Which pages each role gets. Kept apart from `streamlit_app.py` so that it can be
read and tested without running the app."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from portal.models import Role


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str
    default: bool = False
    hidden: bool = False

    def page(self) -> st.Page:
        return st.Page(f"pages/{self.file}.py", title=self.title, icon=self.icon,
                       url_path=self.url_path, default=self.default,
                       visibility="hidden" if self.hidden else "visible")


def signed_in_pages() -> list[PageSpec]:
    """Pages some signed-in role has and visitors do not: a visitor's link to one leads to
    sign-in, and back to it after."""
    public = {spec.url_path for spec in _all(menu_for(None, first_run=False))}
    found: dict[str, PageSpec] = {}
    for role in Role:
        for spec in _all(menu_for(role, first_run=False)):
            if spec.url_path not in public:
                found.setdefault(spec.url_path, spec)
    return list(found.values())


def _all(menu: dict[str, list[PageSpec]]) -> list[PageSpec]:
    return [spec for specs in menu.values() for spec in specs]


def landing_path(role: Role | None) -> str:
    """Where a role lands after signing in: staff on Overview, alumni and employees on My
    referrals, candidates on My applications."""
    if role is None:
        return "/"
    if role.is_staff:
        return "/overview"
    return "/my-applications" if role is Role.CANDIDATE else "/my-referrals"


LEADERBOARD = PageSpec("referrer/leaderboard", "Leaderboard", ":material/emoji_events:", "leaderboard")


def menu_for(role: Role | None, *, first_run: bool) -> dict[str, list[PageSpec]]:
    """The menu of a role. A page left out cannot be opened by URL either.

    "Get started" and "Sign in" stay registered but hidden once they are done with, so
    that the rerun after signing in (or loading the demo) lands on a known page, which
    then sends the user on with st.switch_page.
    """
    setup = PageSpec("public/setup", "Get started", ":material/rocket_launch:", "setup",
                     hidden=not first_run)
    if first_run:  # no accounts yet: nothing to browse, nobody to sign in as
        return {"": [setup]}
    jobs = PageSpec("public/jobs", "Open jobs", ":material/work:", "jobs", default=True)
    faq = PageSpec("public/faq", "Questions & answers", ":material/forum:", "questions")
    # Reached by links only: a job's page (with its tracked-link parameters) and the
    # private page where an applicant or an asker follows what they sent.
    job = PageSpec("public/job", "Job", ":material/work:", "job", hidden=True)
    follow = PageSpec("public/follow", "Follow", ":material/track_changes:", "follow", hidden=True)
    # Joining as an alumnus: from an invitation link, or "Join" on Sign in.
    register = PageSpec("public/register", "Join", ":material/group_add:", "register", hidden=True)
    # A candidate's own account: "Create a candidate account" on Sign in, or after applying;
    # then the link emailed to confirm the address (which also credits a referral link).
    create_account = PageSpec("public/create_account", "Create account", ":material/person_add:",
                              "create-account", hidden=True)
    confirm_email = PageSpec("public/confirm_email", "Confirm email", ":material/verified:",
                             "confirm-email", hidden=True)
    sign_in = PageSpec("public/sign_in", "Sign in", ":material/login:", "sign-in", hidden=role is not None)
    menu: dict[str, list[PageSpec]] = {"": [jobs, faq, job, follow, register, create_account,
                                            confirm_email, sign_in, setup]}
    if role is None:
        return menu
    if role is Role.CANDIDATE:
        menu[""].append(PageSpec("candidate/my_applications", "My applications",
                                 ":material/description:", "my-applications"))
    if role in (Role.ALUMNUS, Role.EMPLOYEE):
        menu[""].append(PageSpec("referrer/my_referrals", "My referrals", ":material/handshake:",
                                 "my-referrals"))
        # One referral (`referral?id=…`), opened from My referrals.
        menu[""].append(PageSpec("referrer/referral", "Referral", ":material/handshake:", "referral",
                                 hidden=True))
        menu[""] += [
            PageSpec("referrer/refer", "Refer someone", ":material/person_add:", "refer"),
            LEADERBOARD,
            PageSpec("referrer/job_digests", "Job digests", ":material/mail:", "job-digests"),
        ]
    if role.is_staff:
        menu["Recruiting"] = [
            PageSpec("recruiting/overview", "Overview", ":material/monitoring:", "overview"),
            PageSpec("recruiting/postings", "Job postings", ":material/folder_open:", "postings"),
            # One posting (`posting?id=…`, or `posting?new=1` to write one), from the list.
            PageSpec("recruiting/posting", "Posting", ":material/edit_note:", "posting", hidden=True),
            PageSpec("recruiting/candidates", "Candidates", ":material/groups:", "candidates"),
            # One person (`candidate?id=…`), from Candidates: everything the portal holds on them.
            PageSpec("recruiting/candidate", "Candidate", ":material/person:", "candidate", hidden=True),
            PageSpec("recruiting/inbox", "Questions inbox", ":material/inbox:", "inbox"),
        ]
        menu["Alumni & referrals"] = [
            PageSpec("recruiting/referrals", "Referrals", ":material/sync_alt:", "referrals"),
            PageSpec("recruiting/referral_payouts", "Referral payouts", ":material/payments:",
                     "referral-payouts"),
            PageSpec("recruiting/referral_programme", "Referral programme", ":material/insights:",
                     "referral-programme"),
            PageSpec("recruiting/alumni_outreach", "Alumni outreach", ":material/outgoing_mail:",
                     "alumni-outreach"),
            LEADERBOARD,
        ]
        menu["Social media"] = [
            PageSpec("recruiting/post_approvals", "Post approvals", ":material/approval:", "post-approvals"),
            PageSpec("recruiting/post_calendar", "Posting calendar", ":material/calendar_month:",
                     "post-calendar"),
            PageSpec("recruiting/post_performance", "Post performance", ":material/leaderboard:",
                     "post-performance"),
            PageSpec("recruiting/post_topics", "Post topics", ":material/label:", "post-topics"),
        ]
        menu["Costs and savings"] = [
            PageSpec("recruiting/savings", "Savings", ":material/savings:", "savings"),
            PageSpec("recruiting/hires", "Hires", ":material/how_to_reg:", "hires"),
            PageSpec("recruiting/running_costs", "Running costs & assumptions", ":material/tune:",
                     "running-costs"),
        ]
    if role is Role.ADMIN:
        menu["Admin"] = [
            PageSpec("admin/users", "Users", ":material/manage_accounts:", "users"),
            PageSpec("admin/alumni_roster", "Alumni roster", ":material/groups:", "alumni-roster"),
            PageSpec("admin/company_facts", "Company facts", ":material/fact_check:", "company-facts"),
            PageSpec("admin/hiring_stages", "Hiring stages", ":material/view_kanban:", "hiring-stages"),
            PageSpec("admin/social_guidelines", "Social media guidelines", ":material/policy:",
                     "social-guidelines"),
            PageSpec("admin/social_channels", "Social channels", ":material/campaign:", "social-channels"),
            PageSpec("admin/privacy", "Privacy & data", ":material/shield_person:", "privacy"),
        ]
    menu["Account"] = [PageSpec("account/my_account", "My account", ":material/person:", "account")]
    return menu
