"""Job levels through AppTest: a posting written with a level shows it, and the payouts
page's level rules refuse bad input (keeping it), save, say which rule gives each hired
referral's bonus, and delete."""

from __future__ import annotations

import sqlalchemy as sa

from tests.app.helpers import (
    POSTING,
    assert_errors,
    assert_no_exception,
    choice_field,
    open_page,
    problem_under,
    signed_in,
    text_field,
    texts,
)

PAYOUTS = "pages/recruiting/referral_payouts.py"
SAVE = "FormSubmitter:level-bonus-rule-Save level rule"


def _field(widgets, label: str):
    return [w for w in widgets if w.label == label][0]


def test_a_new_posting_gets_a_level_and_shows_it(demo_db):
    at = open_page(POSTING, signed_in("recruiter@example.com"), new="1")
    level = _field(at.selectbox, "Level (optional)")
    assert level.value is None and "Senior" in level.options
    text_field(at, "Title").input("Staff Engineer")
    choice_field(at, "Department").set_value("Engineering")
    choice_field(at, "Location").set_value("London")
    level.set_value("lead")
    at.button(key="FormSubmitter:new-posting-Save draft").click().run()
    assert_no_exception(at)
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select level from public.jobs where title = 'Staff Engineer'")
                            ).scalar_one() == "lead"
    assert "Draft · Engineering · Lead · London" in texts(at)
    # The edit form starts with it.
    assert any(s.label == "Level (optional)" and s.value == "lead" for s in at.selectbox)


def test_level_rules_refuse_bad_input_keep_it_save_and_delete(demo_db):
    at = open_page(PAYOUTS, signed_in("recruiter@example.com"))
    assert "No level has a rule yet" in texts(at)
    amount = _field(at.number_input, "Bonus for the level")
    amount.set_value(-1.0)
    at.button(key=SAVE).click().run()
    # both problems at once, each under its field; nothing typed is lost
    assert_errors(at, "Choose a job level: one of Intern, Junior, Mid-level, Senior, Lead, Executive.")
    assert problem_under(at, "Job level") == ("Choose a job level: one of Intern, Junior, Mid-level, "
                                              "Senior, Lead, Executive.")
    assert "Bonus amount must be a number between 0" in problem_under(at, "Bonus for the level")
    assert _field(at.number_input, "Bonus for the level").value == -1.0

    _field(at.selectbox, "Job level").set_value("senior")
    _field(at.number_input, "Bonus for the level").set_value(-5.0)
    at.button(key=SAVE).click().run()
    assert "Bonus amount must be a number between 0" in texts(at)
    assert _field(at.selectbox, "Job level").value == "senior"

    _field(at.number_input, "Bonus for the level").set_value(2000.0)
    at.number_input(key="level-days").set_value(800)
    at.button(key=SAVE).click().run()
    assert "Retention period must be between 0 and 730 days" in texts(at)
    assert at.number_input(key="level-days").value == 800

    at.number_input(key="level-days").set_value(120)
    at.button(key=SAVE).click().run()
    assert_no_exception(at)
    assert "Saved: Senior jobs earn 2,000.00, paid 120 days after the start." in texts(at)
    rules = [df.value for df in at.dataframe if "Level" in df.value.columns][0]
    assert rules.to_dict("records") == [{"Level": "Senior", "Bonus": "2,000.00", "Paid after (days)": 120}]
    # Each hired referral says which rule gives its bonus: the demo's jobs have their own.
    earned = [df.value for df in at.dataframe if "From" in df.value.columns][0]
    assert len(earned) and set(earned["From"]) == {"the job's own bonus"}

    at.selectbox(key="level-rule-delete").set_value("senior")
    [delete] = [b for b in at.button if b.label == "Delete level rule"]
    delete.click().run()
    assert_no_exception(at)
    assert "Deleted the rule of Senior jobs" in texts(at)
    assert "No level has a rule yet" in texts(at)
