-- A social post's tracked link carries its network (public.social_network, the portal's
-- list in portal/networks.py) as its utm_source. Every such network now counts as social
-- media, those added later too (their `alter type … add value` is all it takes); the
-- news feed's hires were counted as direct until now, and are corrected below.
create or replace function private.hire_source_of(source text, out kind public.hire_source, out channel text)
language sql stable set search_path = ''
as $$
  select
    case
      when s in ('referral', 'social', 'job_board', 'career_site', 'agency', 'direct', 'internal')
        then s::public.hire_source
      when s = any(enum_range(null::public.social_network)::text[])
        or s in ('twitter', 'instagram', 'xing', 'newsletter')
        then 'social'
      when s in ('indeed', 'stepstone', 'monster', 'careerbuilder', 'glassdoor', 'ziprecruiter')
        then 'job_board'
      else 'direct'
    end,
    case
      when s in ('referral', 'social', 'job_board', 'career_site', 'agency', 'direct', 'internal', '')
        then null
      else s
    end
  from (select lower(trim(coalesce(source, ''))) as s) as normalised
$$;

-- The triggers on hires keep the totals up to date.
update public.hires set source = 'social' where source = 'direct' and channel = 'news_feed';
