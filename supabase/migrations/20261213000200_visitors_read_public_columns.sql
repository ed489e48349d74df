-- Visitors (anon, as the Data API serves them) read the company's profile, its facts and
-- the portal's public settings column by column: what the public pages show, no more
-- (issue 17: jobs and questions were done in 20261205100000). Left with staff and signed-in
-- users: when each was last edited, the posting calendar's time zone and whether postings
-- may be approved by their author. As for jobs, `select=*` is refused for visitors.
revoke select on public.company from anon;
grant select (id, name, tagline, about, website) on public.company to anon;

revoke select on public.company_facts from anon;
grant select (id, topic, title, body) on public.company_facts to anon;

-- The answer target (the Q&A page) and how long candidates' data is kept (a job's page).
revoke select on public.portal_settings from anon;
grant select (id, answer_target_hours, candidate_retention_days) on public.portal_settings to anon;
