"""The recruiters' inbox: what waits, in which order, how much is overdue, what a recruiter
does with a question (each in the audit log), and the email the asker gets, through a
real SMTP server on this machine."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal import mail
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.settings import settings
from services.candidates import inbox, questions
from services.people import preferences
from tests.db.question_world import People, add_question, backdate, row
from tests.support import SmtpReceiver, body, free_port

_sessions = iter(range(10**6))


def _ask(people: People, body: str, **kwargs) -> questions.Asked:
    n = next(_sessions)
    return questions.ask(people.visitor, body, session_id=f"inbox-{n}", address=f"192.0.2.{n % 250}",
                         **kwargs)


def _audit(engine: sa.Engine, question_id) -> list[sa.Row]:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select action, actor_id, details from public.audit_log"
            " where subject_type = 'question' and subject_id = :id order by id"),
            {"id": str(question_id)}).all()


# --- what waits -----------------------------------------------------------------------------

def test_oldest_first_with_the_overdue_ones_counted(clean_db, people):
    newest = _ask(people, "Asked just now, is that fine?").question_id
    oldest = _ask(people, "Asked three days ago, any news?").question_id
    middle = _ask(people, "Asked fifty hours ago, any news?").question_id
    backdate(clean_db, oldest, 72)
    backdate(clean_db, middle, 50)
    # Dealt with already: not in the inbox, however old.
    add_question(clean_db, "An old published one?", "yes", age_hours=500)
    add_question(clean_db, "An old rejected one?", status="rejected", age_hours=500)
    add_question(clean_db, "An old merged one?", status="merged", age_hours=500)

    box = inbox.inbox(people.recruiter)
    assert [w.id for w in box.page.rows] == [oldest, middle, newest]
    assert box.page.total == 3 and box.target_hours == 48
    assert box.overdue == 2
    assert [w.overdue for w in box.page.rows] == [True, True, False]
    assert box.page.rows[0].age.total_seconds() > 71 * 3600

    preferences.save(people.admin, answer_target_hours=60, candidate_retention_days=365)
    box = inbox.inbox(people.admin)
    assert box.target_hours == 60 and box.overdue == 1
    assert [w.overdue for w in box.page.rows] == [True, False, False]

    # The count is of every waiting question, not only of the page shown.
    first = inbox.inbox(people.recruiter, page_size=1, page=3)
    assert first.overdue == 1 and [w.id for w in first.page.rows] == [newest]


def test_filters_by_job_held_and_words(clean_db, people):
    about_job = _ask(people, "What does the Data Engineer do all day?", job_id=people.job,
                     email="a@example.com").question_id
    other_job = _ask(people, "Does the designer work with engineers?", job_id=people.other_job).question_id
    held = _ask(people, "Cheap viagra and casino bonus here").question_id
    general = _ask(people, "Do you pay 100% of the travel costs?").question_id

    def ids(**filters) -> list:
        return [w.id for w in inbox.inbox(people.recruiter, **filters).page.rows]

    assert ids() == [about_job, other_job, held, general]
    assert ids(job_id=people.job) == [about_job]
    assert ids(held_only=True) == [held]
    assert ids(search="ENGINEER") == [about_job, other_job]
    assert ids(search="100%") == [general]
    assert ids(search="%") == [general]  # taken literally
    assert ids(search="engineer", job_id=people.other_job) == [other_job]
    rows = inbox.inbox(people.recruiter).page.rows
    assert [w.has_email for w in rows] == [True, False, False, False]
    assert rows[0].job_title == "Data Engineer" and rows[3].job_title is None


# --- what a recruiter does ------------------------------------------------------------------

def _act(action: str, people: People, question_id, target) -> None:
    if action == "published":
        inbox.publish(people.recruiter, question_id, "Our answer.", topic="Process")
    elif action == "answered_privately":
        inbox.answer_privately(people.recruiter, question_id, "Our private answer.")
    elif action == "merged":
        inbox.merge(people.recruiter, question_id, target)
    else:
        inbox.reject(people.recruiter, question_id)


ACTIONS = ("published", "answered_privately", "merged", "rejected")


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_answers_once_and_is_audited(clean_db, people, action):
    target = add_question(clean_db, "How long is the process?", "Three weeks.", topic="Process")
    asked = _ask(people, "Asked by someone who waits?", email="asker@example.com")
    _act(action, people, asked.question_id, target)

    stored = row(clean_db, asked.question_id)
    assert stored.status_text == action
    assert stored.answered_by == people.recruiter.user_id and stored.answered_at is not None
    assert stored.answer == {"published": "Our answer.", "answered_privately": "Our private answer.",
                             "merged": None, "rejected": None}[action]
    assert stored.topic == ("Process" if action == "published" else None)
    assert stored.merged_into == (target if action == "merged" else None)
    assert inbox.inbox(people.recruiter).page.total == 0

    entries = _audit(clean_db, asked.question_id)
    assert [(e.action, e.actor_id) for e in entries] == [(f"question.{action}", people.recruiter.user_id)]
    if action == "merged":
        assert entries[0].details == {"into": str(target)}

    # Whatever was done, nothing more can be done to it.
    for again in ACTIONS:
        with pytest.raises(ValidationError, match="already dealt with"):
            _act(again, people, asked.question_id, target)
    assert row(clean_db, asked.question_id).status_text == action
    assert len(_audit(clean_db, asked.question_id)) == 1


def test_publishing_a_held_question_clears_the_hold(clean_db, people):
    held = _ask(people, "WHY IS NOBODY ANSWERING THE PHONE TODAY")
    assert held.held
    inbox.publish(people.admin, held.question_id, "We answer within two days.")
    stored = row(clean_db, held.question_id)
    assert stored.status_text == "published" and stored.held_reason is None
    assert stored.answered_by == people.admin.user_id and stored.topic is None


@pytest.mark.parametrize("who", ["candidate", "alumnus", "visitor"])
def test_only_staff_use_the_inbox(clean_db, people, who):
    actor = getattr(people, who)
    target = add_question(clean_db, "How long is the process?", "Three weeks.")
    question_id = _ask(people, "Please answer me, someone?").question_id
    attempts = [lambda: inbox.inbox(actor),
                lambda: inbox.suggest(actor, question_id),
                lambda: inbox.publish(actor, question_id, "I answer myself."),
                lambda: inbox.answer_privately(actor, question_id, "I answer myself."),
                lambda: inbox.merge(actor, question_id, target),
                lambda: inbox.reject(actor, question_id)]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert row(clean_db, question_id).status_text == "pending"
    assert _audit(clean_db, question_id) == []


def test_merging_needs_a_published_question(clean_db, people):
    question_id = _ask(people, "A duplicate of something?").question_id
    pending = _ask(people, "Another question, not answered yet?").question_id
    private = add_question(clean_db, "Answered privately?", "Only to them.", status="answered_privately")
    rejected = add_question(clean_db, "Rejected spam?", status="rejected")
    for into in (pending, private, rejected):
        with pytest.raises(NotFound, match="not published"):
            inbox.merge(people.recruiter, question_id, into)
    with pytest.raises(ValidationError, match="another question"):
        inbox.merge(people.recruiter, question_id, question_id)
    assert row(clean_db, question_id).status_text == "pending"
    assert _audit(clean_db, question_id) == []


def test_answers_are_checked(clean_db, people):
    question_id = _ask(people, "A question needing an answer?").question_id
    with pytest.raises(ValidationError):
        inbox.publish(people.recruiter, question_id, " ")
    with pytest.raises(ValidationError):
        inbox.publish(people.recruiter, question_id, "x" * 8001)
    with pytest.raises(ValidationError):
        inbox.publish(people.recruiter, question_id, "A fine answer.", topic="t" * 81)
    with pytest.raises(ValidationError) as both:  # every problem at once, each for its field
        inbox.publish(people.recruiter, question_id, "", topic="Two\nlines")
    assert [field for field, _ in both.value.problems] == ["answer", "topic"]
    with pytest.raises(ValidationError):
        inbox.answer_privately(people.recruiter, question_id, "")
    with pytest.raises(NotFound):
        inbox.publish(people.recruiter, uuid4(), "An answer to nothing.")
    assert row(clean_db, question_id).status_text == "pending"


# --- the asker's email ----------------------------------------------------------------------

def test_publishing_emails_the_asker_once(clean_db, people, smtp):
    asked = _ask(people, "How many days off do I get?", email="Asker@Example.com")
    assert inbox.publish(people.recruiter, asked.question_id, "Thirty days a year.").emailed
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["asker@example.com"]
    assert message["To"] == "asker@example.com" and message["From"] == "Jobs <jobs@example.com>"
    assert "Thirty days a year." in body(message)
    assert "answered" in message["Subject"]


def test_a_private_answer_and_a_merge_are_emailed_too(clean_db, people, smtp):
    target = add_question(clean_db, "How long is the process?", "Three weeks from first call.")
    private = _ask(people, "Can you tell me privately?", email="one@example.com")
    duplicate = _ask(people, "How long does the process take?", email="two@example.com")
    assert inbox.answer_privately(people.recruiter, private.question_id, "Just for you: yes.").emailed
    assert inbox.merge(people.recruiter, duplicate.question_id, target).emailed
    assert [(to, "Just for you: yes." in body(m) or "Three weeks from first call." in body(m))
            for to, m in smtp.messages] == [(["one@example.com"], True), (["two@example.com"], True)]
    assert "Three weeks from first call." in body(smtp.messages[1][1])


def test_no_email_without_an_address_or_for_a_rejection(clean_db, people, smtp):
    silent = _ask(people, "I left no email address here?")
    assert not inbox.publish(people.recruiter, silent.question_id, "An answer.").emailed
    spam = _ask(people, "Some spam with an email address?", email="spam@example.com")
    inbox.reject(people.recruiter, spam.question_id)
    assert smtp.messages == []


def test_a_dead_mail_server_does_not_undo_the_answer(clean_db, people, monkeypatch):
    config = replace(settings(), smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
    monkeypatch.setattr(mail, "settings", lambda: config)
    asked = _ask(people, "Will this answer arrive?", email="asker@example.com")
    assert inbox.publish(people.recruiter, asked.question_id, "It will, by link.").emailed is False
    assert row(clean_db, asked.question_id).status_text == "published"
    assert [e.action for e in _audit(clean_db, asked.question_id)] == ["question.published"]


def test_without_smtp_nothing_is_sent(clean_db, people):
    assert not mail.enabled()
    asked = _ask(people, "Will this answer arrive by email?", email="asker@example.com")
    assert inbox.publish(people.recruiter, asked.question_id, "Only by link.").emailed is False


# --- STARTTLS -------------------------------------------------------------------------------

def _self_signed(directory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_smtp(tmp_path, monkeypatch):
    """A server that takes mail only after STARTTLS, with a certificate the portal trusts."""
    cert_file, key_file = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    collector = SmtpReceiver()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port(),
                            tls_context=server_context, require_starttls=True)
    controller.start()
    monkeypatch.setattr(mail, "_tls_context", lambda: ssl.create_default_context(cafile=cert_file))
    yield collector, controller.port
    controller.stop()


def test_starttls_is_used_when_set(clean_db, people, tls_smtp, monkeypatch):
    collector, port = tls_smtp
    config = replace(settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=True)
    monkeypatch.setattr(mail, "settings", lambda: config)
    asked = _ask(people, "Is my email sent safely?", email="asker@example.com")
    assert inbox.publish(people.recruiter, asked.question_id, "Over TLS.").emailed
    assert collector.encrypted == [True]
    assert "Over TLS." in body(collector.messages[0][1])


def test_an_untrusted_certificate_gets_nothing(clean_db, people, tls_smtp, monkeypatch):
    collector, port = tls_smtp
    monkeypatch.setattr(mail, "_tls_context", ssl.create_default_context)  # the system's CAs only
    config = replace(settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=True)
    monkeypatch.setattr(mail, "settings", lambda: config)
    asked = _ask(people, "Is my email sent safely?", email="asker@example.com")
    assert inbox.publish(people.recruiter, asked.question_id, "Over TLS.").emailed is False
    assert collector.messages == []


def test_no_clear_text_when_starttls_is_set_but_not_offered(clean_db, people, smtp, monkeypatch):
    config = replace(mail.settings(), smtp_starttls=True)
    monkeypatch.setattr(mail, "settings", lambda: config)
    asked = _ask(people, "Is my email sent safely?", email="asker@example.com")
    assert inbox.publish(people.recruiter, asked.question_id, "Not in clear text.").emailed is False
    assert smtp.messages == []


def test_two_recruiters_answering_at_once_answer_once(clean_db, people):
    asked = _ask(people, "Who answers me first?", email="asker@example.com")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def answer(n: int) -> None:
        start.wait()
        try:
            inbox.publish(people.recruiter if n % 2 else people.admin, asked.question_id, f"Answer {n}.")
            outcomes.append("answered")
        except ValidationError:
            outcomes.append("refused")

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "refused", "refused", "refused"]
    assert len(_audit(clean_db, asked.question_id)) == 1
