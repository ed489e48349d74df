-- What every visitor may see (the board, a published job, the answered questions, the
-- company's profile and facts, the portal's public settings) is the same for everyone and
-- changes rarely. Each app process keeps it in memory (portal/shared.py) and asks this one
-- number whether anything it came from changed since: a change made by anyone, through
-- any process, the worker or plain SQL, shows at the next rerun.
--
-- The number moves when the transaction that changed the data commits: the triggers are
-- deferred constraint triggers, so the row is locked only at the very end of the writer's
-- transaction (no writer waits for it while holding other rows, so none deadlocks on it),
-- and readers never see a new number before the data it stands for. A transaction moves it
-- once, however many rows it changed.

create table private.public_data_version (
  id smallint primary key default 1 check (id = 1),
  version bigint not null default 0
);
insert into private.public_data_version default values;
alter table private.public_data_version enable row level security;
revoke all on private.public_data_version from public, anon, authenticated;

create function private.public_data_changed() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if coalesce(current_setting('boomerang.public_data_changed', true), '') <> txid_current()::text then
    perform set_config('boomerang.public_data_changed', txid_current()::text, true);
    update private.public_data_version set version = version + 1 where id = 1;
  end if;
  return null;
end
$$;
revoke all on function private.public_data_changed() from public, anon, authenticated;

create constraint trigger jobs_public_data_changed after insert or update or delete on public.jobs
  deferrable initially deferred for each row execute function private.public_data_changed();
create trigger jobs_public_data_truncated after truncate on public.jobs
  for each statement execute function private.public_data_changed();

-- Questions: only published ones are public (asking one changes nothing a visitor sees).
create constraint trigger questions_public_data_inserted after insert on public.questions
  deferrable initially deferred for each row when (new.status = 'published')
  execute function private.public_data_changed();
create constraint trigger questions_public_data_updated after update on public.questions
  deferrable initially deferred for each row
  when (old.status = 'published' or new.status = 'published')
  execute function private.public_data_changed();
create constraint trigger questions_public_data_deleted after delete on public.questions
  deferrable initially deferred for each row when (old.status = 'published')
  execute function private.public_data_changed();
create trigger questions_public_data_truncated after truncate on public.questions
  for each statement execute function private.public_data_changed();

create constraint trigger company_public_data_changed after insert or update or delete on public.company
  deferrable initially deferred for each row execute function private.public_data_changed();
create trigger company_public_data_truncated after truncate on public.company
  for each statement execute function private.public_data_changed();
create constraint trigger company_facts_public_data_changed after insert or update or delete
  on public.company_facts
  deferrable initially deferred for each row execute function private.public_data_changed();
create trigger company_facts_public_data_truncated after truncate on public.company_facts
  for each statement execute function private.public_data_changed();
create constraint trigger portal_settings_public_data_changed after insert or update or delete
  on public.portal_settings
  deferrable initially deferred for each row execute function private.public_data_changed();
create trigger portal_settings_public_data_truncated after truncate on public.portal_settings
  for each statement execute function private.public_data_changed();
