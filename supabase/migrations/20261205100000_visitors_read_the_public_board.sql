-- Visitors (the anon role, as the Data API serves them) read the job postings' public
-- columns only: what the public board and a job's page show. Internal columns (the hiring
-- manager, the owner, the referral bonus, the target start date, the import key and why it
-- closed) stay with staff (issue 17, finding 5).
-- A Data API client asks for the columns it wants: `select=*` is refused for visitors.
revoke select on public.jobs from anon;
grant select (id, title, department, location, remote_policy, employment_type, salary_min,
              salary_max, currency, description, status, created_at, updated_at, published_at,
              closed_at, level)
  on public.jobs to anon;

-- The same for questions: visitors read a published question and its answer; who answered
-- it, why one is held, what it was merged into and its follow link's hash stay private.
revoke select on public.questions from anon;
grant select (id, job_id, body, topic, status, answer, answered_at, created_at, search)
  on public.questions to anon;
