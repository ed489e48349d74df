-- Candidates across jobs (issue 16): one table of every application, searched by name or
-- email and filtered by job, stage and source; a profile per person; and candidates a
-- recruiter adds by hand (from an agency, an internal move, a job board...).
--
--   search       a trigram index on the candidate's name and email, so a typed part of either
--                finds its people without reading every candidate; staff reach it through
--                private.candidates_matching (row-level security would otherwise check its
--                policy before the search, which then cannot use the index: 12 s at 10^6).
--   newest       the table's order (newest first, then by id) read straight from an index: the
--                index on created_at alone left every application of the same moment to sort
--                (3,334 rows for the first page where a day's applications share a time).
--   source       applications by source, newest first: the source filter's first page, and
--                the list of sources in use (a skip scan of the same index).
--   by hand      private.add_candidate(job, name, email, linkedin, source, agency, fee): staff
--                only (it asks private.is_staff() itself), it checks every field again, finds
--                the person by email or adds them, and adds their application to the job with
--                its source; one audit entry. An agency's name and fee are kept beside the
--                application in public.application_agencies (staff read it; only the
--                function writes it), never on the application, which its candidate reads.
--   same person  a profile names the other candidates with the same LinkedIn profile (one
--                person under two emails), found by an index on the address.
--   questions    a profile lists the questions asked with the person's email: an index on the
--                askers' emails finds them without reading every asker.
--   the fee      when that application is hired, private.record_portal_hire gives the hire the
--                agency as its channel and the fee as its agency_fee, so the savings report
--                counts what the hire cost.

create index candidates_search_idx on public.candidates
  using gin ((full_name || ' ' || email) extensions.gin_trgm_ops);

drop index public.applications_created_idx;
create index applications_created_idx on public.applications (created_at desc, id);

-- The candidates whose name or email matches `pattern` (an ILIKE pattern), for staff; nobody
-- else gets any.
create function private.candidates_matching(pattern text) returns setof uuid
language sql stable security definer set search_path = '' rows 100
as $$
  select c.id from public.candidates c
  where (select private.is_staff()) and (c.full_name || ' ' || c.email) ilike pattern
$$;
revoke all on function private.candidates_matching(text) from public, anon;
grant execute on function private.candidates_matching(text) to authenticated;

create index applications_source_created_idx on public.applications (source, created_at desc, id);

-- (equality only: under row-level security an index is used for a leakproof comparison alone)
create index candidates_linkedin_idx on public.candidates (linkedin_url) where linkedin_url is not null;

create index question_askers_email_idx on public.question_askers (email) where email is not null;

create table public.application_agencies (
  application_id uuid primary key references public.applications (id) on delete cascade,
  agency_name text not null check (length(btrim(agency_name)) between 1 and 120),
  agency_fee numeric(12,2) not null check (agency_fee >= 0),
  added_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now()
);
create index application_agencies_added_by_idx on public.application_agencies (added_by);
alter table public.application_agencies enable row level security;
create policy "application agencies: staff read" on public.application_agencies
  for select to authenticated using ((select private.is_staff()));
revoke all on public.application_agencies from anon, authenticated;
grant select on public.application_agencies to authenticated;
grant all on public.application_agencies to service_role;

create function private.add_candidate(
  p_job uuid, p_full_name text, p_email text, p_linkedin_url text, p_source text,
  p_agency text, p_agency_fee numeric,
  out application_id uuid, out candidate_id uuid, out new_person boolean
) returns record
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  job_status public.job_status;
  v_name text := btrim(regexp_replace(coalesce(p_full_name, ''), '\s+', ' ', 'g'));
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_linkedin text := nullif(btrim(coalesce(p_linkedin_url, '')), '');
  v_agency text := nullif(btrim(coalesce(p_agency, '')), '');
begin
  if not (select private.is_staff()) then
    raise exception 'Only recruiters and admins can add candidates.' using errcode = '42501';
  end if;
  select j.status into job_status from public.jobs j where j.id = p_job for share;
  if job_status is null then
    raise exception 'Choose the job they are a candidate for.' using errcode = 'P0001';
  end if;
  if job_status = 'closed' then
    raise exception 'That job is closed; add the candidate to an open one.' using errcode = 'P0001';
  end if;
  if v_name = '' or length(v_name) > 120 or v_name ~ '[[:cntrl:]]' then
    raise exception 'Enter their name (at most 120 characters).' using errcode = 'P0001';
  end if;
  if v_email !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$'
     or length(v_email) > 254 then
    raise exception 'Enter their email address.' using errcode = 'P0001';
  end if;
  if v_linkedin is not null and (length(v_linkedin) > 300
      or v_linkedin !~ '^https://([a-z0-9-]+\.)*linkedin\.com/[^[:space:][:cntrl:]]+$') then
    raise exception 'The LinkedIn address is not a LinkedIn profile address.' using errcode = 'P0001';
  end if;
  if p_source is null or p_source not in ('agency', 'internal', 'job_board', 'social', 'direct') then
    raise exception 'Choose where the candidate comes from.' using errcode = 'P0001';
  end if;
  if p_source = 'agency' then
    if v_agency is null or length(v_agency) > 120 or v_agency ~ '[[:cntrl:]]' then
      raise exception 'Name the agency (at most 120 characters).' using errcode = 'P0001';
    end if;
    if p_agency_fee is null or p_agency_fee < 0 or p_agency_fee > 9999999999.99 then
      raise exception 'Enter the agency''s fee: a number from 0 to 9,999,999,999.99.' using errcode = 'P0001';
    end if;
  elsif v_agency is not null or p_agency_fee is not null then
    raise exception 'An agency and its fee go with an agency''s candidate only.' using errcode = 'P0001';
  end if;

  insert into public.candidates (full_name, email, linkedin_url)
  values (v_name, v_email, v_linkedin)
  on conflict ((lower(email))) do nothing
  returning id into candidate_id;
  new_person := candidate_id is not null;
  if not new_person then
    select c.id into candidate_id from public.candidates c where lower(c.email) = v_email;
    update public.candidates c set linkedin_url = coalesce(c.linkedin_url, v_linkedin)
     where c.id = candidate_id and c.linkedin_url is null and v_linkedin is not null;
  end if;

  insert into public.applications (job_id, candidate_id, source)
  values (p_job, candidate_id, p_source)
  on conflict on constraint applications_job_id_candidate_id_key do nothing
  returning id into application_id;
  if application_id is null then
    raise exception 'This person (%) is already a candidate for this job.', v_email using errcode = 'P0001';
  end if;
  if p_source = 'agency' then
    insert into public.application_agencies (application_id, agency_name, agency_fee, added_by)
    values (application_id, v_agency, round(p_agency_fee, 2), me);
  end if;
  insert into public.audit_log (actor_id, action, subject_type, subject_id, details)
  values (me, 'application.added_by_hand', 'application', application_id::text,
          jsonb_strip_nulls(jsonb_build_object('source', p_source, 'agency', v_agency,
                                               'new_person', new_person)));
end
$$;
revoke all on function private.add_candidate(uuid, text, text, text, text, text, numeric) from public, anon;
grant execute on function private.add_candidate(uuid, text, text, text, text, text, numeric) to authenticated;

-- A hire from an agency's candidate carries the agency and its fee (the rest as before).
create or replace function private.record_portal_hire(p_candidate uuid, p_job uuid, p_application uuid, p_referral uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  existing uuid;
  job public.jobs%rowtype;
  referral public.referrals%rowtype;
  application public.applications%rowtype;
  agency public.application_agencies%rowtype;
  source_kind public.hire_source;
  source_channel text;
  credited boolean;
begin
  -- One hire per person and job even when their application and their referral are
  -- marked hired at the same moment.
  perform private.lock_hire_of(p_candidate, p_job);
  select h.id into existing from public.hires h
  where (p_application is not null and h.application_id = p_application)
     or (p_referral is not null and h.referral_id = p_referral)
     or (h.candidate_id = p_candidate and h.job_id is not distinct from p_job)
  limit 1;
  if existing is not null then
    update public.hires set
      application_id = coalesce(application_id, p_application),
      referral_id = coalesce(referral_id, p_referral)
    where id = existing;
    return;
  end if;

  select * into job from public.jobs where id = p_job;
  -- The person's application to this job, hired or not, and the referral in question
  -- (or, for an application, the person's first referral to this job).
  select a.* into application from public.applications a
  where a.candidate_id = p_candidate and a.job_id = p_job;
  if p_referral is not null then
    select * into referral from public.referrals where id = p_referral;
  elsif p_job is not null then
    select r.* into referral from public.referrals r
    where r.candidate_id = p_candidate and r.job_id = p_job
    order by r.created_at limit 1;
  end if;
  -- A referral earns the hire only if it came before the application (PRODUCT.md: a
  -- candidate who applied directly before being referred is not the referrer's), whichever
  -- of the two is marked hired first.
  credited := referral.id is not null
    and (application.id is null or referral.created_at <= application.created_at);

  if credited then
    source_kind := 'referral';
  elsif application.id is not null then
    select s.kind, s.channel into source_kind, source_channel
    from private.hire_source_of(application.source) s;
  end if;
  -- An agency's candidate: the agency is the channel, its fee a cost of the hire (paid
  -- even when a referral is credited).
  if application.id is not null then
    select * into agency from public.application_agencies g where g.application_id = application.id;
    if agency.application_id is not null and not credited then
      source_channel := agency.agency_name;
    end if;
  end if;

  insert into public.hires (hire_date, job_id, job_title, department, source, channel,
    first_year_salary, currency, referral_bonus, agency_fee, application_id, referral_id, candidate_id)
  values (
    current_date, p_job, coalesce(job.title, 'Open application'),
    coalesce(job.department, 'Unassigned'), coalesce(source_kind, 'direct'), source_channel,
    coalesce((job.salary_min + job.salary_max) / 2, job.salary_max, job.salary_min, 0),
    upper(coalesce(job.currency, 'USD')),
    case when credited then coalesce(referral.reward_amount, job.referral_bonus, 0) else 0 end,
    coalesce(agency.agency_fee, 0),
    p_application, case when credited or p_referral is not null then referral.id end, p_candidate);
end
$$;
revoke all on function private.record_portal_hire(uuid, uuid, uuid, uuid) from public;
