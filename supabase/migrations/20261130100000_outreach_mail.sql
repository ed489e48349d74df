-- Outreach mail: the alumni invitations and job digests the worker (`portal worker`, as the
-- owner) emails, one row per email, with its state.
--
--   admins       queue invitation emails (for roster rows) and read their state
--   recruiters   queue the emails of a digest they sent, and read digest emails' state
--   the worker   (owner) claims, sends and records; API roles never update or delete
--
-- A row holds no address and no text: the worker reads the roster row (invitations) or
-- the recipient's profile and the digest (digests) when it sends. Nor does it hold an
-- invitation token: the worker makes a fresh one at send time and stores only its SHA-256
-- on the roster row, in the transaction that records the email as sent. (Procrastinate's
-- job table is closed to API roles, but its rows outlive the job and go into every
-- backup: a token in a job's arguments would be a working link kept in plain text.)
--
-- Never twice. A worker first claims a due email in a transaction of its own
-- (`update … where status = 'queued' … returning`: of two workers one wins), then, in a
-- second transaction, sends and marks it sent. A worker that dies between the server's
-- answer and that commit leaves the claim behind: after a timeout it becomes a failure
-- ("may or may not have arrived"), never a second email.

create table public.outreach_emails (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('invitation', 'digest')),
  roster_id uuid references public.alumni_roster (id) on delete cascade,
  digest_id uuid references public.job_digests (id) on delete cascade,
  recipient_id uuid references public.profiles (id) on delete cascade,
  status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed')),
  attempts smallint not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  -- Set while a worker is sending; tells that worker's claim from a later one.
  claim uuid,
  claimed_at timestamptz,
  -- The last failure in the portal's own words: never the server's answer or a password.
  last_error text check (length(last_error) <= 300),
  sent_at timestamptz,
  queued_by uuid references public.profiles (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'invitation') = (roster_id is not null)),
  check ((kind = 'digest') = (digest_id is not null and recipient_id is not null)),
  check ((status = 'sending') = (claim is not null and claimed_at is not null)),
  check ((status = 'sent') = (sent_at is not null))
);
create index outreach_emails_roster_idx on public.outreach_emails (roster_id, created_at desc)
  where roster_id is not null;
create index outreach_emails_digest_idx on public.outreach_emails (digest_id) where digest_id is not null;
-- The worker's sweep: emails waiting or being sent.
create index outreach_emails_due_idx on public.outreach_emails (next_attempt_at)
  where status in ('queued', 'sending');
alter table public.outreach_emails enable row level security;

create policy "outreach emails: admins read invitations" on public.outreach_emails
  for select to authenticated
  using (kind = 'invitation' and (select private.is_admin()));
create policy "outreach emails: staff read digests" on public.outreach_emails
  for select to authenticated
  using (kind = 'digest' and (select private.is_staff()));
create policy "outreach emails: admins queue invitations" on public.outreach_emails
  for insert to authenticated
  with check (kind = 'invitation' and (select private.is_admin()) and queued_by = (select auth.uid()));
create policy "outreach emails: staff queue their digests" on public.outreach_emails
  for insert to authenticated
  with check (kind = 'digest' and (select private.is_staff()) and queued_by = (select auth.uid())
              and exists (select 1 from public.job_digests d
                          where d.id = digest_id and d.sent_by = (select auth.uid()))
              and exists (select 1 from public.profiles p
                          where p.id = recipient_id and p.role = 'alumnus' and p.active));

revoke all on public.outreach_emails from anon, authenticated;
grant select on public.outreach_emails to authenticated;
grant insert (kind, roster_id, digest_id, recipient_id) on public.outreach_emails to authenticated;
grant all on public.outreach_emails to service_role;
