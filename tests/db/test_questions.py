"""Public questions: asking (checks, screening, rate limits), following one's question by
its private link, similar published questions while typing, and the FAQ."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from portal import shared
from portal import tokens as links
from portal.db import act_as, transaction
from portal.errors import NotFound, ValidationError
from portal.public_address import public_url
from services.candidates import inbox, questions
from tests.db.question_world import FAQ, People, add_question, row, token_of

# private.ask_question's limits: questions an hour per browser session, per address.
SESSION_LIMIT_PER_HOUR, ADDRESS_LIMIT_PER_HOUR = 5, 20


def _ask(people: People, body: str, *, session: str = "s1", address: str | None = "198.51.100.1",
         **kwargs) -> questions.Asked:
    return questions.ask(people.visitor, body, session_id=session, address=address, **kwargs)


# --- asking and following -------------------------------------------------------------------

def test_a_visitor_asks_and_follows_the_published_answer(clean_db, people):
    asked = _ask(people, "  How long does   the hiring\nprocess usually take? ",
                 email=" Asker@Example.COM ", job_id=people.job)
    assert not asked.held
    assert asked.follow_link.startswith(f"{public_url()}/follow?question=")
    token = token_of(asked.follow_link)

    stored = row(clean_db, asked.question_id)
    assert stored.body == "How long does the hiring process usually take?"
    assert stored.status_text == "pending" and stored.held_reason is None
    assert stored.job_id == people.job
    assert stored.asker_email == "asker@example.com" and stored.asker_user_id is None
    # Only the token's hash is kept.
    assert bytes(stored.follow_token_hash) == hashlib.sha256(token.encode()).digest()

    waiting = questions.question_by_link(people.visitor, token)
    assert waiting.body == stored.body and waiting.status == "pending"
    assert waiting.job_title == "Data Engineer"
    assert not waiting.answered and waiting.answer is None and waiting.answered_at is None

    # Not public while it waits.
    assert questions.faq(people.visitor).total == 0

    inbox.publish(people.recruiter, asked.question_id, "About three weeks.", topic="Process")
    followed = questions.question_by_link(people.visitor, token)
    assert followed.answered and followed.answer == "About three weeks."
    assert followed.status == "published" and followed.answered_at is not None
    assert [a.body for a in questions.faq(people.visitor).rows] == [stored.body]


def test_a_private_answer_reaches_the_asker_only(clean_db, people):
    asked = _ask(people, "Can I apply although I live in Canada?", email="a@example.com")
    inbox.answer_privately(people.recruiter, asked.question_id, "Yes, we hire in Canada.")
    followed = questions.question_by_link(people.visitor, token_of(asked.follow_link))
    assert followed.answer == "Yes, we hire in Canada." and followed.status == "answered_privately"
    assert questions.faq(people.visitor).total == 0
    assert questions.similar(people.visitor, "apply although I live in Canada") == []


def test_a_merged_question_shows_the_answer_it_was_merged_into(clean_db, people):
    target = add_question(clean_db, "Is remote work possible for this team?",
                          "Most teams work hybrid.", topic="Working here")
    asked = _ask(people, "Can I work remotely in this team?")
    inbox.merge(people.recruiter, asked.question_id, target)
    followed = questions.question_by_link(people.visitor, token_of(asked.follow_link))
    assert followed.status == "merged"
    assert followed.body == "Can I work remotely in this team?"  # their own words
    assert followed.answer == "Most teams work hybrid." and followed.answered
    assert row(clean_db, asked.question_id).merged_into == target


def test_a_rejected_question_shows_no_answer(clean_db, people):
    asked = _ask(people, "Is this a real company or not?")
    inbox.reject(people.recruiter, asked.question_id)
    followed = questions.question_by_link(people.visitor, token_of(asked.follow_link))
    assert followed.status == "rejected"
    assert not followed.answered and followed.answer is None


def test_a_signed_in_candidate_asks_as_themselves(clean_db, people):
    asked = questions.ask(people.candidate, "Do you offer relocation support?", session_id="c1",
                          address="198.51.100.9")
    stored = row(clean_db, asked.question_id)
    assert stored.asker_user_id == people.candidate.user_id and stored.asker_email is None
    assert questions.question_by_link(people.candidate, token_of(asked.follow_link)).status == "pending"


@pytest.mark.parametrize("token", ["", None, "garbage", "x" * 200, "../../etc/passwd-aaaaaaaaaaaaa",
                                   "' or 1=1 --aaaaaaaaaaaaaaaaaaaa"])
def test_garbage_tokens_find_nothing(clean_db, people, token):
    _ask(people, "A question that exists in the database?")
    assert questions.question_by_link(people.visitor, token) is None


def test_a_well_formed_unknown_token_finds_nothing(clean_db, people):
    _ask(people, "A question that exists in the database?")
    assert questions.question_by_link(people.visitor, links.new_token()) is None


@pytest.mark.parametrize(("body", "email", "message"), [
    ("Why?", "", "at least 10"),
    ("     ", "", "required"),
    ("x" * 1001, "", "at most 1,000"),
    ("A perfectly fine question?", "not-an-email", "not a valid email"),
    ("A perfectly fine question?", "a@b", "not a valid email"),
])
def test_bad_input_is_refused_and_nothing_is_stored(clean_db, people, body, email, message):
    with pytest.raises(ValidationError, match=message):
        _ask(people, body, email=email)
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.questions")).scalar() == 0


def test_the_longest_question_is_accepted(clean_db, people):
    longest = ("abcdefghi " * 100)[:999] + "?"
    asked = _ask(people, longest)
    assert row(clean_db, asked.question_id).body == longest and not asked.held
    with pytest.raises(ValidationError, match="at most 1,000"):
        _ask(people, "a" + longest)


def test_questions_about_a_job_off_the_board_are_refused(clean_db, people):
    with pytest.raises(NotFound, match="not on the board"):
        _ask(people, "What does this secret project do?", job_id=people.draft_job)
    # A closed job's questions are still taken (people ask about jobs they saw).
    assert _ask(people, "Will this job open again next year?", job_id=people.closed_job).question_id


# --- rate limits ----------------------------------------------------------------------------

def test_five_questions_an_hour_per_browser_session(clean_db, people):
    for n in range(SESSION_LIMIT_PER_HOUR):
        _ask(people, f"Question number {n} about the jobs?", session="busy", address="198.51.100.1")
    with pytest.raises(ValidationError, match="wait an hour"):
        _ask(people, "One question too many for this session?", session="busy",
             address="198.51.100.1")
    # Another address does not reset the session's count.
    with pytest.raises(ValidationError, match="wait an hour"):
        _ask(people, "One question too many for this session?", session="busy",
             address="198.51.100.2")
    # Someone else is not held back.
    assert _ask(people, "A question from somebody else?", session="other", address="198.51.100.3")
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.questions")).scalar() == 6
        keys = list(conn.execute(sa.text("select key from private.question_rate")).scalars())
    # Sessions and addresses are counted by hash, never kept.
    assert not any("198.51.100" in key or "busy" in key for key in keys)


def test_twenty_questions_an_hour_per_address_across_sessions(clean_db, people):
    sessions = ADDRESS_LIMIT_PER_HOUR // SESSION_LIMIT_PER_HOUR
    for s in range(sessions):
        for n in range(SESSION_LIMIT_PER_HOUR):
            _ask(people, f"Question {n} from session {s}?", session=f"s{s}", address="203.0.113.5")
    with pytest.raises(ValidationError, match="wait an hour"):
        _ask(people, "A fresh session on the same address?", session="fresh", address="203.0.113.5")
    assert _ask(people, "A fresh session on another address?", session="fresh2",
                address="203.0.113.6")


def test_questions_older_than_an_hour_no_longer_count(clean_db, people):
    for n in range(SESSION_LIMIT_PER_HOUR):
        _ask(people, f"Question number {n} about the jobs?", session="busy")
    with clean_db.begin() as conn:
        conn.execute(sa.text("update private.question_rate set asked_at = now() - interval '61 minutes'"))
    assert _ask(people, "Asked again after the hour has passed?", session="busy")


# --- screening ------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "reason"), [
    ("See http://a.example and https://b.example and www.c.example for jobs", "several links"),
    ("Cheap VIAGRA for all your recruiters, write to me", "spam or abuse"),
    ("Your recruiters are idiots, why no answer?", "spam or abuse"),
    ("WHY HAS NOBODY ANSWERED MY APPLICATION YET", "mostly in capitals"),
    ("Hello??????????????? is anyone there", "repeats one character"),
])
def test_screened_out_questions_are_held_with_the_reason(clean_db, people, body, reason):
    asked = _ask(people, body, email="x@example.com")
    assert asked.held
    stored = row(clean_db, asked.question_id)
    assert stored.status_text == "pending" and reason in stored.held_reason
    waiting = inbox.inbox(people.recruiter, held_only=True)
    assert [w.id for w in waiting.page.rows] == [asked.question_id]
    assert reason in waiting.page.rows[0].held_reason


@pytest.mark.parametrize("body", [
    "Is the job at https://jobs.example/123 still open?",  # one link is fine
    "Do you use AWS, GCP or SQL at Northwind?",  # a few acronyms are not shouting
    "What does the team build with Scala and Spark?",
])
def test_ordinary_questions_are_not_held(clean_db, people, body):
    asked = _ask(people, body)
    assert not asked.held and row(clean_db, asked.question_id).held_reason is None


# --- similar questions ----------------------------------------------------------------------

@pytest.fixture
def faq_world(clean_db, people):
    ids = {}
    for n, (body, answer, topic) in enumerate(FAQ):
        ids[body] = add_question(clean_db, body, answer, topic=topic, age_hours=n,
                                 job_id=people.job if topic == "Pay" else None)
    # Near copies that must never be suggested: waiting, spam, and a private answer.
    hidden = [add_question(clean_db, "Do you offer a signing bonus for engineers?? urgent",
                           status="pending"),
              add_question(clean_db, "Do you offer a signing bonus for engineers? casino",
                           status="rejected", answer="no"),
              add_question(clean_db, "Do you offer a signing bonus for engineers, privately?",
                           "Only to you: yes.", status="answered_privately")]
    return ids, hidden


@pytest.mark.parametrize(("typed", "expected"), [
    ("Do you ofer a sining bonus for enginers?", "Do you offer a signing bonus for engineers?"),
    ("how many days of vacation do I get", "How many vacation days do employees get per year?"),
    ("Do you pay for a gym?", "Is there a gym or sports subsidy?"),
    ("Do you offer lunch?", "Is lunch provided at the Berlin office?"),
    ("Is there parking at the office?", "Do you provide parking spaces at the office?"),
    ("Will you give me feedback after a rejection?",
     "Will I get feedback if my application is rejected?"),
    ("Do you sponsor visas?", "Do you sponsor work visas for international candidates?"),
    ("parental leeve", "What does the parental leave policy look like?"),
    ("relocaton to berlin", "Is there a relocation package when moving to Berlin?"),
    ("Which programing languages are used by the data team",
     "What programming languages does the data team use?"),
    ("retirment pension", "Is there a pension plan or retirement savings scheme?"),
    ("Is there a training budjet?", "Do you have a learning and training budget?"),
    ("stock optoins", "Are there employee stock options?"),
    ("How long is the hiring proccess for interviews?", "How long does the interview process take?"),
    ("when are salaries reviewed", "Are salaries reviewed every year?"),
])
def test_similar_finds_the_right_question_first(faq_world, people, typed, expected):
    found = questions.similar(people.visitor, typed)
    assert found and found[0].body == expected, [f.body for f in found]
    assert found[0].answer == dict((b, a) for b, a, _ in FAQ)[expected]


def test_similar_never_suggests_unpublished_questions(clean_db, faq_world, people):
    ids, hidden = faq_world
    for actor in (people.visitor, people.candidate, people.recruiter):
        found = questions.similar(actor, "Do you offer a signing bonus for engineers?", limit=50)
        assert found and {f.id for f in found} <= set(ids.values())
        assert not {f.id for f in found} & set(hidden)


def test_similar_limits_and_excludes(clean_db, faq_world, people):
    ids, _ = faq_world
    assert len(questions.similar(people.visitor, "Do you offer benefits?", limit=2)) == 2
    with clean_db.connect() as conn:
        found = questions.similar_in(conn, "Are there employee stock options?",
                                     exclude=ids["Are there employee stock options?"])
    assert ids["Are there employee stock options?"] not in {f.id for f in found}


@pytest.mark.parametrize("typed", ["", "  ", "ab", "the and of is", "zzzzqqqq xxyyzz",
                                   "What's 100% \\ 'quoted' & | ! :* (€) <-> salary?"])
def test_similar_takes_any_text(faq_world, people, typed):
    found = questions.similar(people.visitor, typed)
    assert isinstance(found, list)
    if typed.strip() in ("", "ab", "the and of is", "zzzzqqqq xxyyzz"):
        assert found == []


def _vocabulary(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("select word from public.question_words")).scalars())


def test_publishing_teaches_typo_correction_and_forgetting_keeps_only_used_words(clean_db, people):
    kept = add_question(clean_db, "Is there a gym at the office?", "Yes, on the roof.")
    waiting = add_question(clean_db, "Is there a kombucha fridge at the office?", status="pending")
    assert "kombucha" not in _vocabulary(clean_db)  # waiting questions teach nothing
    assert questions.similar(people.visitor, "any kombusha in the fridge?") == []

    inbox.publish(people.recruiter, waiting, "Two of them, on every floor.")
    assert {"kombucha", "fridge", "gym"} <= _vocabulary(clean_db)
    found = questions.similar(people.visitor, "any kombusha in the fridge?")  # misspelt
    assert [f.id for f in found] == [waiting]

    with clean_db.begin() as conn:  # taken off the FAQ
        conn.execute(sa.text("update public.questions set status = 'rejected' where id = :id"),
                     {"id": waiting})
        assert questions.forget_unused_words(conn) == 2  # kombucha, fridge
    assert not {"kombucha", "fridge"} & _vocabulary(clean_db)
    assert {"gym", "office"} <= _vocabulary(clean_db)
    assert [f.id for f in questions.similar(people.visitor, "a gym in the office")] == [kept]


def test_when_not_every_word_matches_only_the_rarer_words_are_ranked(clean_db, people, monkeypatch):
    for n in range(60):
        add_question(clean_db, f"What is the salary for engineers in team {n}?", "It varies.")
    bikes = add_question(clean_db, "Is there a bike leasing scheme?", "Yes, through payroll.")
    with clean_db.begin() as conn:
        conn.exec_driver_sql("analyze public.questions")  # the word counts come from statistics
    typed = "Can engineers lease a bike through the salary scheme?"  # no question has it all
    everything = questions.similar(people.visitor, typed)
    assert everything[0].id == bikes and len(everything) == 5  # the salary ones trail it

    monkeypatch.setattr(questions, "RARE_WORDS_QUESTIONS", 10)  # "salary", "engineers": common
    shared.forget()  # the lookup above is kept in memory; this one is computed under the new rule
    assert [f.id for f in questions.similar(people.visitor, typed)] == [bikes]


def test_visitors_read_published_questions_only(clean_db, faq_world, people):
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, people.visitor)
        statuses = set(conn.execute(sa.text("select status::text from public.questions")).scalars())
    assert statuses == {"published"}


def test_visitors_cannot_insert_questions_directly(clean_db, people):
    for actor in (people.visitor, people.candidate):
        with pytest.raises(sa.exc.DBAPIError) as refused, transaction(actor) as conn:
            conn.execute(sa.text("insert into public.questions (body) values ('A sneaky question?')"))
        assert refused.value.orig.sqlstate == "42501"
    with pytest.raises(sa.exc.DBAPIError) as refused, transaction(people.visitor) as conn:
        conn.execute(sa.text("insert into public.questions (body, status, answer)"
                             " values ('Self answered?', 'published', 'yes')"))
    assert refused.value.orig.sqlstate == "42501"
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.questions")).scalar() == 0


# --- the FAQ --------------------------------------------------------------------------------

def test_faq_pages_through_every_published_answer_once(faq_world, people):
    ids, _ = faq_world
    pages = [questions.faq(people.visitor, page=n, page_size=8) for n in (1, 2, 3, 4)]
    assert {p.total for p in pages} == {len(FAQ)}
    assert [len(p.rows) for p in pages] == [8, 8, 8, 6]
    assert pages[0].page_count == 4
    seen = [a.id for p in pages for a in p.rows]
    assert sorted(seen, key=str) == sorted(ids.values(), key=str)  # each once
    assert questions.faq(people.visitor, page=5, page_size=8).rows == []


def test_faq_is_grouped_by_topic_then_newest_first(faq_world, people):
    rows = questions.faq(people.visitor, page_size=100).rows
    topics = [a.topic for a in rows]
    assert topics == sorted(topics)
    benefits = [a for a in rows if a.topic == "Benefits"]
    assert [a.answered_at for a in benefits] == sorted((a.answered_at for a in benefits), reverse=True)


def test_faq_topic_job_and_search_filters(faq_world, people):
    benefits = questions.faq(people.visitor, topic="Benefits", page_size=100)
    assert benefits.total == sum(1 for *_, t in FAQ if t == "Benefits")
    assert {a.topic for a in benefits.rows} == {"Benefits"}
    assert questions.faq(people.visitor, topic="Nonexistent").total == 0

    pay = questions.faq(people.visitor, job_id=people.job, page_size=100)
    assert {a.body for a in pay.rows} == {b for b, _, t in FAQ if t == "Pay"}
    assert {a.job_title for a in pay.rows} == {"Data Engineer"}

    parking = questions.faq(people.visitor, search="parking")
    assert [a.body for a in parking.rows] == ["Do you provide parking spaces at the office?"]
    # Words of the answer count, stemmed: "catered" is only in the lunch answer.
    assert [a.body for a in questions.faq(people.visitor, search="catering").rows] \
        == ["Is lunch provided at the Berlin office?"]
    # Wildcards are taken literally.
    assert questions.faq(people.visitor, search="%").total == 0
    assert questions.faq(people.visitor, search="parking", topic="Benefits").total == 0
    assert questions.faq_topics(people.visitor) == sorted({t for *_, t in FAQ})


def test_nul_in_a_search_or_a_question_is_refused_with_what_to_fix(clean_db, people):
    with pytest.raises(ValidationError, match="NUL character"):  # no check names this field
        questions.faq(people.visitor, search="parking\x00")
    with pytest.raises(ValidationError, match="^Your question: remove a NUL character"):
        _ask(people, "Is there parking\x00 at the office?")


def test_a_word_shared_by_many_questions_ranks_a_bounded_number_of_them(clean_db, people):
    # More published questions with every typed word than the lookup ranks (1,000): it
    # still suggests as many as asked, each with the words, and finds the rare one at once.
    with clean_db.begin() as conn:
        conn.execute(sa.text(
            "insert into public.questions (body, answer, status, answered_at)"
            " select 'Is the pension scheme the same in team ' || n || '?', 'Yes.', 'published', now()"
            " from generate_series(1, 1200) n"))
        conn.exec_driver_sql("analyze public.questions")
        matching = conn.execute(sa.text(
            "select count(*) from private.questions_matching('pension & scheme', 'pension', 5)")).scalar()
    assert matching == 20
    found = questions.similar(people.visitor, "How does the pension scheme work?")
    assert len(found) == 5 and all("pension scheme" in f.body for f in found)
    lonely = add_question(clean_db, "Is the pension scheme open to interns?", "From the first day.")
    shared.forget()
    assert questions.similar(people.visitor, "pension scheme for interns")[0].id == lonely
