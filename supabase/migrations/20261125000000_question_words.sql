-- Similar-question suggestions at scale.
--
-- The first version matched trigrams against every published question's text, and fell
-- back to ranking every question with any of the typed words: 730 ms a lookup over
-- 100,000 questions, for a reason easy to miss: as a visitor, row-level security kept
-- Postgres from using the full-text index at all (see questions_matching). Now trigrams correct the typed words against the vocabulary of the
-- published questions (a few thousand words, not 100,000 texts), and full-text search
-- does the rest with the corrected words, preferring the rarer ones (see
-- services/candidates/questions.py, similar_in). This is the approach pg_trgm's documentation gives
-- for spelling suggestions with full-text search.

-- ---------------------------------------------------------------------------
-- The words of published questions: trigram lookups correct misspelt words against it.
-- A trigger adds the words of each question published; it never counts or removes, so
-- publishing never waits on a shared row ("the" is in every question). Words no published
-- question uses any more are removed nightly by the worker (forget_unused_question_words).
-- Read only through question_word_meanings below.
-- ---------------------------------------------------------------------------
create table public.question_words (
  word text primary key
);
alter table public.question_words enable row level security;

create index question_words_trgm_idx on public.question_words using gist (word extensions.gist_trgm_ops);

-- The distinct words of a text, lower-cased and unstemmed (the 'simple' configuration),
-- so that a corrected word still goes through the English stemmer when it is searched.
create function private.words_of(body text) returns text[]
language sql immutable strict set search_path = ''
as $$
  select coalesce(array_agg(distinct word order by word), '{}')
  from unnest(tsvector_to_array(to_tsvector('simple'::regconfig, body))) as word
  where length(word) <= 40
$$;

create function private.remember_question_words() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.question_words (word)
  select unnest(private.words_of(new.body)) on conflict do nothing;
  return null;
end;
$$;

create trigger questions_remember_words
  after insert or update of body, status on public.questions
  for each row when (new.status = 'published')
  execute function private.remember_question_words();

insert into public.question_words (word)
select distinct unnest(private.words_of(body)) from public.questions where status = 'published';

create function private.forget_unused_question_words() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  forgotten integer;
begin
  -- Publishers wait until this is done, so a word published meanwhile is not lost.
  lock table public.question_words in exclusive mode;
  with used as materialized (
    select distinct unnest(private.words_of(body)) as word
    from public.questions where status = 'published'
  )
  delete from public.question_words w where not exists (select from used u where u.word = w.word);
  get diagnostics forgotten = row_count;
  return forgotten;
end;
$$;

-- ---------------------------------------------------------------------------
-- What each typed word may mean (stop words left out, at most 20 words): itself if a
-- published question uses it, else up to two nearest words by trigram similarity; and
-- about how many questions use those meanings, from the planner's statistics on the
-- full-text column (ANALYZE keeps the frequencies of the most common stems; a stem not
-- among them is rare). Security definer: pg_stats hides tables with row-level security.
-- ---------------------------------------------------------------------------
create function private.question_word_meanings(typed text)
returns table (word text, meanings text[], questions integer)
language sql stable security definer set search_path = ''
as $$
  with typed_words as (
    select distinct lower(d.token) as word
    from pg_catalog.ts_debug('english'::regconfig, typed) d where d.lexemes <> '{}'
    limit 20
  ), stem_shares as (
    select e.stem, e.share
    from pg_catalog.pg_stats s,
         unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) as e (stem, share)
    where s.schemaname = 'public' and s.tablename = 'questions' and s.attname = 'search'
      and e.stem is not null
  ), all_questions as (
    select greatest(c.reltuples, 0) as count from pg_catalog.pg_class c
    where c.oid = 'public.questions'::regclass
  )
  select t.word, coalesce(known.words, '{}'),
         round(coalesce((select max(ss.share) from stem_shares ss
                         where ss.stem = any (tsvector_to_array(
                           to_tsvector('english'::regconfig, array_to_string(known.words, ' '))))), 0)
               * (select count from all_questions))::integer
  from typed_words t
  left join lateral (
    select array_agg(m.word) as words
    from (
      select w.word from public.question_words w where w.word = t.word
      union all
      (select w.word from public.question_words w
       where not exists (select from public.question_words e where e.word = t.word)
         and w.word operator(extensions.%) t.word
       order by w.word operator(extensions.<->) t.word
       limit 2)
    ) m
  ) known on true
$$;

-- Trigrams now run against the vocabulary, not the questions' text.
drop index public.questions_body_trgm_idx;

-- ---------------------------------------------------------------------------
-- Published questions matching the words, best ranked first: every word, and when too
-- few have them all, the rarer ones. Security definer because under row-level security
-- Postgres may not use the full-text index: `@@` is not leakproof, so it must wait until
-- the policy has filtered every row (a scan of all published questions, hundreds of ms at
-- 100,000). It reads published questions only, which every visitor may read anyway.
-- The words come as tsquery text (services/candidates/questions.py builds it from letters and digits).
-- ---------------------------------------------------------------------------
create function private.questions_matching(every_word text, rare_words text, wanted integer)
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  with by_words as (
    select q.id from public.questions q
    where q.status = 'published' and q.search @@ to_tsquery('english'::regconfig, every_word)
    order by ts_rank_cd(q.search, to_tsquery('english'::regconfig, every_word), 32) desc
    limit 20
  ), by_rare_words as (
    select q.id from public.questions q
    where (select count(*) from by_words) < wanted
      and q.status = 'published' and q.search @@ to_tsquery('english'::regconfig, rare_words)
    order by ts_rank_cd(q.search, to_tsquery('english'::regconfig, rare_words), 32) desc
    limit 20
  )
  select id from by_words union select id from by_rare_words
$$;

-- Only published questions are searched: a smaller index than one over every question.
-- fastupdate off: otherwise every search reads GIN's pending list of recent entries in
-- full until the next vacuum.
drop index public.questions_search_idx;
create index questions_search_idx on public.questions using gin (search)
  with (fastupdate = off) where status = 'published';

revoke all on public.question_words from anon, authenticated;
grant all on public.question_words to service_role;
revoke all on function private.words_of(text), private.remember_question_words(),
  private.forget_unused_question_words(), private.question_word_meanings(text),
  private.questions_matching(text, text, integer) from public, anon, authenticated;
grant execute on function private.question_word_meanings(text),
  private.questions_matching(text, text, integer) to anon, authenticated, service_role;
