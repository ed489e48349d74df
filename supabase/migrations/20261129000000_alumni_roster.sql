-- Joining as an alumnus: the roster of former employees an admin imports, the invitations
-- sent to them, and the one way a visitor becomes an alumnus.
--
--   admins       import, read, invite and remove roster rows (nobody else sees the roster)
--   visitors     redeem an invitation link through private.redeem_alumni_invitation, which
--                is the only way an account can get the alumnus role without an admin:
--                the token must belong to a roster row, be unexpired and unused, and the
--                email must not have an account yet. It leaves an invitation (role alumnus)
--                that private.handle_new_user gives to the account created next.
-- Invitation tokens are stored as their SHA-256 only; the link holds the token itself.

create table public.alumni_roster (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(email) and email like '%_@_%'),
  full_name text not null check (length(full_name) between 1 and 120),
  department text not null default '' check (length(department) <= 120),
  last_day date,
  linkedin_url text not null default '' check (length(linkedin_url) <= 500),
  imported_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  invited_at timestamptz,
  invitation_hash text unique check (invitation_hash ~ '^[0-9a-f]{64}$'),
  invitation_expires_at timestamptz,
  registered_at timestamptz,
  check ((invitation_hash is null) = (invitation_expires_at is null))
);
comment on column public.alumni_roster.invitation_hash is
  'SHA-256 (hex) of the latest invitation token; the token is only in the link sent';
create index alumni_roster_created_idx on public.alumni_roster (created_at, email);
create index alumni_roster_search_idx on public.alumni_roster
  using gin ((full_name || ' ' || email || ' ' || department) extensions.gin_trgm_ops);
alter table public.alumni_roster enable row level security;

create policy "alumni roster: admins manage" on public.alumni_roster
  for all to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

revoke all on public.alumni_roster from anon, authenticated;
grant select, insert, update, delete on public.alumni_roster to authenticated;
grant all on public.alumni_roster to service_role;

create function private.redeem_alumni_invitation(p_token text, p_full_name text)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  invited public.alumni_roster;
  name text := btrim(coalesce(p_full_name, ''));
begin
  select * into invited from public.alumni_roster r
   where r.invitation_hash = encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex')
   for update;
  if not found then
    raise exception 'This invitation link is not valid. Open the link from your invitation '
      'email exactly as it was sent, or ask the HR team for a new invitation.';
  end if;
  if invited.registered_at is not null then
    raise exception 'This invitation was used already. Sign in with the account it created.';
  end if;
  if invited.invitation_expires_at <= now() then
    raise exception 'This invitation expired on %. Ask the HR team for a new one.',
      to_char(invited.invitation_expires_at, 'YYYY-MM-DD');
  end if;
  if exists (select 1 from public.profiles p where lower(p.email) = invited.email) then
    raise exception 'There is already an account for %. Sign in with it instead.', invited.email;
  end if;
  if length(name) not between 1 and 120 then
    raise exception 'Enter your name (at most 120 characters).';
  end if;
  update public.alumni_roster set registered_at = now() where id = invited.id;
  insert into public.invitations (email, role, full_name)
  values (invited.email, 'alumnus', name)
  on conflict (email) do update
    set role = 'alumnus', full_name = excluded.full_name, invited_by = null,
        expires_at = now() + interval '14 days'
    where public.invitations.expires_at <= now();
  return invited.email;
end
$$;
revoke all on function private.redeem_alumni_invitation(text, text) from public;
grant execute on function private.redeem_alumni_invitation(text, text) to anon, authenticated;
