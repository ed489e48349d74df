"""What the question, inbox and drafting tests share: a few accounts, jobs in each status,
published answers written as the owner, and reading a private link's token."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import sqlalchemy as sa

from portal.models import Actor, Role
from services.people.accounts import create_account


@dataclass(frozen=True)
class People:
    admin: Actor
    recruiter: Actor
    candidate: Actor
    alumnus: Actor
    job: UUID  # published
    closed_job: UUID
    draft_job: UUID
    other_job: UUID  # published

    visitor = Actor.visitor()


def make_people(engine: sa.Engine) -> People:
    actors: dict[str, Actor] = {}
    jobs: dict[str, UUID] = {}
    with engine.begin() as conn:
        for who, role in (("admin", Role.ADMIN), ("recruiter", Role.RECRUITER),
                          ("candidate", Role.CANDIDATE), ("alumnus", Role.ALUMNUS)):
            email = f"{who}@questions.test"
            user_id = create_account(conn, email, who.title(), role, None)
            actors[who] = Actor(user_id=user_id, email=email, role=role, full_name=who.title())
        for key, title, status in (("job", "Data Engineer", "published"),
                                   ("closed_job", "Office Manager", "closed"),
                                   ("draft_job", "Secret Project Lead", "draft"),
                                   ("other_job", "Product Designer", "published")):
            jobs[key] = conn.execute(sa.text(
                "insert into public.jobs (title, department, location, status, description,"
                " salary_min, salary_max, currency)"
                " values (:title, 'Engineering', 'Berlin', cast(:status as public.job_status),"
                " :description, 70000, 90000, 'EUR') returning id"),
                {"title": title, "status": status,
                 "description": f"The {title} builds and runs things."}).scalar_one()
    return People(**actors, **jobs)


def add_question(engine: sa.Engine, body: str, answer: str | None = None, *,
                 status: str = "published", topic: str | None = None, job_id: UUID | None = None,
                 age_hours: float = 0, email: str | None = None) -> UUID:
    """A question written as the owner (`age_hours` back in time)."""
    with engine.begin() as conn:
        question_id = conn.execute(sa.text(
            "insert into public.questions (body, answer, status, topic, job_id, answered_at,"
            " created_at)"
            " values (:body, :answer, cast(:status as public.question_status), :topic, :job,"
            "         case when cast(:answer as text) is not null"
            "              then now() - make_interval(secs => :age) end,"
            "         now() - make_interval(secs => :age) - interval '1 minute')"
            " returning id"),
            {"body": body, "answer": answer, "status": status, "topic": topic, "job": job_id,
             "age": age_hours * 3600}).scalar_one()
        if email:
            conn.execute(sa.text("insert into public.question_askers (question_id, email)"
                                 " values (:q, :email)"), {"q": question_id, "email": email})
    return question_id


def backdate(engine: sa.Engine, question_id: UUID, hours: float) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("update public.questions set created_at = now() - make_interval(secs => :s)"
                             " where id = :id"), {"s": hours * 3600, "id": question_id})


def row(engine: sa.Engine, question_id: UUID) -> sa.Row:
    """The question and its asker, as the owner sees them."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select q.*, q.status::text as status_text, a.email as asker_email,"
            " a.user_id as asker_user_id"
            " from public.questions q left join public.question_askers a on a.question_id = q.id"
            " where q.id = :id"), {"id": question_id}).one()


def token_of(follow_link: str) -> str:
    return parse_qs(urlparse(follow_link).query)["question"][0]


# About thirty questions people really ask, each with its answer and topic.
FAQ = [
    ("Do you offer a signing bonus for engineers?",
     "Yes, engineering offers usually include a one-off signing bonus.", "Pay"),
    ("How many vacation days do employees get per year?",
     "Everyone gets 30 paid days off a year, plus public holidays.", "Benefits"),
    ("Is remote work possible for this team?",
     "Most teams work hybrid; some roles are fully remote.", "Working here"),
    ("How long does the interview process take?",
     "Usually three weeks from the first call to an offer.", "Process"),
    ("Do you sponsor work visas for international candidates?",
     "Yes, we sponsor visas and help with relocation paperwork.", "Process"),
    ("Is there a relocation package when moving to Berlin?",
     "We pay the move and two months of temporary housing.", "Benefits"),
    ("What programming languages does the data team use?",
     "Mostly Python and SQL, with some Scala.", "Working here"),
    ("Can I apply to more than one position at the same time?",
     "Yes, apply to each role that interests you.", "Process"),
    ("Do you provide parking spaces at the office?",
     "There is a garage with bicycle racks and some car spaces.", "Offices"),
    ("What does the parental leave policy look like?",
     "Sixteen weeks fully paid for every parent.", "Benefits"),
    ("Is there a pension plan or retirement savings scheme?",
     "We add five percent of salary to a company pension.", "Benefits"),
    ("Which health insurance do you offer employees?",
     "Private health insurance for you and your family.", "Benefits"),
    ("Do you have a learning and training budget?",
     "Each person has 2,000 euros a year for courses and books.", "Benefits"),
    ("How is the on-call rotation organised for engineers?",
     "One week in six, with extra pay for each on-call week.", "Working here"),
    ("What laptop will I get on my first day?",
     "You choose a MacBook Pro or a Linux laptop.", "Working here"),
    ("Is the office dog friendly?",
     "Yes, well-behaved dogs are welcome on two floors.", "Offices"),
    ("Are there employee stock options?",
     "Permanent staff receive stock options after probation.", "Pay"),
    ("What is the dress code in the office?",
     "There is none; wear what you are comfortable in.", "Offices"),
    ("Do you hire interns or working students?",
     "Yes, each summer we hire interns in most departments.", "Process"),
    ("Will I get feedback if my application is rejected?",
     "Yes, a recruiter writes a short note on every rejection.", "Process"),
    ("Can I work part time?",
     "Many roles can be done at 80 percent; ask your recruiter.", "Working here"),
    ("What languages are spoken in the office?",
     "English is the working language; many also speak German.", "Offices"),
    ("Do you reimburse public transport tickets?",
     "Yes, the monthly public transport pass is paid.", "Benefits"),
    ("Is there a gym or sports subsidy?",
     "We pay half of a gym membership.", "Benefits"),
    ("How many people work in the engineering department?",
     "About 120 engineers in eight teams.", "Working here"),
    ("Do you do take-home coding assignments?",
     "One short paid assignment of at most four hours.", "Process"),
    ("Are salaries reviewed every year?",
     "Every April, based on a published salary ladder.", "Pay"),
    ("Can I bring my own equipment like a keyboard?",
     "Of course; we also pay for a desk setup at home.", "Working here"),
    ("Is lunch provided at the Berlin office?",
     "Lunch is catered three days a week.", "Offices"),
    ("Do you accept applications without a university degree?",
     "Yes, experience counts as much as a degree.", "Process"),
]
