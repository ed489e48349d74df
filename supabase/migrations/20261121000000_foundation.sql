-- Boomerang foundation: profiles and roles, the company, jobs, candidates, applications,
-- referrals, questions, hires and the audit log, each with row-level security.
--
-- Who may do what is decided here, not in page code:
--   visitors (anon)       read the company, published and closed jobs, published answers;
--                         ask questions
--   candidates            + their own profile, candidate record, applications and questions
--   alumni and employees  + their own referrals and the candidates they referred
--                         (submitting referrals comes with the referral programme)
--   recruiters            read and manage jobs, candidates, applications, referrals,
--                         questions, hires; read profiles and the audit log
--   admins                what recruiters may, plus users' roles and the company profile
-- A deactivated user keeps none of this: every "own rows" rule also asks is_active().

-- Helper functions live in a schema the API does not expose.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated;

create type public.app_role as enum ('candidate', 'alumnus', 'employee', 'recruiter', 'admin');

-- ---------------------------------------------------------------------------
-- Profiles: one per auth user, created by a trigger on auth.users.
-- ---------------------------------------------------------------------------
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  full_name text not null default '',
  role public.app_role not null default 'candidate',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index profiles_email_key on public.profiles (lower(email));
create index profiles_role_idx on public.profiles (role);
alter table public.profiles enable row level security;

-- Roles given before the account exists (admin's "add user", Supabase invitations).
create table public.invitations (
  email text primary key check (email = lower(email)),
  role public.app_role not null,
  full_name text not null default '',
  invited_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '14 days'
);
alter table public.invitations enable row level security;

create function private.my_role() returns public.app_role
language sql stable security definer set search_path = ''
as $$
  select p.role from public.profiles p where p.id = (select auth.uid()) and p.active
$$;

create function private.is_staff() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce((select private.my_role()) in ('recruiter', 'admin'), false)
$$;

create function private.is_active() returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p where p.id = (select auth.uid()) and p.active)
$$;

create function private.is_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce((select private.my_role()) = 'admin', false)
$$;

revoke all on function private.my_role(), private.is_staff(), private.is_admin(),
  private.is_active() from public;
grant execute on function private.my_role(), private.is_staff(), private.is_admin(),
  private.is_active() to anon, authenticated;

create function private.handle_new_user() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  invite public.invitations;
begin
  -- An invitation is used once, and only while it is valid.
  delete from public.invitations
   where email = lower(new.email) and expires_at > now()
  returning * into invite;
  insert into public.profiles (id, email, full_name, role)
  values (
    new.id,
    lower(new.email),
    coalesce(nullif(invite.full_name, ''), new.raw_user_meta_data ->> 'full_name', ''),
    coalesce(invite.role, 'candidate')
  );
  return new;
end
$$;
revoke all on function private.handle_new_user() from public;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

-- Nobody changes their own role or deactivates themselves, and one active admin remains.
create function private.guard_profile_update() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.id = (select auth.uid())
     and (new.role is distinct from old.role or new.active is distinct from old.active) then
    raise exception 'You cannot change your own role or deactivate yourself.'
      using errcode = '42501';
  end if;
  if old.role = 'admin' and old.active and (new.role <> 'admin' or not new.active) then
    -- Two admins demoting each other at once: the second waits and then sees the first.
    perform pg_advisory_xact_lock(hashtext('boomerang: last admin'));
  end if;
  if old.role = 'admin' and old.active and (new.role <> 'admin' or not new.active)
     and not exists (
       select 1 from public.profiles p where p.role = 'admin' and p.active and p.id <> old.id
     ) then
    raise exception 'The portal needs at least one active admin.' using errcode = '23514';
  end if;
  new.updated_at := now();
  return new;
end
$$;

create trigger guard_profile_update
  before update on public.profiles
  for each row execute function private.guard_profile_update();

create policy "profiles: own, or all for staff" on public.profiles
  for select to authenticated
  using ((id = (select auth.uid()) and (select private.is_active())) or (select private.is_staff()));

create policy "profiles: admins update" on public.profiles
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy "invitations: admins manage" on public.invitations
  for all to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------
-- Sign-in back-off, per email address (owner only; never exposed).
-- ---------------------------------------------------------------------------
create table private.sign_in_failures (
  email text primary key,
  failures integer not null default 0,
  last_failure_at timestamptz not null default now(),
  locked_until timestamptz
);

-- Magic links waiting to come back (Supabase sign-in): the PKCE code verifier,
-- found again by the nonce in the link, whichever browser session opens it.
create table private.pending_sign_in_links (
  nonce text primary key,
  email text not null,
  code_verifier text not null,
  created_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------
-- The company (one row).
-- ---------------------------------------------------------------------------
create table public.company (
  id smallint primary key default 1 check (id = 1),
  name text not null,
  tagline text not null default '',
  about text not null default '',
  website text,
  updated_at timestamptz not null default now()
);
alter table public.company enable row level security;

create policy "company: everyone reads" on public.company
  for select to anon, authenticated using (true);
create policy "company: admins write" on public.company
  for all to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------
-- Jobs.
-- ---------------------------------------------------------------------------
create type public.job_status as enum ('draft', 'in_review', 'approved', 'published', 'closed');

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 2 and 200),
  department text not null,
  location text not null,
  remote_policy text not null default 'onsite'
    check (remote_policy in ('onsite', 'hybrid', 'remote')),
  employment_type text not null default 'full_time'
    check (employment_type in ('full_time', 'part_time', 'contract', 'internship', 'temporary')),
  salary_min numeric(12, 2) check (salary_min >= 0),
  salary_max numeric(12, 2),
  currency char(3) not null default 'USD',
  description text not null default '',
  hiring_manager text,
  owner_id uuid references public.profiles (id) on delete set null,
  referral_bonus numeric(10, 2) check (referral_bonus >= 0),
  status public.job_status not null default 'draft',
  target_start_date date,
  close_reason text check (close_reason in ('filled', 'cancelled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  closed_at timestamptz,
  check (salary_min is null or salary_max is null or salary_min <= salary_max)
);
create index jobs_status_published_idx on public.jobs (status, published_at desc);
create index jobs_department_idx on public.jobs (department);
create index jobs_owner_idx on public.jobs (owner_id);
alter table public.jobs enable row level security;

create policy "jobs: public ones for everyone, all for staff" on public.jobs
  for select to anon, authenticated
  using (status in ('published', 'closed') or (select private.is_staff()));
create policy "jobs: staff insert" on public.jobs
  for insert to authenticated with check ((select private.is_staff()));
create policy "jobs: staff update" on public.jobs
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "jobs: staff delete" on public.jobs
  for delete to authenticated using ((select private.is_staff()));

-- ---------------------------------------------------------------------------
-- Candidates and their applications.
-- ---------------------------------------------------------------------------
create table public.candidates (
  id uuid primary key default gen_random_uuid(),
  full_name text not null,
  email text not null,
  phone text,
  linkedin_url text,
  user_id uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now()
);
create unique index candidates_email_key on public.candidates (lower(email));
create index candidates_user_idx on public.candidates (user_id);
alter table public.candidates enable row level security;

create type public.application_status as enum
  ('new', 'reviewing', 'interviewing', 'offer', 'hired', 'rejected', 'withdrawn');

create table public.applications (
  id uuid primary key default gen_random_uuid(),
  job_id uuid not null references public.jobs (id) on delete cascade,
  candidate_id uuid not null references public.candidates (id) on delete cascade,
  status public.application_status not null default 'new',
  source text not null default 'direct',
  note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (job_id, candidate_id)
);
create index applications_candidate_idx on public.applications (candidate_id);
create index applications_status_idx on public.applications (status);
alter table public.applications enable row level security;

-- ---------------------------------------------------------------------------
-- Referrals.
-- ---------------------------------------------------------------------------
create type public.referral_stage as enum
  ('submitted', 'reviewing', 'interviewing', 'offer', 'hired', 'not_selected');

create table public.referrals (
  id uuid primary key default gen_random_uuid(),
  referrer_id uuid not null references public.profiles (id) on delete cascade,
  candidate_id uuid not null references public.candidates (id) on delete cascade,
  job_id uuid references public.jobs (id) on delete set null,
  relationship text not null default '',
  reason text not null default '',
  stage public.referral_stage not null default 'submitted',
  reward_amount numeric(10, 2) check (reward_amount >= 0),
  reward_paid_at timestamptz,
  created_at timestamptz not null default now(),
  stage_changed_at timestamptz not null default now()
);
create index referrals_referrer_idx on public.referrals (referrer_id, created_at desc);
create index referrals_candidate_idx on public.referrals (candidate_id);
create index referrals_stage_idx on public.referrals (stage, created_at desc);
create index referrals_job_idx on public.referrals (job_id);
alter table public.referrals enable row level security;

create policy "candidates: staff, the candidate, and who referred them" on public.candidates
  for select to authenticated
  using (
    (select private.is_staff())
    or (
      (select private.is_active())
      and (
        user_id = (select auth.uid())
        or exists (
          select 1 from public.referrals r
          where r.candidate_id = candidates.id and r.referrer_id = (select auth.uid())
        )
      )
    )
  );
create policy "candidates: staff insert" on public.candidates
  for insert to authenticated with check ((select private.is_staff()));
create policy "candidates: staff update" on public.candidates
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "candidates: staff delete" on public.candidates
  for delete to authenticated using ((select private.is_staff()));

create policy "applications: staff, and the candidate's own" on public.applications
  for select to authenticated
  using (
    (select private.is_staff())
    or (
      (select private.is_active())
      and candidate_id in (select c.id from public.candidates c where c.user_id = (select auth.uid()))
    )
  );
create policy "applications: staff insert" on public.applications
  for insert to authenticated with check ((select private.is_staff()));
create policy "applications: staff update" on public.applications
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "applications: staff delete" on public.applications
  for delete to authenticated using ((select private.is_staff()));

create policy "referrals: staff, and the referrer's own" on public.referrals
  for select to authenticated
  using (
    (select private.is_staff())
    or (referrer_id = (select auth.uid()) and (select private.is_active()))
  );
-- Alumni and employees will submit referrals through a function that also records the
-- candidate (the referral programme); a plain insert could name any existing candidate.
create policy "referrals: staff insert" on public.referrals
  for insert to authenticated with check ((select private.is_staff()));
create policy "referrals: staff update" on public.referrals
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "referrals: staff delete" on public.referrals
  for delete to authenticated using ((select private.is_staff()));

-- ---------------------------------------------------------------------------
-- Questions and answers. Who asked (account and email) lives apart, so that
-- publishing an answer never publishes who asked.
-- ---------------------------------------------------------------------------
create type public.question_status as enum ('pending', 'published', 'answered_privately', 'rejected');

create table public.questions (
  id uuid primary key default gen_random_uuid(),
  job_id uuid references public.jobs (id) on delete set null,
  body text not null check (length(body) between 5 and 2000),
  topic text,
  status public.question_status not null default 'pending',
  answer text,
  answered_by uuid references public.profiles (id) on delete set null,
  answered_at timestamptz,
  created_at timestamptz not null default now()
);
create index questions_status_created_idx on public.questions (status, created_at);
create index questions_job_idx on public.questions (job_id);
alter table public.questions enable row level security;

create table public.question_askers (
  question_id uuid primary key references public.questions (id) on delete cascade,
  user_id uuid references public.profiles (id) on delete set null,
  email text,
  check (user_id is not null or email is not null)
);
create index question_askers_user_idx on public.question_askers (user_id);
alter table public.question_askers enable row level security;

create policy "questions: visitors read published" on public.questions
  for select to anon using (status = 'published');
create policy "questions: published, own for askers, all for staff" on public.questions
  for select to authenticated
  using (
    status = 'published'
    or (select private.is_staff())
    or (
      (select private.is_active())
      and exists (
        select 1 from public.question_askers a
        where a.question_id = questions.id and a.user_id = (select auth.uid())
      )
    )
  );
create policy "questions: anyone asks, as themselves" on public.questions
  for insert to anon, authenticated
  with check (
    status = 'pending'
    and answer is null
    and answered_by is null
    and answered_at is null
  );
create policy "questions: staff update" on public.questions
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "questions: staff delete" on public.questions
  for delete to authenticated using ((select private.is_staff()));

create policy "question askers: staff, and askers their own" on public.question_askers
  for select to authenticated
  using (
    (select private.is_staff())
    or (user_id = (select auth.uid()) and (select private.is_active()))
  );
create policy "question askers: staff insert" on public.question_askers
  for insert to authenticated with check ((select private.is_staff()));
create policy "question askers: staff update" on public.question_askers
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "question askers: staff delete" on public.question_askers
  for delete to authenticated using ((select private.is_staff()));

-- ---------------------------------------------------------------------------
-- Hires, with their source and what each cost.
-- ---------------------------------------------------------------------------
create type public.hire_source as enum
  ('referral', 'social', 'job_board', 'career_site', 'agency', 'direct', 'internal');

create table public.hires (
  id uuid primary key default gen_random_uuid(),
  hire_date date not null,
  job_id uuid references public.jobs (id) on delete set null,
  job_title text not null,
  department text not null,
  source public.hire_source not null,
  channel text,
  first_year_salary numeric(12, 2) not null check (first_year_salary >= 0),
  currency char(3) not null default 'USD',
  referral_bonus numeric(12, 2) not null default 0 check (referral_bonus >= 0),
  ad_spend numeric(12, 2) not null default 0 check (ad_spend >= 0),
  job_board_fee numeric(12, 2) not null default 0 check (job_board_fee >= 0),
  agency_fee numeric(12, 2) not null default 0 check (agency_fee >= 0),
  other_cost numeric(12, 2) not null default 0 check (other_cost >= 0),
  referral_id uuid references public.referrals (id) on delete set null,
  application_id uuid references public.applications (id) on delete set null,
  created_at timestamptz not null default now()
);
create index hires_date_idx on public.hires (hire_date);
alter table public.hires enable row level security;

create policy "hires: staff read" on public.hires
  for select to authenticated using ((select private.is_staff()));
create policy "hires: staff insert" on public.hires
  for insert to authenticated with check ((select private.is_staff()));
create policy "hires: staff update" on public.hires
  for update to authenticated
  using ((select private.is_staff())) with check ((select private.is_staff()));
create policy "hires: staff delete" on public.hires
  for delete to authenticated using ((select private.is_staff()));

-- ---------------------------------------------------------------------------
-- Audit log: append-only, each entry written as the acting user.
-- ---------------------------------------------------------------------------
create table public.audit_log (
  id bigint generated always as identity primary key,
  actor_id uuid references public.profiles (id) on delete set null default auth.uid(),
  action text not null,
  subject_type text not null,
  subject_id text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_subject_idx on public.audit_log (subject_type, subject_id);
alter table public.audit_log enable row level security;

create policy "audit log: staff read" on public.audit_log
  for select to authenticated using ((select private.is_staff()));
create policy "audit log: users append as themselves" on public.audit_log
  for insert to authenticated
  with check (actor_id = (select auth.uid()) and (select private.is_active()));

-- ---------------------------------------------------------------------------
-- Table privileges. Row-level security decides which rows; these decide which
-- statements a role may try at all (and keep TRUNCATE, which RLS does not cover,
-- away from API roles).
-- ---------------------------------------------------------------------------
-- The tables are named, never "all tables in schema public": on a shared Supabase project
-- the schema may hold other applications' tables, whose privileges are not ours to change.
revoke all on public.profiles, public.invitations, public.company, public.jobs, public.candidates,
  public.applications, public.referrals, public.questions, public.question_askers, public.hires,
  public.audit_log from anon, authenticated;
grant select on public.company, public.jobs, public.questions to anon;
grant insert on public.questions to anon;
grant select, insert, update, delete on public.profiles, public.invitations, public.company,
  public.jobs, public.candidates, public.applications, public.referrals, public.questions,
  public.question_askers, public.hires, public.audit_log to authenticated;
-- The audit log is append-only, and its author and time are not the writer's to choose.
revoke insert, update, delete on public.audit_log from authenticated;
grant insert (action, subject_type, subject_id, details) on public.audit_log to authenticated;
grant usage on sequence public.audit_log_id_seq to authenticated;
grant all on public.profiles, public.invitations, public.company, public.jobs, public.candidates,
  public.applications, public.referrals, public.questions, public.question_askers, public.hires,
  public.audit_log to service_role;
