-- One hiring pipeline for every candidate (issue 16): every referral for a job is an application
-- in that job's pipeline, and the application is the one truth for its stage.
--
--   one mapping back   private.application_status_of(stage): the application's status for a
--                      referral stage, the inverse of private.referral_stage_of ('submitted' is
--                      'new', 'not_selected' is 'rejected').
--   one joining        private.referral_into_application(referral): the referral (which has a
--                      job) becomes an application for that job: a new one with source
--                      'referral', at the referral's stage, carrying its résumé; or, if the
--                      person is a candidate for the job already, that application (which keeps
--                      its source and stage, and takes the résumé if it has none). The referral
--                      gets the application and its stage. Used by private.link_referral_to_job
--                      (an open referral linked to a job) and private.record_referral (a
--                      referral for a job, made on "Refer someone"), after ownership is decided.
--   pending, duplicate a referral waiting for its candidate to confirm their email (outcome
--                      'pending') only comes through a referral link, with the application the
--                      candidate made: nothing to add. A duplicate or applied-first referral
--                      joins the person's application for the job (it was made by the first
--                      referral, or by the person): never a second one. Credit is unchanged:
--                      only the owning referral counts, and a hire is credited to a referral
--                      made before the application (an application made for a referral starts
--                      at the referral's moment).
--   applied first      an application made for a referral (it came at or after a referral that
--                      is linked to it) is not "applied on their own": a second referral of the
--                      same person for another job is a duplicate of the first, as before.
--   one writer         a referral linked to an application takes its stage from it: a stage (or
--                      an application) given to a linked referral that disagrees with its
--                      application's status is refused, whoever writes it, and so is taking
--                      it off its application (unless that application is deleted). The Referrals board
--                      moves a linked referral by moving its application
--                      (private.move_applications); the referral follows by the application's
--                      trigger. A referral for no job still moves on its own.
--   the backfill       private.referrals_into_applications(), set-based, for the referrals made
--                      before this migration (and for data loaded straight into the tables, as
--                      the demo is): see below. Over the benchmark's 1,000,000 referrals it took
--                      230 s in one transaction (benchmarks/referral_backfill.py; a 2-core
--                      machine shared with other work), most of it linking the 900,000 referrals.

create function private.application_status_of(p_stage public.referral_stage)
returns public.application_status
language sql immutable set search_path = ''
as $$
  select (case p_stage when 'submitted' then 'new' when 'not_selected' then 'rejected'
          else p_stage::text end)::public.application_status
$$;
revoke all on function private.application_status_of(public.referral_stage) from public;

create function private.referral_into_application(
  p_referral uuid, out application_id uuid, out reused boolean, out app_status public.application_status
) returns record
language plpgsql security definer set search_path = ''
as $$
declare
  ref record;
begin
  select r.id, r.job_id, r.candidate_id, r.stage, r.resume_path, r.resume_name into ref
    from public.referrals r where r.id = p_referral;
  if ref.job_id is null then
    raise exception 'A referral open to anything is linked to a job first.' using errcode = 'P0001';
  end if;
  -- A new application starts at the stage the referral had reached.
  insert into public.applications (job_id, candidate_id, source, status, resume_path, resume_name)
  values (ref.job_id, ref.candidate_id, 'referral', private.application_status_of(ref.stage),
          ref.resume_path, case when ref.resume_path is not null then ref.resume_name end)
  on conflict on constraint applications_job_id_candidate_id_key do nothing
  returning id, applications.status into application_id, app_status;
  reused := application_id is null;
  if reused then
    -- They are a candidate for this job already (applied, added by hand, or through another
    -- referral): that application is the one, and keeps its source and stage.
    select a.id, a.status into application_id, app_status from public.applications a
     where a.job_id = ref.job_id and a.candidate_id = ref.candidate_id
     for update;
    update public.applications a
       set resume_path = ref.resume_path, resume_name = ref.resume_name
     where a.id = referral_into_application.application_id and a.resume_path is null
       and ref.resume_path is not null;
  end if;
  update public.referrals r
     set application_id = referral_into_application.application_id,
         stage = private.referral_stage_of(app_status)
   where r.id = ref.id;
end
$$;
revoke all on function private.referral_into_application(uuid) from public, anon, authenticated;

create or replace function private.link_referral_to_job(
  p_referral uuid, p_job uuid,
  out application_id uuid, out reused boolean, out status text, out candidate_name text,
  out job_title text
) returns record
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  ref record;
  job record;
  joined record;
begin
  if not (select private.is_staff()) then
    raise exception 'Only recruiters and admins can link a referral to a job.' using errcode = '42501';
  end if;
  if p_job is null then
    raise exception 'Choose the job to link them to.' using errcode = 'P0001';
  end if;
  -- One recruiter at a time per referral: a second one waits here, then finds it linked.
  select r.id, r.candidate_id, r.referrer_id, r.job_id, r.stage, c.full_name
    into ref
    from public.referrals r join public.candidates c on c.id = r.candidate_id
   where r.id = p_referral
   for update of r;
  if ref.id is null then
    raise exception 'That referral does not exist any more.' using errcode = 'P0002';
  end if;
  if ref.job_id is not null then
    raise exception '% is already linked to %: nothing changed.', ref.full_name,
      coalesce((select j.title from public.jobs j where j.id = ref.job_id), 'a job')
      using errcode = 'P0001';
  end if;
  if ref.stage in ('hired', 'not_selected') then
    raise exception 'This referral is closed (%): only a referral in progress can be linked to a job.',
      case ref.stage when 'hired' then 'Hired' else 'Not selected' end using errcode = 'P0001';
  end if;
  select j.id, j.title, j.status into job from public.jobs j where j.id = p_job for share;
  if job.id is null then
    raise exception 'That job does not exist any more. Choose another.' using errcode = 'P0002';
  end if;
  if job.status <> 'published' then
    raise exception '% is not published: link them to a published job.', job.title using errcode = 'P0001';
  end if;
  candidate_name := ref.full_name;
  job_title := job.title;

  update public.referrals r set job_id = p_job where r.id = ref.id;
  select * into joined from private.referral_into_application(ref.id);
  application_id := joined.application_id;
  reused := joined.reused;
  status := joined.app_status::text;

  insert into public.referral_notifications (user_id, referral_id, message)
  values (ref.referrer_id, ref.id,
          format('%s, whom you referred open to anything, is now a candidate for %s.',
                 ref.full_name, job.title));
  insert into public.audit_log (actor_id, action, subject_type, subject_id, details)
  values (me, 'referral.linked_to_job', 'referral', ref.id::text,
          jsonb_build_object('job', p_job, 'application', application_id, 'reused', reused));
end
$$;

-- A referral for a job is an application for it as soon as it is recorded: after ownership is
-- decided (an application it joins may be the one the person made before: "applied first").
-- A referral through a referral link came with its application already.
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
  if outcome <> 'pending' then
    select d.outcome, d.owner_referral_id into outcome, owner_referral_id
      from private.decide_referral(referral_id) d;
  end if;
  if p_job is not null and p_application is null then
    perform private.referral_into_application(referral_id);
  end if;
end
$$;

-- "Applied first" is applying on one's own: not an application made for a referral (linked to
-- one made at or before it), which every referral for a job now has.
create or replace function private.decide_referral(p_referral uuid, out outcome text, out owner_referral_id uuid)
returns record
language plpgsql security definer set search_path = ''
as $$
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
  -- made a referral of its own, nor for a referral): recorded, credited to no one.
  if exists (select 1 from public.applications a
              where a.candidate_id = ref.candidate_id
                and a.id is distinct from ref.application_id
                and not exists (select 1 from public.referral_codes rc
                                 where rc.code = a.referral_code)
                and not exists (select 1 from public.referrals o
                                 where o.application_id = a.id and o.id <> p_referral
                                   and o.created_at <= a.created_at)) then
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

-- The backfill, set-based (a million referrals in one go), for every referral with a job and no
-- application:
--   1. Each person and job with no application gets one: source 'referral', made when the first
--      of its referrals was, at the stage of the one moved last (then, at its moment), carrying
--      that one's résumé; its history is that referral's stage history (mapped to statuses, with
--      who moved it and when), not only its first and last steps, so the funnel still counts an
--      interview that ended in "not selected".
--   2. Where a referral disagrees with its person's application for the job, the later word
--      wins: an application a referral was moved after (or one still at 'new', which has said
--      nothing yet) goes to that referral's stage (its history, the hire and the referrals
--      follow by its triggers).
--   3. Each such referral is linked to that application and takes its stage (where that changes
--      it, its history records it and its referrer is told), as is every linked referral that
--      still disagrees with its application.
-- Returns how many applications it made, referrals it linked and applications it moved.
create function private.referrals_into_applications(
  out created bigint, out linked bigint, out moved bigint
) returns record
language plpgsql security definer set search_path = ''
as $$
declare
  more bigint;
begin
  create temporary table referral_backfill on commit drop as
  select distinct on (r.job_id, r.candidate_id) r.id as referral_id, r.job_id, r.candidate_id,
         r.stage, r.resume_path, r.resume_name,
         min(r.created_at) over (partition by r.job_id, r.candidate_id) as first_at,
         r.stage_changed_at,
         null::uuid as application_id
    from public.referrals r
   where r.job_id is not null and r.application_id is null
     and not exists (select 1 from public.applications a
                      where a.job_id = r.job_id and a.candidate_id = r.candidate_id)
   order by r.job_id, r.candidate_id, r.stage_changed_at desc, r.id;

  -- Set-based, so the applications' row triggers stand aside for this one insert (the
  -- transaction holds the table meanwhile): their history is written here, and a hire, one
  -- advisory lock each (20,000 hires would exhaust the lock table), is linked below.
  alter table public.applications disable trigger applications_stage_history;
  alter table public.applications disable trigger applications_record_hire;
  with made as (
    insert into public.applications (job_id, candidate_id, source, status, resume_path, resume_name,
                                     created_at, updated_at)
    select b.job_id, b.candidate_id, 'referral', private.application_status_of(b.stage), b.resume_path,
           case when b.resume_path is not null then b.resume_name end, b.first_at,
           greatest(b.first_at, b.stage_changed_at)
      from referral_backfill b
    returning id, job_id, candidate_id
  )
  update referral_backfill b set application_id = m.id
    from made m where m.job_id = b.job_id and m.candidate_id = b.candidate_id;
  get diagnostics created = row_count;
  alter table public.applications enable trigger applications_stage_history;
  alter table public.applications enable trigger applications_record_hire;

  -- Its history is the referral's own, step by step (not only its first and last steps).
  insert into public.application_events (application_id, from_status, to_status, changed_by, changed_at)
  select b.application_id, private.application_status_of(s.from_stage),
         private.application_status_of(s.to_stage), s.changed_by, s.changed_at
    from referral_backfill b
    join public.referral_stage_events s on s.referral_id = b.referral_id
   order by b.application_id, s.id;
  -- A hired one's hire was recorded when its referral was hired: it is this application's
  -- too (as private.record_portal_hire links an application to a hire of the same person
  -- and job).
  update public.hires h set application_id = b.application_id
    from referral_backfill b
   where b.stage = 'hired' and h.application_id is null
     and h.candidate_id = b.candidate_id and h.job_id = b.job_id;

  -- The later word wins: an application a referral of its person was moved after goes to
  -- that referral's stage (the referral moved last, of those linked to it or to be). An
  -- application still at 'new' has said nothing yet: the referral's stage wins.
  update public.applications a set status = private.application_status_of(l.stage)
    from (select distinct on (x.id) x.id, x.stage, x.stage_changed_at
            from (select r.application_id as id, r.stage, r.stage_changed_at, r.id as referral_id
                    from public.referrals r where r.application_id is not null
                  union all
                  select a2.id, r.stage, r.stage_changed_at, r.id
                    from public.referrals r
                    join public.applications a2 on a2.job_id = r.job_id and a2.candidate_id = r.candidate_id
                   where r.job_id is not null and r.application_id is null) x
           order by x.id, x.stage_changed_at desc, x.referral_id) l
   where a.id = l.id and (l.stage_changed_at > a.updated_at or a.status = 'new')
     and private.referral_stage_of(a.status) <> l.stage;
  get diagnostics moved = row_count;

  -- Then every referral for a job is linked to its person's application, at its stage (the
  -- stage set only where it changes: a stage set fires the referral's stage triggers).
  update public.referrals r set application_id = a.id
    from public.applications a
   where r.job_id is not null and r.application_id is null
     and a.job_id = r.job_id and a.candidate_id = r.candidate_id
     and r.stage = private.referral_stage_of(a.status);
  get diagnostics linked = row_count;
  update public.referrals r set application_id = a.id, stage = private.referral_stage_of(a.status)
    from public.applications a
   where r.job_id is not null and r.application_id is null
     and a.job_id = r.job_id and a.candidate_id = r.candidate_id;
  get diagnostics more = row_count;
  linked := linked + more;
  update public.referrals r set stage = private.referral_stage_of(a.status)
    from public.applications a
   where a.id = r.application_id and r.stage <> private.referral_stage_of(a.status);
  drop table referral_backfill;
end
$$;
revoke all on function private.referrals_into_applications() from public, anon, authenticated;

select private.referrals_into_applications();

-- One writer of a linked referral's stage: its application.
create function private.referral_follows_application() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  app_status public.application_status;
begin
  -- Nor is a referral taken off its application while that application is there (when it is
  -- deleted, its referrals let go of it: the foreign key's "set null").
  if tg_op = 'UPDATE' and old.application_id is not null
     and new.application_id is distinct from old.application_id
     and exists (select 1 from public.applications a where a.id = old.application_id) then
    raise exception 'This referral is a candidate''s application for its job and stays with it.'
      using errcode = 'P0001';
  end if;
  if new.application_id is null then
    return new;
  end if;
  select a.status into app_status from public.applications a where a.id = new.application_id;
  if app_status is not null and new.stage <> private.referral_stage_of(app_status) then
    raise exception 'This referral is a candidate''s application for its job: move the application '
      '(on the job''s Applicants tab, or on the Referrals board), and the referral follows.'
      using errcode = 'P0001';
  end if;
  return new;
end
$$;
revoke all on function private.referral_follows_application() from public;

create trigger referral_follows_application
  before insert or update of stage, application_id on public.referrals
  for each row execute function private.referral_follows_application();
