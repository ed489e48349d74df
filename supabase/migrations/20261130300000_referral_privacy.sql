-- The referral programme's personal data under the privacy export and erasure
-- (services/people/privacy.py).
--
--   referral_payouts      a paid bonus is a payroll and bookkeeping record of money paid to
--                         the referrer (kept for the statutory period: commercial and tax
--                         law, e.g. 6 to 10 years; GDPR Art. 17(3)(b) lets it stay). Erasing
--                         the referred candidate deletes their referral, so the payout no
--                         longer goes with it: it stays, detached (referral_id null), with
--                         payee, amount, dates and who paid it. Before this change the
--                         cascade deleted it, paid or not.
--   referrer_preferences, boomerang_interest, referral_notifications, referral_codes
--                         admins erase them when an alumnus or employee asks to be erased
--                         (the people themselves could not all delete their own); admins
--                         also read notifications, to export them on request (Art. 15) and
--                         because a delete only reaches rows its user can see. They say no
--                         more than the stage history admins read already.

-- ---------------------------------------------------------------------------
-- Payouts outlive the referral they were for.
-- ---------------------------------------------------------------------------
alter table public.referral_payouts
  alter column referral_id drop not null,
  drop constraint referral_payouts_referral_id_fkey,
  add constraint referral_payouts_referral_id_fkey foreign key (referral_id)
    references public.referrals (id) on delete set null;

-- The payout guard watches every column but referral_id, so that the foreign key can
-- detach a paid payout; referral_id itself only ever changes to null (by that cascade).
drop trigger referral_payout_guard on public.referral_payouts;
create trigger referral_payout_guard
  before insert or update of id, referrer_id, share_percent, amount, start_date, due_on, paid_at,
    paid_by, forfeited_at, created_at on public.referral_payouts
  for each row execute function private.guard_referral_payout();

create function private.keep_payout_referral() returns trigger
language plpgsql set search_path = ''
as $$
begin
  raise exception 'a payout stays with the referral it was planned for' using errcode = '23514';
end
$$;
revoke all on function private.keep_payout_referral() from public;

create trigger referral_payout_keeps_referral
  before update of referral_id on public.referral_payouts
  for each row when (new.referral_id is not null and new.referral_id is distinct from old.referral_id)
  execute function private.keep_payout_referral();

-- ---------------------------------------------------------------------------
-- Admins erase what the referral programme holds about an alumnus or employee.
-- ---------------------------------------------------------------------------
create policy "referrer preferences: admins erase" on public.referrer_preferences
  for delete to authenticated using ((select private.is_admin()));
create policy "boomerang interest: admins erase" on public.boomerang_interest
  for delete to authenticated using ((select private.is_admin()));
create policy "notifications: admins read, for privacy requests" on public.referral_notifications
  for select to authenticated using ((select private.is_admin()));
create policy "notifications: admins erase" on public.referral_notifications
  for delete to authenticated using ((select private.is_admin()));
create policy "referral codes: admins erase" on public.referral_codes
  for delete to authenticated using ((select private.is_admin()));

grant delete on public.referrer_preferences, public.referral_notifications, public.referral_codes
  to authenticated;
