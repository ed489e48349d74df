"""Leaving the leaderboard from My account, and My referrals saying where one stands,
through AppTest on the demo data: the same choice as the Leaderboard page's toggle."""

from __future__ import annotations

from services.referrals import recognition
from tests.app.helpers import assert_no_exception, open_as, signed_in, texts


def leaderboard_names(email: str) -> set[str]:
    return set(open_as(email, "pages/referrer/leaderboard.py").dataframe[0].value["Referrer"])


def test_my_account_toggle_takes_priya_off_the_leaderboard_and_back(demo_db):
    priya = signed_in("priya@example.com")
    at = open_as("priya@example.com", "pages/account/my_account.py")
    toggle = at.toggle(key="account-leaderboard-visible")
    assert toggle.label == "Show me on the leaderboard" and toggle.value is True
    assert "Priya Natarajan" in leaderboard_names("tom@example.com")

    toggle.set_value(False).run()
    assert_no_exception(at)
    assert "You are off the leaderboard" in texts(at)
    assert recognition.opted_out(priya)
    assert not any(name.startswith("Priya") for name in leaderboard_names("tom@example.com"))
    # The Leaderboard page and My referrals show the same choice.
    assert open_as("priya@example.com", "pages/referrer/leaderboard.py").toggle(
        key="leaderboard-visible").value is False
    mine = texts(open_as("priya@example.com", "pages/referrer/my_referrals.py"))
    assert "You are off the leaderboard" in mine and "Change this on the Leaderboard or on My account" in mine

    at.run()  # shown again: the toggle keeps the saved choice and says nothing new
    assert at.toggle(key="account-leaderboard-visible").value is False and not at.success
    at.toggle(key="account-leaderboard-visible").set_value(True).run()
    assert_no_exception(at)
    assert "You are on the leaderboard" in texts(at) and not recognition.opted_out(priya)
    assert "Priya Natarajan" in leaderboard_names("tom@example.com")
    assert "See where you stand on the Leaderboard" in texts(
        open_as("priya@example.com", "pages/referrer/my_referrals.py"))


def test_only_referrers_have_the_choice_on_my_account(demo_db):
    for email in ("recruiter@example.com", "admin@example.com", "candidate@example.com"):
        at = open_as(email, "pages/account/my_account.py")
        assert not at.toggle and "Leaderboard" not in texts(at), email


def test_the_admin_export_counts_what_the_programme_holds_about_an_alumna(demo_db):
    at = open_as("admin@example.com", "pages/admin/privacy.py")
    at.text_input(key="privacy-email").input("priya@example.com")
    next(b for b in at.button if b.label == "Prepare export").click().run()
    assert_no_exception(at)
    found = next(s.value for s in at.success)
    held = int(found.split(" questions and ")[1].split(" ")[0])
    assert held >= 6 and "about them as a referrer found" in found  # her six referrals at least
