"""Recognition, outreach and programme figures through AppTest, on the demo data."""

from __future__ import annotations

import re

import pytest

from tests.app.helpers import app_as, assert_no_exception, open_as, signed_in, texts


def stage_counts(at) -> dict[str, int]:
    """My referrals' count per stage, from its line of badges ("…-badge[Offer: 2]")."""
    line = next(m.value for m in at.markdown if "-badge[Received: " in m.value)
    return {stage: int(count) for stage, count in re.findall(r"-badge\[([^:\]]+): (\d+)\]", line)}


def test_my_referrals_shows_points_and_badges(demo_db):
    at = open_as("priya@example.com", "pages/referrer/my_referrals.py")
    # Priya's demo referrals are services/demo.py's referrals 0, 2, …, 10: one at each stage
    # (submitted, reviewing, interviewing, offer, hired, not selected). By the rules in
    # services/referrals/recognition.py: 6 referrals x 10, 3 at interview or beyond (interviewing, offer,
    # hired) x 30, 1 hire x 100 = 60 + 90 + 100 = 250; badges: a first referral, five referrals,
    # an interview, a hire; not three hires.
    assert next(m.value for m in at.metric if m.label == "Points") == "250"
    badges = next(m.value for m in at.markdown if "orange-badge" in m.value)
    assert badges == " ".join(f":orange-badge[:material/military_tech: {badge}]" for badge in (
        "First referral", "Talent scout", "Interview maker", "First hire"))
    assert "Hat trick" not in texts(at)
    # …and one referral in each stage's count beside them.
    assert stage_counts(at) == {"Received": 1, "Being reviewed": 1, "Interviewing": 1, "Offer made": 1,
                                "Hired": 1, "Not selected": 1}  # the stages as candidates read them


def test_a_duplicate_earns_tom_nothing(demo_db):
    at = open_as("tom@example.com", "pages/referrer/my_referrals.py")
    # Tom's demo referrals are services/demo.py's referrals 1, 3, …, 11, one at each stage like
    # Priya's: 6 x 10 + 3 x 30 + 1 x 100 = 250. His later referral of Priya's first candidate
    # is a duplicate (credited to her): listed with its note and in his Received count, but
    # worth nothing (it would make 260), and it gives Priya nothing either (she keeps 250).
    assert next(m.value for m in at.metric if m.label == "Points") == "250"
    assert stage_counts(at) == {"Received": 2, "Being reviewed": 1, "Interviewing": 1, "Offer made": 1,
                                "Hired": 1, "Not selected": 1}
    assert "Someone referred them first" in [c.value for c in at.caption]  # on the duplicate's card
    board = open_as("recruiter@example.com", "pages/referrer/leaderboard.py").dataframe[0].value
    points = dict(zip(board["Referrer"], board["Points"], strict=True))
    assert (points["Tom Becker"], points["Priya Natarajan"]) == (250, 250)


def test_leaderboard_and_leaving_it(demo_db):
    at = open_as("priya@example.com", "pages/referrer/leaderboard.py")
    board = at.dataframe[0].value
    assert "Priya Natarajan (you)" in set(board["Referrer"])
    assert list(board["Points"]) == sorted(board["Points"], reverse=True)
    at.toggle(key="leaderboard-visible").set_value(False).run()
    assert_no_exception(at)
    assert "You are off the leaderboard" in texts(at)
    assert not any(name.startswith("Priya") for name in at.dataframe[0].value["Referrer"])
    # Nobody else sees her: not Tom, not the recruiters.
    for email in ("tom@example.com", "recruiter@example.com"):
        other = open_as(email, "pages/referrer/leaderboard.py")
        names = set(other.dataframe[0].value["Referrer"])
        assert "Tom Becker" in names or "Tom Becker (you)" in names
        assert not any(name.startswith("Priya") for name in names), email
    assert not open_as("recruiter@example.com", "pages/referrer/leaderboard.py").toggle


def test_alumni_say_they_would_come_back_and_recruiters_find_them(demo_db):
    at = open_as("tom@example.com", "pages/referrer/job_digests.py")
    assert "Data Science, Engineering" in texts(at)  # the demo's digest
    at.text_input[0].input("Data platform")
    at.text_area[0].input("Back in spring")
    at.button(key="FormSubmitter:boomerang-interest-I would come back").click().run()
    assert_no_exception(at)
    assert "You told the recruiters you would come back" in texts(at)
    rec = open_as("recruiter@example.com", "pages/recruiting/alumni_outreach.py")
    rec.text_input(key="interest-search").input("platform").run()
    table = rec.dataframe[-1].value
    assert list(table["Name"]) == ["Tom Becker"] and list(table["Areas"]) == ["Data platform"]
    rec.text_input(key="interest-search").input("nobody-matches").run()
    assert "No alumni match." in texts(rec)


def test_recruiter_sends_a_digest_that_alumni_see(demo_db):
    at = open_as("recruiter@example.com", "pages/recruiting/alumni_outreach.py")
    at.text_area(key="digest-note").input("New roles this month")
    send = next(b for b in at.button if b.label == "Send digest")
    send.click().run()
    assert "Choose at least one department" in texts(at)
    assert at.text_area(key="digest-note").value == "New roles this month"  # nothing typed is lost
    department = at.multiselect(key="digest-departments").options[0]
    at.multiselect(key="digest-departments").select(department).run()
    assert "Preview:" in texts(at)
    preview = at.dataframe[0].value
    assert set(preview["Department"]) == {department}
    next(b for b in at.button if b.label == "Send digest").click().run()
    assert_no_exception(at)
    jobs = f"{len(preview)} job{'s' if len(preview) != 1 else ''}"
    assert f"Digest of {jobs} sent" in texts(at)
    assert "not emailed (email is not set up)" in texts(at)
    alum = open_as("priya@example.com", "pages/referrer/job_digests.py")
    page = texts(alum)
    assert "New roles this month" in "\n".join(t.value for t in alum.text) and department in page
    assert list(preview["Title"])[0] in page


def test_programme_page(demo_db):
    at = open_as("recruiter@example.com", "pages/recruiting/referral_programme.py")
    assert "Referral programme" in texts(at)
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["Referrals"]) > 0
    assert [b.label for b in at.get("download_button")] == [
        "By month as CSV", "By department as CSV", "Top referrers as CSV", "Time to hire as CSV"]
    assert set(at.dataframe[3].value["Source"]) <= {"Referrals", "Other sources"}
    at.date_input(key="programme-from").set_value(at.date_input(key="programme-to").value).run()
    at.date_input(key="programme-to").set_value(at.date_input(key="programme-from").value.replace(year=2020)).run()
    assert "after its last" in texts(at)


def test_admins_set_the_ownership_period_and_recruiters_read_it(demo_db):
    recruiter = open_as("recruiter@example.com", "pages/recruiting/referral_programme.py")
    assert "for 12 months" in texts(recruiter) and "Admins change it here." in texts(recruiter)
    assert not [b for b in recruiter.button if b.label == "Save ownership period"]
    admin = open_as("admin@example.com", "pages/recruiting/referral_programme.py")
    admin.number_input[0].set_value(6)
    next(b for b in admin.button if b.label == "Save ownership period").click().run()
    assert_no_exception(admin)
    assert "Referrers now own a candidate for 6 months." in texts(admin)
    assert "for 6 months" in texts(open_as("recruiter@example.com", "pages/recruiting/referral_programme.py"))


@pytest.mark.parametrize("who,page", [
    ("candidate@example.com", "pages/referrer/leaderboard.py"),
    (None, "pages/referrer/leaderboard.py"),
    ("priya@example.com", "pages/recruiting/referral_programme.py"),
    ("priya@example.com", "pages/recruiting/alumni_outreach.py"),
    ("recruiter@example.com", "pages/referrer/job_digests.py"),
    ("candidate@example.com", "pages/referrer/job_digests.py"),
])
def test_pages_outside_the_role_are_not_reachable(demo_db, who, page):
    at = app_as(signed_in(who) if who else None).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
