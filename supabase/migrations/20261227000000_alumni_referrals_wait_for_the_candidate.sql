-- Owning a referral means owning the email, for referrals made on "Refer someone" too (issue 16).
--
-- An alumnus or employee typing someone's email proves nothing about that person: their referral
-- is 'pending' (it owns nobody, earns no points nor bonus and is in no figure, as a pending
-- referral through a referral link) until the candidate confirms it, by the one-time link in the
-- privacy notice emailed to them, or until a recruiter who spoke to the candidate marks it
-- confirmed (private.confirm_referral_for_candidate, staff only). A referrer never can: the
-- notice they forward when no SMTP is set carries no link. While pending it is already the
-- candidate's application for its job, as a pending link referral is (that one came with the
-- application the candidate made): the recruiters consider the person meanwhile.
--
-- A pending referral that could never own is decided at once, through either path: someone
-- else owns the person already (a duplicate), or they had applied on their own before it
-- (applied first). Neither credits anyone, so neither waits for a confirmation.
--
-- Who wins when several referrals of one person wait: the earliest submitted. The candidate's
-- confirmation (of any of their referrals, or of an application through a link) proves the
-- email is theirs, so it settles every alumni referral waiting on that person at once, in the
-- order they were made: the first referrer is credited, as it was when referrals owned at
-- submission, and the later ones are duplicates of it. A referrer who came second does not win
-- because the candidate happened to open their email first. Another link referral still waiting
-- is not settled by it: that one is an application someone else may have made with the address,
-- and only its own link confirms it.
--
-- "Applied first" means applied on their own before the referral: an application made while a
-- referral waited for its candidate does not take the referrer's credit away.
--
-- Race-proof as before: every decision about a person takes the advisory locks of their
-- identities (email, LinkedIn) in one order, and the exclusion constraint on
-- referral_ownerships judges who owns.

drop function private.decide_referral(uuid);

-- `p_confirmed`: the candidate (or a recruiter on their word) confirmed the email. Unconfirmed,
-- a referral is pending, unless it can already be told that it will never own.
create function private.decide_referral(p_referral uuid, p_confirmed boolean,
  out outcome text, out owner_referral_id uuid)
returns record
language plpgsql security definer set search_path = ''
as $$
declare
  ref record;
  keys text[];
  period_months integer := coalesce((select s.ownership_months from public.referral_settings s where s.id = 1), 12);
  period tstzrange;
begin
  select r.id, r.candidate_id, r.application_id, r.linkedin_url, r.created_at, c.email into ref
    from public.referrals r join public.candidates c on c.id = r.candidate_id
   where r.id = p_referral;
  if ref.id is null then
    raise exception 'That referral no longer exists.' using errcode = 'P0002';
  end if;
  keys := private.candidate_identities(ref.email, ref.linkedin_url);
  perform pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(keys) k order by k;
  period := tstzrange(now(), now() + make_interval(months => period_months));

  -- Applied on their own before this referral (not through anyone's referral link, which
  -- made a referral of its own, nor for a referral): recorded, credited to no one.
  if exists (select 1 from public.applications a
              where a.candidate_id = ref.candidate_id
                and a.id is distinct from ref.application_id
                and a.created_at <= ref.created_at
                and not exists (select 1 from public.referral_codes rc
                                 where rc.code = a.referral_code)
                and not exists (select 1 from public.referrals o
                                 where o.application_id = a.id and o.id <> p_referral
                                   and o.created_at <= a.created_at)) then
    update public.referrals r set outcome = 'applied_first', owner_referral_id = null where r.id = p_referral;
    outcome := 'applied_first';
    return;
  end if;

  if not p_confirmed then
    -- Someone owns them already: a duplicate now and whatever the candidate says. Otherwise
    -- it waits, owning nobody.
    select o.referral_id into owner_referral_id from public.referral_ownerships o
     where o.identity = any(keys) and o.owned && period
     order by lower(o.owned) limit 1;
    outcome := case when owner_referral_id is null then 'pending' else 'duplicate' end;
    update public.referrals r set outcome = decide_referral.outcome,
                                  owner_referral_id = decide_referral.owner_referral_id
     where r.id = p_referral;
    return;
  end if;

  begin
    insert into public.referral_ownerships (identity, referral_id, owned)
    select k, p_referral, period from unnest(keys) k;
    update public.referrals r set outcome = 'owner', owner_referral_id = null
     where r.id = p_referral and r.outcome <> 'owner';
    outcome := 'owner';
  exception when exclusion_violation then
    -- The owner is whoever holds an overlapping period, as the constraint judged; not
    -- `owned @> now()`: now() is when this transaction began, which may be before the
    -- owner's period started (they committed first while this one was under way).
    select o.referral_id into owner_referral_id from public.referral_ownerships o
     where o.identity = any(keys) and o.owned && period
     order by lower(o.owned) limit 1;
    update public.referrals r set outcome = 'duplicate', owner_referral_id = decide_referral.owner_referral_id
     where r.id = p_referral;
    outcome := 'duplicate';
  end;
end
$$;
revoke all on function private.decide_referral(uuid, boolean) from public, anon, authenticated;

-- The email of `p_referral`'s candidate is confirmed: decide it, and before it every alumni
-- referral still waiting on the same person (sharing an email or a LinkedIn profile with it),
-- earliest submitted first (see the top). Returns what became of `p_referral`; one that was
-- decided already stays as it is.
create or replace function private.confirm_pending_referral(p_referral uuid,
  out outcome text, out owner_referral_id uuid)
returns record
language plpgsql security definer set search_path = ''
as $$
declare
  keys text[];
  waiting uuid[];
  locks text[];
  next_id uuid;
begin
  select private.candidate_identities(c.email, r.linkedin_url) into keys
    from public.referrals r join public.candidates c on c.id = r.candidate_id where r.id = p_referral;
  if keys is null then
    return;  -- gone (erased): nothing to decide
  end if;
  with w as (
    select r.id, r.created_at, private.candidate_identities(c.email, r.linkedin_url) ids
      from public.referrals r join public.candidates c on c.id = r.candidate_id
     where r.outcome = 'pending' and (r.origin = 'form' or r.id = p_referral)
  )
  select coalesce((select array_agg(w.id order by w.created_at, w.id) from w where w.ids && keys), '{}'),
         coalesce((select array_agg(k) from w, unnest(w.ids) k where w.ids && keys), '{}')
    into waiting, locks;
  -- Every identity involved, locked in one order before any decision, as record_referral and
  -- decide_referral lock theirs: one decision at a time per person, and no deadlock between
  -- two confirmations of overlapping people.
  perform pg_advisory_xact_lock(hashtextextended(k, 0))
     from (select distinct unnest(locks || keys) k) l order by k;
  foreach next_id in array waiting loop
    -- Still waiting once the locks are ours (a confirmation before us may have settled it).
    if exists (select 1 from public.referrals r where r.id = next_id and r.outcome = 'pending') then
      perform private.decide_referral(next_id, true);
    end if;
  end loop;
  select r.outcome, r.owner_referral_id into outcome, owner_referral_id
    from public.referrals r where r.id = p_referral;
end
$$;
-- Few referrals wait at a time: finding those of one person reads only them.
create index referrals_pending_idx on public.referrals (created_at) where outcome = 'pending';
revoke all on function private.confirm_pending_referral(uuid) from public, anon, authenticated;

-- A recruiter or admin who spoke to the candidate confirms for them (when no SMTP is set the
-- notice went through the referrer, who must not be able to confirm; or the link expired).
create function private.confirm_referral_for_candidate(p_referral uuid,
  out outcome text, out owner_referral_id uuid)
returns record
language plpgsql security definer set search_path = ''
as $$
declare
  was text;
begin
  if not (select private.is_staff()) then
    raise exception 'Only recruiters and admins can confirm a referral for its candidate.'
      using errcode = '42501';
  end if;
  select r.outcome into was from public.referrals r where r.id = p_referral;
  if was is null then
    raise exception 'That referral does not exist any more.' using errcode = 'P0002';
  end if;
  if was <> 'pending' then
    raise exception 'This referral is not waiting for its candidate any more (someone confirmed it '
      'meanwhile): nothing changed.' using errcode = 'P0001';
  end if;
  select d.outcome, d.owner_referral_id into outcome, owner_referral_id
    from private.confirm_pending_referral(p_referral) d;
  if outcome = 'pending' then  -- confirmed by someone else while this one waited for the lock
    raise exception 'This referral is not waiting for its candidate any more: nothing changed.'
      using errcode = 'P0001';
  end if;
end
$$;
revoke all on function private.confirm_referral_for_candidate(uuid) from public, anon;
grant execute on function private.confirm_referral_for_candidate(uuid) to authenticated;

-- Referrals made on "Refer someone" wait for their candidate as those through a link do; a
-- signed-in person applying through a link with their own email has confirmed it, which
-- settles the alumni referrals waiting on them first.
create or replace function private.record_referral(
  p_referrer uuid, p_full_name text, p_email text, p_linkedin_url text, p_job uuid,
  p_relationship text, p_reason text, p_resume_path text, p_resume_name text, p_agreed boolean,
  p_origin text, p_application uuid,
  out referral_id uuid, out outcome text, out owner_referral_id uuid, out candidate_id uuid
) returns record
language plpgsql security definer set search_path = ''
as $$
declare
  keys text[] := private.candidate_identities(p_email, p_linkedin_url);
  confirmed boolean := p_origin = 'link' and private.acting_user_owns(p_email);
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
          case when p_agreed then now() end, 'pending')
  returning id into referral_id;
  if confirmed then
    select d.outcome, d.owner_referral_id into outcome, owner_referral_id
      from private.confirm_pending_referral(referral_id) d;
  else
    select d.outcome, d.owner_referral_id into outcome, owner_referral_id
      from private.decide_referral(referral_id, false) d;
  end if;
  if p_job is not null and p_application is null then
    perform private.referral_into_application(referral_id);
  end if;
end
$$;
