-- Working the pipeline for applications (issue 16): recruiters move one application or many
-- to another stage, reject with a reason and an optional message to the candidate, keep
-- notes, and see each application's full history and a funnel per job.
--
--   history      public.application_events, one row per stage an application was given,
--                written by a trigger on applications (so every way of moving one leaves
--                it: the portal's function, a recruiter's direct update, a test, an import).
--                Staff read it; nobody writes it but the trigger. A rejection's reason is
--                kept here, staff only: the candidate sees the message, never the reason.
--   moving       private.move_applications(ids, stage, reason, detail, message, email):
--                staff only (it asks private.is_staff() itself); it takes the mover from
--                the session (auth.uid()), never from an argument; it checks the stage, the
--                reason (rejections need one of a fixed list; "other" needs words), the
--                lengths, and writes one audit entry per application moved.
--   the message  stored on the application (candidate_message), which the candidate reads
--                on their follow link and on My applications; queued as an email
--                (public.outreach_emails, kind 'candidate_message') when the caller says SMTP
--                is set; the worker sends it as it sends invitations and digests.
--   notes        public.application_notes: staff read them and add their own; candidates
--                never (no policy for them).
--   referrals    moving an application moves the referral credited with it (the one it came
--                through, or one for the same person and job made before it) to the matching
--                referral stage, so that the referrer's timeline, notification and points
--                follow as when a recruiter moves the referral on its board. Moving a
--                referral on its board does not move the application (yet: one pipeline is
--                the next step of issue 16).

create table public.application_events (
  id bigint generated always as identity primary key,
  application_id uuid not null references public.applications (id) on delete cascade,
  from_status public.application_status,
  to_status public.application_status not null,
  changed_by uuid references public.profiles (id) on delete set null,
  changed_at timestamptz not null default clock_timestamp(),
  reason text check (reason in ('skills', 'another_candidate', 'position_closed', 'no_response',
                                'salary', 'location', 'other')),
  reason_detail text check (length(reason_detail) <= 300),
  message text check (length(message) <= 2000),
  check (reason is null or to_status = 'rejected'),
  check (reason_detail is null or reason = 'other')
);
create index application_events_application_idx on public.application_events (application_id, id);
alter table public.application_events enable row level security;
create policy "application events: staff read" on public.application_events
  for select to authenticated using ((select private.is_staff()));
revoke all on public.application_events from anon, authenticated;
grant select on public.application_events to authenticated;
grant all on public.application_events to service_role;

create table public.application_notes (
  id bigint generated always as identity primary key,
  application_id uuid not null references public.applications (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  body text not null check (length(btrim(body)) between 1 and 2000),
  created_at timestamptz not null default now()
);
create index application_notes_application_idx on public.application_notes (application_id, id);
alter table public.application_notes enable row level security;
create policy "application notes: staff read" on public.application_notes
  for select to authenticated using ((select private.is_staff()));
create policy "application notes: staff add their own" on public.application_notes
  for insert to authenticated
  with check ((select private.is_staff()) and author_id = (select auth.uid()));
revoke all on public.application_notes from anon, authenticated;
grant select on public.application_notes to authenticated;
grant insert (application_id, body) on public.application_notes to authenticated;
grant all on public.application_notes to service_role;

-- What the candidate is told (shown to them as text) and when.
alter table public.applications
  add column candidate_message text check (length(candidate_message) <= 2000),
  add column candidate_message_at timestamptz;

-- The history, for every way of moving an application. The reason, its words and the
-- message come from private.move_applications through transaction-local settings; a
-- direct update by staff leaves them empty.
create function private.record_application_event() returns trigger
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
  -- through (a referral link), or one for the same person and job made before it (the rule
  -- private.record_portal_hire credits a hire by). A referral made after the person applied
  -- is credited to no one and keeps its stage. Their own trigger records their history,
  -- tells the referrer and keeps the points.
  referral_stage := case new.status
    when 'new' then 'submitted' when 'reviewing' then 'reviewing'
    when 'interviewing' then 'interviewing' when 'offer' then 'offer' when 'hired' then 'hired'
    else 'not_selected' end;
  update public.referrals r set stage = referral_stage
   where (r.application_id = new.id
          or (r.candidate_id = new.candidate_id and r.job_id = new.job_id
              and r.created_at <= new.created_at))
     and r.stage is distinct from referral_stage;
  return null;
end
$$;
revoke all on function private.record_application_event() from public;

-- A job's Applicants tab, newest first (and the stage it filters by): without it, the first
-- page walked the newest applications of every job (185 ms at 1,000,000 on 1,000 jobs).
create index applications_job_created_idx on public.applications (job_id, created_at desc, id);

-- The referral an application came through, found from the application when it moves.
create index referrals_application_idx on public.referrals (application_id) where application_id is not null;

create trigger applications_stage_history
  after insert or update of status on public.applications
  for each row execute function private.record_application_event();

-- The applications already there get the history they can have: received, and their
-- stage now when it is another.
insert into public.application_events (application_id, from_status, to_status, changed_at)
select a.id, null, 'new', a.created_at from public.applications a;
insert into public.application_events (application_id, from_status, to_status, changed_at)
select a.id, 'new', a.status, a.updated_at from public.applications a where a.status <> 'new';

-- The candidate's message as an email for the worker.
alter table public.outreach_emails
  add column application_id uuid references public.applications (id) on delete cascade,
  drop constraint outreach_emails_kind_check,
  add constraint outreach_emails_kind_check
    check (kind in ('invitation', 'digest', 'candidate_message')),
  add check ((kind = 'candidate_message') = (application_id is not null));
create index outreach_emails_application_idx on public.outreach_emails (application_id)
  where application_id is not null;
create policy "outreach emails: staff read candidate messages" on public.outreach_emails
  for select to authenticated
  using (kind = 'candidate_message' and (select private.is_staff()));

create function private.move_applications(
  p_ids uuid[], p_to text, p_reason text, p_detail text, p_message text, p_email boolean,
  out application_id uuid, out from_status text, out email_id uuid
) returns setof record
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  target public.application_status;
  detail text := nullif(btrim(coalesce(p_detail, '')), '');
  message text := nullif(btrim(coalesce(p_message, '')), '');
  moving record;
begin
  if not (select private.is_staff()) then
    raise exception 'Only recruiters and admins can move applications.' using errcode = '42501';
  end if;
  if p_ids is null or cardinality(p_ids) = 0 then
    raise exception 'Choose at least one applicant to move.' using errcode = 'P0001';
  end if;
  if cardinality(p_ids) > 500 then
    raise exception 'Move at most 500 applicants at once.' using errcode = 'P0001';
  end if;
  if p_to is null or p_to not in (select unnest(enum_range(null::public.application_status))::text) then
    raise exception 'Choose the stage to move them to.' using errcode = 'P0001';
  end if;
  target := p_to::public.application_status;
  if target = 'rejected' and (p_reason is null or p_reason not in (
      'skills', 'another_candidate', 'position_closed', 'no_response', 'salary', 'location', 'other')) then
    raise exception 'Choose why they are not selected.' using errcode = 'P0001';
  end if;
  if target <> 'rejected' and p_reason is not null then
    raise exception 'A reason goes with a rejection only.' using errcode = 'P0001';
  end if;
  if target = 'rejected' and p_reason = 'other' and detail is null then
    raise exception 'Say in a few words why, for "Other".' using errcode = 'P0001';
  end if;
  if length(detail) > 300 then
    raise exception 'The reason is too long: at most 300 characters.' using errcode = 'P0001';
  end if;
  if length(message) > 2000 then
    raise exception 'The message is too long: at most 2,000 characters.' using errcode = 'P0001';
  end if;

  perform set_config('boomerang.move_reason', coalesce(p_reason, ''), true),
          set_config('boomerang.move_detail', coalesce(detail, ''), true),
          set_config('boomerang.move_message', coalesce(message, ''), true);
  for moving in
    select a.id, a.status from public.applications a
     where a.id = any(p_ids) and (a.status <> target or message is not null)
     order by a.id for update
  loop
    update public.applications a set
      status = target,
      candidate_message = coalesce(message, a.candidate_message),
      candidate_message_at = case when message is not null then now() else a.candidate_message_at end
     where a.id = moving.id;
    application_id := moving.id;
    from_status := moving.status::text;
    email_id := null;
    if message is not null and coalesce(p_email, false) then
      insert into public.outreach_emails (kind, application_id, queued_by)
      values ('candidate_message', moving.id, me) returning id into email_id;
    end if;
    insert into public.audit_log (actor_id, action, subject_type, subject_id, details)
    values (me, 'application.moved', 'application', moving.id::text,
            jsonb_strip_nulls(jsonb_build_object('from', moving.status, 'to', target,
                                                 'reason', p_reason, 'messaged', message is not null)));
    return next;
  end loop;
  perform set_config('boomerang.move_reason', '', true),
          set_config('boomerang.move_detail', '', true),
          set_config('boomerang.move_message', '', true);
end
$$;
revoke all on function private.move_applications(uuid[], text, text, text, text, boolean) from public, anon;
grant execute on function private.move_applications(uuid[], text, text, text, text, boolean) to authenticated;

-- A job's funnel, per source: how many applied, how many reached each stage (from the
-- history: an application rejected after an interview counts as interviewed), and how
-- many are rejected or withdrew. Staff only, under the tables' own policies.
create function private.application_funnel(p_job uuid)
returns table (source text, applied bigint, reviewing bigint, interviewing bigint, offer bigint,
               hired bigint, rejected bigint, withdrawn bigint)
language sql stable set search_path = ''
as $$
  with reached as (
    select a.id, a.source, a.status,
           coalesce(max(case e.to_status when 'reviewing' then 1 when 'interviewing' then 2
                                         when 'offer' then 3 when 'hired' then 4 else 0 end), 0) as furthest
    from public.applications a
    left join public.application_events e on e.application_id = a.id
    where a.job_id = p_job and (select private.is_staff())
    group by a.id, a.source, a.status
  )
  select r.source, count(*), count(*) filter (where furthest >= 1),
         count(*) filter (where furthest >= 2), count(*) filter (where furthest >= 3),
         count(*) filter (where furthest >= 4), count(*) filter (where r.status = 'rejected'),
         count(*) filter (where r.status = 'withdrawn')
  from reached r group by r.source order by count(*) desc, r.source
$$;
revoke all on function private.application_funnel(uuid) from public, anon;
grant execute on function private.application_funnel(uuid) to authenticated;

-- The follow link shows the candidate's message too.
drop function private.application_by_token(bytea);
create function private.application_by_token(p_token_hash bytea)
returns table (job_title text, status public.application_status, applied_at timestamptz,
               updated_at timestamptz, job_id uuid, message text, message_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select j.title, a.status, a.created_at, a.updated_at, j.id, a.candidate_message, a.candidate_message_at
  from public.applications a join public.jobs j on j.id = a.job_id
  where a.follow_token_hash = p_token_hash
$$;
revoke all on function private.application_by_token(bytea) from public;
grant execute on function private.application_by_token(bytea) to anon, authenticated;
