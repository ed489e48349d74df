-- Columns that record a workflow can only be written by that workflow, through the Data API
-- as through the pages (issue 17, findings 1, 2 and 7):
--   social_posts      the author stays the author, `approved_by` is stamped by approval only,
--                     and a post carries no publication date before it is published, so
--                     nobody approves their own post by lending it to someone else first,
--                     and no date set on a draft survives the workflow;
--   referral_payouts  a bonus is planned unpaid, for a hired referral: "paid" is a step of
--                     its own, stamped by the database with who and when.
-- The portal's own cascades and the worker run as the owner and are not limited by these.

create function private.keep_social_post_records() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if current_user not in ('authenticated', 'anon') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.author_id := auth.uid();
    new.approved_by := null;
    new.published_at := null;
    return new;
  end if;
  if new.author_id is distinct from old.author_id then
    raise exception 'a post keeps its author' using errcode = 'insufficient_privilege';
  end if;
  if new.approved_by is distinct from old.approved_by and new.status = old.status then
    raise exception 'a post is approved through its workflow' using errcode = 'insufficient_privilege';
  end if;
  if new.status <> 'published' then
    new.published_at := old.published_at;  -- only publishing sets it
  elsif old.status <> 'published' and new.published_at > now() then
    raise exception 'a post cannot be published in the future' using errcode = 'check_violation';
  elsif old.status = 'published' and new.published_at is distinct from old.published_at then
    raise exception 'a published post keeps its publication date' using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.keep_social_post_records() from public;

-- Named to run before social_posts_guard (triggers fire in name order), which then applies
-- the workflow to the row as this one left it.
create trigger social_posts_a_keep_records
  before insert or update on public.social_posts
  for each row execute function private.keep_social_post_records();

-- Drafts that were given a publication date before this migration lose it.
update public.social_posts set published_at = null where status <> 'published' and published_at is not null;

create function private.plan_payout_unpaid() returns trigger
language plpgsql set search_path = ''
as $$
begin
  -- The owner's work is not limited; whoever is not staff is refused by the insert policy.
  if current_user not in ('authenticated', 'anon') or not private.is_staff() then
    return new;
  end if;
  if new.paid_at is not null or new.paid_by is not null or new.forfeited_at is not null then
    raise exception 'a bonus is planned unpaid; record the payment when it is made'
      using errcode = 'check_violation';
  end if;
  if not exists (select 1 from public.referrals r where r.id = new.referral_id and r.stage = 'hired') then
    raise exception 'a bonus is planned for a hired referral only' using errcode = 'check_violation';
  end if;
  new.created_at := now();
  return new;
end;
$$;
revoke all on function private.plan_payout_unpaid() from public;

-- Before referral_payout_guard (name order), so that a paid insert is refused for what it is.
create trigger referral_payout_a_planned_unpaid
  before insert on public.referral_payouts
  for each row execute function private.plan_payout_unpaid();
