-- A referral's stage in the company's words (issue 16): the referrer's notification of a move
-- names each stage as the company words it for candidates (public.hiring_stages.candidate_label
-- of the application stage the referral stage is, private.application_status_of), as My
-- referrals and the email do, rather than the referral stage's code ("Not Selected"); and
-- linking a closed referral to a job names its stage as recruiters call it.

-- The candidate's wording of a referral stage (the default wording until the company's is seeded).
create function private.referral_stage_words(p_stage public.referral_stage) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((select s.candidate_label from public.hiring_stages s
                    where s.status = private.application_status_of(p_stage)),
                  initcap(replace(p_stage::text, '_', ' ')))
$$;
revoke all on function private.referral_stage_words(public.referral_stage) from public, anon, authenticated;

create or replace function private.record_referral_stage() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  who text;
  job text;
begin
  if tg_op = 'UPDATE' and new.stage is not distinct from old.stage then
    return null;
  end if;
  if tg_op = 'INSERT' then
    -- A referral recorded at a later stage (an import, the demo) keeps its submission too.
    insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_by, changed_at)
    values (new.id, null, 'submitted', (select auth.uid()), new.created_at);
    if new.stage <> 'submitted' then
      insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_by, changed_at)
      values (new.id, 'submitted', new.stage, (select auth.uid()), new.stage_changed_at);
    end if;
    return null;
  end if;
  insert into public.referral_stage_events (referral_id, from_stage, to_stage, changed_by)
  values (new.id, old.stage, new.stage, (select auth.uid()));
  select c.full_name into who from public.candidates c where c.id = new.candidate_id;
  select j.title into job from public.jobs j where j.id = new.job_id;
  insert into public.referral_notifications (user_id, referral_id, message)
  values (new.referrer_id, new.id,
          format('%s (%s) moved from %s to %s.', coalesce(who, 'Your referral'),
                 coalesce(job, 'open to anything'),
                 private.referral_stage_words(old.stage), private.referral_stage_words(new.stage)));
  return null;
end
$$;
revoke all on function private.record_referral_stage() from public;

-- The same function, the closed stage named in the recruiters' words.
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
      coalesce((select s.label from public.hiring_stages s
                 where s.status = private.application_status_of(ref.stage)), ref.stage::text)
      using errcode = 'P0001';
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
