"""The recruiters' inbox: unanswered questions oldest first, a drafted answer, and what a
recruiter does with a question (publish to the FAQ, answer privately, merge into an
existing answer, reject as spam). Every action is in the audit log; an asker who left an
email gets the answer by email where SMTP is set, and always through their private link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, mail, validation
from portal.db import contains_pattern, transaction
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from portal.permissions import require_staff
from services.candidates import answer_drafting as drafting
from services.people import preferences


@dataclass(frozen=True)
class Waiting:
    id: UUID
    body: str
    job_id: UUID | None
    job_title: str | None
    created_at: datetime
    held_reason: str | None
    has_email: bool
    age: timedelta
    overdue: bool


@dataclass(frozen=True)
class Inbox:
    page: Page[Waiting]
    overdue: int
    target_hours: int


def inbox(actor: Actor, *, job_id: UUID | None = None, held_only: bool = False, search: str = "",
          page: int = 1, page_size: int = 20) -> Inbox:
    """Questions waiting for an answer, oldest first, with how many are past the target."""
    search = " ".join(search.split())[:200]
    where = ("q.status = 'pending'"
             " and (cast(:job as uuid) is null or q.job_id = :job)"
             " and (not :held or q.held_reason is not null)"
             " and (:search = '' or q.body ilike :pattern)")
    with transaction(actor) as conn:
        require_staff(conn, "read the questions inbox")
        target = preferences.load(conn).answer_target_hours
        params = {"job": job_id, "held": held_only, "search": search,
                  "pattern": contains_pattern(search), "target": target,
                  "limit": page_size, "offset": Page.offset(page, page_size)}
        total, overdue = conn.execute(sa.text(
            "select count(*), count(*) filter"  # noqa: S608
            " (where q.created_at < now() - make_interval(hours => :target))"
            f" from public.questions q where {where}"), params).one()
        rows = conn.execute(sa.text(
            "select q.id, q.body, q.job_id, j.title as job_title, q.created_at, q.held_reason,"  # noqa: S608
            "       a.email is not null as has_email, now() - q.created_at as age,"
            "       q.created_at < now() - make_interval(hours => :target) as overdue"
            " from public.questions q left join public.jobs j on j.id = q.job_id"
            " left join public.question_askers a on a.question_id = q.id"
            f" where {where} order by q.created_at, q.id limit :limit offset :offset"),
            params).all()
    return Inbox(Page([Waiting(**row._mapping) for row in rows], total, page, page_size),
                 overdue, target)


def suggest(actor: Actor, question_id: UUID) -> drafting.Draft:
    """A drafted answer to one question (see services.candidates.answer_drafting for what grounds it)."""
    with transaction(actor) as conn:
        require_staff(conn, "draft answers")
        question = _question(conn, question_id)
        sources, offered = drafting.gather_sources(conn, question.body, question.job_id, question_id)
    return drafting.draft(question.body, sources, offered)


@dataclass(frozen=True)
class Answered:
    emailed: bool  # False: no email left, no SMTP set, or the server refused it


def publish(actor: Actor, question_id: UUID, answer: str, topic: str = "") -> Answered:
    """Answer in public: the question and answer join the FAQ (who asked never does)."""
    problems = validation.FormProblems()  # both problems at once, each named for its field
    answer = problems.check("answer", validation.text, "Answer", answer, minimum=2, maximum=8000)
    topic = problems.check("topic", validation.text, "Topic", topic, maximum=80, single_line=True)
    problems.raise_any()
    return _answer(actor, question_id, "published", answer, topic or None)


def answer_privately(actor: Actor, question_id: UUID, answer: str) -> Answered:
    """Answer the asker only (through their link, and by email if they left one)."""
    answer = validation.text("Answer", answer, minimum=2, maximum=8000)
    return _answer(actor, question_id, "answered_privately", answer, None)


def merge(actor: Actor, question_id: UUID, into_id: UUID) -> Answered:
    """A duplicate of a published question: the asker gets that question's answer."""
    if question_id == into_id:
        raise ValidationError("Choose another question to merge into.")
    with transaction(actor) as conn:
        require_staff(conn, "answer questions")
        _question(conn, question_id, pending=True)
        target = conn.execute(sa.text(
            "select answer from public.questions where id = :id and status = 'published'"),
            {"id": into_id}).scalar()
        if target is None:
            raise NotFound("The question to merge into is not published any more. Choose another.")
        conn.execute(sa.text(
            "update public.questions set status = 'merged', merged_into = :into,"
            " answered_by = auth.uid(), answered_at = now() where id = :id"),
            {"id": question_id, "into": into_id})
        audit.record(conn, "question.merged", "question", str(question_id), {"into": str(into_id)})
        email = _asker_email(conn, question_id)
    return Answered(_send_answer(email, target))


def reject(actor: Actor, question_id: UUID) -> None:
    """Spam or abuse: out of the inbox, never published, nothing sent."""
    with transaction(actor) as conn:
        require_staff(conn, "answer questions")
        _question(conn, question_id, pending=True)
        conn.execute(sa.text("update public.questions set status = 'rejected', answered_by = auth.uid(),"
                             " answered_at = now() where id = :id"), {"id": question_id})
        audit.record(conn, "question.rejected", "question", str(question_id))


@dataclass(frozen=True)
class _Question:
    id: UUID
    body: str
    job_id: UUID | None
    status: str


def _question(conn: Connection, question_id: UUID, *, pending: bool = False) -> _Question:
    row = conn.execute(sa.text("select id, body, job_id, status from public.questions"
                               " where id = :id for update"), {"id": question_id}).first()
    if row is None:
        raise NotFound("That question no longer exists.")
    if pending and row.status != "pending":
        raise ValidationError("Someone has already dealt with this question; it has left the inbox.")
    return _Question(**row._mapping)


def _answer(actor: Actor, question_id: UUID, status: str, answer: str, topic: str | None) -> Answered:
    with transaction(actor) as conn:
        require_staff(conn, "answer questions")
        _question(conn, question_id, pending=True)
        conn.execute(sa.text(
            "update public.questions set status = cast(:status as public.question_status),"
            " answer = :answer, topic = :topic, answered_by = auth.uid(), answered_at = now(),"
            " held_reason = null where id = :id"),
            {"id": question_id, "status": status, "answer": answer, "topic": topic})
        audit.record(conn, f"question.{status}", "question", str(question_id),
                     {"topic": topic or ""})
        email = _asker_email(conn, question_id)
    return Answered(_send_answer(email, answer))


def _asker_email(conn: Connection, question_id: UUID) -> str | None:
    return conn.execute(sa.text("select email from public.question_askers where question_id = :id"),
                        {"id": question_id}).scalar()


def _send_answer(email: str | None, answer: str) -> bool:
    # Sent after the commit: a slow or failing mail server never undoes the answer.
    if not email:
        return False
    return mail.send(email, "Your question has been answered",
                     f"Hello,\n\nThank you for your question. Here is our answer:\n\n{answer}\n\n"
                     "Kind regards,\nThe recruiting team")


def waiting_jobs(actor: Actor) -> list[tuple[UUID, str]]:
    """The jobs that have questions waiting, for the inbox's filter."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select j.id, j.title from public.jobs j where exists (select 1 from public.questions q"
            " where q.job_id = j.id and q.status = 'pending') order by j.title")).all()
    return [(row.id, row.title) for row in rows]


def age_label(age: timedelta) -> str:
    """`3 d 4 h`, `5 h`, `12 min`: how long a question has waited."""
    minutes = int(age.total_seconds() // 60)
    days, hours = minutes // 1440, minutes % 1440 // 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h" if hours else f"{minutes} min"
