-- Referring someone: alumni and employees submit referrals, a candidate belongs to the first
-- referrer for an ownership period, later referrals are kept as duplicates, and personal
-- referral links turn applications into referrals.
--
--   alumni and employees   refer through private.submit_referral only (it records the
--                          candidate and decides ownership); read their own referral code
--   recruiters and admins  read everything here; admins set the ownership period
--
-- Ownership is a row per candidate identity (the email, and the LinkedIn profile path) and
-- period in public.referral_ownerships; an exclusion constraint lets no two periods of one
-- identity overlap, so of two referrals submitted at the same moment exactly one owns.

create extension if not exists btree_gist with schema extensions;

-- ---------------------------------------------------------------------------
-- Settings (one row): how long the first referrer owns a candidate.
-- ---------------------------------------------------------------------------
create table public.referral_settings (
  id smallint primary key default 1 check (id = 1),
  ownership_months integer not null default 12 check (ownership_months between 1 and 60),
  updated_at timestamptz not null default now()
);
insert into public.referral_settings (id) values (1);
alter table public.referral_settings enable row level security;

create policy "referral settings: signed-in users read" on public.referral_settings
  for select to authenticated using ((select private.is_active()));
create policy "referral settings: admins update" on public.referral_settings
  for update to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

-- ---------------------------------------------------------------------------
-- What a referral records besides the foundation's columns.
--   outcome        owner: credited to the referrer; duplicate: the candidate was already
--                  owned by an earlier referral (owner_referral_id); applied_first: the
--                  candidate had applied on their own before, so no one is credited
--   origin         form (the "Refer someone" form) or link (a personal referral link)
-- ---------------------------------------------------------------------------
alter table public.referrals
  add column outcome text not null default 'owner'
    check (outcome in ('owner', 'duplicate', 'applied_first')),
  add column owner_referral_id uuid references public.referrals (id) on delete set null,
  add column origin text not null default 'form' check (origin in ('form', 'link')),
  add column application_id uuid references public.applications (id) on delete set null,
  add column linkedin_url text check (length(linkedin_url) <= 300),
  add column resume_path text,
  add column resume_name text check (length(resume_name) <= 255),
  add column candidate_agreed_at timestamptz,
  add constraint referrals_relationship_length check (length(relationship) <= 1000),
  add constraint referrals_reason_length check (length(reason) <= 2000);
create index referrals_owner_referral_idx on public.referrals (owner_referral_id)
  where owner_referral_id is not null;

-- A referrer sees a candidate's record only through a referral that owns them: a duplicate
-- or a late referral must not unlock what someone else (or the candidate) gave us.
drop policy "candidates: staff, the candidate, and who referred them" on public.candidates;
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
            and r.outcome = 'owner'
        )
      )
    )
  );

-- ---------------------------------------------------------------------------
-- Ownership: one row per identity of the owning referral and its period.
-- ---------------------------------------------------------------------------
create table public.referral_ownerships (
  identity text not null check (length(identity) between 3 and 400),
  referral_id uuid not null references public.referrals (id) on delete cascade,
  owned tstzrange not null,
  constraint referral_ownerships_one_owner exclude using gist (identity with =, owned with &&)
);
create index referral_ownerships_referral_idx on public.referral_ownerships (referral_id);
alter table public.referral_ownerships enable row level security;

create policy "referral ownerships: staff read" on public.referral_ownerships
  for select to authenticated using ((select private.is_staff()));

-- The keys a candidate is matched by: the email in lower case, and the LinkedIn profile's
-- path (any linkedin.com host, no query, no trailing slash) in lower case.
create function private.candidate_identities(p_email text, p_linkedin_url text) returns text[]
language sql immutable set search_path = ''
as $$
  select array_remove(array[
    'email:' || lower(btrim(p_email)),
    case when nullif(btrim(p_linkedin_url), '') is not null then
      'linkedin:' || lower(rtrim(regexp_replace(regexp_replace(btrim(p_linkedin_url),
        '^([a-z]+://)?[^/]*', '', 'i'), '[?#].*$', ''), '/'))
    end], null)
$$;

-- ---------------------------------------------------------------------------
-- Personal referral codes: one per alumnus or employee, random and never reused.
-- ---------------------------------------------------------------------------
create table public.referral_codes (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  code text not null unique check (code ~ '^[a-z0-9]{20,64}$'),
  created_at timestamptz not null default now()
);
alter table public.referral_codes enable row level security;

create policy "referral codes: staff, and one's own" on public.referral_codes
  for select to authenticated
  using ((select private.is_staff())
         or (user_id = (select auth.uid()) and (select private.is_active())));

-- Active alumni and employees refer.
create function private.is_referrer(p_user uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p
                  where p.id = p_user and p.active and p.role in ('alumnus', 'employee'))
$$;

-- The caller's code, made on first use (122 random bits). Only active alumni and employees have one.
create function private.my_referral_code() returns text
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  found_code text;
begin
  if not private.is_referrer(me) then
    raise exception 'Only alumni and employees have referral links.' using errcode = '42501';
  end if;
  insert into public.referral_codes (user_id, code)
  values (me, replace(gen_random_uuid()::text, '-', ''))
  on conflict (user_id) do nothing;
  select c.code into found_code from public.referral_codes c where c.user_id = me;
  return found_code;
end
$$;

-- ---------------------------------------------------------------------------
-- Recording a referral: the one place ownership is decided (the form and the links).
-- The candidate record is made if new; one on file keeps its details.
-- ---------------------------------------------------------------------------
create function private.record_referral(
  p_referrer uuid, p_full_name text, p_email text, p_linkedin_url text, p_job uuid,
  p_relationship text, p_reason text, p_resume_path text, p_resume_name text,
  p_agreed boolean, p_origin text, p_application uuid,
  out referral_id uuid, out outcome text, out owner_referral_id uuid, out candidate_id uuid
)
language plpgsql security definer set search_path = ''
as $$
declare
  keys text[] := private.candidate_identities(p_email, p_linkedin_url);
  period_months integer := coalesce((select s.ownership_months from public.referral_settings s where s.id = 1), 12);
begin
  -- One decision at a time per person: lock each identity (email, LinkedIn) in one order,
  -- so that referrals sharing some identities queue instead of deadlocking on the
  -- candidate and ownership rows they would otherwise take in different orders. The
  -- exclusion constraint still decides ownership; the locks only order the contenders.
  perform pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(keys) k order by k;
  insert into public.candidates (full_name, email, linkedin_url)
  values (p_full_name, lower(btrim(p_email)), p_linkedin_url)
  on conflict ((lower(email))) do nothing
  returning id into candidate_id;
  if candidate_id is null then
    select c.id into candidate_id from public.candidates c where lower(c.email) = lower(btrim(p_email));
  end if;

  insert into public.referrals (referrer_id, candidate_id, job_id, relationship, reason, origin,
    application_id, linkedin_url, resume_path, resume_name, candidate_agreed_at, outcome)
  values (p_referrer, candidate_id, p_job, coalesce(p_relationship, ''), coalesce(p_reason, ''),
          p_origin, p_application, p_linkedin_url, p_resume_path, p_resume_name,
          case when p_agreed then now() end, 'owner')
  returning id into referral_id;

  -- Applied on their own before this referral (not through anyone's referral link, which
  -- made a referral of its own): recorded, credited to no one.
  if exists (select 1 from public.applications a
              where a.candidate_id = record_referral.candidate_id
                and a.id is distinct from p_application
                and not exists (select 1 from public.referral_codes rc
                                 where rc.code = a.referral_code)) then
    update public.referrals r set outcome = 'applied_first' where r.id = referral_id;
    outcome := 'applied_first';
    return;
  end if;

  begin
    insert into public.referral_ownerships (identity, referral_id, owned)
    select k, record_referral.referral_id, tstzrange(now(), now() + make_interval(months => period_months))
    from unnest(keys) k;
    outcome := 'owner';
  exception when exclusion_violation then
    -- The owner is whoever holds an overlapping period, as the constraint judged; not
    -- `owned @> now()`: now() is when this transaction began, which may be before the
    -- owner's period started (they committed first while this one was under way).
    select o.referral_id into owner_referral_id from public.referral_ownerships o
     where o.identity = any(keys)
       and o.owned && tstzrange(now(), now() + make_interval(months => period_months))
     order by lower(o.owned) limit 1;
    update public.referrals r set outcome = 'duplicate', owner_referral_id = record_referral.owner_referral_id
     where r.id = referral_id;
    outcome := 'duplicate';
  end;
end
$$;
revoke all on function private.record_referral from public, anon, authenticated;

-- Called as the alumnus or employee submitting the "Refer someone" form.
create function private.submit_referral(
  p_full_name text, p_email text, p_linkedin_url text, p_job uuid, p_relationship text,
  p_reason text, p_resume_path text, p_resume_name text, p_agreed boolean,
  out referral_id uuid, out outcome text, out owner_referral_id uuid
)
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  ignored uuid;
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
  select r.referral_id, r.outcome, r.owner_referral_id, r.candidate_id
    into referral_id, outcome, owner_referral_id, ignored
  from private.record_referral(me, p_full_name, p_email, p_linkedin_url, p_job, p_relationship,
                               p_reason, p_resume_path, p_resume_name, true, 'form', null) r;
end
$$;

-- An application through a personal referral link becomes a referral of the link's owner.
create function private.refer_from_link() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  referrer uuid;
  cand record;
begin
  select rc.user_id into referrer from public.referral_codes rc where rc.code = new.referral_code;
  if referrer is null or not private.is_referrer(referrer) then
    return null;
  end if;
  select c.full_name, c.email, c.linkedin_url into cand from public.candidates c where c.id = new.candidate_id;
  if lower(cand.email) = lower((select p.email from public.profiles p where p.id = referrer)) then
    return null;  -- one's own link
  end if;
  perform private.record_referral(referrer, cand.full_name, cand.email, cand.linkedin_url, new.job_id,
                                  'Applied through their referral link', '', null, null, false, 'link',
                                  new.id);
  return null;
end
$$;
create trigger applications_refer_from_link
  after insert on public.applications
  for each row when (new.referral_code is not null)
  execute function private.refer_from_link();

-- Existing referrals own their candidates, oldest first, where no earlier one does.
do $$
declare
  ref record;
begin
  for ref in select r.id, r.created_at, c.email, c.linkedin_url
             from public.referrals r join public.candidates c on c.id = r.candidate_id
             order by r.created_at, r.id loop
    begin
      insert into public.referral_ownerships (identity, referral_id, owned)
      select k, ref.id, tstzrange(ref.created_at, ref.created_at + interval '12 months')
      from unnest(private.candidate_identities(ref.email, ref.linkedin_url)) k;
    exception when exclusion_violation then
      update public.referrals set outcome = 'duplicate' where id = ref.id;
    end;
  end loop;
end
$$;

-- Table privileges: reading under the policies above; writing through the functions only.
revoke all on public.referral_settings, public.referral_ownerships, public.referral_codes
  from anon, authenticated;
grant select on public.referral_settings, public.referral_ownerships, public.referral_codes
  to authenticated;
grant update (ownership_months, updated_at) on public.referral_settings to authenticated;
grant all on public.referral_settings, public.referral_ownerships, public.referral_codes to service_role;
revoke all on function private.submit_referral, private.my_referral_code from public, anon;
grant execute on function private.submit_referral, private.my_referral_code to authenticated;
