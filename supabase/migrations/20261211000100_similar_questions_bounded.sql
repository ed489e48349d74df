-- The similar-question lookup ranks a bounded number of questions (issue 19).
--
-- private.questions_matching ranked every published question that has all the typed
-- words (or, when too few have them all, the rarer ones): for a word as common as a
-- frequent topic's, thousands of questions at 100,000 and tens of thousands at 1,000,000,
-- each read from the table and ranked to keep twenty (p95 55 ms at 10^5, 325 ms at 10^6).
-- Now each search ranks at most the first 1,000 matches the full-text index gives: below
-- that, the same questions as before; above it, questions that all have every word, the
-- best ranked of those 1,000, so the lookup costs the same however many questions share
-- a common word.
create or replace function private.questions_matching(every_word text, rare_words text, wanted integer)
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  with by_words as (
    select m.id from (
      select q.id, q.search from public.questions q
      where q.status = 'published' and q.search @@ to_tsquery('english'::regconfig, every_word)
      limit 1000) m
    order by ts_rank_cd(m.search, to_tsquery('english'::regconfig, every_word), 32) desc
    limit 20
  ), by_rare_words as (
    select m.id from (
      select q.id, q.search from public.questions q
      where (select count(*) from by_words) < wanted
        and q.status = 'published' and q.search @@ to_tsquery('english'::regconfig, rare_words)
      limit 1000) m
    order by ts_rank_cd(m.search, to_tsquery('english'::regconfig, rare_words), 32) desc
    limit 20
  )
  select id from by_words union select id from by_rare_words
$$;

-- How many questions use a typed word's meanings: their stems worked out once per word,
-- not again for each of the thousand stems in the questions' statistics (5 of the 9 ms a
-- lookup spent here), and those statistics unpacked once per lookup, not once per word.
create or replace function private.question_word_meanings(typed text)
returns table (word text, meanings text[], questions integer)
language sql stable security definer set search_path = ''
as $$
  with typed_words as (
    select distinct lower(d.token) as word
    from pg_catalog.ts_debug('english'::regconfig, typed) d where d.lexemes <> '{}'
    limit 20
  ), stem_shares as materialized (
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
                         where ss.stem = any (known.stems)), 0)
               * (select count from all_questions))::integer
  from typed_words t
  left join lateral (
    select array_agg(m.word) as words,
           tsvector_to_array(to_tsvector('english'::regconfig,
                                         array_to_string(array_agg(m.word), ' '))) as stems
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
