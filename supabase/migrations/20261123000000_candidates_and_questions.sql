-- Candidates' side of the portal: applying without an account (with a résumé and the
-- tracked link that brought them), visits to job pages, public questions with
-- similar-question search, the recruiters' inbox, company facts the answers draw on,
-- and the settings for answer times and data retention.
--
--   visitors and candidates   apply, record a visit, ask a question: each only through a
--                             function below that checks the input, the job and the rate
--                             limits; follow their own application or question by the
--                             private link's token; read published answers, company facts
--   recruiters and admins     read all of it; answer questions; read visits
--   admins                    also keep the company facts and the settings

create extension if not exists pg_trgm with schema extensions;

-- ---------------------------------------------------------------------------
-- Settings an admin keeps (one row).
-- ---------------------------------------------------------------------------
create table public.portal_settings (
  id smallint primary key default 1 check (id = 1),
  answer_target_hours integer not null default 48 check (answer_target_hours between 1 and 720),
  candidate_retention_days integer not null default 365
    check (candidate_retention_days between 30 and 3650),
  updated_at timestamptz not null default now()
);
insert into public.portal_settings (id) values (1);
alter table public.portal_settings enable row level security;

-- Askers are told how soon answers usually come, so everyone reads the settings.
create policy "portal settings: everyone reads" on public.portal_settings
  for select to anon, authenticated using (true);
create policy "portal settings: admins update" on public.portal_settings
  for update to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------
-- Company facts: what drafted answers may draw on besides the job and the FAQ.
-- ---------------------------------------------------------------------------
create table public.company_facts (
  id uuid primary key default gen_random_uuid(),
  topic text not null check (topic in ('benefits', 'process', 'locations', 'culture', 'other')),
  title text not null check (length(title) between 2 and 120),
  body text not null check (length(body) between 2 and 4000),
  updated_at timestamptz not null default now()
);
alter table public.company_facts enable row level security;

create policy "company facts: everyone reads" on public.company_facts
  for select to anon, authenticated using (true);
create policy "company facts: admins write" on public.company_facts
  for all to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------
-- Applications: what came with them and which link brought them.
--   source             utm_source of the tracked link, 'referral' for a referral link,
--                      else 'direct' (the savings report maps it to a hire source)
--   post_id            the social post the tracked link belongs to (job postings issue)
--   follow_token_hash  sha-256 of the private link's token; the token itself is not kept
-- ---------------------------------------------------------------------------
alter table public.applications
  add column utm_medium text check (length(utm_medium) <= 100),
  add column utm_campaign text check (length(utm_campaign) <= 100),
  add column post_id uuid,
  add column referral_code text check (length(referral_code) <= 100),
  add column resume_path text,
  add column resume_name text check (length(resume_name) <= 255),
  add column consent_at timestamptz,
  add column follow_token_hash bytea unique,
  add constraint applications_source_length check (length(source) <= 100),
  add constraint applications_note_length check (length(note) <= 2000);
create index applications_post_idx on public.applications (post_id) where post_id is not null;
create index applications_created_idx on public.applications (created_at desc);

-- updated_at is when the application last moved on: the private link shows it, and the
-- retention period of an unsuccessful candidate runs from it.
create function private.touch_application() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    new.updated_at := now();
  end if;
  return new;
end
$$;
create trigger applications_touch
  before update on public.applications
  for each row execute function private.touch_application();

-- Called as the visitor (or signed-in user) applying. Returns the application and
-- whether it is new; applying twice to the same job with the same email stores nothing.
-- A candidate already on file keeps their name and details: a stranger typing their
-- email must not be able to change them.
create function private.submit_application(
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
begin
  select j.status into job_status from public.jobs j where j.id = p_job for share;
  if job_status is distinct from 'published' then
    raise exception 'This job is no longer open for applications.' using errcode = 'P0002';
  end if;

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
          p_note, p_resume_path, p_resume_name, now(), p_follow_token_hash)
  on conflict (job_id, candidate_id) do nothing
  returning id into application_id;

  created := application_id is not null;
  if not created then
    select a.id into application_id from public.applications a
     where a.job_id = p_job and a.candidate_id = candidate;
  end if;
end
$$;

-- What the private link shows: the job and where the application stands, nothing else.
create function private.application_by_token(p_token_hash bytea)
returns table (job_title text, status public.application_status, applied_at timestamptz,
               updated_at timestamptz, job_id uuid)
language sql stable security definer set search_path = ''
as $$
  select j.title, a.status, a.created_at, a.updated_at, j.id
  from public.applications a join public.jobs j on j.id = a.job_id
  where a.follow_token_hash = p_token_hash
$$;

-- ---------------------------------------------------------------------------
-- Visits to a job's public page, one per browser session, with the link that brought it.
-- ---------------------------------------------------------------------------
create table public.job_visits (
  id bigint generated always as identity primary key,
  job_id uuid not null references public.jobs (id) on delete cascade,
  session_id uuid not null,
  source text not null default 'direct' check (length(source) <= 100),
  utm_medium text check (length(utm_medium) <= 100),
  utm_campaign text check (length(utm_campaign) <= 100),
  post_id uuid,
  visited_at timestamptz not null default now(),
  unique (job_id, session_id)
);
create index job_visits_post_idx on public.job_visits (post_id) where post_id is not null;
create index job_visits_visited_idx on public.job_visits (visited_at);
alter table public.job_visits enable row level security;

create policy "job visits: staff read" on public.job_visits
  for select to authenticated using ((select private.is_staff()));

create function private.record_visit(
  p_job uuid, p_session uuid, p_source text, p_utm_medium text, p_utm_campaign text, p_post uuid
) returns boolean
language sql security definer set search_path = ''
as $$
  with recorded as (
    insert into public.job_visits (job_id, session_id, source, utm_medium, utm_campaign, post_id)
    select j.id, p_session, p_source, p_utm_medium, p_utm_campaign, p_post
    from public.jobs j where j.id = p_job and j.status = 'published'
    on conflict (job_id, session_id) do nothing
    returning 1
  )
  select exists (select 1 from recorded)
$$;

-- ---------------------------------------------------------------------------
-- Questions: searchable, held for review when screened out, merged into an existing
-- answer, followed by the asker through a private link.
-- ---------------------------------------------------------------------------
alter type public.question_status add value if not exists 'merged';

alter table public.questions
  add column held_reason text check (length(held_reason) <= 300),
  add column merged_into uuid references public.questions (id) on delete set null,
  add column follow_token_hash bytea unique,
  add column search tsvector generated always as (
    to_tsvector('english'::regconfig, body || ' ' || coalesce(topic, '') || ' ' || coalesce(answer, ''))
  ) stored,
  add constraint questions_answer_length check (length(answer) <= 8000),
  add constraint questions_topic_length check (length(topic) <= 80);
create index questions_search_idx on public.questions using gin (search);
-- Nearest questions by trigram word similarity (similar-question suggestions).
create index questions_body_trgm_idx on public.questions using gist (body extensions.gist_trgm_ops)
  where status = 'published';
create index questions_published_idx on public.questions (topic, answered_at desc)
  where status = 'published';

-- Questions come in through private.ask_question only, which applies the rate limits.
drop policy "questions: anyone asks, as themselves" on public.questions;
revoke insert on public.questions from anon, authenticated;

-- Who asked how often recently: keys are hashes of the browser session and the address.
create table private.question_rate (
  key text not null,
  asked_at timestamptz not null default now()
);
create index question_rate_key_idx on private.question_rate (key, asked_at);

create function private.ask_question(
  p_job uuid, p_body text, p_email text, p_held_reason text,
  p_session_key text, p_address_key text, p_follow_token_hash bytea,
  p_session_limit integer, p_address_limit integer
) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  question uuid;
  me uuid := (select auth.uid());
begin
  -- One asker at a time per address, so that parallel requests cannot slip past the count.
  perform pg_advisory_xact_lock(hashtextextended('boomerang ask ' || p_address_key, 0));
  delete from private.question_rate where asked_at < now() - interval '1 day';
  if (select count(*) from private.question_rate
       where key = p_session_key and asked_at > now() - interval '1 hour') >= p_session_limit
     or (select count(*) from private.question_rate
          where key = p_address_key and asked_at > now() - interval '1 hour') >= p_address_limit then
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
  if me is not null or p_email is not null then
    insert into public.question_askers (question_id, user_id, email) values (question, me, lower(p_email));
  end if;
  return question;
end
$$;

-- What the asker's private link shows: their question and, once given, its answer
-- (a merged question shows the answer it was merged into).
create function private.question_by_token(p_token_hash bytea)
returns table (body text, status public.question_status, answer text, answered_at timestamptz,
               asked_at timestamptz, job_title text)
language sql stable security definer set search_path = ''
as $$
  select q.body,
         q.status,
         -- status compared as text: 'merged' is new in this file, and an enum value
         -- added in a transaction cannot be used as one until it commits
         case when q.status::text = 'merged' then m.answer
              when q.status::text in ('published', 'answered_privately') then q.answer end,
         coalesce(m.answered_at, q.answered_at),
         q.created_at,
         j.title
  from public.questions q
  left join public.questions m on m.id = q.merged_into and q.status::text = 'merged'
  left join public.jobs j on j.id = q.job_id
  where q.follow_token_hash = p_token_hash
$$;

-- ---------------------------------------------------------------------------
-- Privileges.
-- ---------------------------------------------------------------------------
revoke all on public.portal_settings, public.company_facts, public.job_visits from anon, authenticated;
grant select on public.portal_settings, public.company_facts to anon;
grant select, update on public.portal_settings to authenticated;
grant select, insert, update, delete on public.company_facts to authenticated;
grant select on public.job_visits to authenticated;
grant all on public.portal_settings, public.company_facts, public.job_visits to service_role;

revoke all on function private.submit_application(uuid, text, text, text, text, text, text, text,
  text, uuid, text, text, text, bytea), private.application_by_token(bytea),
  private.record_visit(uuid, uuid, text, text, text, uuid),
  private.ask_question(uuid, text, text, text, text, text, bytea, integer, integer),
  private.question_by_token(bytea) from public;
grant execute on function private.submit_application(uuid, text, text, text, text, text, text, text,
  text, uuid, text, text, text, bytea), private.application_by_token(bytea),
  private.record_visit(uuid, uuid, text, text, text, uuid),
  private.ask_question(uuid, text, text, text, text, text, bytea, integer, integer),
  private.question_by_token(bytea) to anon, authenticated;
