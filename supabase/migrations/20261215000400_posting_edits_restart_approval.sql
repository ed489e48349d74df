-- A posting changed while in review or approved goes back to draft (issue 16): otherwise
-- someone other than its author could rewrite it in review and then approve their own words,
-- or an approved posting could be changed before it is published without anyone approving
-- the change. What counts is the posting's content (what candidates read and what the
-- referral programme pays); its owner, status and bookkeeping do not. Through the pages and
-- through the Data API alike.
create or replace function private.keep_job_approval_records() returns trigger
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
    if old.status in ('in_review', 'approved')
       and (new.title, new.department, new.location, new.remote_policy, new.employment_type,
            new.salary_min, new.salary_max, new.currency, new.description, new.hiring_manager,
            new.referral_bonus, new.target_start_date, new.level)
           is distinct from
           (old.title, old.department, old.location, old.remote_policy, old.employment_type,
            old.salary_min, old.salary_max, old.currency, old.description, old.hiring_manager,
            old.referral_bonus, old.target_start_date, old.level) then
      new.status := 'draft';
      new.submitted_by := null;
      new.approved_by := null;
      insert into public.audit_log (action, subject_type, subject_id, details)
      values ('job.status_changed', 'job', new.id::text,
              jsonb_build_object('from', old.status, 'to', 'draft', 'because', 'edited'));
    end if;
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

-- Its scheduled social posts stop waiting, as when it is sent back by hand: the trigger fires
-- on the row's new status, also when an edit (not a status in the UPDATE) moved it.
drop trigger jobs_unschedule_posts_when_drafted on public.jobs;
create trigger jobs_unschedule_posts_when_drafted
  after update on public.jobs
  for each row when (new.status = 'draft' and old.status is distinct from 'draft')
  execute function private.unschedule_closed_job_posts();
