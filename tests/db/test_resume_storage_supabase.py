"""Résumés in Supabase Storage, exercised rather than assumed: the real services and the real
`supabase` package (storage3) against a local stand-in of Storage's HTTP API
(tests/db/fake_storage.py, fixture `supabase_storage`), over real HTTP. Applying and referring
upload the file, a recruiter's download reads it back through the portal, erasure deletes it,
and Storage failing or unreachable gives the user a message and leaves nothing half-saved.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal import storage
from portal.errors import UserFacingError
from portal.models import Actor
from portal.storage import StorageUnavailable, SupabaseStore, resume_store
from services.candidates.applications import ApplicationForm, Resume, apply
from services.people import privacy
from services.postings import editing as postings
from services.postings.tracking import TrackedSource
from services.referrals import submission as referring
from tests.db.rows import count
from tests.support import free_port, make_docx, make_pdf

VISITOR = Actor.visitor()
GRACE = ApplicationForm("Grace Hopper", "grace@example.org", "", "", "", True)


def applies(job: UUID, form: ApplicationForm = GRACE, data: bytes | None = None, name: str = "Grace CV.pdf"):
    return apply(VISITOR, job, form, Resume(name, data or make_pdf("Grace Hopper")), TrackedSource())


def resume_path(engine, application_id: UUID) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("select resume_path from public.applications where id = :id"),
                            {"id": application_id}).scalar_one()


def test_the_portal_uses_the_bucket_through_the_real_client(supabase_storage):
    store = resume_store()
    assert isinstance(store, SupabaseStore)
    key = store.save(b"%PDF-1.7 one", "pdf", "application/pdf")
    # The private bucket is made once, on first use; the object goes under our own key.
    assert supabase_storage.buckets["resumes"]["public"] is False
    assert supabase_storage.objects == {("resumes", key): (b"%PDF-1.7 one", "application/pdf")}
    assert ("POST", f"/storage/v1/object/resumes/{key}") in supabase_storage.requests
    store.save(b"%PDF-1.7 two", "pdf", "application/pdf")
    assert [r for r in supabase_storage.requests if r == ("POST", "/storage/v1/bucket")] == \
        [("POST", "/storage/v1/bucket")]
    assert store.read(key) == b"%PDF-1.7 one"
    store.delete(key)
    assert ("resumes", key) not in supabase_storage.objects
    with pytest.raises(FileNotFoundError):  # as LocalStore says it
        store.read(key)
    store.delete(key)  # twice is harmless


def test_another_key_than_the_service_key_is_refused(supabase_storage):
    config = storage.settings()
    wrong = SupabaseStore(config.supabase_url, config.supabase_service_key[:-4] + "AAAA", "resumes")
    with pytest.raises(StorageUnavailable):
        wrong.save(b"%PDF-1.7", "pdf", "application/pdf")
    assert supabase_storage.objects == {} and supabase_storage.buckets == {}


def test_a_candidate_applies_and_a_recruiter_downloads_the_same_bytes(people, clean_db, supabase_storage):
    pdf = make_pdf("Grace Hopper, compilers")
    applied = applies(people.job, data=pdf)
    key = resume_path(clean_db, applied.application_id)
    assert key.endswith(".pdf") and "Grace" not in key
    assert supabase_storage.objects == {("resumes", key): (pdf, "application/pdf")}
    file = postings.resume(people.recruiter, applied.application_id)
    assert (file.file_name, file.data, file.content_type) == ("Grace CV.pdf", pdf, "application/pdf")
    assert ("GET", f"/storage/v1/object/resumes/{key}") in supabase_storage.requests
    assert count(clean_db, "public.audit_log where action = 'application.resume_downloaded'") == 1
    # Whoever may not see the application gets no file, and Storage is not even asked.
    asked = len(supabase_storage.requests)
    with pytest.raises(UserFacingError):
        postings.resume(people.alumnus, applied.application_id)
    assert len(supabase_storage.requests) == asked


def test_applying_twice_keeps_one_file(people, supabase_storage):
    applies(people.job)
    again = applies(people.job, data=make_pdf("second"))
    assert not again.created
    assert len(supabase_storage.objects) == 1


def test_an_alumnus_refers_with_a_word_resume(people, clean_db, supabase_storage):
    docx = make_docx("Ada Lovelace")
    done = referring.refer(people.alumnus, referring.ReferralForm(
        full_name="Ada Lovelace", email="ada@example.com", linkedin_url="", job_id=people.job,
        relationship="We worked together.", reason="She writes the best programs.",
        candidate_agreed=True), Resume("ada.docx", docx))
    with clean_db.connect() as conn:
        key = conn.execute(sa.text("select resume_path from public.referrals where id = :id"),
                           {"id": done.referral_id}).scalar_one()
    (content_type,) = {kind for (bucket, name), (_, kind) in supabase_storage.objects.items() if name == key}
    assert supabase_storage.objects[("resumes", key)][0] == docx
    assert content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_erasing_the_candidate_deletes_their_files_from_storage(people, clean_db, supabase_storage):
    grace = applies(people.job)
    other = applies(people.job, replace(GRACE, full_name="Bob Byte", email="bob@example.org"))
    grace_key, bob_key = (resume_path(clean_db, a.application_id) for a in (grace, other))
    erasure = privacy.erase_for(people.admin, "grace@example.org")
    assert erasure.candidates == 1
    assert set(supabase_storage.objects) == {("resumes", bob_key)}
    assert ("DELETE", "/storage/v1/object/resumes") in supabase_storage.requests
    assert count(clean_db, "public.applications where resume_path = :key", key=grace_key) == 0


def test_erasure_with_storage_down_erases_nothing_and_can_be_run_again(people, clean_db, supabase_storage):
    grace = applies(people.job)
    key = resume_path(clean_db, grace.application_id)
    supabase_storage.fail_with = 500
    with pytest.raises(StorageUnavailable, match="try again"):
        privacy.erase_for(people.admin, "grace@example.org")
    # Rolled back whole: the record still points to the file, which is still there.
    assert count(clean_db, "public.candidates where email = 'grace@example.org'") == 1
    assert ("resumes", key) in supabase_storage.objects
    supabase_storage.fail_with = None
    assert privacy.erase_for(people.admin, "grace@example.org").candidates == 1
    assert supabase_storage.objects == {}


@pytest.mark.parametrize("outage", ["500", "unreachable"])
def test_storage_failing_when_applying_says_so_and_saves_nothing(people, clean_db, supabase_storage,
                                                                monkeypatch, caplog, outage):
    config = storage.settings()
    if outage == "500":
        supabase_storage.fail_with = 500
    else:
        gone = replace(config, supabase_url=f"http://127.0.0.1:{free_port()}")
        monkeypatch.setattr(storage, "settings", lambda: gone)
    with caplog.at_level(logging.ERROR, "boomerang.storage"), \
            pytest.raises(StorageUnavailable) as refused:
        applies(people.job)
    message = str(refused.value)
    assert message.startswith("The file store did not answer, so we could not store the résumé")
    assert "try again" in message
    for secret in (config.supabase_service_key, "127.0.0.1", "http"):
        assert secret not in message and secret not in caplog.text
    assert count(clean_db, "public.applications") == 0 and count(clean_db, "public.candidates") == 0
    assert supabase_storage.objects == {}


def test_a_recruiter_is_told_when_storage_cannot_give_the_file(people, supabase_storage):
    applied = applies(people.job)
    supabase_storage.fail_with = 503
    with pytest.raises(StorageUnavailable, match="could not read the résumé"):
        postings.resume(people.recruiter, applied.application_id)


def test_a_refusal_after_the_upload_leaves_no_file(people, clean_db, supabase_storage):
    with pytest.raises(UserFacingError, match="no longer open"):
        applies(people.closed_job)
    assert supabase_storage.objects == {}
    assert count(clean_db, "public.applications") == 0


def test_a_failed_cleanup_keeps_the_users_error(people, supabase_storage, monkeypatch, caplog):
    """Storage going down between the upload and the cleanup: the user still hears why the
    application failed; the orphan's key is logged for an operator."""

    def down(self, key):
        raise StorageUnavailable("down")
    monkeypatch.setattr(SupabaseStore, "delete", down)
    with caplog.at_level(logging.ERROR, "boomerang.storage"), \
            pytest.raises(UserFacingError, match="no longer open"):
        applies(people.closed_job)
    ((_, key),) = supabase_storage.objects
    assert key in caplog.text
