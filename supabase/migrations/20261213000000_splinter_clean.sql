-- Supabase's database linter (splinter) finds nothing to warn about; what anyone may read or
-- change stays exactly as it was. tests/db/test_database_lints.py runs the lints' checks.
--
-- 1. multiple_permissive_policies: a role had two permissive policies for one action on one
--    table (an admins' `for all` policy beside a `for select` one), so Postgres evaluated
--    both for every row. Each (table, role, action) now has one policy, whose condition is
--    the two old ones joined by `or`: the same rows, one evaluation.
-- 2. unindexed_foreign_keys: every foreign key has an index that starts with its columns, so
--    deleting or re-keying a profile, job, referral or question does not scan the tables
--    that point at it.
-- 3. no_primary_key: the two tables without one get a surrogate key.
-- 4. rls_enabled_no_policy: the question-word list says in a policy who uses it.
-- 5. service_role could execute some `private` functions without usage on the schema,
--    i.e. grants that did nothing; they are gone, and those functions are executable by
--    exactly the roles that could call them before (anon and authenticated).

-- ---------------------------------------------------------------------------
-- 1. One permissive policy per table, role and action.
-- ---------------------------------------------------------------------------

-- Admins' `for all` policies become one policy per writing action; reading is the one
-- select policy, which already let admins read (admins are staff).
drop policy "channel slots: admins write" on public.channel_slots;
create policy "channel slots: admins add" on public.channel_slots
  for insert to authenticated with check ((select private.is_admin()));
create policy "channel slots: admins change" on public.channel_slots
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "channel slots: admins remove" on public.channel_slots
  for delete to authenticated using ((select private.is_admin()));
alter policy "channel slots: staff read" on public.channel_slots
  using ((select private.is_staff()) or (select private.is_admin()));

drop policy "company: admins write" on public.company;
create policy "company: admins add" on public.company
  for insert to authenticated with check ((select private.is_admin()));
create policy "company: admins change" on public.company
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "company: admins remove" on public.company
  for delete to authenticated using ((select private.is_admin()));

drop policy "company facts: admins write" on public.company_facts;
create policy "company facts: admins add" on public.company_facts
  for insert to authenticated with check ((select private.is_admin()));
create policy "company facts: admins change" on public.company_facts
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "company facts: admins remove" on public.company_facts
  for delete to authenticated using ((select private.is_admin()));

drop policy "exchange rates: admins write" on public.exchange_rates;
create policy "exchange rates: admins add" on public.exchange_rates
  for insert to authenticated with check ((select private.is_admin()));
create policy "exchange rates: admins change" on public.exchange_rates
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "exchange rates: admins remove" on public.exchange_rates
  for delete to authenticated using ((select private.is_admin()));
alter policy "exchange rates: staff read" on public.exchange_rates
  using ((select private.is_staff()) or (select private.is_admin()));

drop policy "savings settings: admins write" on public.savings_settings;
create policy "savings settings: admins add" on public.savings_settings
  for insert to authenticated with check ((select private.is_admin()));
create policy "savings settings: admins change" on public.savings_settings
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "savings settings: admins remove" on public.savings_settings
  for delete to authenticated using ((select private.is_admin()));
alter policy "savings settings: staff read" on public.savings_settings
  using ((select private.is_staff()) or (select private.is_admin()));

drop policy "channels: admins write" on public.social_channels;
create policy "channels: admins add" on public.social_channels
  for insert to authenticated with check ((select private.is_admin()));
create policy "channels: admins change" on public.social_channels
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "channels: admins remove" on public.social_channels
  for delete to authenticated using ((select private.is_admin()));
alter policy "channels: staff read" on public.social_channels
  using ((select private.is_staff()) or (select private.is_admin()));

drop policy "social roles: admins grant" on public.social_roles;
create policy "social roles: admins grant" on public.social_roles
  for insert to authenticated with check ((select private.is_admin()));
create policy "social roles: admins change" on public.social_roles
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "social roles: admins revoke" on public.social_roles
  for delete to authenticated using ((select private.is_admin()));
alter policy "social roles: staff read" on public.social_roles
  using ((select private.is_staff()) or (select private.is_admin()));

drop policy "topics: approvers keep them" on public.social_topics;
create policy "topics: approvers add them" on public.social_topics
  for insert to authenticated with check ((select private.has_social_role('approver')));
create policy "topics: approvers keep them" on public.social_topics
  for update to authenticated
  using ((select private.has_social_role('approver')))
  with check ((select private.has_social_role('approver')));
create policy "topics: approvers remove them" on public.social_topics
  for delete to authenticated using ((select private.has_social_role('approver')));
alter policy "topics: staff read" on public.social_topics
  using ((select private.is_staff()) or (select private.has_social_role('approver')));

-- Two policies for one action become one.
drop policy "boomerang interest: admins erase" on public.boomerang_interest;
alter policy "boomerang interest: own withdraw" on public.boomerang_interest
  rename to "boomerang interest: own withdraw, admins erase";
alter policy "boomerang interest: own withdraw, admins erase" on public.boomerang_interest
  using (user_id = (select private.me()) or (select private.is_admin()));

drop policy "notifications: admins read, for privacy requests" on public.referral_notifications;
alter policy "notifications: one's own" on public.referral_notifications
  rename to "notifications: one's own, and admins for privacy requests";
alter policy "notifications: one's own, and admins for privacy requests" on public.referral_notifications
  using (user_id = (select private.me()) or (select private.is_admin()));

drop policy "outreach emails: admins read invitations" on public.outreach_emails;
drop policy "outreach emails: staff read digests" on public.outreach_emails;
drop policy "outreach emails: staff read candidate messages" on public.outreach_emails;
create policy "outreach emails: admins read invitations, staff digests and candidate messages"
  on public.outreach_emails for select to authenticated
  using ((kind = 'invitation' and (select private.is_admin()))
         or (kind = 'digest' and (select private.is_staff()))
         or (kind = 'candidate_message' and (select private.is_staff())));

drop policy "outreach emails: admins queue invitations" on public.outreach_emails;
drop policy "outreach emails: staff queue their digests" on public.outreach_emails;
create policy "outreach emails: admins queue invitations, staff their digests"
  on public.outreach_emails for insert to authenticated
  with check (
    (kind = 'invitation' and (select private.is_admin()) and queued_by = (select private.me()))
    or (kind = 'digest' and (select private.is_staff()) and queued_by = (select private.me())
        and exists (select 1 from public.job_digests d
                    where d.id = digest_id and d.sent_by = (select private.me()))
        and exists (select 1 from public.profiles p
                    where p.id = recipient_id and p.role = 'alumnus' and p.active)));

-- ---------------------------------------------------------------------------
-- 2. An index for every foreign key.
-- ---------------------------------------------------------------------------
create index alumni_roster_imported_by_idx on public.alumni_roster (imported_by);
create index application_events_changed_by_idx on public.application_events (changed_by);
create index application_notes_author_id_idx on public.application_notes (author_id);
create index audit_log_actor_id_idx on public.audit_log (actor_id);
create index hires_job_id_idx on public.hires (job_id);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index job_digests_sent_by_idx on public.job_digests (sent_by);
create index outreach_emails_queued_by_idx on public.outreach_emails (queued_by);
create index outreach_emails_recipient_id_idx on public.outreach_emails (recipient_id);
create index questions_answered_by_idx on public.questions (answered_by);
create index questions_merged_into_idx on public.questions (merged_into);
create index referral_bonus_rules_updated_by_idx on public.referral_bonus_rules (updated_by);
create index referral_level_bonus_rules_updated_by_idx on public.referral_level_bonus_rules (updated_by);
create index referral_notifications_referral_id_idx on public.referral_notifications (referral_id);
create index referral_payouts_paid_by_idx on public.referral_payouts (paid_by);
create index referral_stage_events_changed_by_idx on public.referral_stage_events (changed_by);
create index social_post_costs_recorded_by_idx on public.social_post_costs (recorded_by);
create index social_post_events_actor_id_idx on public.social_post_events (actor_id);
create index social_posts_approved_by_idx on public.social_posts (approved_by);
create index social_posts_author_id_idx on public.social_posts (author_id);
create index social_posts_topic_id_idx on public.social_posts (topic_id);
create index social_roles_granted_by_idx on public.social_roles (granted_by);
create index social_topics_approved_by_idx on public.social_topics (approved_by);

-- ---------------------------------------------------------------------------
-- 3. A primary key for every table. Neither table has a natural one: a client may ask
--    twice in the same instant, and an identity owns referrals over several periods.
-- ---------------------------------------------------------------------------
alter table private.question_rate add column id bigint generated always as identity primary key;
alter table public.referral_ownerships add column id bigint generated always as identity primary key;

-- ---------------------------------------------------------------------------
-- 4. The words of asked questions are the question search's own: its security-definer
--    functions read and write them, visitors and signed-in users have no grant on the
--    table, and the service role (which bypasses row-level security on Supabase) keeps
--    what its grant says.
-- ---------------------------------------------------------------------------
create policy "question words: only the service role, the search reads them for others"
  on public.question_words for all to service_role using (true) with check (true);

-- private.public_data_version: the same, for the number the app's caches compare.
create policy "public data version: only the service role, the triggers move it"
  on private.public_data_version for all to service_role using (true) with check (true);

-- ---------------------------------------------------------------------------
-- 5. Nobody holds a grant that does nothing: service_role has no usage on `private`, so it
--    loses EXECUTE there; functions that were everyone's by default (PUBLIC) are now the
--    two API roles' that have usage on the schema (trigger functions need no grant at all).
-- ---------------------------------------------------------------------------
revoke execute on function private.job_status_next(public.job_status), private.jobs_matching(text),
  private.question_word_meanings(text), private.questions_matching(text, text, integer)
  from service_role;
revoke execute on function private.candidate_identities(text, text), private.is_referrer(uuid),
  private.application_hire_changed(), private.guard_profile_update(),
  private.guard_referral_payout(), private.refer_from_link(), private.referral_hire_changed(),
  private.stamp_new_referral(), private.touch_application()
  from public;
grant execute on function private.candidate_identities(text, text), private.is_referrer(uuid)
  to anon, authenticated;
