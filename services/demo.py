"""Demo data: a company with a year of recruiting behind it.

Every row has a fixed id (uuid5 of a readable key) and is inserted with
`on conflict do nothing`, so loading the demo twice changes nothing.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import auth
from portal.db import owner_transaction
from portal.errors import ValidationError
from portal.models import Role
from portal.months import month_start
from portal.public_address import public_url
from portal.words import counted
from services.people.accounts import create_account
from services.social.channel_text import post_source, short_post_link

DEMO_PASSWORD = "boomerang-demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: Role


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.com", "Maya Chen", Role.ADMIN),
    DemoAccount("recruiter@example.com", "Jordan Rivera", Role.RECRUITER),
    DemoAccount("priya@example.com", "Priya Natarajan", Role.ALUMNUS),
    DemoAccount("tom@example.com", "Tom Becker", Role.ALUMNUS),
    DemoAccount("candidate@example.com", "Sam Okafor", Role.CANDIDATE),
)

# Other alumni and employees: rostered accounts without a password (no sign-in).
OTHER_REFERRERS = [
    ("Lena Hoffmann", Role.ALUMNUS), ("Marcus Webb", Role.ALUMNUS), ("Aiko Tanaka", Role.ALUMNUS),
    ("Diego Alvarez", Role.ALUMNUS), ("Fatima Zahra", Role.ALUMNUS), ("Oliver Grant", Role.ALUMNUS),
    ("Nora Lindqvist", Role.EMPLOYEE), ("Ravi Shah", Role.EMPLOYEE), ("Chloe Martin", Role.EMPLOYEE),
]

COMPANY = {
    "name": "Northwind Analytics",
    "tagline": "Forecasting tools for the world's supply chains",
    "about": (
        "Northwind Analytics builds demand-forecasting and inventory software used by "
        "retailers and manufacturers in 30 countries. About 400 people work with us from "
        "Berlin, London and Austin, or remotely across Europe and North America."
    ),
    "website": "https://northwind.example.com",
}

# title, department, location, remote policy, salary range, status
JOBS = [
    ("Senior Backend Engineer (Python)", "Engineering", "Berlin", "hybrid", (78000, 95000), "published"),
    ("Site Reliability Engineer", "Engineering", "Remote (EU)", "remote", (72000, 90000), "published"),
    ("Frontend Engineer (TypeScript)", "Engineering", "London", "hybrid", (65000, 82000), "published"),
    ("Data Scientist, Forecasting", "Data Science", "Berlin", "hybrid", (70000, 88000), "published"),
    ("Machine Learning Engineer", "Data Science", "Remote (EU)", "remote", (80000, 100000), "published"),
    ("Product Manager, Inventory", "Product", "London", "hybrid", (75000, 92000), "published"),
    ("Product Designer", "Design", "Berlin", "onsite", (58000, 72000), "published"),
    ("Account Executive, DACH", "Sales", "Berlin", "hybrid", (60000, 75000), "published"),
    ("Customer Success Manager", "Customer Success", "Austin, TX", "hybrid", (62000, 78000), "published"),
    ("Content Marketing Lead", "Marketing", "Remote (US)", "remote", (70000, 85000), "in_review"),
    ("Financial Controller", "Finance", "London", "onsite", (68000, 80000), "draft"),
    ("People Partner", "People", "Austin, TX", "hybrid", (60000, 72000), "closed"),
]

# Each job's level (services.postings.listings.LEVEL_LABELS), in the order of JOBS.
JOB_LEVELS = ("senior", "mid", "mid", "mid", "senior", "mid", "mid", "mid", "mid", "lead", "senior", "mid")

FIRST_NAMES = ["Alex", "Bea", "Carlos", "Dana", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas",
               "Kira", "Luis", "Mira", "Nils", "Omar", "Paula", "Quinn", "Rosa", "Sven", "Tara",
               "Umar", "Vera", "Wen", "Xenia", "Yusuf", "Zoe"]
LAST_NAMES = ["Adams", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat",
              "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Olsen", "Petrov",
              "Rossi", "Schmidt", "Torres", "Vogel", "Weber", "Young"]

QUESTIONS = [
    ("Is the backend role open to people outside Germany?", 0,
     "Yes, if you can relocate to Berlin; we sponsor visas and help with the move.", "published"),
    ("How many interview rounds are there?", None,
     "Usually four: a call with the recruiter, a call with the hiring manager, a take-home or "
     "live exercise, and a final conversation with the team.", "published"),
    ("Do you offer part-time arrangements?", None,
     "Many teams do; say what you are looking for in your note and we will tell you honestly.",
     "published"),
    ("What does the on-call rotation look like for SREs?", 1,
     "One week in six, follow-the-sun with the Austin team, paid as extra time off.", "published"),
    ("Which languages does the data science team use?", 3,
     "Python for nearly everything, SQL every day, a little Rust where speed matters.",
     "published"),
    ("Is there a relocation package for London?", 5,
     "Yes: a fixed allowance plus two weeks of temporary housing.", "published"),
    ("What is the remote policy for hybrid roles?", None,
     "Two days a week in the office, chosen by the team.", "published"),
    ("Do designers work with a design system?", 6,
     "Yes, our own, and the team that owns it sits in Design.", "published"),
    ("How much travel does the DACH sales role involve?", 7,
     "About one week a month visiting customers.", "published"),
    ("Can former employees re-apply?", None,
     "Gladly: boomerangs are a large share of our hires, and your referral link still works.",
     "published"),
    ("How long does the process take from application to offer?", None,
     "Three to four weeks on average.", "published"),
    ("Do you hire juniors for the frontend team?", 2,
     "Not for this opening, but we run a graduate programme every autumn.", "published"),
    ("Is the salary range negotiable?", None,
     "The range is what the role pays; where in it you start depends on experience.",
     "published"),
    ("What benefits do you offer in Austin?", 8,
     "Health, dental and vision cover, a 401(k) match and 25 days off.", "published"),
    ("Is the ML role focused on research or production?", 4,
     "Production: models that run every night for hundreds of customers.", "published"),
    ("Can I apply to two roles at once?", None, None, "pending"),
    ("Will there be a backend role in London too?", 0, None, "pending"),
    ("Do you accept applications without a degree?", None, None, "pending"),
    ("What hardware do engineers get?", 0, None, "pending"),
    ("Is there a sign-on bonus for the SRE role?", 1, None, "pending"),
    ("Which markets does the Customer Success team cover?", 8, None, "pending"),
    ("How big is the product team?", 5, None, "pending"),
    ("Could I bring my dog to the Berlin office?", None,
     "Yes, the Berlin office is dog-friendly; we answered you directly.", "answered_privately"),
    ("Can you tell me who else applied?", None, None, "rejected"),
]

REFERRAL_STAGES = ["submitted", "reviewing", "interviewing", "offer", "hired", "not_selected"]
HIRE_SOURCES = ["referral"] * 9 + ["social"] * 5 + ["job_board"] * 6 + ["career_site"] * 3 + \
    ["agency"] * 3 + ["direct"] * 3 + ["internal"] * 1
APPLICATION_SOURCES = ["linkedin", "x", "facebook", "job_board", "career_site", "direct", "referral"]


def demo_id(key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"boomerang-demo:{key}")


WORKING_DAY = (9 * 60, 17 * 60 + 30)  # minutes after midnight, UTC: when the demo's staff act


def at_work(day: date, key: str, *, after: datetime | None = None,
            before: datetime | None = None) -> datetime:
    """A moment of `day`'s working hours (09:00–17:30 UTC) for the demo's event named `key`:
    the same for the same key at every load, spread over the day rather than all at midnight.
    `after` (an earlier step of the same thing) and `before` (now, for a step taken today) keep
    steps in order and out of the future."""
    first, last = WORKING_DAY
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        minutes=first + demo_id(f"at-work:{key}").int % (last - first))
    if after is not None and moment <= after:
        moment = after + timedelta(minutes=20 + demo_id(f"after:{key}").int % 160)
    return min(moment, before) if before is not None else moment


def load_demo(today: date | None = None, *, force: bool = False) -> dict[str, int]:
    """Load the demo data; returns how many rows each table gained.

    Only into a portal that has no accounts of its own, unless `force`: demo accounts
    have a published password, and one of them is an admin.
    """
    today = today or date.today()
    rng = random.Random(2026)
    with owner_transaction() as conn:
        # Locked, so a first admin created meanwhile on another screen is seen here.
        conn.execute(sa.text("lock table public.profiles in exclusive mode"))
        if not force and _has_own_accounts(conn):
            raise ValidationError("This portal already has accounts of its own, and the demo's "
                                  "accounts have a published password. The demo only goes into "
                                  "an empty portal (`portal demo --force` overrides this).")
        before = _counts(conn)
        accounts = _accounts(conn)
        conn.execute(
            sa.text("insert into public.company (id, name, tagline, about, website)"
                    " values (1, :name, :tagline, :about, :website) on conflict (id) do nothing"),
            COMPANY,
        )
        jobs = _jobs(conn, accounts["recruiter@example.com"], accounts["admin@example.com"], today)
        candidates = _candidates(conn, rng, accounts["candidate@example.com"])
        applications = _applications(conn, rng, jobs, candidates, today)
        referrals = _referrals(conn, rng, accounts, jobs, candidates, today)
        _questions(conn, jobs, accounts, today)
        _facts(conn)
        _visits(conn, rng, jobs[:9], today)
        social_applications = _social_media(conn, rng, accounts, jobs[:9], candidates, today)
        _hires(conn, rng, jobs, applications + referrals + social_applications, today)
        _referral_payouts(conn, accounts["admin@example.com"], today)
        _running_costs(conn, today)
        _alumni_outreach(conn, accounts, jobs, today)
        after = _counts(conn)
    return {table: after[table] - before[table] for table in after}


def _demo_people() -> list[tuple[str, str, Role, str | None]]:
    """Every demo account: email, name, role, password (None: cannot sign in)."""
    people = [(a.email, a.full_name, a.role, DEMO_PASSWORD) for a in DEMO_ACCOUNTS]
    return people + [(name.lower().replace(" ", ".") + "@example.org", name, role, None)
                     for name, role in OTHER_REFERRERS]


def _has_own_accounts(conn: Connection) -> bool:
    return bool(conn.execute(sa.text(
        "select exists (select 1 from public.profiles where email <> all(:emails))"),
        {"emails": [email for email, *_ in _demo_people()]}).scalar())


TABLES = ("profiles", "company", "jobs", "candidates", "applications", "referrals",
          "questions", "hires", "programme_costs", "company_facts", "job_visits",
          "social_channels", "social_topics", "social_posts", "social_post_costs",
          "alumni_roster", "job_digests")


# How each table's rows are called in the sentence that says what a load added.
TABLE_NOUNS = {"profiles": ("account", None), "company": ("company profile", None),
               "jobs": ("job posting", None), "candidates": ("candidate", None),
               "applications": ("application", None), "referrals": ("referral", None),
               "questions": ("question", None), "hires": ("hire", None),
               "programme_costs": ("month of running costs", "months of running costs"),
               "company_facts": ("company fact", None), "job_visits": ("job page visit", None),
               "social_channels": ("social channel", None), "social_topics": ("post topic", None),
               "social_posts": ("social post", None), "social_post_costs": ("post cost", None),
               "alumni_roster": ("alumni roster entry", "alumni roster entries"),
               "job_digests": ("job digest", None)}


def loaded_summary(added: dict[str, int]) -> str:
    """What `load_demo` added, as a sentence: "Loaded 12 accounts, 14 job postings … and 3 post costs."."""
    parts = [counted(n, *TABLE_NOUNS[table]) for table, n in added.items() if n]
    if not parts:
        return "The demo data is already loaded; nothing changed."
    return "Loaded " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."


def _counts(conn: Connection) -> dict[str, int]:
    return {t: conn.execute(sa.text(f"select count(*) from public.{t}")).scalar_one()  # noqa: S608
            for t in TABLES}


def _accounts(conn: Connection) -> dict[str, UUID]:
    ids, can_sign_in = {}, []
    for email, name, role, password in _demo_people():
        existing = conn.execute(sa.text("select id from auth.users where lower(email) = :e"),
                                {"e": email}).scalar()
        if existing is None:
            existing = create_account(conn, email, name, role, None, user_id=demo_id(f"user:{email}"))
            if password is not None:
                can_sign_in.append(existing)
        ids[email] = existing
    conn.execute(sa.text("update auth.users set encrypted_password = :hash where id = any(:ids)"),
                 {"hash": _demo_password_hash(), "ids": can_sign_in})
    return ids


@functools.cache
def _demo_password_hash() -> str:
    """The demo accounts share one published password, hashed once per process: bcrypt takes
    about 0.1 s a hash, and hashing it per account was 40 % of a demo load."""
    return auth.hash_password(DEMO_PASSWORD)


def _jobs(conn: Connection, owner: UUID, approver: UUID, today: date) -> list[UUID]:
    """The recruiter wrote every posting and submitted those past draft; the admin, a second
    person as the workflow asks, approved those past review. The one in review waits for her."""
    rows = []
    for i, (title, dept, location, remote, (low, high), status) in enumerate(JOBS):
        published = datetime.combine(today - timedelta(days=5 + 9 * i), datetime.min.time(),
                                     tzinfo=UTC)
        rows.append({
            "id": demo_id(f"job:{i}"), "title": title, "department": dept, "location": location,
            "remote": remote, "low": low, "high": high,
            "currency": "USD" if "TX" in location or "US" in location else
                        ("GBP" if location == "London" else "EUR"),
            "description": _job_description(title, dept, location),
            "manager": rng_name(i), "owner": owner, "status": status,
            "bonus": 2500 if dept in ("Engineering", "Data Science") else 1500,
            "published": published if status in ("published", "closed") else None,
            "closed": published + timedelta(days=30) if status == "closed" else None,
            "reason": "filled" if status == "closed" else None,
            "start": today + timedelta(days=60 + 7 * i), "level": JOB_LEVELS[i],
            "submitted_by": owner if status != "draft" else None,
            "approved_by": approver if status in ("approved", "published", "closed") else None,
        })
    conn.execute(sa.text(
        """
        insert into public.jobs (id, title, department, location, remote_policy, salary_min,
          salary_max, currency, description, hiring_manager, owner_id, status, referral_bonus,
          published_at, closed_at, close_reason, target_start_date, level, created_by,
          submitted_by, approved_by)
        values (:id, :title, :department, :location, :remote, :low, :high, :currency,
          :description, :manager, :owner, cast(:status as public.job_status), :bonus, :published,
          :closed, :reason, :start, :level, :owner, :submitted_by, :approved_by)
        on conflict (id) do nothing
        """), rows)
    return [r["id"] for r in rows]


def rng_name(i: int) -> str:
    return f"{FIRST_NAMES[(i * 7) % len(FIRST_NAMES)]} {LAST_NAMES[(i * 5) % len(LAST_NAMES)]}"


def _job_description(title: str, department: str, location: str) -> str:
    return (
        f"## About the role\n\nAs our **{title}** you join the {department} team in "
        f"{location}. You will work on forecasting software that hundreds of retailers rely "
        "on every night.\n\n## What you will do\n\n- Own meaningful parts of the product "
        "from idea to production\n- Work closely with customers and colleagues across "
        "teams\n- Help us keep the bar high and the process kind\n\n## What we offer\n\n"
        "- 28 days off, learning budget, parental leave beyond the legal minimum\n"
        "- A salary range published up front\n"
    )


def _candidates(conn: Connection, rng: random.Random, candidate_user: UUID) -> list[UUID]:
    rows = [{"id": demo_id("candidate:demo"), "name": "Sam Okafor",
             "email": "candidate@example.com", "user": candidate_user,
             "linkedin": "https://www.linkedin.com/in/sam-okafor-demo"}]
    for i in range(150):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append({"id": demo_id(f"candidate:{i}"), "name": f"{first} {last}",
                     "email": f"{first}.{last}.{i}@example.net".lower(), "user": None,
                     "linkedin": f"https://www.linkedin.com/in/{first}-{last}-{i}".lower()})
    conn.execute(sa.text(
        "insert into public.candidates (id, full_name, email, user_id, linkedin_url)"
        " values (:id, :name, :email, :user, :linkedin) on conflict (id) do nothing"), rows)
    return [r["id"] for r in rows]


def _applications(conn: Connection, rng: random.Random, jobs: list[UUID],
                  candidates: list[UUID], today: date) -> list[UUID]:
    open_jobs = jobs[:9]
    statuses = ["new", "reviewing", "interviewing", "offer", "hired", "rejected"]
    rows, seen = [], set()
    # The demo candidate applied to two jobs.
    for job, status in ((open_jobs[0], "interviewing"), (open_jobs[3], "new")):
        rows.append({"job": job, "cand": candidates[0], "status": status, "source": "linkedin",
                     "days": 12})
        seen.add((job, candidates[0]))
    while len(rows) < 220:
        job, cand = rng.choice(open_jobs), rng.choice(candidates[1:])
        if (job, cand) in seen:
            continue
        seen.add((job, cand))
        rows.append({"job": job, "cand": cand, "status": rng.choices(statuses,
                     weights=[30, 25, 15, 5, 5, 20])[0],
                     "source": rng.choice(APPLICATION_SOURCES), "days": rng.randint(1, 90)})
    for row in rows:
        row["id"] = demo_id(f"application:{row['job']}:{row['cand']}")
        days = row.pop("days")
        row["created"] = at_work(today - timedelta(days=days), f"{row['id']}:applied")
        # Moved to its stage a third of the way since (time in stage on the Applicants tab).
        row["moved"] = row["created"] if row["status"] == "new" else at_work(
            today - timedelta(days=days - days // 3), f"{row['id']}:moved", after=row["created"])
    conn.execute(sa.text(
        "insert into public.applications (id, job_id, candidate_id, status, source, created_at, updated_at)"
        " values (:id, :job, :cand, cast(:status as public.application_status), :source, :created, :moved)"
        " on conflict do nothing"), rows)
    return [r["id"] for r in rows]


def _referrals(conn: Connection, rng: random.Random, accounts: dict[str, UUID],
               jobs: list[UUID], candidates: list[UUID], today: date) -> list[UUID]:
    referrers = [accounts["priya@example.com"], accounts["tom@example.com"]]
    referrers += [uid for email, uid in accounts.items() if email.endswith("@example.org")]
    # A few minutes back: a database clock a little behind this machine's sees no future step.
    now = min(datetime.now(UTC) - timedelta(minutes=5),
              datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC))
    rows = []
    for i in range(48):
        # The two demo alumni get every stage; the others a random one.
        referrer = referrers[i % 2] if i < 12 else rng.choice(referrers[2:])
        stage = REFERRAL_STAGES[(i // 2) % 6] if i < 12 else rng.choice(REFERRAL_STAGES)
        created = today - timedelta(days=rng.randint(3, 300))
        if i == 8:  # Priya's hire is an old one, so that its bonus has been paid
            created = today - timedelta(days=260)
        rows.append({
            "id": demo_id(f"referral:{i}"), "referrer": referrer,
            "cand": candidates[1 + i], "job": rng.choice(jobs[:9]) if i % 7 else None,
            "relationship": rng.choice(["Worked together at a previous company",
                                        "University classmate", "Former teammate here",
                                        "Met at a meetup"]),
            "reason": "Strong track record in exactly this kind of work.",
            "stage": stage,
            "reward": 2000 if stage == "hired" else None,
            "paid": at_work(created + timedelta(days=120), f"referral:{i}:paid")
            if stage == "hired" and created < today - timedelta(days=150) else None,
            "created": at_work(created, f"referral:{i}:created"),
        })
        # Each stage takes about a week and a half to reach, but never beyond now.
        reached = min(today, created + timedelta(days=10 * REFERRAL_STAGES.index(stage) + 1))
        rows[-1]["moved"] = at_work(reached, f"referral:{i}:moved", after=rows[-1]["created"], before=now)
    conn.execute(sa.text(
        """
        insert into public.referrals (id, referrer_id, candidate_id, job_id, relationship, reason,
          stage, reward_amount, reward_paid_at, created_at, stage_changed_at)
        values (:id, :referrer, :cand, :job, :relationship, :reason,
          cast(:stage as public.referral_stage), :reward, :paid, :created, :moved)
        on conflict (id) do nothing
        """), rows)
    # Each referral owns its candidate from the day it was made, as a submitted one would
    # (a new referral of the same person in the portal is then a duplicate) ...
    conn.execute(sa.text(
        """
        insert into public.referral_ownerships (identity, referral_id, owned)
        select k, r.id, tstzrange(r.created_at, r.created_at + interval '12 months')
        from public.referrals r join public.candidates c on c.id = r.candidate_id,
             unnest(private.candidate_identities(c.email, c.linkedin_url)) k
        where r.id = any(:ids)
        on conflict do nothing
        """), {"ids": [r["id"] for r in rows]})
    # ... and Tom referred Priya's first candidate again later: recorded, credited to Priya.
    first = rows[0]
    conn.execute(sa.text(
        """
        insert into public.referrals (id, referrer_id, candidate_id, job_id, relationship, reason,
          created_at, stage_changed_at, outcome, owner_referral_id)
        values (:id, :tom, :cand, :job, 'Former teammate here', 'Would be great on the team.',
          :created, :created, 'duplicate', :owner)
        on conflict (id) do nothing
        """), {"id": demo_id("referral:duplicate"), "tom": accounts["tom@example.com"], "cand": first["cand"],
               "job": first["job"], "created": first["created"] + timedelta(days=2), "owner": first["id"]})
    referrals_into_applications(conn)
    return [r["id"] for r in rows]


def referrals_into_applications(conn: Connection) -> None:
    """Each referral for a job becomes its candidate's application for that job, at its stage and
    with its history, as one made in the portal is (the backfill of migration 20261223100000)."""
    conn.execute(sa.text("select private.referrals_into_applications()"))


def _referral_payouts(conn: Connection, admin: UUID, today: date) -> None:
    """Bonuses of the hired referrals, one in each state: each hire started two weeks after
    being hired and the bonus falls due 90 days later. The oldest was paid by the admin,
    the next is due, the third hire left after 40 days and forfeited it, the rest wait."""
    hired = conn.execute(sa.text(
        "select r.id, r.referrer_id, r.stage_changed_at::date as hired_on,"
        "       coalesce(r.reward_amount, j.referral_bonus, 2000) as amount"
        " from public.referrals r left join public.jobs j on j.id = r.job_id"
        " where r.stage = 'hired' and r.outcome = 'owner' and r.id = any(:ids)"
        " order by r.stage_changed_at, r.id"),
        {"ids": [demo_id(f"referral:{i}") for i in range(48)]}).all()
    for n, referral in enumerate(hired):
        start = min(today, referral.hired_on + timedelta(days=14))
        due = start + timedelta(days=90)
        paid = min(today, due + timedelta(days=5)) if n == 0 and due <= today else None
        left = min(today, start + timedelta(days=40)) if n == 2 else None
        conn.execute(sa.text(
            "update public.referrals set start_date = :start, left_on = :left, reward_amount = :amount,"
            " reward_paid_at = :paid where id = :id"),
            {"id": referral.id, "start": start, "left": left, "amount": referral.amount, "paid": paid})
        conn.execute(sa.text(
            "insert into public.referral_payouts (referral_id, referrer_id, share_percent, amount,"
            "  start_date, due_on, paid_at, paid_by, forfeited_at)"
            " select :r, :u, 100, :amount, :start, :due, :paid, :by, :left"
            " where not exists (select 1 from public.referral_payouts where referral_id = :r)"),
            {"r": referral.id, "u": referral.referrer_id, "amount": referral.amount, "start": start,
             "due": due, "paid": paid, "by": admin if paid else None, "left": left})


def _questions(conn: Connection, jobs: list[UUID], accounts: dict[str, UUID], today: date) -> None:
    recruiter = accounts["recruiter@example.com"]
    rows = []
    for i, (body, job_index, answer, status) in enumerate(QUESTIONS):
        asked = at_work(today - timedelta(days=60 - 2 * i), f"question:{i}:asked")
        rows.append({
            "id": demo_id(f"question:{i}"), "job": jobs[job_index] if job_index is not None else None,
            "body": body, "status": status, "answer": answer, "topic": _topic(body) if answer else None,
            "by": recruiter if answer else None,
            "answered": asked + timedelta(hours=20) if answer else None, "created": asked,
        })
    conn.execute(sa.text(
        """
        insert into public.questions (id, job_id, body, status, answer, topic, answered_by,
          answered_at, created_at)
        values (:id, :job, :body, cast(:status as public.question_status), :answer, :topic, :by,
          :answered, :created)
        on conflict (id) do nothing
        """), rows)
    # Who asked: the demo candidate twice, visitors with an email for the rest of the open ones.
    askers = [{"question": row["id"],
               "user": accounts["candidate@example.com"] if i in (16, 22) else None,
               "email": None if i in (16, 22) else f"asker{i}@example.net"}
              for i, row in enumerate(rows) if i in (16, 22) or row["status"] != "published"]
    conn.execute(sa.text(
        "insert into public.question_askers (question_id, user_id, email)"
        " values (:question, :user, :email) on conflict do nothing"), askers)


def _topic(question: str) -> str:
    text = question.lower()
    for topic, words in (("Pay & benefits", ("salary", "bonus", "benefit", "relocation", "hardware")),
                         ("Workplace", ("remote", "office", "dog", "travel")),
                         ("Applying", ("process", "apply", "degree", "re-apply", "junior"))):
        if any(word in text for word in words):
            return topic
    return "The role"


FACTS = [
    ("benefits", "Time off", "30 days of paid holiday in Europe, 25 in the US, plus public holidays."),
    ("benefits", "Learning budget", "Every employee has 1,500 a year for courses, books and conferences."),
    ("process", "Hiring steps", "A 30-minute call with a recruiter, a conversation with the hiring "
     "manager, a practical exercise done together (no take-home work), and a meeting with the team. "
     "We decide within a week of the last step."),
    ("locations", "Offices", "Berlin (headquarters), London and Austin. Remote roles are open to "
     "anyone in the EU, the UK or the US."),
    ("culture", "Boomerangs welcome", "About one hire in six is a former employee coming back."),
]


def _facts(conn: Connection) -> None:
    conn.execute(sa.text(
        "insert into public.company_facts (id, topic, title, body) values (:id, :topic, :title, :body)"
        " on conflict (id) do nothing"),
        [{"id": demo_id(f"fact:{title}"), "topic": topic, "title": title, "body": body}
         for topic, title, body in FACTS])


VISIT_SOURCES = [("linkedin", "social"), ("x", "social"), ("facebook", "social"),
                 ("indeed", "job_board"), ("direct", None), ("alumni_digest", "email")]


def _visits(conn: Connection, rng: random.Random, open_jobs: list[UUID], today: date) -> None:
    """Visits to the open jobs' pages over the last 90 days, for the performance figures."""
    rows = []
    for n in range(1500):
        source, medium = rng.choice(VISIT_SOURCES)
        rows.append({"job": rng.choice(open_jobs), "session": demo_id(f"visit:{n}"), "source": source,
                     "medium": medium, "at": datetime.combine(today - timedelta(days=rng.randint(0, 90)),
                                                              datetime.min.time(), tzinfo=UTC)})
    conn.execute(sa.text(
        "insert into public.job_visits (job_id, session_id, source, utm_medium, visited_at)"
        " values (:job, :session, :source, :medium, :at) on conflict do nothing"), rows)


def _hires(conn: Connection, rng: random.Random, jobs: list[UUID], portal_ids: list[UUID],
           today: date) -> None:
    """96 hires made before the portal (as if imported), then the portal's own hires dated."""
    job_rows = {j: JOBS[i] for i, j in enumerate(jobs)}
    rows = []
    for i in range(96):
        job = rng.choice(jobs)
        title, dept, _location, _remote, (low, high), _status = job_rows[job]
        salary = rng.randint(low // 1000, high // 1000) * 1000
        source = rng.choice(HIRE_SOURCES)
        costs = {"referral_bonus": 0, "ad_spend": 0, "job_board_fee": 0, "agency_fee": 0,
                 "other_cost": rng.choice([0, 150, 300])}
        if source == "referral":
            costs["referral_bonus"] = rng.choice([1000, 1500, 2000, 2500])
        elif source == "social":
            costs["ad_spend"] = rng.randint(0, 8) * 50
        elif source == "job_board":
            costs["job_board_fee"] = rng.randint(3, 9) * 100
            costs["ad_spend"] = rng.randint(1, 6) * 50
        elif source == "career_site":
            costs["other_cost"] = 400
        elif source == "agency":
            costs["agency_fee"] = round(salary * rng.choice([0.18, 0.2, 0.25]))
        rows.append({
            "id": demo_id(f"hire:{i}"), "date": today - timedelta(days=rng.randint(1, 365)),
            "job": job, "title": title, "dept": dept, "source": source,
            "channel": {"social": rng.choice(["linkedin", "x", "facebook"]),
                        "job_board": rng.choice(["Indeed", "StepStone", "Monster"])}.get(source),
            "salary": salary, "currency": "USD", **costs,
        })
        if i % 12 == 5:  # a few hires made by the Berlin office, paid in euros
            rows[-1] |= {"currency": "EUR", "salary": round(salary * 0.92, -3)}
    conn.execute(sa.text(
        """
        insert into public.hires (id, hire_date, job_id, job_title, department, source, channel,
          first_year_salary, currency, referral_bonus, ad_spend, job_board_fee, agency_fee,
          other_cost)
        values (:id, :date, :job, :title, :dept, cast(:source as public.hire_source), :channel,
          :salary, :currency, :referral_bonus, :ad_spend, :job_board_fee, :agency_fee,
          :other_cost)
        on conflict (id) do nothing
        """), rows)
    # The hired applications and referrals above were recorded as hires by the database,
    # dated today; date them when they happened instead.
    conn.execute(sa.text(
        """
        update public.hires h set hire_date = least(:today, coalesce(
          (select r.stage_changed_at::date from public.referrals r where r.id = h.referral_id),
          (select a.created_at::date + 30 from public.applications a where a.id = h.application_id)))
        where h.application_id = any(:ids) or h.referral_id = any(:ids)
        """), {"today": today, "ids": portal_ids})


def _running_costs(conn: Connection, today: date) -> None:
    """A year of the programme's running costs, and rates for the hires paid in euros and pounds."""
    rows = []
    for back in range(12):
        month = month_start(today, back)
        note = "Campus event this month" if back % 3 == 0 else ""
        rows += [{"month": month, "category": "content", "amount": 6500, "note": note},
                 {"month": month, "category": "tools", "amount": 900, "note": note},
                 {"month": month, "category": "promotion", "amount": 6000 if note else 2500,
                  "note": note}]
    conn.execute(sa.text(
        "insert into public.programme_costs (month, category, amount, currency, note)"
        " values (:month, :category, :amount, 'USD', :note) on conflict do nothing"), rows)
    conn.execute(sa.text(
        "insert into public.exchange_rates (currency, rate) values ('EUR', 1.08), ('GBP', 1.27)"
        " on conflict do nothing"))


# The department each alumnus left, in the order of the alumni among DEMO_ACCOUNTS and
# OTHER_REFERRERS, and how many months ago their last day was.
ALUMNI_DEPARTMENTS = [("Engineering", 14), ("Data Science", 9), ("Sales", 20), ("Engineering", 30),
                      ("Product", 7), ("Customer Success", 16), ("Design", 11), ("Marketing", 24)]
DIGEST_DEPARTMENTS = ["Data Science", "Engineering"]


def _alumni_outreach(conn: Connection, accounts: dict[str, UUID], jobs: list[UUID], today: date) -> None:
    """The alumni on the roster (each registered: they have accounts), one job digest sent
    to them a week ago, and the guidelines' confidential terms."""
    alumni = [(email, name) for email, name, role, _ in _demo_people() if role is Role.ALUMNUS]
    conn.execute(sa.text(
        "insert into public.alumni_roster (id, email, full_name, department, last_day, imported_by,"
        " created_at, registered_at)"
        " values (:id, :email, :name, :department, :last_day, :admin, :added, :added + interval '2 days')"
        " on conflict do nothing"),
        [{"id": demo_id(f"roster:{email}"), "email": email, "name": name, "department": department,
          "last_day": month_start(today, months_ago), "admin": accounts["admin@example.com"],
          "added": datetime.combine(today - timedelta(days=120), datetime.min.time(), tzinfo=UTC)}
         for (email, name), (department, months_ago) in zip(alumni, ALUMNI_DEPARTMENTS, strict=True)])
    sent = [{"id": str(job), "title": title, "department": department, "location": location}
            for job, (title, department, location, *_, status) in zip(jobs, JOBS, strict=True)
            if status == "published" and department in DIGEST_DEPARTMENTS]
    conn.execute(sa.text(
        "insert into public.job_digests (id, departments, note, jobs, recipients, emailed, sent_by,"
        " sent_at) values (:id, :departments, :note, cast(:jobs as jsonb), :recipients, 0, :by, :at)"
        " on conflict do nothing"),
        {"id": demo_id("digest:1"), "departments": DIGEST_DEPARTMENTS,
         "note": "Our forecasting teams are growing again. Know someone who would enjoy it?",
         "jobs": json.dumps(sent), "recipients": len(alumni), "by": accounts["recruiter@example.com"],
         "at": datetime.combine(today - timedelta(days=7), datetime.min.time(), tzinfo=UTC)
         + timedelta(hours=10)})
    conn.execute(sa.text(  # an admin's own list stays as it is
        "update public.social_guidelines set confidential_terms = :terms"
        " where id = 1 and cardinality(confidential_terms) = 0"), {"terms": CONFIDENTIAL_TERMS})


# name, network, audience, weekly slots (ISO weekday, UTC time)
CHANNELS = [
    ("LinkedIn", "linkedin", "external", [(2, "09:00"), (4, "09:00")]),
    ("X (Twitter)", "x", "external", [(1, "12:00"), (3, "12:00"), (5, "12:00")]),
    ("Facebook", "facebook", "external", [(3, "17:00")]),
    ("Slack #jobs", "slack", "internal", [(1, "10:00")]),
    ("News feed", "news_feed", "internal", [(5, "08:00")]),
    ("Teams: Careers", "teams", "internal", [(2, "11:00")]),
]
# What the demo's social posts must not name (the rejected post's comment is about the first).
CONFIDENTIAL_TERMS = ["Contoso Retail", "Project Lighthouse", "Q3 forecast accuracy"]
TOPICS = ["Open roles", "Life at Northwind", "Alumni and boomerangs", "Engineering culture"]
# Posts: job index, channel index, topic index, status, days from today (published or
# scheduled; negative is past), visits, applications, hires among them.
SOCIAL_POSTS = [
    (0, 0, 0, "published", -150, 140, 9, 1),
    (0, 1, 3, "published", -120, 60, 3, 0),
    (1, 3, 0, "published", -100, 45, 6, 1),
    (3, 0, 0, "published", -80, 110, 7, 1),
    (4, 2, 1, "published", -70, 35, 2, 0),
    (5, 0, 0, "published", -55, 90, 5, 0),
    (6, 4, 1, "published", -40, 25, 2, 0),
    (2, 1, 3, "published", -30, 50, 1, 0),
    (7, 0, 0, "published", -21, 70, 4, 0),
    (8, 2, 2, "published", -12, 15, 0, 0),
    (1, 0, 3, "published", -6, 40, 2, 0),
    (3, 3, 0, "published", -3, 12, 1, 0),
    (2, 0, 0, "scheduled", 2, 0, 0, 0),
    (5, 1, 0, "scheduled", 3, 0, 0, 0),
    (8, 4, 2, "scheduled", 5, 0, 0, 0),
    (4, 0, 3, "approved", 0, 0, 0, 0),
    (6, 0, 1, "submitted", 0, 0, 0, 0),
    (7, 1, 0, "rejected", 0, 0, 0, 0),
    (0, 2, 1, "draft", 0, 0, 0, 0),
]
REJECTION = ("Please drop the client's name from the second sentence (confidential until the "
             "launch) and add the #ad disclosure.")
# post index, amount, currency, note
POST_COSTS = [(0, 250, "USD", "LinkedIn boost, one week"), (3, 180, "EUR", "LinkedIn boost, Berlin"),
              (4, 120, "USD", "Facebook promotion")]


def _social_media(conn: Connection, rng: random.Random, accounts: dict[str, UUID],
                  open_jobs: list[UUID], candidates: list[UUID], today: date) -> list[UUID]:
    """Channels with weekly slots, topics, social roles and posts in every status, taken
    through the workflow (the guard trigger checks every step; the history names who took
    it); the published ones with the visits, applications and hires their links brought.
    Returns the applications made through posts. No webhook URLs: nothing is sent."""
    recruiter, admin = accounts["recruiter@example.com"], accounts["admin@example.com"]
    channels = [demo_id(f"channel:{name}") for name, *_ in CHANNELS]
    conn.execute(sa.text(
        "insert into public.social_channels (id, name, network, audience)"
        " values (:id, :name, cast(:network as public.social_network), :audience) on conflict do nothing"),
        [{"id": channels[i], "name": name, "network": network, "audience": audience}
         for i, (name, network, audience, _) in enumerate(CHANNELS)])
    conn.execute(sa.text("insert into public.channel_slots (channel_id, weekday, at_time)"
                         " values (:channel, :weekday, cast(:at as time)) on conflict do nothing"),
                 [{"channel": channels[i], "weekday": day, "at": at}
                  for i, (*_, slots) in enumerate(CHANNELS) for day, at in slots])
    topics = [demo_id(f"topic:{name}") for name in TOPICS]
    conn.execute(sa.text("insert into public.social_topics (id, name, approved_by) values (:id, :name, :by)"
                         " on conflict do nothing"),
                 [{"id": t, "name": name, "by": admin} for t, name in zip(topics, TOPICS, strict=True)])
    conn.execute(sa.text("insert into public.social_roles (user_id, role, granted_by)"
                         " values (:user, cast(:role as public.social_role), :admin) on conflict do nothing"),
                 [{"user": user, "role": role, "admin": admin}
                  for user, role in ((recruiter, "publisher"), (recruiter, "editor"), (admin, "approver"))])

    taken = {tuple(r) for r in conn.execute(sa.text("select job_id, candidate_id from public.applications"))}
    free = list(candidates[60:])  # past the referred candidates
    site, now = public_url(), datetime.now(UTC)
    made: list[UUID] = []
    for n, (job_i, channel_i, topic_i, status, day, visits, applied, hired) in enumerate(SOCIAL_POSTS):
        post, job = demo_id(f"post:{n}"), open_jobs[job_i]
        name, network, *_ = CHANNELS[channel_i]
        when = datetime.combine(today + timedelta(days=day), datetime.min.time(), tzinfo=UTC) \
            + timedelta(hours=9)
        title, _dept, location, *_ = JOBS[job_i]
        _act_in_demo(conn, recruiter)
        link = short_post_link(conn, site, job, network, post, title)  # as the composer writes it
        campaign = post_source(network, post, title).campaign
        body = (f"We're hiring a {title} in {location}! I work at Northwind Analytics and this team "
                f"is great. {link} #hiring")
        created = conn.execute(sa.text(
            "insert into public.social_posts (id, job_id, channel_id, topic_id, body, author_id)"
            " values (:id, :job, :channel, :topic, :body, :author) on conflict do nothing returning id"),
            {"id": post, "job": job, "channel": channels[channel_i], "topic": topics[topic_i],
             "body": body, "author": recruiter}).scalar()
        if created is None:
            _act_in_demo(conn, None)
            continue  # loaded before
        steps = {"draft": [], "submitted": ["submitted"], "rejected": ["submitted", "rejected"],
                 "approved": ["submitted", "approved"], "scheduled": ["submitted", "approved", "scheduled"],
                 "published": ["submitted", "approved", "published"]}[status]
        for step in steps:
            _act_in_demo(conn, admin if step in ("approved", "rejected") else recruiter)
            conn.execute(sa.text(
                "update public.social_posts set status = cast(:status as public.social_post_status),"
                " review_comment = :comment, scheduled_for = :scheduled, published_at = :published"
                " where id = :id"),
                {"id": post, "status": step, "comment": REJECTION if step == "rejected" else None,
                 "scheduled": when if step == "scheduled" else None,
                 "published": when if step == "published" else None})
        _act_in_demo(conn, None)
        # The history happened over the days before the post went out, not at load time.
        start = when if status in ("published", "scheduled") else \
            datetime.combine(today, datetime.min.time(), tzinfo=UTC)
        conn.execute(sa.text(
            "update public.social_post_events set at = :start - make_interval(days =>"
            " case to_status when 'draft' then 4 when 'submitted' then 3 when 'approved' then 2"
            " when 'rejected' then 2 when 'scheduled' then 1 else 0 end)"
            " where post_id = :id"), {"id": post, "start": min(start, now)})
        if status != "published":
            continue
        span = max(1, -day)
        conn.execute(sa.text(
            "insert into public.job_visits (job_id, session_id, source, utm_medium, utm_campaign, post_id,"
            " visited_at) values (:job, :session, :source, 'social', :campaign, :post, :at)"
            " on conflict do nothing"),
            [{"job": job, "session": demo_id(f"post-visit:{n}:{v}"), "source": network,
              "campaign": campaign, "post": post,
              "at": min(now, when + timedelta(hours=rng.uniform(0, 24 * min(span, 30))))}
             for v in range(visits)])
        rows = []
        for a in range(applied):
            candidate = next(c for c in free if (job, c) not in taken)
            taken.add((job, candidate))
            free.remove(candidate)
            rows.append({"id": demo_id(f"post-application:{n}:{a}"), "job": job, "cand": candidate,
                         "source": network, "campaign": campaign, "post": post,
                         "status": "hired" if a < hired else rng.choice(["new", "reviewing", "interviewing",
                                                                          "rejected"]),
                         "created": min(now, when + timedelta(days=rng.randint(0, min(span, 14))))})
        if rows:
            conn.execute(sa.text(
                "insert into public.applications (id, job_id, candidate_id, status, source, utm_medium,"
                " utm_campaign, post_id, created_at) values (:id, :job, :cand,"
                " cast(:status as public.application_status), :source, 'social', :campaign, :post, :created)"
                " on conflict do nothing"), rows)
            made += [r["id"] for r in rows]
    conn.execute(sa.text(
        "insert into public.social_post_costs (id, post_id, amount, currency, spent_on, note, recorded_by)"
        " select :id, :post, :amount, :currency, p.published_at::date, :note, :by"
        " from public.social_posts p where p.id = :post on conflict do nothing"),
        [{"id": demo_id(f"post-cost:{i}"), "post": demo_id(f"post:{i}"), "amount": amount,
          "currency": currency, "note": note, "by": recruiter} for i, amount, currency, note in POST_COSTS])
    return made


def _act_in_demo(conn: Connection, user: UUID | None) -> None:
    """Who the workflow's history names for the next step (the owner connection keeps its
    rights; the guard trigger still checks that the step is allowed)."""
    claims = "" if user is None else f'{{"sub": "{user}", "role": "authenticated"}}'
    conn.execute(sa.text("select set_config('request.jwt.claims', :claims, true)"), {"claims": claims})
