-- Importing the same postings file twice adds its postings once: each imported row keeps
-- a key made from its cells (and which occurrence of an identical row it is), as hires do.
alter table public.jobs add column import_key text unique;
comment on column public.jobs.import_key is
  'Set by a CSV import: a hash of the row''s cells, so that a file imported again skips it';
