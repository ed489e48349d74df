"""Row-level security, table × role × operation.

A small world of known rows is built once; every operation then runs as one role in a
transaction that is rolled back, through the same `act_as` the portal uses. "Refused"
means either a permission error or no row touched: both leave the data as it was. In the
matrices no row touched counts as a refusal only where the role sees exactly the rows it
should (TARGETS_SEEN), so that a row wrongly hidden from a role does not pass as refused;
an insert is refused only by an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal.db import act_as
from portal.models import Actor, Role
from services.people.accounts import create_account
from tests.support import truncate_all

ROLES = ("anon", "candidate", "alumnus", "employee", "recruiter", "admin")


@dataclass
class World:
    users: dict[str, UUID]
    ids: dict[str, UUID]

    def actor(self, who: str) -> Actor:
        if who == "anon":
            return Actor.visitor()
        role = {"candidate": Role.CANDIDATE, "candidate_d": Role.CANDIDATE,
                "alumnus": Role.ALUMNUS, "alumnus_b": Role.ALUMNUS, "employee": Role.EMPLOYEE,
                "recruiter": Role.RECRUITER, "admin": Role.ADMIN}[who]
        return Actor(user_id=self.users[who], email=f"{who}@rls.test", role=role)


@pytest.fixture(scope="module")
def world(engine) -> World:
    truncate_all(engine)
    users, ids = {}, {k: uuid4() for k in (
        "job_published", "job_draft", "job_closed", "cand_c", "cand_d", "cand_x", "cand_y",
        "app_c", "app_d", "ref_a", "ref_b", "q_published", "q_c", "q_d", "q_anon", "hire_1",
        "hire_2", "channel", "channel_unused", "topic", "topic_unused", "post", "roster", "digest")}
    with engine.begin() as conn:
        for who, role in (("admin", Role.ADMIN), ("recruiter", Role.RECRUITER),
                          ("alumnus", Role.ALUMNUS), ("alumnus_b", Role.ALUMNUS),
                          ("employee", Role.EMPLOYEE), ("candidate", Role.CANDIDATE),
                          ("candidate_d", Role.CANDIDATE)):
            users[who] = create_account(conn, f"{who}@rls.test", who, role, None)
        conn.execute(sa.text("insert into public.company (name) values ('RLS Inc')"))
        # Accounts use up their invitations; this one is still waiting.
        conn.execute(sa.text("insert into public.invitations (email, role) values ('pending@rls.test',"
                             " 'recruiter')"))
        conn.execute(sa.text("insert into public.alumni_roster (id, email, full_name)"
                             " values (:roster, 'former@rls.test', 'Former')"), ids)
        for key, status in (("job_published", "published"), ("job_draft", "draft"),
                            ("job_closed", "closed")):
            conn.execute(sa.text(
                "insert into public.jobs (id, title, department, location, status)"
                " values (:id, :key, 'Eng', 'Berlin', cast(:status as public.job_status))"),
                {"id": ids[key], "key": key, "status": status})
        for key, user in (("cand_c", users["candidate"]), ("cand_d", users["candidate_d"]),
                          ("cand_x", None), ("cand_y", None)):
            conn.execute(sa.text(
                "insert into public.candidates (id, full_name, email, user_id)"
                " values (:id, :key, :email, :user)"),
                {"id": ids[key], "key": key, "email": f"{key}@mail.test", "user": user})
        for key, cand in (("app_c", "cand_c"), ("app_d", "cand_d")):
            conn.execute(sa.text("insert into public.applications (id, job_id, candidate_id)"
                                 " values (:id, :job, :cand)"),
                         {"id": ids[key], "job": ids["job_published"], "cand": ids[cand]})
        # A recruiter's note on the candidate's application (its history comes from the trigger).
        conn.execute(sa.text("insert into public.application_notes (application_id, body, author_id)"
                             " values (:app, 'Strong candidate', :u)"),
                     {"app": ids["app_c"], "u": users["recruiter"]})
        # The candidate's application came through an agency, with its fee (staff only).
        conn.execute(sa.text("insert into public.application_agencies (application_id, agency_name,"
                             " agency_fee) values (:app, 'Hays', 9000)"), {"app": ids["app_c"]})
        for key, referrer, cand in (("ref_a", "alumnus", "cand_x"), ("ref_b", "alumnus_b", "cand_y")):
            conn.execute(sa.text("insert into public.referrals (id, referrer_id, candidate_id, job_id)"
                                 " values (:id, :ref, :cand, :job)"),
                         {"id": ids[key], "ref": users[referrer], "cand": ids[cand],
                          "job": ids["job_published"]})
        for key, status, asker in (("q_published", "published", None), ("q_c", "pending", "candidate"),
                                   ("q_d", "pending", "candidate_d"), ("q_anon", "pending", None)):
            conn.execute(sa.text(
                "insert into public.questions (id, body, status)"
                " values (:id, :body, cast(:status as public.question_status))"),
                {"id": ids[key], "body": f"question {key}?", "status": status})
            conn.execute(sa.text("insert into public.question_askers (question_id, user_id, email)"
                                 " values (:q, :user, :email)"),
                         {"q": ids[key], "user": users[asker] if asker else None,
                          "email": None if asker else f"{key}@mail.test"})
        for key in ("hire_1", "hire_2"):
            conn.execute(sa.text(
                "insert into public.hires (id, hire_date, job_title, department, source,"
                " first_year_salary) values (:id, current_date, 'Dev', 'Eng', 'referral', 80000)"),
                {"id": ids[key]})
        conn.execute(sa.text("insert into public.audit_log (actor_id, action, subject_type)"
                             " values (:admin, 'test', 'test')"), {"admin": users["admin"]})
        conn.execute(sa.text("insert into public.savings_settings (id) values (1)"))
        conn.execute(sa.text("insert into public.exchange_rates (currency, rate) values ('EUR', 1.1)"))
        conn.execute(sa.text("insert into public.programme_costs (month, category, amount)"
                             " values ('2026-01-01', 'content', 1000)"))
        conn.execute(sa.text("insert into public.company_facts (topic, title, body)"
                             " values ('benefits', 'Holidays', '30 days')"))
        conn.execute(sa.text("insert into public.job_visits (job_id, session_id)"
                             " values (:job, gen_random_uuid())"), {"job": ids["job_published"]})
        conn.execute(sa.text("insert into public.short_links (code, job_id, source)"
                             " values ('Abc1234', :job, 'linkedin')"), {"job": ids["job_published"]})
        # Social posts: a channel with a slot and a webhook, the recruiter a publisher, a
        # topic, and the recruiter's draft (its history row comes from the trigger).
        conn.execute(sa.text("insert into public.social_channels (id, name, network, audience)"
                             " values (:channel, 'Company LinkedIn', 'linkedin', 'external')"), ids)
        conn.execute(sa.text("insert into public.social_channels (id, name, network, audience)"
                             " values (:channel_unused, 'Team Slack', 'slack', 'internal')"), ids)
        conn.execute(sa.text("insert into public.channel_slots values (:channel, 1, '09:00')"), ids)
        conn.execute(sa.text("insert into public.channel_webhooks (channel_id, url)"
                             " values (:channel, 'https://hooks.example/a')"), ids)
        conn.execute(sa.text("insert into public.social_roles (user_id, role) values (:u, 'publisher')"),
                     {"u": users["recruiter"]})
        conn.execute(sa.text("insert into public.social_topics (id, name) values (:topic, 'Open roles'),"
                             " (:topic_unused, 'Events')"), ids)
        conn.execute(sa.text(
            "insert into public.social_posts (id, job_id, channel_id, topic_id, body, author_id)"
            " values (:post, :job_published, :channel, :topic, 'We are hiring', :author)"),
            {**ids, "author": users["recruiter"]})
        # The worker's delivery state for it (as if it were scheduled and tried once).
        conn.execute(sa.text("insert into public.social_post_deliveries (post_id, scheduled_for,"
                             " next_attempt_at, attempts) values (:post, now(), now(), 1)"), ids)
        conn.execute(sa.text("insert into public.social_post_costs (post_id, amount, currency)"
                             " values (:post, 120, 'USD')"), ids)
        # Referral recognition and outreach: the alumnus left the leaderboard and would come
        # back; the recruiter sent a digest.
        conn.execute(sa.text("insert into public.referrer_preferences (user_id, leaderboard_opt_out)"
                             " values (:u, true)"), {"u": users["alumnus"]})
        conn.execute(sa.text("insert into public.boomerang_interest (user_id, areas) values (:u, 'Data')"),
                     {"u": users["alumnus"]})
        conn.execute(sa.text("insert into public.job_digests (id, jobs, sent_by) values (:d, '[{}]', :u)"),
                     {"d": ids["digest"], "u": users["recruiter"]})
        # The worker's outreach emails: the former employee's invitation, the digest to the alumnus.
        conn.execute(sa.text("insert into public.outreach_emails (kind, roster_id)"
                             " values ('invitation', :r)"), {"r": ids["roster"]})
        conn.execute(sa.text("insert into public.outreach_emails (kind, digest_id, recipient_id)"
                             " values ('digest', :d, :u)"), {"d": ids["digest"], "u": users["alumnus"]})
        # Referral pipeline: ref_a moved once (its history and the alumnus's notification come
        # from the trigger), a bonus rule, and each referral's payout to its referrer.
        conn.execute(sa.text("update public.referrals set stage = 'reviewing' where id = :ref_a"), ids)
        conn.execute(sa.text("insert into public.referral_bonus_rules (department, amount)"
                             " values ('', 1000)"))
        conn.execute(sa.text("insert into public.referral_level_bonus_rules (level, amount)"
                             " values ('senior', 2000)"))
        for key, referrer in (("ref_a", "alumnus"), ("ref_b", "alumnus_b")):
            conn.execute(sa.text(
                "insert into public.referral_payouts (referral_id, referrer_id, share_percent, amount,"
                " start_date, due_on) values (:r, :u, 50, 500, current_date, current_date + 90)"),
                {"r": ids[key], "u": users[referrer]})
        # Referring: the alumnus's code and ref_a's ownership of cand_x (settings: truncate_all).
        conn.execute(sa.text("insert into public.referral_codes (user_id, code)"
                             " values (:u, 'alumnuscode0123456789ab')"), {"u": users["alumnus"]})
        conn.execute(sa.text("insert into public.referral_ownerships (identity, referral_id, owned)"
                             " values ('email:cand_x@mail.test', :ref_a, tstzrange(now(), null))"), ids)
    return World(users, ids)


class Rollback(Exception):
    pass


def run_as(engine, world: World, who: str, sql: str, params: dict | None = None,
           setup: str | None = None) -> int | None:
    """Rows returned or touched by `sql` as `who` (after `setup` as the owner); None when
    Postgres refused it. Everything is rolled back."""
    result: list[int | None] = [None]
    try:
        with engine.connect() as conn, conn.begin():
            if setup:
                conn.execute(sa.text(setup))
            act_as(conn, world.actor(who))
            try:
                with conn.begin_nested():
                    cursor = conn.execute(sa.text(sql), params or {})
                    result[0] = len(cursor.all()) if cursor.returns_rows else cursor.rowcount
            except sa.exc.DBAPIError as error:
                if error.orig.sqlstate not in ("42501",):  # insufficient privilege / RLS
                    raise
            raise Rollback
    except Rollback:
        pass
    return result[0]


def refused(outcome: int | None) -> bool:
    return outcome is None or outcome == 0


# --- select: how many rows each role sees -------------------------------------------------

VISIBLE = {
    #                  anon cand alum empl recr admin
    "profiles":          (0, 1, 1, 1, 7, 7),
    "invitations":       (0, 0, 0, 0, 0, 1),
    "alumni_roster":     (0, 0, 0, 0, 0, 1),
    "company":           (1, 1, 1, 1, 1, 1),
    "jobs":              (2, 2, 2, 2, 3, 3),
    "candidates":        (0, 1, 1, 0, 4, 4),
    "applications":      (0, 1, 0, 0, 2, 2),
    "application_events": (0, 0, 0, 0, 2, 2),  # staff only: a rejection's reason is theirs
    "application_notes": (0, 0, 0, 0, 1, 1),  # staff only: candidates never see notes
    "application_agencies": (0, 0, 0, 0, 1, 1),  # staff only: the fee is not the candidate's to read
    "referrals":         (0, 0, 1, 0, 2, 2),
    "questions":         (1, 2, 1, 1, 4, 4),
    "question_askers":   (0, 1, 0, 0, 4, 4),
    "hires":             (0, 0, 0, 0, 2, 2),
    "audit_log":         (0, 0, 0, 0, 1, 1),
    "savings_settings":  (0, 0, 0, 0, 1, 1),
    "exchange_rates":    (0, 0, 0, 0, 1, 1),
    "programme_costs":   (0, 0, 0, 0, 1, 1),
    "hire_totals":       (0, 0, 0, 0, 1, 1),
    "portal_settings":   (1, 1, 1, 1, 1, 1),
    "social_guidelines": (0, 0, 0, 0, 1, 1),
    "company_facts":     (1, 1, 1, 1, 1, 1),
    "hiring_stages":     (0, 0, 0, 0, 7, 7),  # staff; the rest read candidate words by function
    "job_visits":        (0, 0, 0, 0, 1, 1),
    "short_links":       (0, 0, 0, 0, 1, 1),
    # Read only through private.question_word_meanings.
    "question_words":    (0, 0, 0, 0, 0, 0),
    "social_channels":   (0, 0, 0, 0, 2, 2),
    "channel_slots":     (0, 0, 0, 0, 1, 1),
    "channel_webhooks":  (0, 0, 0, 0, 0, 1),  # secrets: admins only
    "social_roles":      (0, 0, 0, 0, 1, 1),
    "social_topics":     (0, 0, 0, 0, 2, 2),
    "social_posts":      (0, 0, 0, 0, 1, 1),
    "social_post_events": (0, 0, 0, 0, 1, 1),
    "social_post_deliveries": (0, 0, 0, 0, 1, 1),
    "social_post_costs": (0, 0, 0, 0, 1, 1),
    "referrer_preferences": (0, 0, 1, 0, 1, 1),
    "boomerang_interest": (0, 0, 1, 0, 1, 1),
    "job_digests":       (0, 0, 1, 1, 1, 1),
    "outreach_emails":   (0, 0, 0, 0, 1, 2),  # staff the digests', admins also the invitations'
    "referral_stage_events": (0, 0, 2, 0, 3, 3),
    "referral_notifications": (0, 0, 1, 0, 0, 1),  # each person their own; admins for privacy requests
    "referral_bonus_rules": (0, 0, 0, 0, 1, 1),
    "referral_level_bonus_rules": (0, 0, 0, 0, 1, 1),
    "referral_payouts":  (0, 0, 1, 0, 2, 2),
    "referral_settings": (0, 1, 1, 1, 1, 1),
    "referral_codes":    (0, 0, 1, 0, 1, 1),
    "referral_ownerships": (0, 0, 0, 0, 1, 1),
    "referral_stage_counts": (0, 0, 0, 0, 6, 6),  # one row per stage
    # Kept from the referrals (migration 20261211000000); referrers reach their own and the
    # leaderboard through private.my_recognition and private.leaderboard only.
    "referral_job_counts": (0, 0, 0, 0, 2, 2),
    "referral_day_totals": (0, 0, 0, 0, 1, 1),
    "referrer_day_totals": (0, 0, 0, 0, 2, 2),
    "referrer_totals":     (0, 0, 0, 0, 2, 2),
}


# Tables whose columns visitors may read only in part (column privileges): the columns they may.
VISITOR_COLUMNS = {
    "jobs": "id, title, department, location, remote_policy, employment_type, salary_min, salary_max,"
            " currency, description, status, created_at, updated_at, published_at, closed_at, level",
    "questions": "id, job_id, body, topic, status, answer, answered_at, created_at, search",
    "company": "id, name, tagline, about, website",
    "company_facts": "id, topic, title, body",
    # The answer target and the retention period (job page, FAQ), the public address (every
    # link); `id` to ask for the one row.
    "portal_settings": "id, answer_target_hours, candidate_retention_days, public_url",
}


@pytest.mark.parametrize("table", VISIBLE)
@pytest.mark.parametrize("who", ROLES)
def test_select(engine, world, table, who):
    columns = VISITOR_COLUMNS.get(table, "*") if who == "anon" else "*"
    seen = run_as(engine, world, who, f"select {columns} from public.{table}")  # noqa: S608
    assert (seen or 0) == VISIBLE[table][ROLES.index(who)]


@pytest.mark.parametrize(("table", "column"), [
    *(("jobs", c) for c in ("hiring_manager", "owner_id", "referral_bonus", "target_start_date",
                            "import_key", "close_reason", "*")),
    *(("questions", c) for c in ("answered_by", "held_reason", "merged_into", "follow_token_hash", "*")),
    *(("company", c) for c in ("updated_at", "*")),
    *(("company_facts", c) for c in ("updated_at", "*")),
    *(("portal_settings", c) for c in ("time_zone", "postings_self_approval", "updated_at", "*"))])
def test_visitors_cannot_read_internal_columns(engine, world, table, column):
    assert run_as(engine, world, "anon", f"select {column} from public.{table}") is None  # noqa: S608


def test_alumni_see_only_their_own_referrals(engine, world):
    with engine.connect() as conn, conn.begin():
        act_as(conn, world.actor("alumnus"))
        ids = set(conn.execute(sa.text("select id from public.referrals")).scalars())
        names = set(conn.execute(sa.text("select full_name from public.candidates")).scalars())
    assert ids == {world.ids["ref_a"]}
    assert names == {"cand_x"}


def test_candidates_do_not_see_others_unpublished_questions(engine, world):
    with engine.connect() as conn, conn.begin():
        act_as(conn, world.actor("candidate"))
        ids = set(conn.execute(sa.text("select id from public.questions")).scalars())
    assert ids == {world.ids["q_published"], world.ids["q_c"]}


def test_visitors_cannot_read_candidates_or_emails(engine, world):
    assert run_as(engine, world, "anon", "select email from public.candidates") is None
    assert run_as(engine, world, "anon", "select email from public.question_askers") is None
    assert run_as(engine, world, "anon", "select email from public.profiles") is None


# --- insert --------------------------------------------------------------------------------

INSERTS = {
    "profiles": ("insert into public.profiles (id, email) values (:user, 'x@rls.test')", ()),
    "invitations": ("insert into public.invitations (email, role) values ('new@rls.test', 'admin')",
                    ("admin",)),
    "alumni_roster": ("insert into public.alumni_roster (email, full_name) values ('new@rls.test', 'N')",
                      ("admin",)),
    "company": ("insert into public.company (id, name) values (1, 'Other')", ("admin",)),
    "jobs": ("insert into public.jobs (title, department, location) values ('New', 'Eng', 'X')",
             ("recruiter", "admin")),
    "candidates": ("insert into public.candidates (full_name, email) values ('N', 'n@mail.test')",
                   ("recruiter", "admin")),
    "applications": ("insert into public.applications (job_id, candidate_id)"
                     " values (:job_draft, :cand_x)", ("recruiter", "admin")),
    # Written by the trigger on applications only.
    "application_events": ("insert into public.application_events (application_id, to_status)"
                           " values (:app_c, 'hired')", ()),
    # In one's own name (author_id defaults to the caller).
    "application_notes": ("insert into public.application_notes (application_id, body)"
                          " values (:app_c, 'Called her')", ("recruiter", "admin")),
    # Written by private.add_candidate only (a recruiter adding an agency's candidate).
    "application_agencies": ("insert into public.application_agencies (application_id, agency_name,"
                             " agency_fee) values (:app_d, 'Forged', 1)", ()),
    "referrals": ("insert into public.referrals (referrer_id, candidate_id) values (:me, :cand_d)",
                  ("recruiter", "admin")),
    # Asked through private.ask_question only, which the server calls.
    "questions": ("insert into public.questions (body) values ('A fair question?')", ()),
    "question_askers": ("insert into public.question_askers (question_id, email)"
                        " values (:q_published, 'c@mail.test')", ("recruiter", "admin")),
    "hires": ("insert into public.hires (hire_date, job_title, department, source, first_year_salary)"
              " values (current_date, 'X', 'Eng', 'direct', 1)", ("recruiter", "admin")),
    "audit_log": ("insert into public.audit_log (action, subject_type) values ('x', 'y')",
                  ROLES[1:]),
    "savings_settings": ("insert into public.savings_settings (id) values (1)", ("admin",)),
    "exchange_rates": ("insert into public.exchange_rates (currency, rate) values ('GBP', 1.3)",
                       ("admin",)),
    "programme_costs": ("insert into public.programme_costs (month, category, amount)"
                        " values ('2026-02-01', 'tools', 10)", ("recruiter", "admin")),
    # Kept by triggers on hires only.
    "hire_totals": ("insert into public.hire_totals values ('2020-01-01', 'direct', '', 'Eng', 'USD',"
                    " 1, 1, 0, 0, 0, 0, 0)", ()),
    "portal_settings": ("insert into public.portal_settings (id) values (1)", ()),
    "social_guidelines": ("insert into public.social_guidelines (id) values (1)", ()),
    "hiring_stages": ("insert into public.hiring_stages (status, label, candidate_label)"
                      " values ('offer', 'Z', 'Z')", ()),
    "company_facts": ("insert into public.company_facts (topic, title, body)"
                      " values ('process', 'Steps', 'Three')", ("admin",)),
    # Recorded through private.record_visit only, one per job and browser session.
    "job_visits": ("insert into public.job_visits (job_id, session_id)"
                   " values (:job_published, gen_random_uuid())", ()),
    # Made through private.short_link_code only (which decides who may shorten what).
    "short_links": ("insert into public.short_links (code, job_id, source)"
                    " values ('Forged1', :job_published, 'x')", ()),
    # Kept by a trigger on questions only.
    "question_words": ("insert into public.question_words (word) values ('forged')", ()),
    "social_channels": ("insert into public.social_channels (name, network, audience)"
                        " values ('Company X', 'x', 'external')", ("admin",)),
    "channel_slots": ("insert into public.channel_slots values (:channel, 2, '10:00')", ("admin",)),
    "channel_webhooks": ("insert into public.channel_webhooks (channel_id, url)"
                         " values (:channel, 'https://hooks.example/b')", ("admin",)),
    "social_roles": ("insert into public.social_roles (user_id, role) values (:me, 'editor')", ("admin",)),
    # Approvers keep the topics; the recruiter is a publisher only, admins hold every role.
    "social_topics": ("insert into public.social_topics (name) values ('Culture')", ("admin",)),
    "social_posts": ("insert into public.social_posts (job_id, channel_id, body, author_id)"
                     " values (:job_published, :channel, 'Join us', :me)", ("recruiter", "admin")),
    # Written by the workflow's trigger only.
    "social_post_events": ("insert into public.social_post_events (post_id, to_status)"
                           " values (:post, 'draft')", ()),
    # Written by the worker (the owner) only.
    "social_post_deliveries": ("insert into public.social_post_deliveries (post_id, scheduled_for,"
                               " next_attempt_at) values (:post, now(), now())", ()),
    # Recorded as oneself by staff (recorded_by defaults to the caller).
    "social_post_costs": ("insert into public.social_post_costs (post_id, amount, currency)"
                          " values (:post, 10, 'EUR')", ("recruiter", "admin")),
    # One's own preference; only referrers have a place on the leaderboard.
    "referrer_preferences": ("insert into public.referrer_preferences (user_id) values (:me)",
                             ("alumnus", "employee")),
    "boomerang_interest": ("insert into public.boomerang_interest (user_id) values (:me)", ("alumnus",)),
    # sent_by and sent_at are the sender and now.
    "job_digests": ("insert into public.job_digests (jobs) values ('[{}]')", ("recruiter", "admin")),
    # Invitations are queued by admins (a digest's emails by its sender: test below).
    "outreach_emails": ("insert into public.outreach_emails (kind, roster_id) values ('invitation', :roster)",
                        ("admin",)),
    # History and notifications are written by the trigger on referrals only.
    "referral_stage_events": ("insert into public.referral_stage_events (referral_id, to_stage)"
                              " values (:ref_a, 'hired')", ()),
    "referral_notifications": ("insert into public.referral_notifications (user_id, referral_id, message)"
                               " values (:me, :ref_a, 'forged')", ()),
    "referral_bonus_rules": ("insert into public.referral_bonus_rules (department, amount)"
                             " values ('Sales', 10)", ("recruiter", "admin")),
    "referral_level_bonus_rules": ("insert into public.referral_level_bonus_rules (level, amount)"
                                   " values ('lead', 10)", ("recruiter", "admin")),
    "referral_payouts": ("insert into public.referral_payouts (referral_id, referrer_id, share_percent,"
                         " amount, start_date, due_on) values (:ref_a, :me, 10, 100, current_date,"
                         " current_date)", ("recruiter", "admin")),
    # A singleton admins update; codes and ownership only through the referral functions.
    "referral_settings": ("insert into public.referral_settings (id) values (1)", ()),
    "referral_codes": ("insert into public.referral_codes (user_id, code)"
                       " values (:me, 'chosencode0123456789ab')", ()),
    "referral_ownerships": ("insert into public.referral_ownerships (identity, referral_id, owned)"
                            " values ('email:n@mail.test', :ref_b, tstzrange(now(), null))", ()),
    # Kept by triggers on referrals only.
    "referral_stage_counts": ("insert into public.referral_stage_counts (stage, referrals)"
                              " values ('hired', 100)", ()),
    "referral_job_counts": ("insert into public.referral_job_counts (job_id, stage, referrals)"
                            " values (null, 'hired', 100)", ()),
    "referral_day_totals": ("insert into public.referral_day_totals (day, job_id, referrals, interviews,"
                            " hires) values ('2020-01-01', null, 1, 1, 1)", ()),
    "referrer_day_totals": ("insert into public.referrer_day_totals values ('2020-01-01', :me, 9, 9, 9)",
                            ()),
    "referrer_totals": ("insert into public.referrer_totals values (:user, 9, 9, 9)", ()),
}


def _params(world: World, who: str) -> dict:
    me = world.users.get(who)
    return {**{k: v for k, v in world.ids.items()}, "me": me, "user": uuid4()}


@pytest.mark.parametrize("table", INSERTS)
@pytest.mark.parametrize("who", ROLES)
def test_insert(engine, world, table, who):
    sql, allowed = INSERTS[table]
    # Tables whose key the insert reuses are emptied first, so only RLS can refuse it.
    setup = {"company": "delete from public.company",
             "question_askers": "delete from public.question_askers",
             "savings_settings": "delete from public.savings_settings",
             "channel_webhooks": "delete from public.channel_webhooks",
             "portal_settings": "delete from public.portal_settings",
             "hiring_stages": "delete from public.hiring_stages where status = 'offer'",
             "social_guidelines": "delete from public.social_guidelines",
             "social_post_deliveries": "delete from public.social_post_deliveries",
             "referrer_preferences": "delete from public.referrer_preferences",
             "boomerang_interest": "delete from public.boomerang_interest",
             "referral_settings": "delete from public.referral_settings",
             "referral_codes": "delete from public.referral_codes",
             "referral_stage_counts": "delete from public.referral_stage_counts",
             # a bonus is planned for a hired referral only
             "referral_payouts": "update public.referrals set stage = 'hired'"  # noqa: S608 - an id
                                 f" where id = '{world.ids['ref_a']}'",
             }.get(table)
    outcome = run_as(engine, world, who, sql, _params(world, who), setup=setup)
    if who in allowed:
        assert outcome == 1, f"{who} insert into {table}: {outcome}"
    else:  # an insert is refused by an error (a policy's WITH CHECK or a privilege), never 0 rows
        assert outcome is None, f"{who} insert into {table}: {outcome}"


@pytest.mark.parametrize("who", ROLES)
def test_only_a_digests_sender_queues_its_emails(engine, world, who):
    sql = ("insert into public.outreach_emails (kind, digest_id, recipient_id)"
           " values ('digest', :digest, :alumnus)")
    outcome = run_as(engine, world, who, sql,
                     {"digest": world.ids["digest"], "alumnus": world.users["alumnus"]})
    assert (not refused(outcome)) == (who == "recruiter"), f"{who}: {outcome}"
    to_a_candidate = run_as(engine, world, who, sql,
                            {"digest": world.ids["digest"], "alumnus": world.users["candidate"]})
    assert refused(to_a_candidate), f"{who}: {to_a_candidate}"


@pytest.mark.parametrize("who", ROLES)
def test_nobody_queues_an_email_already_sent_or_for_someone_else(engine, world, who):
    forged = ("insert into public.outreach_emails (kind, roster_id, status, sent_at)"
              " values ('invitation', :roster, 'sent', now())")
    assert refused(run_as(engine, world, who, forged, {"roster": world.ids["roster"]}))
    as_another = ("insert into public.outreach_emails (kind, roster_id, queued_by)"
                  " values ('invitation', :roster, :other)")
    assert refused(run_as(engine, world, who, as_another,
                          {"roster": world.ids["roster"], "other": world.users["recruiter"]}))


def test_questions_are_asked_through_the_servers_function_only(engine, world):
    ask = ("select private.ask_question(null, null, 'Hello there, a question?', null, null, 's1',"
           " 'a1', null)")
    for who in ROLES:
        assert refused(run_as(engine, world, who, ask)), who
    assert refused(run_as(engine, world, "anon",
                          "insert into public.questions (body, status) values ('Sneaky?', 'published')"))


def test_only_alumni_and_employees_refer_through_the_function(engine, world):
    refer = ("select * from private.submit_referral('New Person', 'new.person@mail.test', null, null,"
             " 'Colleagues', 'Great at the job', null, null, true)")
    for who in ROLES:
        outcome = run_as(engine, world, who, refer)
        assert (not refused(outcome)) == (who in ("alumnus", "employee")), who
    assert run_as(engine, world, "alumnus", "select private.my_referral_code()") == 1
    assert run_as(engine, world, "candidate", "select private.my_referral_code()") is None
    assert run_as(engine, world, "alumnus", "select * from private.record_referral(:me, 'N',"
                  " 'n2@mail.test', null, null, '', '', null, null, true, 'form', null)",
                  {"me": world.users["alumnus_b"]}) is None  # not callable directly


def test_alumni_cannot_insert_referrals_directly(engine, world):
    # A plain insert could name any candidate and so unlock their details; alumni will
    # refer through the referral programme's function instead.
    assert refused(run_as(engine, world, "alumnus",
                          "insert into public.referrals (referrer_id, candidate_id) values (:me, :c)",
                          {"me": world.users["alumnus"], "c": world.ids["cand_d"]}))


def test_audit_entries_cannot_be_backdated_or_forged(engine, world):
    assert run_as(engine, world, "candidate", "insert into public.audit_log (action, subject_type)"
                  " values ('x', 'y')") == 1
    assert run_as(engine, world, "candidate", "insert into public.audit_log (action, subject_type,"
                  " created_at) values ('x', 'y', '2020-01-01')") is None
    assert refused(run_as(engine, world, "candidate", "insert into public.audit_log (action,"
                          " subject_type, actor_id) values ('x', 'y', :admin)",
                          {"admin": world.users["admin"]}))


def test_deactivated_users_lose_their_own_rows(engine, world):
    setup = "update public.profiles set active = false where email = 'alumnus@rls.test'"
    assert run_as(engine, world, "alumnus", "select * from public.referrals") == 1
    assert refused(run_as(engine, world, "alumnus", "select * from public.referrals", setup=setup))
    assert refused(run_as(engine, world, "alumnus", "select * from public.candidates", setup=setup))
    assert refused(run_as(engine, world, "alumnus", "insert into public.audit_log (action,"
                          " subject_type) values ('x', 'y')", setup=setup))


# --- update and delete -------------------------------------------------------------------

STAFF, ADMIN = ("recruiter", "admin"), ("admin",)
WRITES = {
    #                    update statement                                          who may   delete?
    "profiles": ("update public.profiles set full_name = 'Z' where id = :alumnus_user", ADMIN, ()),
    "invitations": ("update public.invitations set full_name = 'Z'", ADMIN, ADMIN),
    "alumni_roster": ("update public.alumni_roster set department = 'Z'", ADMIN, ADMIN),
    "company": ("update public.company set tagline = 'Z'", ADMIN, ADMIN),
    "jobs": ("update public.jobs set title = 'Zz' where id = :job_published", STAFF, STAFF),
    "candidates": ("update public.candidates set phone = '1' where id = :cand_c", STAFF, STAFF),
    "applications": ("update public.applications set note = 'Z' where id = :app_c", STAFF, STAFF),
    "application_events": ("update public.application_events set to_status = 'hired'", (), ()),
    # A note stays as written (erased with its application).
    "application_notes": ("update public.application_notes set body = 'forged'", (), ()),
    "application_agencies": ("update public.application_agencies set agency_fee = 0", (), ()),
    "referrals": ("update public.referrals set stage = 'hired' where id = :ref_a", STAFF, STAFF),
    "questions": ("update public.questions set answer = 'Z' where id = :q_c", STAFF, STAFF),
    "question_askers": ("update public.question_askers set email = 'z@mail.test'", STAFF, STAFF),
    "hires": ("update public.hires set channel = 'Z' where id = :hire_1", STAFF, STAFF),
    "audit_log": ("update public.audit_log set action = 'forged'", (), ()),
    "savings_settings": ("update public.savings_settings set headhunter_fee_rate = 0.3", ADMIN, ADMIN),
    "exchange_rates": ("update public.exchange_rates set rate = 2", ADMIN, ADMIN),
    "programme_costs": ("update public.programme_costs set amount = 5", STAFF, STAFF),
    "hire_totals": ("update public.hire_totals set hires = 5", (), ()),
    "portal_settings": ("update public.portal_settings set answer_target_hours = 24", ADMIN, ()),
    "social_guidelines": ("update public.social_guidelines set confidential_terms = '{Falcon}'",
                          ADMIN, ()),
    "company_facts": ("update public.company_facts set body = 'Zz'", ADMIN, ADMIN),
    "hiring_stages": ("update public.hiring_stages set label = label || 'Z'", ADMIN, ()),
    "job_visits": ("update public.job_visits set source = 'Z'", (), ()),
    "short_links": ("update public.short_links set bot_visits = 0, job_id = job_id", (), ()),
    "question_words": ("update public.question_words set word = 'forged'", (), ()),
    # Channels and topics with posts are kept for their history (on delete restrict).
    "social_channels": ("update public.social_channels set active = false where id = :channel_unused",
                        ADMIN, ADMIN),
    "channel_slots": ("update public.channel_slots set at_time = '11:00'", ADMIN, ADMIN),
    "channel_webhooks": ("update public.channel_webhooks set url = 'https://hooks.example/c'", ADMIN, ADMIN),
    "social_roles": ("update public.social_roles set role = 'editor'", ADMIN, ADMIN),
    "social_topics": ("update public.social_topics set name = 'Renamed' where id = :topic_unused",
                      ADMIN, ADMIN),
    # The recruiter wrote the draft; admins are editors.
    "social_posts": ("update public.social_posts set body = 'Edited' where id = :post", STAFF, STAFF),
    "social_post_events": ("update public.social_post_events set comment = 'forged'", (), ()),
    "social_post_deliveries": ("update public.social_post_deliveries set given_up_at = null, attempts = 0",
                               (), ()),
    # Spend is never edited; a mistake is deleted by an admin and recorded again.
    "social_post_costs": ("update public.social_post_costs set amount = 5", (), ADMIN),
    # Admins erase a referrer's programme data on request (services/people/privacy.py).
    "referrer_preferences": ("update public.referrer_preferences set leaderboard_opt_out = false",
                             ("alumnus",), ADMIN),
    "boomerang_interest": ("update public.boomerang_interest set notes = 'Z'", ("alumnus",),
                           ("alumnus", "admin")),
    # Only the sender records how many emails went out; a digest sent stays.
    "job_digests": ("update public.job_digests set emailed = 5", ("recruiter",), ()),
    # Their state is the worker's (the owner's) alone.
    "outreach_emails": ("update public.outreach_emails set status = 'failed', last_error = 'forged'", (), ()),
    "referral_stage_events": ("update public.referral_stage_events set to_stage = 'hired'", (), ()),
    # The alumnus marks their own read; only an admin erasing them deletes them.
    "referral_notifications": ("update public.referral_notifications set read_at = now()", ("alumnus",),
                               ADMIN),
    "referral_bonus_rules": ("update public.referral_bonus_rules set amount = 5", STAFF, STAFF),
    "referral_level_bonus_rules": ("update public.referral_level_bonus_rules set amount = 5", STAFF, STAFF),
    # Paid ones are kept: the guard trigger refuses any change, the policy any delete.
    "referral_payouts": ("update public.referral_payouts set amount = 5", STAFF, STAFF),
    "referral_settings": ("update public.referral_settings set ownership_months = 6", ADMIN, ()),
    "referral_codes": ("update public.referral_codes set code = 'forgedcode0123456789ab'", (), ADMIN),
    "referral_ownerships": ("update public.referral_ownerships set owned = tstzrange(now(), now())",
                            (), ()),
    "referral_stage_counts": ("update public.referral_stage_counts set referrals = 100", (), ()),
    "referral_job_counts": ("update public.referral_job_counts set referrals = 100", (), ()),
    "referral_day_totals": ("update public.referral_day_totals set hires = 100", (), ()),
    "referrer_day_totals": ("update public.referrer_day_totals set hires = 100", (), ()),
    "referrer_totals": ("update public.referrer_totals set hires = 100", (), ()),
}


def _where_for_delete(update_sql: str) -> str:
    table = update_sql.split()[1]
    where = update_sql.split(" where ", 1)[1] if " where " in update_sql else "true"
    return f"delete from {table} where {where}"  # noqa: S608


# How many of the rows an update's (and its delete's) WHERE picks each role sees, for the
# statements with a WHERE; a statement without one picks the whole table, seen as VISIBLE says.
# "0 rows touched" is a refusal only together with this: a policy that wrongly hid a row from a
# role that should see it would otherwise pass as a refusal.
TARGETS_SEEN = {
    #                 anon cand alum empl recr admin
    "profiles":       (0, 0, 1, 0, 1, 1),  # the alumnus's own profile
    "jobs":           (1, 1, 1, 1, 1, 1),  # the published job
    "candidates":     (0, 1, 0, 0, 1, 1),  # the candidate's own record
    "applications":   (0, 1, 0, 0, 1, 1),  # the candidate's own application
    "referrals":      (0, 0, 1, 0, 1, 1),  # the alumnus's own referral
    "questions":      (0, 1, 0, 0, 1, 1),  # the candidate's own pending question
    "hires":          (0, 0, 0, 0, 1, 1),
    "social_channels": (0, 0, 0, 0, 1, 1),
    "social_topics":  (0, 0, 0, 0, 1, 1),
    "social_posts":   (0, 0, 0, 0, 1, 1),
}


def _targets_seen(engine, world: World, who: str, update_sql: str, params: dict) -> int:
    table = update_sql.split()[1]
    where = update_sql.split(" where ", 1)[1] if " where " in update_sql else "true"
    return run_as(engine, world, who, f"select 1 from {table} where {where}", params) or 0  # noqa: S608


def _assert_write(engine, world: World, table: str, who: str, sql: str, allowed: tuple) -> None:
    """`sql` (an update or a delete) as `who`: allowed, it touches every target row the role
    sees; refused, it fails with a privilege/RLS error or touches none, and then the role must
    see exactly the target rows it should (a wrongly hidden row is not a refusal)."""
    params = {**world.ids, "alumnus_user": world.users["alumnus"]}
    update_sql = WRITES[table][0]
    seen = _targets_seen(engine, world, who, update_sql, params)
    expected_seen = (TARGETS_SEEN.get(table) or VISIBLE[table])[ROLES.index(who)]
    assert seen == expected_seen, \
        f"{who} sees {seen} of the rows {table}'s statement picks, not {expected_seen}"
    outcome = run_as(engine, world, who, sql, params)
    if who in allowed:
        assert outcome == seen and seen > 0, f"{who} on {table}: touched {outcome} of {seen}"
    else:
        assert outcome is None or outcome == 0, f"{who} on {table}: touched {outcome}"


@pytest.mark.parametrize("table", WRITES)
@pytest.mark.parametrize("who", ROLES)
def test_update(engine, world, table, who):
    sql, may_update, _ = WRITES[table]
    _assert_write(engine, world, table, who, sql, may_update)


@pytest.mark.parametrize("table", WRITES)
@pytest.mark.parametrize("who", ROLES)
def test_delete(engine, world, table, who):
    sql, _, may_delete = WRITES[table]
    _assert_write(engine, world, table, who, _where_for_delete(sql), may_delete)


# --- roles and privileges ------------------------------------------------------------------

def test_recruiter_cannot_make_themselves_admin(engine, world):
    assert refused(run_as(engine, world, "recruiter",
                          "update public.profiles set role = 'admin' where id = :me",
                          {"me": world.users["recruiter"]}))


def test_admin_cannot_change_own_role(engine, world):
    # The guard trigger raises insufficient_privilege (42501), which run_as reports as None.
    assert run_as(engine, world, "admin", "update public.profiles set role = 'recruiter' where id = :me",
                  {"me": world.users["admin"]}) is None


@pytest.mark.parametrize("who", ROLES)
def test_private_schema_is_closed_to_users(engine, world, who):
    assert run_as(engine, world, who, "select * from private.sign_in_failures") is None
    assert run_as(engine, world, who, "select * from auth.users") is None


@pytest.mark.parametrize("who", ROLES)
def test_nobody_truncates(engine, world, who):
    assert run_as(engine, world, who, "truncate public.jobs cascade") is None


def test_every_public_table_has_rls_and_is_tested(engine):
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "select c.relname, c.relrowsecurity from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'")).all()
    assert all(rls for _, rls in rows), [name for name, rls in rows if not rls]
    assert {name for name, _ in rows} == set(VISIBLE) == set(INSERTS) == set(WRITES)


def test_security_definer_functions_fix_search_path(engine):
    with engine.connect() as conn:
        loose = conn.execute(sa.text(
            "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            " where n.nspname in ('public', 'private') and (p.proconfig is null or not exists"
            " (select 1 from unnest(p.proconfig) c where c like 'search_path=%'))")).scalars().all()
    assert loose == []


def test_referrers_change_only_when_their_notifications_were_read(engine, world):
    assert refused(run_as(engine, world, "alumnus", "update public.referral_notifications set message = 'x'"))
    assert run_as(engine, world, "alumnus", "update public.referral_notifications set read_at = now()") == 1


def test_paid_payouts_are_neither_changed_nor_deleted(engine, world):
    # Paid as the owner, with the guard (which stamps the signed-in payer) set aside.
    payer = world.users["admin"]
    setup = ("alter table public.referral_payouts disable trigger referral_payout_guard;"  # noqa: S608
             f" update public.referral_payouts set paid_at = now(), paid_by = '{payer}';"
             " alter table public.referral_payouts enable trigger referral_payout_guard")
    with pytest.raises(sa.exc.DBAPIError, match="already paid"):
        run_as(engine, world, "admin", "update public.referral_payouts set amount = 5", setup=setup)
    assert refused(run_as(engine, world, "admin", "delete from public.referral_payouts", setup=setup))


def test_spend_on_a_post_is_recorded_in_ones_own_name(engine, world):
    assert refused(run_as(engine, world, "recruiter",
                          "insert into public.social_post_costs (post_id, amount, currency, recorded_by)"
                          " values (:post, 10, 'USD', :admin)",
                          {"post": world.ids["post"], "admin": world.users["admin"]}))


def test_visitors_read_exactly_the_columns_the_public_pages_show(engine):
    """Every column a visitor may select through the Data API, table by table: a new column
    is private until a migration grants it (and this list names it)."""
    with engine.connect() as conn:
        granted = conn.execute(sa.text(
            "select c.table_name, string_agg(c.column_name, ', ' order by c.ordinal_position)"
            " from information_schema.columns c where c.table_schema = 'public'"
            " and has_column_privilege('anon', format('public.%I', c.table_name), c.column_name, 'SELECT')"
            " group by c.table_name")).all()
    assert dict(granted) == VISITOR_COLUMNS
