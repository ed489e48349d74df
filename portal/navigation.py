"""Which pages each role gets. Kept apart from `streamlit_app.py` so that it can be
read and tested without running the app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from portal.models import Role

# st.Page objects built once per process and copied for each run: building one resolves its
# file on disk (50-150 µs), and a visitor's menu holds about 40 pages (with the signed-in
# pages that lead to sign-in), rebuilt on every rerun. Each run gets copies, because
# st.navigation marks the one it returns as the page to run.
_built: dict[tuple[object, ...], st.Page] = {}


def _kept_page(key: tuple[object, ...], build) -> st.Page:
    page = _built_page(key, build)
    if page is None:  # bare Python: nothing to keep
        return build()
    run_copy = object.__new__(type(page))  # as copy.copy, in a tenth of its time
    run_copy.__dict__.update(page.__dict__)
    return run_copy


def _built_page(key: tuple[object, ...], build) -> st.Page | None:
    """The process's st.Page under `key`, built on first use; None outside a script run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    key = (ctx.main_script_path, *key)  # a string (main_script_parent builds a Path)
    page = _built.get(key)
    if page is None:  # two sessions may both build it: one is kept, both are alike
        page = _built.setdefault(key, build())
    return page


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str
    default: bool = False
    hidden: bool = False

    def page(self) -> st.Page:
        """This run's st.Page for the spec (a copy of one built once per process)."""
        return _kept_page(("spec", self), self.page_now)

    def page_now(self) -> st.Page:
        return st.Page(f"pages/{self.file}.py", title=self.title, icon=self.icon,
                       url_path=self.url_path, default=self.default,
                       visibility="hidden" if self.hidden else "visible")


def sign_in_first(url_path: str) -> None:
    """What a visitor's link to a signed-in page opens: sign-in, which returns to the link."""
    query = urlencode(st.query_params.to_dict())
    st.switch_page("pages/public/sign_in.py",
                   query_params={"next": f"/{url_path}" + (f"?{query}" if query else "")})


def sign_in_first_pages() -> list[st.Page]:
    """A visitor's hidden pages in place of the signed-in pages: each leads to sign-in."""
    return [_kept_page(("sign in first", spec), lambda spec=spec: st.Page(
        partial(sign_in_first, spec.url_path), title=spec.title, url_path=spec.url_path,
        visibility="hidden")) for spec in signed_in_pages()]


def link_target(file: str) -> st.Page | str:
    """What `st.page_link` is given for a page file (`pages/public/job.py`): the page's
    st.Page, which it links to as it is, where a path would be resolved on disk at each
    link (about 0.3 ms a link, ten on the job board); the path itself for a file in no menu."""
    spec = _specs_by_file().get(file)
    if spec is None:
        return file
    # As it is, not a copy: a link changes nothing on the page.
    return _built_page(("spec", spec), spec.page_now) or file


@cache
def _specs_by_file() -> dict[str, PageSpec]:
    found: dict[str, PageSpec] = {}
    for role in (None, *Role):
        for spec in _all(menu_for(role, first_run=False)):
            found.setdefault(f"pages/{spec.file}.py", spec)
    return found


@cache
def signed_in_pages() -> tuple[PageSpec, ...]:
    """Pages some signed-in role has and visitors do not: a visitor's link to one leads to
    sign-in, and back to it after."""
    public = {spec.url_path for spec in _all(menu_for(None, first_run=False))}
    found: dict[str, PageSpec] = {}
    for role in Role:
        for spec in _all(menu_for(role, first_run=False)):
            if spec.url_path not in public:
                found.setdefault(spec.url_path, spec)
    return tuple(found.values())


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
