-- Candidates prove their email (issue 16).
--
-- 1. A candidate creates their own account: they give email, name and password, and get a
--    one-time link by email; the account exists only once the link is opened.
-- 2. Owning a referral means owning the email: an application made through someone's
--    referral link by a visitor (or by an account whose email is another) records a
--    *pending* referral that owns nobody; it is decided (owner, duplicate, applied first),
--    exactly as a referral was decided at once before, when the email's owner opens the
--    link emailed to that address.
--
-- The links' tokens are stored as SHA-256 only, expire after a day and are used once.
-- The table is private: only the server (the owner connection) reads and writes it.

create table private.email_confirmations (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = lower(email) and length(email) between 3 and 254),
  purpose text not null check (purpose in ('sign_up', 'referral')),
  -- A sign-up: the account to create (its password as a bcrypt hash, as auth.users keeps it).
  full_name text check (length(full_name) <= 120),
  password_hash text,
  -- A referral waiting for the candidate: decided when the link is opened.
  referral_id uuid references public.referrals (id) on delete cascade,
  token_hash bytea unique,  -- null until the link is made (by the worker, when it emails it)
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '24 hours',
  used_at timestamptz,
  check ((purpose = 'sign_up') = (full_name is not null)),
  check ((purpose = 'referral') = (referral_id is not null))
);
create index email_confirmations_email_idx on private.email_confirmations (email, created_at desc);
create index email_confirmations_referral_idx on private.email_confirmations (referral_id)
  where referral_id is not null;
comment on table private.email_confirmations is
  'One-time links that prove a person owns an email address: to create a candidate account, or to be credited to a referrer.';
alter table private.email_confirmations enable row level security;  -- and no policy: nobody but the owner
revoke all on private.email_confirmations from public, anon, authenticated;

-- The worker emails the link (a fresh token, made when it sends).
alter table public.outreach_emails
  add column confirmation_id uuid references private.email_confirmations (id) on delete cascade;
alter table public.outreach_emails drop constraint outreach_emails_kind_check;
alter table public.outreach_emails add constraint outreach_emails_kind_check
  check (kind in ('invitation', 'digest', 'candidate_message', 'email_confirmation'));
alter table public.outreach_emails add constraint outreach_emails_confirmation_check
  check ((kind = 'email_confirmation') = (confirmation_id is not null));
create index outreach_emails_confirmation_idx on public.outreach_emails (confirmation_id)
  where confirmation_id is not null;

-- A referral waiting for its candidate's confirmation owns nobody.
alter table public.referrals drop constraint referrals_outcome_check;
alter table public.referrals add constraint referrals_outcome_check
  check (outcome in ('owner', 'duplicate', 'applied_first', 'pending'));

-- Whether the acting user has shown they own `p_email`: they are signed in with it.
create function private.acting_user_owns(p_email text) returns boolean
language sql stable set search_path = '' as $$
  select (select auth.uid()) is not null
     and lower(coalesce((select auth.jwt()) ->> 'email', '')) = lower(btrim(p_email))
$$;
revoke all on function private.acting_user_owns(text) from public;

-- Who owns the candidate of a referral, decided as record_referral always did: the
-- candidate's identities are locked in one order, then the exclusion constraint on
-- referral_ownerships judges. Also for pending referrals, when their candidate confirms.
create function private.decide_referral(p_referral uuid, out outcome text, out owner_referral_id uuid)
language plpgsql security definer set search_path = '' as $$
declare
  ref record;
  keys text[];
  period_months integer := coalesce((select s.ownership_months from public.referral_settings s where s.id = 1), 12);
begin
  select r.id, r.candidate_id, r.application_id, r.linkedin_url, c.email into ref
    from public.referrals r join public.candidates c on c.id = r.candidate_id
   where r.id = p_referral;
  if ref.id is null then
    raise exception 'That referral no longer exists.' using errcode = 'P0002';
  end if;
  keys := private.candidate_identities(ref.email, ref.linkedin_url);
  perform pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(keys) k order by k;

  -- Applied on their own before this referral (not through anyone's referral link, which
  -- made a referral of its own): recorded, credited to no one.
  if exists (select 1 from public.applications a
              where a.candidate_id = ref.candidate_id
                and a.id is distinct from ref.application_id
                and not exists (select 1 from public.referral_codes rc
                                 where rc.code = a.referral_code)) then
    update public.referrals r set outcome = 'applied_first', owner_referral_id = null where r.id = p_referral;
    outcome := 'applied_first';
    return;
  end if;

  begin
    insert into public.referral_ownerships (identity, referral_id, owned)
    select k, p_referral, tstzrange(now(), now() + make_interval(months => period_months))
    from unnest(keys) k;
    update public.referrals r set outcome = 'owner', owner_referral_id = null
     where r.id = p_referral and r.outcome <> 'owner';
    outcome := 'owner';
  exception when exclusion_violation then
    -- The owner is whoever holds an overlapping period, as the constraint judged; not
    -- `owned @> now()`: now() is when this transaction began, which may be before the
    -- owner's period started (they committed first while this one was under way).
    select o.referral_id into owner_referral_id from public.referral_ownerships o
     where o.identity = any(keys)
       and o.owned && tstzrange(now(), now() + make_interval(months => period_months))
     order by lower(o.owned) limit 1;
    update public.referrals r set outcome = 'duplicate', owner_referral_id = decide_referral.owner_referral_id
     where r.id = p_referral;
    outcome := 'duplicate';
  end;
end
$$;
revoke all on function private.decide_referral(uuid) from public;

create or replace function private.record_referral(p_referrer uuid, p_full_name text, p_email text,
  p_linkedin_url text, p_job uuid, p_relationship text, p_reason text, p_resume_path text,
  p_resume_name text, p_agreed boolean, p_origin text, p_application uuid,
  out referral_id uuid, out outcome text, out owner_referral_id uuid, out candidate_id uuid)
language plpgsql security definer set search_path = '' as $$
declare
  keys text[] := private.candidate_identities(p_email, p_linkedin_url);
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

  -- Through a referral link, whoever typed the email may not own it: the referral waits,
  -- owning nobody, until the email's owner confirms (unless they are signed in with it).
  insert into public.referrals (referrer_id, candidate_id, job_id, relationship, reason, origin,
    application_id, linkedin_url, resume_path, resume_name, candidate_agreed_at, outcome)
  values (p_referrer, candidate_id, p_job, coalesce(p_relationship, ''), coalesce(p_reason, ''),
          p_origin, p_application, p_linkedin_url, p_resume_path, p_resume_name,
          case when p_agreed then now() end,
          case when p_origin = 'link' and not private.acting_user_owns(p_email) then 'pending'
               else 'owner' end)
  returning id, referrals.outcome into referral_id, outcome;
  if outcome = 'pending' then
    return;
  end if;
  select d.outcome, d.owner_referral_id into outcome, owner_referral_id
    from private.decide_referral(referral_id) d;
end
$$;

-- The email's owner opened the referral's link: decide it now.
create function private.confirm_pending_referral(p_referral uuid, out outcome text, out owner_referral_id uuid)
language plpgsql security definer set search_path = '' as $$
begin
  select r.outcome into outcome from public.referrals r where r.id = p_referral for update;
  if outcome is distinct from 'pending' then
    return;  -- decided already (or gone): a second click changes nothing
  end if;
  select d.outcome, d.owner_referral_id into outcome, owner_referral_id
    from private.decide_referral(p_referral) d;
end
$$;
revoke all on function private.confirm_pending_referral(uuid) from public;

-- Erasing a person's data (Admin → Privacy) takes their waiting links too: the admin
-- cannot read the private table, so this function does it for them (or for the owner, as
-- the command line and the worker act).
create function private.forget_email_confirmations(p_email text) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  forgotten integer;
begin
  if (select auth.uid()) is not null and not private.is_admin() then
    raise exception 'Only admins can erase a person''s data.' using errcode = '42501';
  end if;
  delete from private.email_confirmations where email = lower(btrim(p_email));
  get diagnostics forgotten = row_count;
  return forgotten;
end
$$;
revoke all on function private.forget_email_confirmations(text) from public;
grant execute on function private.forget_email_confirmations(text) to authenticated;
