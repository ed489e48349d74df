-- Visitors (anon, as the Data API serves them) read the portal's settings column by column:
-- what the public pages use, no more (issue 17; jobs, questions and the company's profile
-- are done the same way). The job page and the FAQ show the answer target and the retention
-- period (the privacy notice); every link is made with the public address; `id` is how the
-- one row is asked for (`where id = 1`). The time zone, the self-approval switch and when
-- they were changed stay with signed-in users.
revoke select on public.portal_settings from anon;
grant select (id, answer_target_hours, candidate_retention_days, public_url)
  on public.portal_settings to anon;
