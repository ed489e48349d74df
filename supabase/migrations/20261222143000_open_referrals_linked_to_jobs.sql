-- A referral "open to anything" waits in the recruiters' inbox until one of them links it to a
-- job (issue 16). Linking makes it an application for that job whose source is the referral:
-- it then moves on the job's Applicants tab and on Candidates like every other application,
-- and the referral follows that application's stage as a referral link's does (through
-- referrals.application_id and private.record_application_event: no second reconciling path).
--
--   the inbox     referrals with no job, oldest first: a partial index keeps their order.
--   linking       private.link_referral_to_job(referral, job): staff only (it asks
--                 private.is_staff() itself), the linker from the session. It locks the
--                 referral, so of two recruiters linking it at once one links it and the other
--                 is told it is linked already. The referral must have no job and still be in
--                 progress, the job must be published. The person's application for that job,
--                 if they have one, is the one linked (and the caller is told so); otherwise
--                 an application is made with source 'referral', at the stage the referral had
--                 reached, carrying its résumé. The referral gets the job and the application,
--                 and the application's stage; the referrer a notification; the audit log an
--                 entry.
--   one mapping   an application's stage as its referral shows it is private.referral_stage_of,
--                 which the application's trigger now uses too.

create index referrals_open_idx on public.referrals (created_at, id) where job_id is null;

create function private.referral_stage_of(p_status public.application_status)
returns public.referral_stage
language sql immutable set search_path = ''
as $$
  select (case p_status
    when 'new' then 'submitted' when 'reviewing' then 'reviewing'
    when 'interviewing' then 'interviewing' when 'offer' then 'offer' when 'hired' then 'hired'
    else 'not_selected' end)::public.referral_stage
$$;
revoke all on function private.referral_stage_of(public.application_status) from public;

create or replace function private.record_application_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  referral_stage public.referral_stage;
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  if tg_op = 'INSERT' then
    insert into public.application_events (application_id, from_status, to_status, changed_by, changed_at)
    values (new.id, null, 'new', (select auth.uid()), new.created_at);
    if new.status <> 'new' then
      insert into public.application_events (application_id, from_status, to_status, changed_by, changed_at)
      values (new.id, 'new', new.status, (select auth.uid()), new.updated_at);
    end if;
    return null;
  end if;
  insert into public.application_events (application_id, from_status, to_status, changed_by,
                                         reason, reason_detail, message)
  values (new.id, old.status, new.status, (select auth.uid()),
          case when new.status = 'rejected'
               then nullif(current_setting('boomerang.move_reason', true), '') end,
          case when new.status = 'rejected'
                    and current_setting('boomerang.move_reason', true) = 'other'
               then nullif(current_setting('boomerang.move_detail', true), '') end,
          nullif(current_setting('boomerang.move_message', true), ''));
  -- The referrals this application is the referred candidate's follow: the referral it came
  -- through (a referral link, or an open referral a recruiter linked to the job), or one for
  -- the same person and job made before it (the rule private.record_portal_hire credits a
  -- hire by). A referral made after the person applied is credited to no one and keeps its
  -- stage. Their own trigger records their history, tells the referrer and keeps the points.
  referral_stage := private.referral_stage_of(new.status);
  update public.referrals r set stage = referral_stage
   where (r.application_id = new.id
          or (r.candidate_id = new.candidate_id and r.job_id = new.job_id
              and r.created_at <= new.created_at))
     and r.stage is distinct from referral_stage;
  return null;
end
$$;
revoke all on function private.record_application_event() from public;

create function private.link_referral_to_job(
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
  app_status public.application_status;
begin
  if not (select private.is_staff()) then
    raise exception 'Only recruiters and admins can link a referral to a job.' using errcode = '42501';
  end if;
  if p_job is null then
    raise exception 'Choose the job to link them to.' using errcode = 'P0001';
  end if;
  -- One recruiter at a time per referral: a second one waits here, then finds it linked.
  select r.id, r.candidate_id, r.referrer_id, r.job_id, r.stage, r.resume_path, r.resume_name,
         c.full_name
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

  -- A new application starts at the stage the referral had reached on its board.
  insert into public.applications (job_id, candidate_id, source, status, resume_path, resume_name)
  values (p_job, ref.candidate_id, 'referral',
          case ref.stage when 'submitted' then 'new' else ref.stage::text end::public.application_status,
          ref.resume_path, case when ref.resume_path is not null then ref.resume_name end)
  on conflict on constraint applications_job_id_candidate_id_key do nothing
  returning id, applications.status into application_id, app_status;
  reused := application_id is null;
  if reused then
    -- They are a candidate for this job already (applied, added by hand, or linked through
    -- another referral): that application is the one, and keeps its source and stage.
    select a.id, a.status into application_id, app_status from public.applications a
     where a.job_id = p_job and a.candidate_id = ref.candidate_id
     for update;
    update public.applications a
       set resume_path = ref.resume_path, resume_name = ref.resume_name
     where a.id = application_id and a.resume_path is null and ref.resume_path is not null;
  end if;
  status := app_status::text;

  update public.referrals r
     set job_id = p_job, application_id = link_referral_to_job.application_id,
         stage = private.referral_stage_of(app_status)
   where r.id = ref.id;
  insert into public.referral_notifications (user_id, referral_id, message)
  values (ref.referrer_id, ref.id,
          format('%s, whom you referred open to anything, is now a candidate for %s.',
                 ref.full_name, job.title));
  insert into public.audit_log (actor_id, action, subject_type, subject_id, details)
  values (me, 'referral.linked_to_job', 'referral', ref.id::text,
          jsonb_build_object('job', p_job, 'application', application_id, 'reused', reused));
end
$$;
revoke all on function private.link_referral_to_job(uuid, uuid) from public, anon;
grant execute on function private.link_referral_to_job(uuid, uuid) to authenticated;
