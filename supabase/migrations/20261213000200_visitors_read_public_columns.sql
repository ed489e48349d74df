-- Visitors (anon, as the Data API serves them) read the company's profile and its facts
-- column by column: what the public pages show, no more (issue 17: jobs and questions were
-- done in 20261205100000). When each was last edited stays with signed-in users. As for
-- jobs, `select=*` is refused for visitors.
revoke select on public.company from anon;
grant select (id, name, tagline, about, website) on public.company to anon;

revoke select on public.company_facts from anon;
grant select (id, topic, title, body) on public.company_facts to anon;
