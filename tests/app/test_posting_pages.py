"""The recruiters' postings pages through AppTest: the list with its filters, writing a
posting (a refused form keeps what was typed), moving it through its lifecycle, its
applicants and referrals, and the default referral bonus on the assumptions page."""

from __future__ import annotations

import sqlalchemy as sa

from tests.app.helpers import (
    BACKEND,
    POSTING,
    app_as,
    assert_errors,
    assert_no_exception,
    choice_field,
    demo_job_id,
    open_page,
    problem_under,
    signed_in,
    text_field,
    texts,
)


def bonus_field(at):
    return [n for n in at.number_input if n.label == "Referral bonus"][0]


def status_of(engine, title: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("select status::text from public.jobs where title = :t"),
                            {"t": title}).scalar_one()


def job_where(engine, condition: str):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select id from public.jobs where {condition}")).scalar_one()  # noqa: S608


def test_list_filters_by_department_and_owner(demo_db):
    at = open_page("pages/recruiting/postings.py", signed_in("recruiter@example.com"))
    every = len(at.dataframe[0].value)
    assert every > 1
    at.selectbox[0].select("Engineering").run()
    assert_no_exception(at)
    assert set(at.dataframe[0].value["Department"]) == {"Engineering"}
    assert len(at.dataframe[0].value) < every
    at.selectbox[0].select(None).run()
    owners = [o for o in at.selectbox[1].options if o != "Everyone"]
    at.selectbox[1].select_index(1).run()
    assert_no_exception(at)
    assert set(at.dataframe[0].value["Owner"]) == {owners[0]}
    text_field(at, "Search").input("zzzz-nothing").run()
    assert "No postings match" in texts(at)


def test_new_posting_refused_then_saved(demo_db):
    at = open_page(POSTING, signed_in("recruiter@example.com"), new="1")
    assert "New posting" in texts(at)
    assert bonus_field(at).value == 1500.0  # the default referral bonus
    # Department and location are chosen from those in use (a new one may be typed).
    assert {"Engineering", "Data Science", "Sales"} <= set(choice_field(at, "Department").options)
    assert {"Berlin", "London", "Remote (EU)"} <= set(choice_field(at, "Location").options)
    submit = "FormSubmitter:new-posting-Save draft"
    text_field(at, "Title").input("P")
    text_field(at, "Currency").input("E1")
    text_field(at, "Hiring manager (optional)").input("Jo Park")
    [n for n in at.number_input if n.label == "Salary from (optional)"][0].set_value(90000.0)
    [n for n in at.number_input if n.label == "Salary to (optional)"][0].set_value(70000.0)
    at.button(key=submit).click().run()
    # every problem at once: in one box, each under its field, and by the button
    expected = {"Title": "Title: write at least 2 characters.",
                "Department": "Department: this is required.",
                "Location": "Location: this is required.",
                "Salary from (optional)": "The lowest salary (90,000.00) is above the highest",
                "Currency": "“E1” is not a currency code"}
    assert_errors(at, *expected.values())
    assert len(at.error) == 1
    for label, problem in expected.items():
        assert problem in (problem_under(at, label) or ""), label
    assert problem_under(at, "Hiring manager (optional)") is None
    assert "Nothing was sent: fix the 5 problems shown above" in texts(at)
    # nothing typed is lost
    assert text_field(at, "Title").value == "P"
    assert text_field(at, "Hiring manager (optional)").value == "Jo Park"
    assert [n for n in at.number_input if n.label == "Salary from (optional)"][0].value == 90000.0
    text_field(at, "Title").input("Platform Engineer")
    text_field(at, "Currency").input("EUR")
    [n for n in at.number_input if n.label == "Salary from (optional)"][0].set_value(60000.0)
    choice_field(at, "Location").set_value("Berlin")
    choice_field(at, "Department").set_value("Engineering")
    at.text_area[0].input("## About\n\n<script>alert(1)</script> **Bold**")
    at.button(key=submit).click().run()
    assert_no_exception(at)
    assert status_of(demo_db, "Platform Engineer") == "draft"
    assert "Platform Engineer" in texts(at) and "Submit for review" in [b.label for b in at.button]


def test_edit_posting_reports_every_problem_under_its_field(demo_db):
    job_id = demo_job_id(demo_db)
    at = open_page(POSTING, signed_in("recruiter@example.com"), id=str(job_id))
    assert choice_field(at, "Department").value == "Engineering"
    assert choice_field(at, "Location").value == "Berlin"
    text_field(at, "Title").input("")
    text_field(at, "Currency").input("€")
    at.button(key=f"FormSubmitter:edit-posting:{job_id}-Save changes").click().run()
    assert_errors(at, "Title: this is required.")
    assert problem_under(at, "Title") == "Title: this is required."
    assert "“€” is not a currency code" in problem_under(at, "Currency")
    assert problem_under(at, "Department") is None
    assert text_field(at, "Title").value == "" and text_field(at, "Currency").value == "€"
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select title from public.jobs where id = :id"),
                            {"id": job_id}).scalar_one() == BACKEND


def test_lifecycle_buttons_move_a_posting_to_the_board(demo_db):
    at = open_page(POSTING, signed_in("recruiter@example.com"), new="1")
    text_field(at, "Title").input("Support Engineer")
    choice_field(at, "Department").set_value("Customer Success")
    choice_field(at, "Location").set_value("Remote (EU)")
    at.button(key="FormSubmitter:new-posting-Save draft").click().run()
    for label, status in (("Submit for review", "in_review"), ("Ask for changes", "draft"),
                          ("Submit for review", "in_review")):
        at.button(key=f"move:{status}").click().run()
        assert_no_exception(at)
        assert status_of(demo_db, "Support Engineer") == status, label
    # Its author is not offered "Approve", and is told why and who may.
    assert "move:approved" not in [b.key for b in at.button]
    assert ("You wrote and submitted this posting, so another recruiter or admin approves it: any "
            "recruiter or admin but Jordan Rivera.") in texts(at)
    job_id = job_where(demo_db, "title = 'Support Engineer'")
    other = open_page(POSTING, signed_in("admin@example.com"), id=str(job_id))
    assert ("Waiting for approval by any recruiter or admin but Jordan Rivera. You may approve it."
            in texts(other))
    other.button(key="move:approved").click().run()
    assert_no_exception(other)
    assert status_of(demo_db, "Support Engineer") == "approved"
    at.run()
    at.button(key="move:published").click().run()
    assert status_of(demo_db, "Support Engineer") == "published"
    assert "The posting is now published." in texts(at)
    board = app_as().run()
    board.text_input[0].input("Support Engineer").run()
    assert "Support Engineer" in texts(board)
    at.radio[0].set_value("cancelled")
    [b for b in at.button if b.label == "Close the posting"][0].click().run()
    assert_no_exception(at)
    assert status_of(demo_db, "Support Engineer") == "closed"
    assert "Closed (cancelled)" in texts(at)
    board.run()
    assert "Support Engineer" not in texts(board)


def test_posting_page_shows_applicants_and_referrals(demo_db):
    job_id = demo_job_id(demo_db)
    at = open_page(POSTING, signed_in("recruiter@example.com"), id=str(job_id))
    assert BACKEND in texts(at)
    with demo_db.connect() as conn:
        applied, referred = conn.execute(sa.text(
            "select (select count(*) from public.applications where job_id = :j),"
            "       (select count(*) from public.referrals where job_id = :j)"), {"j": job_id}).one()
    labels = [t.label for t in at.tabs]
    assert f"Applicants ({applied})" in labels and f"Referrals ({referred})" in labels
    [table] = [d.value for d in at.dataframe if "In stage" in d.value.columns]
    assert applied and len(table) == min(applied, 20)
    assert set(table.columns) >= {"Name", "Email", "Stage", "In stage", "Source", "Applied"}


def test_unknown_posting_says_so(demo_db):
    at = open_page(POSTING, signed_in("recruiter@example.com"), id="nope")
    assert "Posting not found" in texts(at)


def test_admin_sets_the_default_referral_bonus(demo_db):
    at = open_page("pages/recruiting/running_costs.py", signed_in("admin@example.com"))
    field = [n for n in at.number_input if n.label.startswith("Default referral bonus")][0]
    field.set_value(2000.0)
    at.button(key="FormSubmitter:assumptions-Save assumptions").click().run()
    assert_no_exception(at)
    new = open_page(POSTING, signed_in("recruiter@example.com"), new="1")
    assert bonus_field(new).value == 2000.0


def test_the_list_says_which_postings_wait_for_whom(demo_db):
    """The demo's posting in review was written and submitted by the recruiter: the admin may
    approve it, the recruiter may not."""
    recruiter = open_page("pages/recruiting/postings.py", signed_in("recruiter@example.com"))
    assert_no_exception(recruiter)
    shown = texts(recruiter)
    assert "Waiting for approval: 1" in shown
    assert ("Submitted by Jordan Rivera; approved by any recruiter or admin but Jordan Rivera. Not you: "
            "you wrote or submitted it, and self-approval is not allowed.") in shown
    admin = open_page("pages/recruiting/postings.py", signed_in("admin@example.com"))
    assert "You may approve it." in texts(admin)


def test_an_admin_allows_self_approval_on_the_company_page(demo_db):
    at = open_page("pages/admin/company_facts.py", signed_in("admin@example.com"))
    assert_no_exception(at)
    assert "Approving job postings" in texts(at)
    at.radio[0].set_value(True)
    at.button(key="FormSubmitter:self-approval-Save").click().run()
    assert_no_exception(at)
    with demo_db.connect() as conn:
        allowed, logged = conn.execute(sa.text(
            "select postings_self_approval, (select count(*) from public.audit_log"
            " where action = 'settings.postings_self_approval') from public.portal_settings")).one()
    assert (allowed, logged) == (True, 1)
    in_review = job_where(demo_db, "status = 'in_review'")
    page = open_page(POSTING, signed_in("recruiter@example.com"), id=str(in_review))
    assert "move:approved" in [b.key for b in page.button]
    assert "Waiting for approval by any recruiter or admin (self-approval is allowed)." in texts(page)


def test_channel_posts_of_a_posting_in_review_say_they_wait(demo_db):
    in_review = job_where(demo_db, "status = 'in_review'")
    at = open_page(POSTING, signed_in("recruiter@example.com"), id=str(in_review))
    assert_no_exception(at)
    assert ("This posting is in review, so its posts cannot be submitted for approval yet: they can be "
            "once the posting is approved.") in texts(at)


def test_changing_a_posting_in_review_says_it_goes_back_to_draft(demo_db):
    in_review = job_where(demo_db, "status = 'in_review'")
    at = open_page(POSTING, signed_in("admin@example.com"), id=str(in_review))
    assert ("This posting is in review: changing it sends it back to draft, to be submitted and "
            "approved again.") in texts(at)
    text_field(at, "Hiring manager (optional)").input("Someone Else")
    at.button(key=f"FormSubmitter:edit-posting:{in_review}-Save changes").click().run()
    assert_no_exception(at)
    assert [t.value for t in at.toast] == ["Posting saved and back in draft: submit it for review again."]
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select status::text from public.jobs where id = :id"),
                            {"id": in_review}).scalar_one() == "draft"
