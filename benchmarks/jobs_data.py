"""Synthetic job postings the benchmark scripts share."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def insert_jobs(conn: Connection, total: int, status_of_i: str, owners: Sequence[str] = ()) -> None:
    """Postings i = 1…`total` from a few titles, departments and places, the newest first.

    `status_of_i` is a SQL expression of `i` giving each posting's status (written by the
    benchmark, never from input); `owners` (profile ids) take turns owning them."""
    conn.execute(sa.text(
        f"""
        insert into public.jobs (title, department, location, remote_policy, employment_type,
          salary_min, salary_max, currency, description, owner_id, status, published_at,
          closed_at, close_reason, created_at)
        select (array['Backend Engineer', 'Frontend Engineer', 'Data Scientist', 'Product Manager',
                      'Designer', 'Account Executive', 'Site Reliability Engineer', 'Recruiter',
                      'Customer Success Manager', 'Financial Analyst'])[1 + i % 10]
                 || ' ' || (array['I', 'II', 'Senior', 'Lead', 'Staff'])[1 + (i / 10) % 5]
                 || ' #' || i,
               (array['Engineering', 'Data', 'Product', 'Design', 'Sales', 'People', 'Finance',
                      'Customer Success', 'Marketing'])[1 + i % 9],
               (array['Berlin', 'London', 'Austin, TX', 'Remote (EU)', 'Lisbon', 'Warsaw'])[1 + i % 6],
               (array['onsite', 'hybrid', 'remote'])[1 + i % 3],
               (array['full_time', 'full_time', 'part_time', 'contract', 'internship'])[1 + i % 5],
               50000 + (i % 40) * 1000, 70000 + (i % 40) * 1500, 'EUR',
               repeat('We are looking for someone who enjoys hard problems, clear writing and '
                      'working with kind colleagues. ', 6),
               (cast(:owners as uuid[]))[1 + i % greatest(cardinality(cast(:owners as uuid[])), 1)],
               s.status,
               case when s.status in ('published', 'closed') then now() - make_interval(mins => i) end,
               case when s.status = 'closed' then now() end,
               case when s.status = 'closed' then 'filled' end,
               now() - make_interval(mins => i)
        from generate_series(1, :total) as i,
             lateral (select ({status_of_i})::public.job_status as status) s
        """), {"owners": list(owners), "total": total})  # noqa: S608 - the status expression is ours
    conn.exec_driver_sql("analyze public.jobs")
