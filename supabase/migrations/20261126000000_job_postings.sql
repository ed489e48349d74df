-- Job postings' lifecycle, kept by the database so that no page or API call can skip a step:
--
--   draft → in_review → approved → published → closed (filled or cancelled)
--   back-steps: in_review → draft (changes asked), approved → draft
--
-- A posting made through the API starts as a draft. Moving to published stamps
-- published_at, to closed stamps closed_at and needs a close reason; the stamps are not
-- the writer's to choose. Every status change is written to the audit log as the user who
-- made it, in the same statement.
--
-- Also: the default referral bonus a new posting starts with, kept by admins beside the
-- other savings assumptions (PRODUCT.md: $1,000–$2,500 is typical).

alter table public.savings_settings
  add column default_referral_bonus numeric(10, 2) not null default 1500
    check (default_referral_bonus >= 0);

create function private.job_status_next(from_status public.job_status)
returns public.job_status[]
language sql immutable set search_path = ''
as $$
  select case from_status
    when 'draft' then array['in_review']::public.job_status[]
    when 'in_review' then array['approved', 'draft']::public.job_status[]
    when 'approved' then array['published', 'draft']::public.job_status[]
    when 'published' then array['closed']::public.job_status[]
    else array[]::public.job_status[]
  end
$$;

create function private.guard_job_status() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- The owner (demo data, imports of history, benchmarks) may insert any status.
    if new.status <> 'draft' and current_user in ('anon', 'authenticated') then
      raise exception 'A new posting starts as a draft, not %.', new.status
        using errcode = 'check_violation';
    end if;
    if new.status = 'draft' then
      new.published_at := null;
      new.closed_at := null;
      new.close_reason := null;
    end if;
    return new;
  end if;

  new.updated_at := now();
  if new.status is not distinct from old.status then
    new.published_at := old.published_at;
    new.closed_at := old.closed_at;
    new.close_reason := old.close_reason;
    return new;
  end if;
  if not new.status = any (private.job_status_next(old.status)) then
    raise exception 'A posting cannot go from % to %.', old.status, new.status
      using errcode = 'check_violation';
  end if;
  if new.status = 'published' then
    new.published_at := now();
  end if;
  if new.status = 'closed' then
    if new.close_reason is null then
      raise exception 'Say whether the posting was filled or cancelled to close it.'
        using errcode = 'check_violation';
    end if;
    new.closed_at := now();
    -- Its scheduled social posts are unscheduled by jobs_unschedule_posts_when_closed
    -- (20261127000000_social_posts.sql), in the same transaction.
  else
    new.close_reason := null;
  end if;
  insert into public.audit_log (action, subject_type, subject_id, details)
  values ('job.status_changed', 'job', new.id::text,
          jsonb_build_object('from', old.status, 'to', new.status)
            || case when new.close_reason is null then '{}'::jsonb
                    else jsonb_build_object('close_reason', new.close_reason) end);
  return new;
end
$$;

create trigger guard_job_status
  before insert or update on public.jobs
  for each row execute function private.guard_job_status();

revoke all on function private.job_status_next(public.job_status) from public;
grant execute on function private.job_status_next(public.job_status) to authenticated, service_role;
revoke all on function private.guard_job_status() from public, anon, authenticated;

-- The recruiters' list filters by owner and sorts by creation; the board's index serves status.
create index jobs_created_idx on public.jobs (created_at desc, id);
