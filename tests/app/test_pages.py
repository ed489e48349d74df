"""Every page through Streamlit's AppTest, as the roles that may and may not see it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from portal.models import Actor, Role
from portal.navigation import menu_for
from services import demo
from services.candidates import questions
from services.people import accounts, sign_in
from services.referrals import pipeline
from tests.app.helpers import APP, app_as, assert_errors, assert_no_exception, problem_under, signed_in, texts


def test_first_run_offers_admin_or_demo(clean_db):
    at = app_as().run()
    assert_no_exception(at)
    assert "Welcome to Boomerang" in texts(at)
    assert [b.label for b in at.button] == ["Create admin account", "Load demo data"]
    at.button[1].click().run()
    assert_no_exception(at)
    assert "Work at Northwind Analytics" in texts(at)


def test_demo_flag_loads_the_demo_on_an_empty_database(clean_db, monkeypatch):
    monkeypatch.setattr("sys.argv", ["app_script.py", "--demo"])
    at = app_as().run()
    assert_no_exception(at)
    assert "Work at Northwind Analytics" in texts(at)


def test_first_admin_form(clean_db):
    at = app_as().run()
    form_inputs = at.text_input
    form_inputs[0].input("Ada Admin")
    form_inputs[1].input("not an email")
    form_inputs[2].input("a long enough password")
    at.button(key="FormSubmitter:first-admin-Create admin account").click().run()
    assert "not a valid email address" in texts(at)
    assert at.text_input[0].value == "Ada Admin"  # nothing typed is lost
    at.text_input[1].input("ada@example.com")
    at.button(key="FormSubmitter:first-admin-Create admin account").click().run()
    assert_no_exception(at)
    assert at.session_state["actor"].role is Role.ADMIN


def test_public_landing_page(demo_db):
    at = app_as().run()
    assert_no_exception(at)
    page = texts(at)
    assert "Work at Northwind Analytics" in page
    assert "Senior Backend Engineer (Python)" in page
    assert "1–10 of 9" not in page and "1–9 of 9" in page
    at.text_input[0].input("berlin").run()
    assert "1–4 of 4" in texts(at)


def test_sign_in_page(demo_db):
    at = app_as().run()
    at.switch_page("pages/public/sign_in.py").run()
    at.text_input[0].input("recruiter@example.com")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert sign_in.GENERIC_SIGN_IN_ERROR in texts(at)
    at.text_input[1].input(demo.DEMO_PASSWORD)
    at.button[0].click().run()
    assert_no_exception(at)
    assert at.session_state["actor"].role is Role.RECRUITER


def test_the_sign_in_page_counts_failures_per_client(demo_db, monkeypatch):
    """The page passes the connection's address to the back-off: a client that tried one
    password on many addresses waits, the same account from elsewhere signs in."""
    from portal import ui

    monkeypatch.setattr(sign_in, "FIRST_LOCK_SECONDS", 60)  # no wait runs out mid-test
    attacker, owner = "203.0.113.66", "198.51.100.7"
    for n in range(sign_in.CLIENT_FREE_ATTEMPTS):
        with pytest.raises(sign_in.SignInError):
            sign_in.with_password(f"person{n}@example.com", "Autumn2026!", attacker)
    client = attacker
    monkeypatch.setattr(ui, "client_address", lambda: client)
    at = app_as().run()
    at.switch_page("pages/public/sign_in.py").run()
    at.text_input[0].input("recruiter@example.com")
    at.text_input[1].input(demo.DEMO_PASSWORD)
    at.button[0].click().run()
    assert_errors(at, "Too many failed sign-ins from your network")
    client = owner
    at.button[0].click().run()
    assert_no_exception(at)
    assert at.session_state["actor"].role is Role.RECRUITER


def test_account_page_and_sign_out(demo_db):
    at = app_as(signed_in("tom@example.com")).run()
    at.switch_page("pages/account/my_account.py").run()
    assert_no_exception(at)
    assert "Tom Becker" in texts(at)
    fields = {field.label: field for field in at.text_input}
    fields["Current password"].input("whatever-it-is")
    fields["New password (at least 10 characters)"].input("a-new-password-1")
    fields["New password again"].input("a-new-password-2")
    [b for b in at.button if b.label == "Change password"][0].click().run()
    assert_errors(at, "The two passwords differ")  # and nothing is changed
    sign_out = [b for b in at.button if b.label == "Sign out"][-1]
    sign_out.click().run()
    assert "actor" not in at.session_state


def test_my_referrals_page(demo_db):
    at = app_as(signed_in("priya@example.com")).run()
    at.switch_page("pages/referrer/my_referrals.py").run()
    assert_no_exception(at)
    assert "My referrals" in texts(at)
    cards = [link for link in at.page_link if link.proto.page == "referral"]  # one card each
    assert len(cards) == 6


def test_my_applications_page(demo_db):
    at = app_as(signed_in("candidate@example.com")).run()
    at.switch_page("pages/candidate/my_applications.py").run()
    assert_no_exception(at)
    assert len(at.dataframe[0].value) == 2


@pytest.mark.parametrize("page,heading", [
    ("pages/recruiting/overview.py", "Recruiting overview"),
    ("pages/recruiting/postings.py", "Job postings"),
    ("pages/recruiting/referrals.py", "Referrals"),
    ("pages/recruiting/post_approvals.py", "Post approvals"),
    ("pages/recruiting/post_topics.py", "Post topics"),
])
def test_recruiter_pages(demo_db, page, heading):
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page(page).run()
    assert_no_exception(at)
    assert heading in texts(at)
    RECRUITER_PAGE_SHOWS[page](at, demo_db)


def _overview_shows(at: AppTest, engine) -> None:
    # services/demo.py JOBS: 9 published, 1 in review; QUESTIONS: 7 pending. The referrals'
    # stages and the hires' dates are drawn at random, so those two are counted here in SQL,
    # independently of services/overview.py: those of the 48 credited referrals not hired or
    # not selected (36 of the 37 unfinished ones: Tom's duplicate of Priya's first candidate,
    # left at submitted, is a record, not a process in progress); hired since the first day of
    # the month eleven months back (the last twelve calendar months).
    with engine.connect() as conn:
        in_progress, unfinished = conn.execute(sa.text(
            "select count(*) filter (where outcome = 'owner'), count(*) from public.referrals"
            " where stage::text not in ('hired', 'not_selected')")).one()
        hires = conn.execute(sa.text(
            "select count(*) from public.hires"
            " where hire_date >= date_trunc('month', current_date) - interval '11 months'")).scalar_one()
    assert {m.label: m.value for m in at.metric} == {
        "Open jobs": "9", "Postings awaiting review": "1", "Referrals in progress": str(in_progress),
        "Unanswered questions": "7", "Hires, last 12 months": str(hires)}
    assert in_progress == unfinished - 1
    assert hires > 90  # the demo's 96 imported hires over a year, plus the portal's own
    # Each figure leads to the list it counts.
    links = {link.proto.label: (link.proto.page, link.proto.query_string) for link in at.get("page_link")}
    assert links == {"Published postings": ("postings", "status=Published"),
                     "Postings in review": ("postings", "status=In+review"),
                     "Referrals board": ("referrals", ""), "Questions inbox": ("inbox", ""),
                     "Hires": ("hires", "")}


def _postings_shows(at: AppTest, engine) -> None:
    # All twelve demo jobs on one page, each with the status the demo gave it.
    table = at.dataframe[0].value
    assert "1–12 of 12" in texts(at)
    status = dict(zip(table["Title"], table["Status"], strict=True))
    assert status == {title: {"published": "Published", "in_review": "In review", "draft": "Draft",
                              "closed": "Closed"}[state] for title, *_, state in demo.JOBS}
    backend = table[table["Title"] == "Senior Backend Engineer (Python)"].iloc[0]
    assert (backend["Department"], backend["Location"], backend["Salary"], backend["Owner"]) == \
        ("Engineering", "Berlin", "EUR 78,000 – 95,000", "Jordan Rivera")


def _referrals_shows(at: AppTest, engine) -> None:
    # Each stage's count on the board, counted in SQL; and Priya's hire (demo referral 8: the
    # demo's first twelve referrals alternate Priya and Tom through every stage, 8 is hired).
    with engine.connect() as conn:
        per_stage = dict(conn.execute(sa.text(
            "select stage::text, count(*) from public.referrals group by 1")).all())
        hired = conn.execute(sa.text(
            "select c.full_name, j.title from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id join public.jobs j on j.id = r.job_id"
            " where r.id = :id"), {"id": demo.demo_id("referral:8")}).one()
    page = texts(at)
    # Each stage by the company's (default) name for its application stage.
    for stage, label in (("submitted", "Applied"), ("reviewing", "Screening"),
                         ("interviewing", "Interviewing"),
                         ("offer", "Offer"), ("hired", "Hired"), ("not_selected", "Rejected")):
        assert f"**{label}** · {per_stage[stage]}" in page, label
    assert sum(per_stage.values()) == 49  # 48 referrals and Tom's duplicate
    assert hired.full_name in page.splitlines()  # its card on the board
    assert f"{hired.title} · Priya Natarajan" in page


def _post_approvals_shows(at: AppTest, engine) -> None:
    # The demo's one submitted post (SOCIAL_POSTS[16]: Product Designer, LinkedIn, Life at
    # Northwind, by the recruiter); the recruiter is a publisher and editor, not an approver.
    page = texts(at)
    assert "1–1 of 1" in page
    assert "Product Designer · LinkedIn" in [h.value for h in at.subheader]
    assert "Topic: Life at Northwind · by Jordan Rivera · external audience" in page
    assert "We're hiring a Product Designer in Berlin! I work at Northwind Analytics" in page
    assert "Only approvers and admins approve or reject them" in page
    assert not [b for b in at.button if b.label in ("Approve", "Reject")]


def _post_topics_shows(at: AppTest, engine) -> None:
    # The demo's four topics, all offered, approved by the admin; posts per topic counted from
    # SOCIAL_POSTS' topic column (0: 9 posts, 1: 4, 2: 2, 3: 4).
    table = at.dataframe[0].value
    rows = zip(table["Topic"], table["Status"], table["Posts"], table["Approved by"], strict=True)
    assert list(rows) == [
        ("Alumni and boomerangs", "Offered", 2, "Maya Chen"),
        ("Engineering culture", "Offered", 4, "Maya Chen"),
        ("Life at Northwind", "Offered", 4, "Maya Chen"),
        ("Open roles", "Offered", 9, "Maya Chen")]
    assert "Only approvers and admins add, retire and restore topics." in texts(at)


RECRUITER_PAGE_SHOWS = {
    "pages/recruiting/overview.py": _overview_shows,
    "pages/recruiting/postings.py": _postings_shows,
    "pages/recruiting/referrals.py": _referrals_shows,
    "pages/recruiting/post_approvals.py": _post_approvals_shows,
    "pages/recruiting/post_topics.py": _post_topics_shows,
}


def test_the_overview_shows_a_change_at_the_next_rerun(demo_db):
    """The overview is shared by staff (portal/shared.py): a question asked, a referral moved
    on, a posting sent for review show at the next click, on every recruiter's and admin's
    page, whoever made the change and however."""
    recruiter = app_as(signed_in("recruiter@example.com")).run()
    recruiter.switch_page("pages/recruiting/overview.py").run()
    admin = app_as(signed_in("admin@example.com")).run()
    admin.switch_page("pages/recruiting/overview.py").run()
    before = {m.label: int(m.value) for m in recruiter.metric}
    assert {m.label: int(m.value) for m in admin.metric} == before

    with demo_db.connect() as conn:
        referral_id = conn.execute(sa.text(
            "select id from public.referrals where outcome = 'owner'"
            " and stage::text not in ('hired', 'not_selected') order by id limit 1")).scalar_one()
    expected = dict(before)

    def shows(change: str, by: int) -> None:
        expected[change] += by
        for at in (recruiter.run(), admin.run()):
            assert_no_exception(at)
            assert {m.label: int(m.value) for m in at.metric} == expected, change

    questions.ask(Actor.visitor(), "Is there a budget for conference travel in the first year?",
                  session_id="s1", address="192.0.2.1")
    shows("Unanswered questions", +1)
    pipeline.move(signed_in("recruiter@example.com"), referral_id, "not_selected", reason="skills")
    shows("Referrals in progress", -1)
    with demo_db.begin() as conn:  # outside the portal, as the CLI or another process would
        conn.execute(sa.text(
            "update public.jobs set status = 'in_review' where id = (select id from public.jobs"
            " where status = 'draft' order by id limit 1)"))
    shows("Postings awaiting review", +1)


def test_postings_page_lists_every_status(demo_db):
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/postings.py").run()
    assert set(at.dataframe[0].value["Status"]) == {"Published", "Draft", "In review", "Closed"}


def test_users_page_changes_a_role(demo_db):
    admin = signed_in("admin@example.com")
    tom = signed_in("tom@example.com")
    at = app_as(admin).run()
    at.switch_page("pages/admin/users.py").run()
    assert_no_exception(at)
    at.selectbox(key=f"role:{tom.user_id}").select(Role.EMPLOYEE).run()
    assert_no_exception(at)
    assert sign_in.refresh(tom).role is Role.EMPLOYEE


def test_users_page_deactivates_and_resets(demo_db):
    tom = signed_in("tom@example.com")
    at = app_as(signed_in("admin@example.com")).run()
    at.switch_page("pages/admin/users.py").run()
    at.menu_button(key=f"actions:{tom.user_id}").click("Reset password").run()
    assert_no_exception(at)
    assert "New temporary password for tom@example.com" in texts(at)
    new_password = at.code[0].value
    assert sign_in.with_password("tom@example.com", new_password).user_id == tom.user_id
    at.menu_button(key=f"actions:{tom.user_id}").click("Deactivate").run()
    assert_no_exception(at)
    assert sign_in.refresh(tom) is None


def test_users_page_adds_a_user_and_rejects_bad_input(demo_db):
    at = app_as(signed_in("admin@example.com")).run()
    at.switch_page("pages/admin/users.py").run()
    submit = "FormSubmitter:add-user-Add user"
    at.button(key=submit).click().run()  # empty: both problems at once, each under its field
    assert_errors(at, "Enter an email address.")
    assert problem_under(at, "Email") == "Enter an email address."
    assert problem_under(at, "Name") == "Enter a name."
    at.text_input(key="new-name").input("<b>Eve</b>")
    at.text_input(key="new-email").input("eve@")
    at.button(key=submit).click().run()
    assert_errors(at, "not a valid email address")
    assert "not a valid email address" in problem_under(at, "Email")
    assert problem_under(at, "Name") is None
    assert at.text_input(key="new-name").value == "<b>Eve</b>"  # nothing typed is lost
    at.text_input(key="new-email").input("eve@example.com")
    at.button(key=submit).click().run()
    assert_no_exception(at)
    assert "Added eve@example.com" in texts(at)
    assert len(at.code) == 1  # the temporary password, shown once
    assert at.text_input(key="new-email").value == ""  # ready for the next one


def menu(at: AppTest) -> set[str]:
    """The page files the last run put in the navigation (AppTest keeps them to resolve
    switch_page; the attribute is private, so this helper is the one place that reads it)."""
    # A visitor's stand-ins for signed-in pages (functions of the entry script that send them
    # to sign in first) run no page file: they are not counted.
    return {Path(str(info["script_path"])).stem for info in at._registered_pages.values()
            if info["script_path"]}


def test_no_page_sits_directly_in_the_pages_folder():
    """See pages/README.md: such files would be served by Streamlit's old automatic
    multipage mode on the first request after a start, bypassing st.navigation."""
    assert list((Path(APP).parent / "pages").glob("*.py")) == []


@pytest.mark.parametrize("who,page", [
    (None, "pages/recruiting/overview.py"),
    ("recruiter@example.com", "pages/admin/alumni_roster.py"),
    (None, "pages/referrer/my_referrals.py"),
    ("priya@example.com", "pages/admin/users.py"),
    ("priya@example.com", "pages/recruiting/overview.py"),
    ("recruiter@example.com", "pages/admin/users.py"),
    ("candidate@example.com", "pages/referrer/my_referrals.py"),
    ("candidate@example.com", "pages/referrer/refer.py"),
    ("recruiter@example.com", "pages/referrer/refer.py"),
    ("recruiter@example.com", "pages/referrer/referral.py"),
    ("candidate@example.com", "pages/referrer/referral.py"),
    (None, "pages/recruiting/savings.py"),
    ("priya@example.com", "pages/recruiting/hires.py"),
    ("candidate@example.com", "pages/recruiting/running_costs.py"),
    (None, "pages/recruiting/inbox.py"),
    ("candidate@example.com", "pages/recruiting/inbox.py"),
    ("recruiter@example.com", "pages/admin/privacy.py"),
    ("recruiter@example.com", "pages/admin/company_facts.py"),
    ("recruiter@example.com", "pages/admin/hiring_stages.py"),
    ("recruiter@example.com", "pages/admin/social_guidelines.py"),
    ("recruiter@example.com", "pages/admin/social_channels.py"),
    ("priya@example.com", "pages/recruiting/post_calendar.py"),
    ("priya@example.com", "pages/recruiting/post_performance.py"),
    (None, "pages/recruiting/post_performance.py"),
])
def test_pages_outside_the_role_are_not_reachable(demo_db, who, page):
    at = app_as(signed_in(who) if who else None).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)


@pytest.mark.parametrize("role,expected", [
    (None, {"Open jobs", "Questions & answers", "Sign in"}),
    (Role.CANDIDATE, {"Open jobs", "Questions & answers", "My applications", "My account"}),
    (Role.ALUMNUS, {"Open jobs", "Questions & answers", "My referrals", "Refer someone", "Leaderboard",
                    "Job digests",
                    "My account"}),
    (Role.EMPLOYEE, {"Open jobs", "Questions & answers", "My referrals", "Refer someone", "Leaderboard",
                    "Job digests",
                     "My account"}),
    (Role.RECRUITER, {"Open jobs", "Questions & answers", "Overview", "Job postings", "Candidates",
                      "Questions inbox", "Referrals", "Referral payouts", "Referral programme",
                      "Alumni outreach", "Leaderboard", "Post approvals", "Posting calendar", "Post topics",
                      "Post performance", "Savings", "Hires", "Running costs & assumptions", "My account"}),
    (Role.ADMIN, {"Open jobs", "Questions & answers", "Overview", "Job postings", "Candidates",
                  "Questions inbox", "Referrals", "Referral payouts", "Referral programme",
                  "Alumni outreach", "Leaderboard", "Post approvals", "Posting calendar", "Post topics",
                  "Post performance", "Savings", "Hires", "Running costs & assumptions", "Users",
                  "Alumni roster", "Company facts", "Hiring stages", "Social media guidelines",
                  "Social channels", "Privacy & data", "My account"}),
])
def test_visible_menu_per_role(role, expected):
    menu = menu_for(role, first_run=False)
    assert {spec.title for specs in menu.values() for spec in specs if not spec.hidden} == expected


def test_first_run_menu_is_only_setup():
    assert [s.file for specs in menu_for(None, first_run=True).values()
            for s in specs] == ["public/setup"]


PUBLIC_PAGES = {"jobs", "faq", "job", "follow", "register", "create_account", "confirm_email", "sign_in",
                "setup"}


@pytest.mark.parametrize("who,expected", [
    (None, PUBLIC_PAGES),
    ("priya@example.com", {*PUBLIC_PAGES, "my_referrals",
                           "referral", "refer", "leaderboard", "job_digests", "my_account"}),
    ("admin@example.com", {*PUBLIC_PAGES, "overview",
                           "postings", "posting", "candidates", "candidate", "referrals", "referral_payouts",
                           "inbox", "post_approvals",
                           "post_calendar",
                           "post_topics", "post_performance", "savings", "hires", "running_costs", "users",
                           "alumni_roster", "company_facts", "hiring_stages", "referral_programme",
                           "alumni_outreach",
                           "leaderboard",
                           "social_guidelines", "social_channels", "privacy", "my_account"}),
])
def test_registered_pages_per_role(demo_db, who, expected):
    at = app_as(signed_in(who) if who else None).run()
    assert_no_exception(at)
    assert menu(at) == expected


def test_deactivated_user_is_signed_out_at_the_next_click(demo_db):
    tom = signed_in("tom@example.com")
    at = app_as(tom).run()
    accounts.set_active(signed_in("admin@example.com"), tom.user_id, False)
    at.run()
    assert_no_exception(at)
    assert menu(at) == {*PUBLIC_PAGES}


def test_failed_migration_page(demo_db, monkeypatch):
    import portal.db
    from portal.migrations import MigrationError

    def broken():
        raise MigrationError("20990101000000_broken.sql: syntax error at or near \"tabel\"")

    monkeypatch.setattr(portal.db, "ensure_ready", broken)
    at = app_as().run()
    assert_errors(at, 'syntax error at or near "tabel"')
    assert "could not be brought up to date" in texts(at)
    assert "20990101000000_broken.sql" in texts(at)


def test_unreachable_database_page_then_recovery(demo_db, monkeypatch):
    import portal.db

    real = portal.db.ensure_ready

    def down():
        raise portal.db.DatabaseUnavailable("Cannot reach the database at postgresql://db:5432/x: "
                                            "connection refused. Check DATABASE_URL.")

    monkeypatch.setattr(portal.db, "ensure_ready", down)
    at = app_as().run()
    assert_errors(at, "Check DATABASE_URL")
    assert "The database is not reachable" in texts(at)
    assert "Check DATABASE_URL" in texts(at)
    monkeypatch.setattr(portal.db, "ensure_ready", real)
    at.button[0].click().run()  # "Try again", no restart
    assert_no_exception(at)
    assert "Work at Northwind Analytics" in texts(at)
