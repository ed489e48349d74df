"""The `portal` command: the same services the pages use, from a terminal.

    portal db upgrade            apply pending migrations
    portal db url                print the connection URL of the database in use (for psql)
    portal db stop [--force]     stop the embedded PostgreSQL that `db url` left running
    portal db schemas            rewrite supabase/schemas/*.sql from the migrations
    portal demo [--force]        load the demo data (running it twice changes nothing)
    portal users add EMAIL --role ROLE [--name NAME]
    portal import hires FILE.csv             import hires made outside the portal
    portal report savings --from DATE --to DATE --format csv|xlsx|pdf [--output FILE]
    portal privacy export EMAIL [--output FILE]   everything held about one person, as JSON
    portal privacy erase EMAIL --yes              erase it
    portal privacy purge                          erase unsuccessful candidates past retention
    portal worker                run background tasks (the daily purge) until Ctrl+C or SIGTERM
    portal proxy-config [--processes N] [--first-port 8501] [--app HOST:PORT ...] [--bind HOST:PORT]
                                 print an HAProxy configuration for N app processes (sticky sessions)

The CLI works with the database owner's rights, as an operator with the database's
credentials would; the pages work as the signed-in user, under row-level security.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import date
from pathlib import Path

from portal import db, embedded, migrations
from portal.errors import UserFacingError
from portal.models import Role
from portal.settings import settings
from portal.words import counted


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    # Errors only: the log (on stderr) is for what went wrong, stdout for the command's output.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except migrations.MigrationError as error:
        print(f"error: migration failed: {error}", file=sys.stderr)
    except (db.DatabaseUnavailable, UserFacingError) as error:
        print(f"error: {error}", file=sys.stderr)
    except Exception as error:  # the last resort: the traceback to the log, then one line for the user
        logging.getLogger("boomerang.cli").exception("unexpected error")
        print(f"error: unexpected {type(error).__name__}; nothing more was done. Run again, "
              "and report it (with the traceback above) if it keeps happening.", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Boomerang's command line.")
    commands = parser.add_subparsers(title="commands")

    db_parser = commands.add_parser("db", help="the database")
    db_commands = db_parser.add_subparsers(title="database commands", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)
    db_commands.add_parser("url", help="print the connection URL (for psql)").set_defaults(
        run=_db_url)
    db_commands.add_parser(
        "schemas", help="rewrite supabase/schemas/*.sql (the current schema) from the migrations"
    ).set_defaults(run=_db_schemas)
    stop = db_commands.add_parser("stop", help="stop the embedded PostgreSQL")
    stop.add_argument("--force", action="store_true", help="even while clients are connected")
    stop.set_defaults(run=_db_stop)

    demo = commands.add_parser("demo", help="load the demo data (into a portal without accounts)")
    demo.add_argument("--force", action="store_true",
                      help="load it even though the portal has accounts of its own")
    demo.set_defaults(run=_demo)

    users = commands.add_parser("users", help="user accounts")
    user_commands = users.add_subparsers(title="user commands", required=True)
    add = user_commands.add_parser("add", help="add an account and print its temporary password")
    add.add_argument("email")
    add.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
    add.add_argument("--name", default="", help="full name (defaults to the email's local part)")
    add.set_defaults(run=_users_add)

    imports = commands.add_parser("import", help="import data from files")
    import_commands = imports.add_subparsers(title="import commands", required=True)
    hires = import_commands.add_parser(
        "hires", help="import hires from a CSV file (bad rows are reported, good rows kept)")
    hires.add_argument("file", type=Path)
    hires.set_defaults(run=_import_hires)

    reports = commands.add_parser("report", help="write reports")
    report_commands = reports.add_subparsers(title="reports", required=True)
    savings = report_commands.add_parser("savings", help="the savings report")
    savings.add_argument("--from", dest="start", type=_date, required=True, help="YYYY-MM-DD")
    savings.add_argument("--to", dest="end", type=_date, required=True, help="YYYY-MM-DD")
    savings.add_argument("--format", choices=("csv", "xlsx", "pdf"), required=True)
    savings.add_argument("--output", type=Path,
                         help="file to write (default: savings-FROM-to-TO.FORMAT here)")
    savings.set_defaults(run=_report_savings)

    privacy = commands.add_parser("privacy", help="candidates' personal data on request")
    privacy_commands = privacy.add_subparsers(title="privacy commands", required=True)
    export = privacy_commands.add_parser("export", help="write everything held about EMAIL as JSON")
    export.add_argument("email")
    export.add_argument("--output", type=Path, help="file to write (default: print it)")
    export.set_defaults(run=_privacy_export)
    erase = privacy_commands.add_parser("erase", help="erase everything held about EMAIL")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    erase.set_defaults(run=_privacy_erase)
    privacy_commands.add_parser(
        "purge", help="erase unsuccessful candidates whose retention period has passed"
    ).set_defaults(run=_privacy_purge)

    commands.add_parser(
        "worker", help="run background tasks (the daily retention purge) until Ctrl+C or SIGTERM"
    ).set_defaults(run=_worker)

    commands.add_parser(
        "token-key", help="print a new PORTAL_TOKEN_KEY (encrypts connected pages' tokens)"
    ).set_defaults(run=_token_key)

    proxy = commands.add_parser(
        "proxy-config", help="print haproxy.cfg for several app processes behind one address")
    proxy.add_argument("--processes", type=int, default=2,
                       help="app processes on this machine, on consecutive ports (default 2)")
    proxy.add_argument("--first-port", type=int, default=8501, help="the first process's port")
    proxy.add_argument("--app", action="append", metavar="HOST:PORT",
                       help="an app process elsewhere (repeat it; replaces --processes)")
    proxy.add_argument("--bind", default="127.0.0.1:8080", help="where HAProxy listens")
    proxy.add_argument("--stats", default="127.0.0.1:8404",
                       help="HAProxy's statistics page ('none' for none)")
    proxy.set_defaults(run=_proxy_config)
    return parser


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
    if not 1900 <= day.year <= 2100:
        raise argparse.ArgumentTypeError(f"{text} is not between 1900 and 2100")
    return day


def _db_upgrade(_args: argparse.Namespace) -> None:
    engine = db.engine()
    with db.translate_errors(engine):
        applied = migrations.upgrade(engine)
    print(f"applied {counted(len(applied), 'migration')}" + (f": {', '.join(applied)}" if applied else
                                                    "; the database is up to date"))


def _db_url(_args: argparse.Namespace) -> None:
    config = settings()
    url = db.database_url(config, keep_running=True)
    print(embedded.libpq_url(url))
    if config.embedded:
        print("(the embedded server keeps running for psql; `portal db stop` stops it)",
              file=sys.stderr)


def _db_schemas(_args: argparse.Namespace) -> None:
    from portal import schema_files

    engine = db.engine()
    with db.translate_errors(engine):
        changed = schema_files.write(schema_files.generate(engine))
    print(f"rewrote {', '.join(changed)}" if changed else "supabase/schemas/ is up to date")


def _db_stop(args: argparse.Namespace) -> None:
    config = settings()
    if not config.embedded:
        raise UserFacingError("DATABASE_URL is set: there is no embedded server to stop.")
    busy = embedded.other_connections(config.data_dir)
    if busy and not args.force:
        raise UserFacingError(f"{counted(busy, 'connection')} open (is the app running?). Stop them "
                              "first, or use `portal db stop --force`.")
    print("stopped" if embedded.stop(config.data_dir) else "the embedded server was not running")


def _demo(args: argparse.Namespace) -> None:
    from services import demo

    added = demo.load_demo(force=args.force)
    print(demo.loaded_summary(added))
    if not any(added.values()):
        return
    print(f"sign in as any of: {', '.join(a.email for a in demo.DEMO_ACCOUNTS)}"
          f" (password: {demo.DEMO_PASSWORD})")


def _users_add(args: argparse.Namespace) -> None:
    from portal import validation
    from services.people import accounts

    email = validation.email_address(args.email)
    role = validation.role(args.role)
    name = validation.full_name(args.name or email.split("@")[0], required=True)
    password = accounts.add_account(email, name, role)
    print(f"added {email} as {role.value}; temporary password: {password}")



def _import_hires(args: argparse.Namespace) -> int:
    from services.savings import hires

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise UserFacingError(f"cannot read {args.file}: {error.strerror}") from None
    with db.owner_transaction() as conn:
        result = hires.import_hires_with(conn, data, args.file.name)
    print(f"added {counted(result.added, 'hire')}"
          + (f"; skipped {counted(result.already_imported, 'row')} imported before"
             if result.already_imported else ""))
    if result.ignored_columns:
        print("columns not used: " + ", ".join(result.ignored_columns))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.problems:
        print(f"left out {counted(len(result.problems), 'row')}; fix them and import the file again "
              "(rows already imported are not added twice)", file=sys.stderr)
        return 1
    return 0


def _report_savings(args: argparse.Namespace) -> None:
    from services.postings import company
    from services.savings import export as savings_export
    from services.savings import report as savings

    if args.end < args.start:
        raise UserFacingError("--to is before --from")
    with db.owner_transaction() as conn:
        report = savings.fetch_report(conn, args.start, args.end)
        profile = company.load_profile(conn)
    output = args.output or Path(savings_export.file_name(report, args.format))
    try:
        output.write_bytes(savings_export.render(report, args.format, profile.name if profile else ""))
    except OSError as error:
        raise UserFacingError(f"cannot write {output}: {error.strerror}") from None
    print(f"wrote {output}: {report.totals.hires:,.0f} hires, saving "
          f"{savings_export.money(report.totals.saving_vs_headhunter, report.assumptions.currency)}"
          " against a headhunter")
    for currency, hires in report.unconverted.items():
        print(f"note: left out {counted(hires, 'hire')} in {currency}: no exchange rate to "
              f"{report.assumptions.currency}", file=sys.stderr)



def _privacy_export(args: argparse.Namespace) -> None:
    import json

    from services.people import privacy

    with db.owner_transaction() as conn:
        data = privacy.export_person(conn, args.email)
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if not args.output:
        print(text)
        return
    try:
        args.output.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise UserFacingError(f"cannot write {args.output}: {error.strerror}") from None
    print(f"wrote {args.output}: {counted(len(data['applications']), 'application')}, "
          f"{counted(len(data['questions']), 'question')}")


def _privacy_erase(args: argparse.Namespace) -> int:
    from services.people import privacy

    if not args.yes:
        print("error: erasing cannot be undone; run again with --yes to confirm", file=sys.stderr)
        return 1
    with db.owner_transaction() as conn:
        erasure = privacy.erase_person(conn, args.email)
        privacy.remove_files(erasure)
    print(erasure.summary())
    return 0


def _privacy_purge(_args: argparse.Namespace) -> None:
    from services.people import privacy

    print(privacy.purge_as_owner().purge_summary())


def _token_key(_args: argparse.Namespace) -> None:
    from portal import secret_box

    print(secret_box.new_key())


def _proxy_config(args: argparse.Namespace) -> None:
    from portal import proxy

    apps = args.app or proxy.app_addresses(args.processes, args.first_port)
    print(proxy.haproxy_config(apps, bind=args.bind, stats=None if args.stats == "none" else args.stats),
          end="")


def _worker(_args: argparse.Namespace) -> int:
    import asyncio

    import procrastinate.exceptions

    from portal import task_queue
    from services import background_tasks

    # Until procrastinate installs its own handlers, SIGTERM (a container stopping) stops
    # the worker as Ctrl+C does; a second Ctrl+C or SIGTERM stops it without waiting.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        engine = db.ensure_ready()  # applies the queue's migration; an unreachable database stops here
        print(f"worker started on {db.describe_server(engine.url)}, queues: "
              f"{', '.join(task_queue.QUEUES)} (Ctrl+C stops it)", flush=True)
        task_queue.log_task_outcomes()
        asyncio.run(background_tasks.recover_at_start())  # dead workers' jobs, before taking new ones
        task_queue.run()
    except KeyboardInterrupt:
        print("worker interrupted", file=sys.stderr)
        return 130
    except procrastinate.exceptions.ConnectorException as error:
        raise db.DatabaseUnavailable(
            f"The worker lost the database at {db.describe_server(engine.url)} "
            f"({type(error.__cause__ or error).__name__}). Check that the server is running, "
            "then start the worker again.") from error
    print("worker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
