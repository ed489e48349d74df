-- A job posting is approved by someone other than whoever wrote or submitted it, like a
-- social post (issue 16); an admin may allow self-approval for the company
-- (portal_settings.postings_self_approval), and every change of that setting and every
-- self-approval is written to the audit log. Kept by the database, so that the Data API
-- cannot go round it: the author, the submitter and the approver of a posting are stamped
-- by its workflow and cannot be written by staff (the same rule as
-- 20261203100000_workflow_columns_are_the_workflows.sql for social posts).
--
-- Also: a social post is submitted, approved, scheduled or marked published only while its
-- posting is approved or published, and a posting moved back to draft unschedules its
-- scheduled posts, as closing it does.

alter table public.portal_settings
  add column postings_self_approval boolean not null default false;
comment on column public.portal_settings.postings_self_approval is
  'Whether whoever wrote or submitted a job posting may also approve it (each time audited)';

alter table public.jobs
  add column created_by uuid references public.profiles(id) on delete set null,
  add column submitted_by uuid references public.profiles(id) on delete set null,
  add column approved_by uuid references public.profiles(id) on delete set null;
comment on column public.jobs.created_by is 'Who wrote the posting; stamped by the database';
comment on column public.jobs.submitted_by is 'Who submitted it for review, while in review and after; stamped by the database';
comment on column public.jobs.approved_by is 'Who approved it, once approved and after; stamped by the database';
create index jobs_created_by_idx on public.jobs (created_by);
create index jobs_submitted_by_idx on public.jobs (submitted_by);
create index jobs_approved_by_idx on public.jobs (approved_by);

-- What the audit log knows of postings written so far (the owner of a posting whose
-- creation was not logged, as demo data and imports of history were not). The workflow
-- trigger is held for this, so that no posting looks edited today.
alter table public.jobs disable trigger guard_job_status;
update public.jobs j set
  created_by = coalesce(
    (select a.actor_id from public.audit_log a
     where a.subject_type = 'job' and a.subject_id = j.id::text and a.action = 'job.created'
     order by a.id limit 1),
    j.owner_id),
  submitted_by = case when j.status <> 'draft' then
    (select a.actor_id from public.audit_log a
     where a.subject_type = 'job' and a.subject_id = j.id::text and a.action = 'job.status_changed'
       and a.details ->> 'to' = 'in_review'
     order by a.id desc limit 1) end,
  approved_by = case when j.status in ('approved', 'published', 'closed') then
    (select a.actor_id from public.audit_log a
     where a.subject_type = 'job' and a.subject_id = j.id::text and a.action = 'job.status_changed'
       and a.details ->> 'to' = 'approved'
     order by a.id desc limit 1) end;
alter table public.jobs enable trigger guard_job_status;

create function private.keep_job_approval_records() returns trigger
language plpgsql set search_path = ''
as $$
declare
  as_user constant boolean := current_user in ('authenticated', 'anon');
  me constant uuid := auth.uid();
begin
  -- The owner (demo data, imports of history, the worker) records what it was given.
  if not as_user then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.created_by := me;
    new.submitted_by := null;
    new.approved_by := null;
    return new;
  end if;
  if new.created_by is distinct from old.created_by then
    raise exception 'A posting keeps its author.' using errcode = 'insufficient_privilege';
  end if;
  if (new.submitted_by, new.approved_by) is distinct from (old.submitted_by, old.approved_by) then
    raise exception 'Who submitted and who approved a posting are recorded by its workflow; move the posting through its steps instead.'
      using errcode = 'insufficient_privilege';
  end if;
  if new.status is not distinct from old.status then
    return new;
  end if;
  -- guard_job_status (which fires first, by name) has allowed the step itself.
  if new.status = 'in_review' then
    new.submitted_by := me;
    new.approved_by := null;
  elsif new.status = 'approved' then
    if me = old.created_by or me = old.submitted_by then
      if not coalesce((select s.postings_self_approval from public.portal_settings s where s.id = 1), false) then
        raise exception 'Someone other than who wrote or submitted a posting approves it: ask another recruiter or admin.'
          using errcode = 'insufficient_privilege';
      end if;
      insert into public.audit_log (action, subject_type, subject_id, details)
      values ('job.self_approved', 'job', new.id::text,
              jsonb_build_object('wrote_it', me = old.created_by, 'submitted_it', me = old.submitted_by));
    end if;
    new.approved_by := me;
  elsif new.status = 'draft' then
    new.submitted_by := null;
    new.approved_by := null;
  end if;
  return new;
end;
$$;
revoke all on function private.keep_job_approval_records() from public, anon, authenticated;

-- After guard_job_status (triggers fire in name order), which checks the step.
create trigger jobs_keep_approval_records
  before insert or update on public.jobs
  for each row execute function private.keep_job_approval_records();

create function private.audit_self_approval_setting() returns trigger
language plpgsql set search_path = ''
as $$
begin
  insert into public.audit_log (action, subject_type, subject_id, details)
  values ('settings.postings_self_approval', 'portal_settings', new.id::text,
          jsonb_build_object('allowed', new.postings_self_approval));
  return null;
end;
$$;
revoke all on function private.audit_self_approval_setting() from public, anon, authenticated;

create trigger portal_settings_audit_self_approval
  after update of postings_self_approval on public.portal_settings
  for each row when (new.postings_self_approval is distinct from old.postings_self_approval)
  execute function private.audit_self_approval_setting();

-- Social posts wait for their posting.
create function private.social_post_needs_a_ready_posting() returns trigger
language plpgsql set search_path = ''
as $$
declare
  posting public.job_status;
begin
  if tg_op = 'INSERT' or new.status not in ('submitted', 'approved', 'scheduled', 'published') then
    return new;
  end if;
  if new.status = old.status and new.job_id is not distinct from old.job_id then
    return new;
  end if;
  if old.status = 'scheduled' and new.status = 'approved' then
    return new;  -- unscheduling is always possible
  end if;
  -- The worker publishes what is scheduled; moving a posting back or closing it unschedules.
  if new.status = 'published' and current_user not in ('authenticated', 'anon') then
    return new;
  end if;
  select j.status into posting from public.jobs j where j.id = new.job_id;
  if posting is distinct from 'approved' and posting is distinct from 'published' then
    raise exception 'Its job posting is %, not approved or published: a post waits until the posting is approved before it is submitted, approved, scheduled or published.',
      case posting when 'in_review' then 'in review' when 'draft' then 'a draft' else coalesce(posting::text, 'gone') end
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.social_post_needs_a_ready_posting() from public, anon, authenticated;

-- After social_posts_guard (name order), which checks the step and who takes it.
create trigger social_posts_need_a_ready_posting
  before update on public.social_posts
  for each row execute function private.social_post_needs_a_ready_posting();

create or replace function private.unschedule_closed_job_posts() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform set_config('boomerang.post_event_comment',
                      case when new.status = 'closed' then 'the posting was closed'
                           else 'the posting went back to draft' end, true);
  update public.social_posts set status = 'approved'
  where job_id = new.id and status = 'scheduled';
  perform set_config('boomerang.post_event_comment', '', true);
  return null;
end;
$$;

create trigger jobs_unschedule_posts_when_drafted
  after update of status on public.jobs
  for each row when (new.status = 'draft' and old.status is distinct from 'draft')
  execute function private.unschedule_closed_job_posts();
