-- Functions a visitor's request reaches no longer trust what only the server may know
-- (security review, issue 17, finding 6).
--
--   asking a question   The rate limits are constants here. The screening verdict and the
--                       rate-limit keys (hashes of the browser session and the address) are
--                       the server's to give: a caller of the Data API could name any key
--                       and any verdict, so private.ask_question runs for the server only,
--                       which passes the asker it signed in.
--   résumés             The server records each file it stores in private.resume_uploads;
--                       applying and referring claim one of those once, so no caller can
--                       point an application at another candidate's file.

-- ---------------------------------------------------------------------------
-- Asking: for the server only.
-- ---------------------------------------------------------------------------
drop function private.ask_question(uuid, text, text, text, text, text, bytea, integer, integer);

create function private.ask_question(
  p_asker uuid, p_job uuid, p_body text, p_email text, p_held_reason text,
  p_session_key text, p_address_key text, p_follow_token_hash bytea
) returns uuid
language plpgsql set search_path = ''
as $$
declare
  -- Questions an hour from one browser session, and from one address (an office may share one).
  session_limit constant integer := 5;
  address_limit constant integer := 20;
  question uuid;
begin
  -- One asker at a time per address, so that parallel requests cannot slip past the count.
  perform pg_advisory_xact_lock(hashtextextended('boomerang ask ' || p_address_key, 0));
  delete from private.question_rate where asked_at < now() - interval '1 day';
  if (select count(*) from private.question_rate
       where key = p_session_key and asked_at > now() - interval '1 hour') >= session_limit
     or (select count(*) from private.question_rate
          where key = p_address_key and asked_at > now() - interval '1 hour') >= address_limit then
    raise exception 'You have asked several questions in a short time. Please wait an hour and ask again.'
      using errcode = 'P0003';
  end if;
  if p_job is not null and not exists (
    select 1 from public.jobs j where j.id = p_job and j.status in ('published', 'closed')
  ) then
    raise exception 'That job is not on the board.' using errcode = 'P0002';
  end if;
  insert into private.question_rate (key) values (p_session_key), (p_address_key);
  insert into public.questions (job_id, body, held_reason, follow_token_hash)
  values (p_job, p_body, p_held_reason, p_follow_token_hash)
  returning id into question;
  if p_asker is not null or p_email is not null then
    insert into public.question_askers (question_id, user_id, email)
    values (question, p_asker, lower(p_email));
  end if;
  return question;
end
$$;
revoke all on function private.ask_question(uuid, uuid, text, text, text, text, text, bytea)
  from public, anon, authenticated;

-- ---------------------------------------------------------------------------
-- Résumés: only files the server stored, each attached once.
-- ---------------------------------------------------------------------------
create table private.resume_uploads (
  path text primary key check (path ~ '^[0-9a-f]{32}\.(pdf|docx)$'),
  uploaded_at timestamptz not null default now()
);
revoke all on private.resume_uploads from public, anon, authenticated;

-- The stored file `p_path` names, taken off the list of unattached uploads (null for none).
-- Uploads not attached within a day belong to forms that failed; they are forgotten.
create function private.claim_resume_upload(p_path text) returns text
language plpgsql set search_path = ''
as $$
declare
  claimed text;
begin
  if p_path is null then
    return null;
  end if;
  delete from private.resume_uploads where uploaded_at < now() - interval '1 day';
  delete from private.resume_uploads u where u.path = p_path returning u.path into claimed;
  if claimed is null then
    raise exception 'The résumé you uploaded was not found. Choose the file again and send the form once more.'
      using errcode = 'P0001';
  end if;
  return claimed;
end
$$;
revoke all on function private.claim_resume_upload(text) from public, anon, authenticated;

-- As before, but the résumé is claimed from the server's uploads.
create or replace function private.submit_application(
  p_job uuid, p_full_name text, p_email text, p_phone text, p_linkedin_url text, p_note text,
  p_source text, p_utm_medium text, p_utm_campaign text, p_post uuid, p_referral_code text,
  p_resume_path text, p_resume_name text, p_follow_token_hash bytea,
  out application_id uuid, out created boolean
)
language plpgsql security definer set search_path = ''
as $$
declare
  job_status public.job_status;
  candidate uuid;
  me uuid := (select auth.uid());
  my_email text := lower(coalesce((select auth.jwt()) ->> 'email', ''));
  resume_path text;
begin
  select j.status into job_status from public.jobs j where j.id = p_job for share;
  if job_status is distinct from 'published' then
    raise exception 'This job is no longer open for applications.' using errcode = 'P0002';
  end if;
  resume_path := private.claim_resume_upload(p_resume_path);

  insert into public.candidates (full_name, email, phone, linkedin_url, user_id)
  values (p_full_name, lower(p_email), p_phone, p_linkedin_url,
          case when me is not null and my_email = lower(p_email) then me end)
  on conflict ((lower(email))) do nothing
  returning id into candidate;
  if candidate is null then
    select c.id into candidate from public.candidates c where lower(c.email) = lower(p_email);
    update public.candidates c
       set phone = coalesce(c.phone, p_phone),
           linkedin_url = coalesce(c.linkedin_url, p_linkedin_url),
           user_id = coalesce(c.user_id,
                              case when me is not null and my_email = lower(p_email) then me end)
     where c.id = candidate;
  end if;

  insert into public.applications (job_id, candidate_id, source, utm_medium, utm_campaign,
    post_id, referral_code, note, resume_path, resume_name, consent_at, follow_token_hash)
  values (p_job, candidate, p_source, p_utm_medium, p_utm_campaign, p_post, p_referral_code,
          p_note, resume_path, case when resume_path is not null then p_resume_name end, now(),
          p_follow_token_hash)
  on conflict (job_id, candidate_id) do nothing
  returning id into application_id;

  created := application_id is not null;
  if not created then
    select a.id into application_id from public.applications a
     where a.job_id = p_job and a.candidate_id = candidate;
  end if;
end
$$;

create or replace function private.submit_referral(
  p_full_name text, p_email text, p_linkedin_url text, p_job uuid, p_relationship text,
  p_reason text, p_resume_path text, p_resume_name text, p_agreed boolean,
  out referral_id uuid, out outcome text, out owner_referral_id uuid
)
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  ignored uuid;
  resume_path text;
begin
  if not private.is_referrer(me) then
    raise exception 'Only alumni and employees can refer someone.' using errcode = '42501';
  end if;
  if not coalesce(p_agreed, false) then
    raise exception 'Please confirm that the candidate agreed to be referred.' using errcode = '23514';
  end if;
  if p_job is not null and not exists (
    select 1 from public.jobs j where j.id = p_job and j.status = 'published'
  ) then
    raise exception 'That job is no longer open. Choose another or "Open to anything".'
      using errcode = 'P0002';
  end if;
  if lower(btrim(p_email)) = lower((select p.email from public.profiles p where p.id = me)) then
    raise exception 'You cannot refer yourself.' using errcode = '23514';
  end if;
  resume_path := private.claim_resume_upload(p_resume_path);
  select r.referral_id, r.outcome, r.owner_referral_id, r.candidate_id
    into referral_id, outcome, owner_referral_id, ignored
  from private.record_referral(me, p_full_name, p_email, p_linkedin_url, p_job, p_relationship,
                               p_reason, resume_path,
                               case when resume_path is not null then p_resume_name end,
                               true, 'form', null) r;
end
$$;
