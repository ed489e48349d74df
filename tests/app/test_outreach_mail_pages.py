"""The roster and the outreach page with email set up (a real SMTP server on this machine):
the pages queue the emails and return, and show each email's state once the worker ran."""

from __future__ import annotations

from portal import task_queue
from services.referrals import roster as alumni
from tests.app.helpers import (
    ROSTER,
    ROSTER_CSV,
    assert_errors,
    assert_no_exception,
    open_as,
    open_page,
    problem_under,
    signed_in,
    texts,
)
from tests.support import in_a_thread


def test_roster_queues_invitations_and_shows_each_emails_state(demo_db, smtp):
    admin = signed_in("admin@example.com")
    alumni.import_roster(admin, ROSTER_CSV)
    at = open_page(ROSTER, admin)
    [b for b in at.button if b.label == "Invite everyone not invited yet"][0].click().run()
    assert_no_exception(at)
    assert "Queued 2 invitation emails" in texts(at)
    assert "not emailed" not in texts(at) and len(at.dataframe) == 1  # no links to forward
    assert smtp.messages == []
    roster = at.dataframe[0].value
    assert list(roster.loc[roster["Status"] == "Invited", "Invitation email"]) == ["Queued", "Queued"]

    smtp.script = [None, "550 5.1.1 mailbox bobby unknown at relay.internal"]
    in_a_thread(task_queue.run, wait=False)
    at.run()
    table = at.dataframe[0].value
    table = table[table["Status"] == "Invited"]  # not the demo's registered alumni
    assert list(table["Email"]) == ["ada@example.com", "bobby@example.com"]
    assert list(table["Invitation email"]) == [
        "Sent", "Failed: The mail server refused the email (code 550)."]
    assert "relay.internal" not in texts(at)


def test_outreach_page_shows_a_digests_emails_sent_failed_and_waiting(demo_db, smtp):
    at = open_as("recruiter@example.com", "pages/recruiting/alumni_outreach.py")
    at.text_area(key="digest-note").input("Hello again!")
    next(b for b in at.button if b.label == "Send digest").click().run()  # no department chosen
    assert_errors(at, "Choose at least one department for the digest.")
    assert problem_under(at, "Departments") == "Choose at least one department for the digest."
    assert at.text_area(key="digest-note").value == "Hello again!"  # what was typed stays
    assert smtp.messages == []
    department = at.multiselect(key="digest-departments").options[0]
    at.multiselect(key="digest-departments").select(department).run()
    next(b for b in at.button if b.label == "Send digest").click().run()
    assert_no_exception(at)
    alumni_count = 8  # the demo's active alumni
    assert f"{alumni_count} emails queued for sending" in texts(at)
    history = at.dataframe[-1].value
    assert (history["Emails sent"][0], history["Failed"][0], history["Waiting"][0]) == (0, 0, alumni_count)
    assert smtp.messages == []

    smtp.script = ["554 5.7.1 no"]
    in_a_thread(task_queue.run, wait=False)
    at.run()
    latest = at.dataframe[-1].value.iloc[0]
    assert (latest["Emails sent"], latest["Failed"], latest["Waiting"]) == (alumni_count - 1, 1, 0)
    assert "Failed emails are not sent again" in texts(at)
    assert len(smtp.messages) == alumni_count - 1
