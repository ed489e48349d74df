"""Helpers the tests share. Importing this module starts nothing (conftest.py does)."""

from __future__ import annotations

import io

import sqlalchemy as sa

# Everything a test may have written; TRUNCATE … CASCADE reaches the rest.
TABLES = ("auth.users", "public.invitations", "public.alumni_roster", "public.company", "public.jobs",
          "public.candidates", "public.questions", "public.hires", "public.audit_log",
          "public.savings_settings", "public.exchange_rates", "public.programme_costs",
          "public.hire_totals", "public.company_facts", "public.job_visits",
          "public.portal_settings", "public.social_guidelines", "public.question_words",
          "public.social_channels", "public.social_topics", "public.social_post_deliveries",
          "public.social_post_costs", "public.referral_bonus_rules",
          "public.referral_level_bonus_rules",
          "public.referrer_preferences", "public.boomerang_interest", "public.job_digests",
          "public.outreach_emails",
          "public.referral_settings", "public.referral_codes", "public.referral_ownerships",
          "private.question_rate",
          "private.sign_in_failures", "private.pending_sign_in_links",
          # the background worker's queue: no job of one test runs in another
          "procrastinate.procrastinate_jobs", "procrastinate.procrastinate_workers",
          "procrastinate.procrastinate_periodic_defers")


def truncate_all(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"truncate {', '.join(TABLES)} restart identity cascade")
        # Singletons the migrations create and admins only update: back to their defaults.
        conn.exec_driver_sql("insert into public.portal_settings (id) values (1)")
        conn.exec_driver_sql("insert into public.social_guidelines (id) values (1)")
        conn.exec_driver_sql("insert into public.referral_settings (id) values (1)")


def make_pdf(text: str = "Ada Lovelace, analyst") -> bytes:
    """A real one-page PDF, as a résumé."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def make_docx(text: str = "Ada Lovelace, analyst") -> bytes:
    """A real Word document, as a résumé."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def signed_in(email: str):
    """The demo account `email`, signed in with the demo password."""
    from services import demo, sign_in

    return sign_in.with_password(email, demo.DEMO_PASSWORD)
