-- Hiring stages configurable per company (issue 16). The stages themselves stay the enum
-- public.application_status: the funnel, savings and referral points depend on what each
-- one means. What the company chooses is the words: the recruiters' name of each stage,
-- the candidate's (softer) wording, and whether an optional stage is in use at all.
--
--   public.hiring_stages   one row per stage, seeded with the defaults below; staff read it,
--                          admins update it (nobody inserts or deletes: the enum is the list).
--                          Applied, Hired, Rejected and Withdrawn are always in use; labels
--                          are trimmed, 1 to 40 characters and unique among stages.
--   candidate wording      candidates and visitors (the follow link) read only the candidate
--                          labels, through private.candidate_stage_labels().
--   switched-off stages    an application already at one keeps it; moving one there is
--                          refused (trigger on public.applications, so move_applications and
--                          every other path alike).
--   audit              each change is in the audit log (settings.hiring_stage), with its author.
--   caching                a change moves private.public_data_version, so the labels every
--                          app process keeps (portal/shared.py) are read again at once.

create table public.hiring_stages (
  status public.application_status primary key,
  label text not null,
  candidate_label text not null,
  in_use boolean not null default true,
  updated_at timestamptz not null default now(),
  constraint hiring_stages_label_tidy
    check (label = btrim(label) and length(label) between 1 and 40),
  constraint hiring_stages_candidate_label_tidy
    check (candidate_label = btrim(candidate_label) and length(candidate_label) between 1 and 40),
  constraint hiring_stages_required_in_use
    check (in_use or status not in ('new', 'hired', 'rejected', 'withdrawn')),
  -- Deferred: two stages may swap their names in one statement.
  constraint hiring_stages_label_key unique (label) deferrable initially deferred,
  constraint hiring_stages_candidate_label_key unique (candidate_label) deferrable initially deferred
);

create function private.seed_hiring_stages() returns void
language sql security definer set search_path = '' as $$
  insert into public.hiring_stages (status, label, candidate_label) values
    ('new', 'Applied', 'Received'),
    ('reviewing', 'Screening', 'Being reviewed'),
    ('interviewing', 'Interviewing', 'Interviewing'),
    ('offer', 'Offer', 'Offer made'),
    ('hired', 'Hired', 'Hired'),
    ('rejected', 'Rejected', 'Not selected'),
    ('withdrawn', 'Withdrawn', 'Withdrawn')
  on conflict (status) do nothing
$$;
revoke all on function private.seed_hiring_stages() from public, anon, authenticated;
select private.seed_hiring_stages();

alter table public.hiring_stages enable row level security;
revoke all on public.hiring_stages from anon, authenticated;
grant select on public.hiring_stages to authenticated;
grant update (label, candidate_label, in_use) on public.hiring_stages to authenticated;
grant all on public.hiring_stages to service_role;

create policy "hiring stages: staff read" on public.hiring_stages
  for select to authenticated
  using ((select private.is_staff()));
create policy "hiring stages: admins update" on public.hiring_stages
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create function private.touch_hiring_stage() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;
revoke all on function private.touch_hiring_stage() from public, anon, authenticated;
create trigger hiring_stages_touch before update on public.hiring_stages
  for each row execute function private.touch_hiring_stage();

-- Every change is in the audit log, with who made it (as the company's other settings).
create function private.audit_hiring_stage() returns trigger
language plpgsql set search_path = '' as $$
begin
  if (new.label, new.candidate_label, new.in_use) is not distinct from
     (old.label, old.candidate_label, old.in_use) then
    return null;
  end if;
  insert into public.audit_log (action, subject_type, subject_id, details)
  values ('settings.hiring_stage', 'hiring_stage', new.status::text,
          jsonb_build_object('label', new.label, 'candidate_label', new.candidate_label,
                             'in_use', new.in_use));
  return null;
end
$$;
revoke all on function private.audit_hiring_stage() from public, anon, authenticated;
create trigger hiring_stages_audit after update on public.hiring_stages
  for each row execute function private.audit_hiring_stage();

create constraint trigger hiring_stages_public_data_changed
  after insert or update or delete on public.hiring_stages
  deferrable initially deferred for each row execute function private.public_data_changed();
create trigger hiring_stages_public_data_truncated after truncate on public.hiring_stages
  for each statement execute function private.public_data_changed();

-- What candidates and visitors read: the candidate's wording of each stage, nothing else.
create function private.candidate_stage_labels()
returns table (status text, candidate_label text)
language sql stable security definer set search_path = '' as $$
  select s.status::text, s.candidate_label from public.hiring_stages s order by s.status
$$;
revoke all on function private.candidate_stage_labels() from public;
grant execute on function private.candidate_stage_labels() to anon, authenticated;

-- Nothing moves to a stage switched off (an application already there keeps it).
create function private.stage_in_use() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  stage record;
begin
  select s.label, s.in_use into stage from public.hiring_stages s where s.status = new.status;
  if found and not stage.in_use then
    raise exception '“%” is switched off: choose another stage.', stage.label using errcode = 'P0001';
  end if;
  return new;
end
$$;
revoke all on function private.stage_in_use() from public, anon, authenticated;
create trigger applications_stage_in_use before update of status on public.applications
  for each row when (new.status is distinct from old.status)
  execute function private.stage_in_use();
