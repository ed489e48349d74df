"""The candidates' pages and the recruiters' inbox through AppTest: the job board, a
job's page with its apply form, questions and answers, the private follow page, the
inbox, company facts and privacy."""

from __future__ import annotations

import io
import uuid

import sqlalchemy as sa

from portal.models import Actor
from services.candidates import questions
from tests.app.helpers import (
    BACKEND,
    app_as,
    assert_errors,
    assert_no_exception,
    board_cards,
    demo_job_id,
    open_page,
    problem_under,
    shown,
    signed_in,
    texts,
)
from tests.support import make_pdf


def test_board_filters_and_links_to_the_job(demo_db):
    at = app_as().run()
    assert_no_exception(at)
    assert BACKEND in texts(at)
    at.selectbox[2].select("remote").run()  # Remote filter
    assert_no_exception(at)
    page = texts(at)
    assert "Remote" in page
    cards = board_cards(at)
    assert cards and all("Remote" in facts and "On site" not in facts for _, facts in cards)


def test_job_page_records_a_visit_once_and_applies(demo_db, tmp_path, monkeypatch):
    job_id = demo_job_id(demo_db)
    # A campaign of its own tells this visit from the demo's (which, loaded just after midnight, are "now").
    campaign = f"spring-{uuid.uuid4().hex[:8]}"
    at = open_page("pages/public/job.py", id=str(job_id), utm_source="linkedin", utm_campaign=campaign)
    assert BACKEND in texts(at)
    at.run()  # a rerun in the same session is the same visit
    with demo_db.connect() as conn:
        visits = conn.execute(sa.text("select count(*), min(source) from public.job_visits"
                                      " where job_id = :j and utm_campaign = :c"),
                              {"j": job_id, "c": campaign}).one()
    assert tuple(visits) == (1, "linkedin")

    form = f"apply:{job_id}"
    at.text_input[0].input("Grace Hopper")
    at.text_input[1].input("not-an-email")
    at.button(key=f"FormSubmitter:{form}-Send application").click().run()
    assert_errors(at, "not a valid email address")  # and, in the same box, the missing consent
    assert len(at.error) == 1 and "agree to the privacy notice" in at.error[0].value
    assert at.text_input[0].value == "Grace Hopper"  # nothing typed is lost
    at.text_input[1].input("grace@example.org")
    at.checkbox[0].check()
    at.button(key=f"FormSubmitter:{form}-Send application").click().run()
    assert_no_exception(at)
    assert "your application has been received" in texts(at)
    link = [c.value for c in at.code][-1]
    assert "/follow?application=" in link
    with demo_db.connect() as conn:
        source = conn.execute(sa.text(
            "select a.source, a.utm_campaign from public.applications a join public.candidates c"
            " on c.id = a.candidate_id where c.email = 'grace@example.org'")).one()
    assert tuple(source) == ("linkedin", campaign)

    follow = open_page("pages/public/follow.py", application=link.split("application=")[1])
    assert "Received" in [m.value for m in follow.metric]
    assert BACKEND in texts(follow)


def test_unknown_job_and_bad_follow_link(demo_db):
    at = open_page("pages/public/job.py", id="not-a-uuid")
    assert "Job not found" in texts(at)
    open_page("pages/public/follow.py", question="x" * 30,
              expected_errors=("This link does not match any question.",))


def test_faq_lists_and_searches_published_answers(demo_db):
    at = open_page("pages/public/faq.py")
    page = shown(at)
    assert "Is there a relocation package for London?" in page
    assert "Can you tell me who else applied?" not in page  # rejected: never shown
    assert "Time off" in page  # company facts
    at.text_input(key="faq-search").input("relocation").run()
    page = shown(at)
    assert "Is there a relocation package for London?" in page
    assert "Do designers work with a design system?" not in page


def test_inbox_answers_a_question(demo_db):
    recruiter = signed_in("recruiter@example.com")
    at = open_page("pages/recruiting/inbox.py", recruiter)
    # The demo's seven pending questions (QUESTIONS[15:22]), asked two days apart: oldest first.
    assert at.metric[0].label == "Waiting" and at.metric[0].value == "7"
    assert list(at.dataframe[0].value["Question"]) == [
        "Can I apply to two roles at once?", "Will there be a backend role in London too?",
        "Do you accept applications without a degree?", "What hardware do engineers get?",
        "Is there a sign-on bonus for the SRE role?", "Which markets does the Customer Success team cover?",
        "How big is the product team?"]
    at.session_state["inbox-table:inbox-page::None:False:1"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert_no_exception(at)
    assert [t.value for t in at.text][0] == "Can I apply to two roles at once?"
    # The FAQ's topics are offered (a new one may be typed); an empty answer is refused under
    # its box, and the topic chosen stays.
    topic = next(s for s in at.selectbox if s.label == "Topic in the FAQ")
    assert {"Applying", "Pay & benefits", "Workplace", "The role"} <= set(topic.options)
    topic.set_value("Applying")
    next(b for b in at.button if b.label == "Publish to FAQ").click().run()
    assert_errors(at, "Answer: this is required.")
    assert problem_under(at, "Answer") == "Answer: this is required."
    assert problem_under(at, "Topic in the FAQ") is None
    assert next(s for s in at.selectbox if s.label == "Topic in the FAQ").value == "Applying"
    at.text_area(key=next(t.key for t in at.text_area if t.label == "Answer")).input(
        "Yes: apply to each, and say in the note which you prefer.")
    next(b for b in at.button if b.label == "Publish to FAQ").click().run()
    assert_no_exception(at)
    assert at.metric[0].value == "6"
    assert "Can I apply to two roles at once?" not in list(at.dataframe[0].value["Question"])
    with demo_db.connect() as conn:
        stored = conn.execute(sa.text("select status::text, answer, topic from public.questions"
                                      " where body = 'Can I apply to two roles at once?'")).one()
    assert tuple(stored) == ("published", "Yes: apply to each, and say in the note which you prefer.",
                             "Applying")
    # Published: every visitor now reads the answer in the FAQ.
    faq = open_page("pages/public/faq.py")
    faq.text_input(key="faq-search").input("two roles").run()
    assert "##### Applying" in shown(faq)  # under the topic it was given
    answered = next(e for e in faq.expander if e.label == "Can I apply to two roles at once?")
    assert [t.value for t in answered.text] == ["Yes: apply to each, and say in the note which you prefer."]


def test_admin_pages(demo_db):
    admin = signed_in("admin@example.com")
    at = open_page("pages/admin/company_facts.py", admin)
    assert "Hiring steps" in shown(at)
    at = open_page("pages/admin/privacy.py", admin)
    at.text_input[0].input("candidate@example.com")
    at.button[0].click().run()
    assert_no_exception(at)
    # Sam Okafor, the demo candidate: two applications (the backend job, interviewing; the data
    # science job, new: "Received" in the candidate's words, as the export writes stages),
    # nobody referred him, he asked QUESTIONS[16] and [22], and he refers nobody.
    assert ("2 applications, 0 referrals of them, 2 questions and 0 records of the referral "
            "programme about them as a referrer found.") in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Download JSON"]
    # What "Download JSON" serialises (AppTest keeps no media files to read back).
    export = at.session_state["privacy-export"]
    assert export["email"] == "candidate@example.com"
    assert [c["full_name"] for c in export["candidate"]] == ["Sam Okafor"]
    assert sorted((a["job"], a["status"]) for a in export["applications"]) == [
        ("Data Scientist, Forecasting", "Received"), (BACKEND, "Interviewing")]
    assert sorted(q["body"] for q in export["questions"]) == [
        "Could I bring my dog to the Berlin office?", "Will there be a backend role in London too?"]


def test_a_new_company_fact_says_every_problem_under_its_field_then_starts_empty(demo_db):
    at = open_page("pages/admin/company_facts.py", signed_in("admin@example.com"))
    submit = "FormSubmitter:new-fact:0-Add fact"
    title = next(t for t in at.text_input if t.label == "Title")
    title.input("A")
    at.button(key=submit).click().run()
    assert_errors(at, "Title: write at least 2 characters.")
    assert problem_under(at, "Title") == "Title: write at least 2 characters."
    assert problem_under(at, "Text") == "Text: this is required."
    assert next(t for t in at.text_input if t.label == "Title").value == "A"  # kept
    next(t for t in at.text_input if t.label == "Title").input("Bike leasing")
    next(t for t in at.text_area if t.label == "Text").input("Lease a bike through payroll.")
    at.button(key=submit).click().run()
    assert_no_exception(at)
    assert "Bike leasing" in shown(at)
    assert next(t for t in at.text_input if t.label == "Title").value == ""  # ready for the next


def test_follow_link_shows_an_answer(demo_db):
    asked = questions.ask(Actor.visitor(), "Do you sponsor work visas for engineers?",
                          session_id="s", address="1.2.3.4")
    at = open_page("pages/public/follow.py", question=asked.follow_link.split("question=")[1])
    assert "has not answered yet" in texts(at)



def test_job_page_refuses_a_resume_with_javascript_and_keeps_the_form(demo_db):
    # Issue 17, finding 11: the check's message reaches the visitor, and nothing typed is lost.
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter(clone_from=io.BytesIO(make_pdf()))
    writer.add_open_action(JavaScript("app.alert('hello');"))
    scripted = io.BytesIO()
    writer.write(scripted)

    job_id = demo_job_id(demo_db)
    at = open_page("pages/public/job.py", id=str(job_id))
    at.text_input[0].input("Katherine Johnson")
    at.text_input[1].input("katherine@example.org")
    at.text_input[3].input("https://www.linkedin.com/in/katherine")
    at.text_area[0].input("I enjoy orbital mechanics.")
    at.checkbox[0].check()
    at.file_uploader[0].upload("cv.pdf", scripted.getvalue(), "application/pdf")
    at.button(key=f"FormSubmitter:apply:{job_id}-Send application").click().run()
    assert_errors(at, "“cv.pdf” contains JavaScript, which we do not accept. Save it again as a "
                      "plain PDF (Print → Save as PDF) and upload that.")
    assert [t.value for t in at.text_input][:4] == [
        "Katherine Johnson", "katherine@example.org", "", "https://www.linkedin.com/in/katherine"]
    assert at.text_area[0].value == "I enjoy orbital mechanics." and at.checkbox[0].value
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.candidates"
                                    " where email = 'katherine@example.org'")).scalar() == 0


def test_job_page_with_storage_unreachable_says_so_and_keeps_the_form(demo_db, monkeypatch):
    # Issue 17: Supabase Storage down when a visitor applies with a résumé.
    from dataclasses import replace

    from portal import storage
    from tests.support import free_port

    down = replace(storage.settings(), database_url="postgresql://supabase",
                   supabase_url=f"http://127.0.0.1:{free_port()}", supabase_service_key="service-key")
    monkeypatch.setattr(storage, "settings", lambda: down)
    job_id = demo_job_id(demo_db)
    at = open_page("pages/public/job.py", id=str(job_id))
    at.text_input[0].input("Katherine Johnson")
    at.text_input[1].input("katherine@example.org")
    at.checkbox[0].check()
    at.file_uploader[0].upload("cv.pdf", make_pdf(), "application/pdf")
    at.button(key=f"FormSubmitter:apply:{job_id}-Send application").click().run()
    assert_errors(at, "The file store did not answer, so we could not store the résumé and nothing "
                      "was changed. Please try again in a few minutes.")
    assert [t.value for t in at.text_input][:2] == ["Katherine Johnson", "katherine@example.org"]
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.candidates"
                                    " where email = 'katherine@example.org'")).scalar() == 0
