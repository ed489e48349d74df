-- What every member of staff sees alike (the recruiters' overview: open jobs, postings in
-- review, referrals in progress, unanswered questions, hires) is kept in memory per app
-- process like the public data (portal/shared.py, `staff_view`), and asks this number,
-- beside private.public_data_version, whether anything it came from changed: the
-- referrals, the hires and every question (asked, screened, answered, whatever its
-- status). Jobs already move the public number.
--
-- Moved at commit, once per transaction, as the public number is (deferred constraint
-- triggers: the row is locked only at the very end of the writer's transaction). Its own
-- number, so asking a question or moving a referral leaves the public board, answers and
-- job pages kept.

create table private.staff_data_version (
  id smallint primary key default 1 check (id = 1),
  version bigint not null default 0
);
insert into private.staff_data_version default values;
alter table private.staff_data_version enable row level security;
revoke all on private.staff_data_version from public, anon, authenticated;
create policy "staff data version: only the service role, the triggers move it"
  on private.staff_data_version for all to service_role using (true) with check (true);

-- One trigger function moves either number: the public data's triggers call it with no
-- argument (as they did), the staff data's with 'staff'.
alter function private.public_data_changed() rename to data_changed;
create or replace function private.data_changed() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  staff boolean := tg_nargs > 0 and tg_argv[0] = 'staff';
  moved_in text := case when staff then 'boomerang.staff_data_changed'
                        else 'boomerang.public_data_changed' end;
begin
  if coalesce(current_setting(moved_in, true), '') <> txid_current()::text then
    perform set_config(moved_in, txid_current()::text, true);
    if staff then
      update private.staff_data_version set version = version + 1 where id = 1;
    else
      update private.public_data_version set version = version + 1 where id = 1;
    end if;
  end if;
  return null;
end
$$;

create constraint trigger referrals_staff_data_changed after insert or update or delete
  on public.referrals
  deferrable initially deferred for each row execute function private.data_changed('staff');
create trigger referrals_staff_data_truncated after truncate on public.referrals
  for each statement execute function private.data_changed('staff');

create constraint trigger hires_staff_data_changed after insert or update or delete
  on public.hires
  deferrable initially deferred for each row execute function private.data_changed('staff');
create trigger hires_staff_data_truncated after truncate on public.hires
  for each statement execute function private.data_changed('staff');

create constraint trigger questions_staff_data_changed after insert or update or delete
  on public.questions
  deferrable initially deferred for each row execute function private.data_changed('staff');
create trigger questions_staff_data_truncated after truncate on public.questions
  for each statement execute function private.data_changed('staff');
