"""The ``scoreline`` command: one clear line and a non-zero exit on any error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from scoreline.kpi_quality.commands import add_subcommands
from scoreline.server import DEFAULT_THREADS

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoreline.settings")
    import django

    django.setup()


def _check_database() -> None:
    from django.db import connection

    connection.ensure_connection()


class DatabaseNotReady(Exception):
    """The database has no tables yet, or older ones than this version needs."""


def _require_tables() -> None:
    """Refuse to work on a database ``scoreline migrate`` has not set up, before a command
    fails on its first query ("no such table")."""
    from django.db import connection
    from django.db.backends.sqlite3.creation import DatabaseCreation as SqliteCreation
    from django.db.migrations.executor import MigrationExecutor

    from scoreline.demo.command import database_location

    where = database_location()
    on_disk = connection.vendor == "sqlite" and not SqliteCreation.is_in_memory_db(where)
    if on_disk and not os.path.exists(where):
        # Connecting would create an empty file; say how to make a real one instead.
        raise DatabaseNotReady(f"the database at {where} {_NO_TABLES}")
    _check_database()
    executor = MigrationExecutor(connection)
    if not executor.recorder.has_table():
        raise DatabaseNotReady(f"the database at {where} {_NO_TABLES}")
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise DatabaseNotReady(
            f"the database at {where} is older than this version of Scoreline "
            f"({len(pending)} migrations to apply); run `scoreline migrate` first"
        )


_NO_TABLES = "has no tables; run `make demo` or `scoreline migrate` first"


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    _check_database()
    from scoreline.scoring.freshness import refresh_if_stale

    call_command("migrate", interactive=False, verbosity=0 if args.quiet else 1)
    refresh_if_stale(print)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from scoreline.scoring.freshness import require_current
    from scoreline.server import serve

    require_current()
    serve(args.host, args.port, args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    _check_database()
    call_command("db_worker", interval=args.interval)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    import getpass

    from django.contrib.auth import get_user_model

    from scoreline.lib.errors import Invalid

    User = get_user_model()
    if User.objects.filter(username=args.username).exists():
        raise Invalid(f"user {args.username!r} already exists")
    password = os.environ.get("SCORELINE_NEW_PASSWORD") or getpass.getpass(
        f"Password for {args.username}: "
    )
    if len(password) < 8:
        raise Invalid("the password must have at least 8 characters")
    if args.superuser:
        User.objects.create_superuser(args.username, args.email, password)
    else:
        User.objects.create_user(args.username, args.email, password)
    print(f"created user {args.username}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from scoreline.access.actions import do_create_token
    from scoreline.lib.errors import NotFound

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        raise NotFound(f"no user named {args.username!r}")
    # The command line runs with the machine owner's authority: the user acts for themselves.
    _, secret = do_create_token(user, user, args.name)
    print(secret)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from scoreline.audit.verification import verify_chain

    result = verify_chain()
    if result.ok:
        print(f"audit chain intact: {result.checked} events checked")
        for note in result.notes:
            print(f"  {note}")
        return 0
    where = f"broken at event #{result.broken_seq}" if result.broken_seq else "not intact"
    print(f"audit chain {where}: {result.problem}", file=sys.stderr)
    return 1


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from django.conf import settings

    from scoreline.audit.verification import take_checkpoint

    checkpoint = take_checkpoint()
    print(f"checkpoint of event #{checkpoint.seq} appended to {settings.AUDIT_CHECKPOINTS}")
    return 0


def cmd_audit_seal(args: argparse.Namespace) -> int:
    from scoreline.audit.verification import seal_chain

    event = seal_chain()
    if event is None:
        print("nothing to seal: the audit chain is empty or already sealed")
        return 0
    print(
        f"sealed: events #1 to #{event.seq - 1}, written before events were sealed, "
        f"are anchored by the seal of event #{event.seq}"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from scoreline.demo.command import run_demo

    return run_demo(
        employees=args.employees,
        seed=args.seed,
        serve=not args.no_serve,
        host=args.host,
        port=args.port,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scoreline", description="Scoreline performance management"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the demo enterprise (once) and serve it")
    demo.add_argument("--employees", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--no-serve", action="store_true", help="build the database and stop")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(handler=cmd_demo, needs_tables=False)

    serve = sub.add_parser("serve", help="serve the web application and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help="requests served at once"
    )
    serve.set_defaults(handler=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the database tables")
    migrate.add_argument("--quiet", action="store_true")
    migrate.set_defaults(handler=cmd_migrate, needs_tables=False)

    worker = sub.add_parser("worker", help="run background tasks from the database queue")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.set_defaults(handler=cmd_worker)

    createuser = sub.add_parser(
        "createuser", help="create a login (password from SCORELINE_NEW_PASSWORD or a prompt)"
    )
    createuser.add_argument("username")
    createuser.add_argument("--email", default="")
    createuser.add_argument("--superuser", action="store_true")
    createuser.set_defaults(handler=cmd_createuser)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    token_create = token.add_parser("create", help="print a new API token for USERNAME")
    token_create.add_argument("username")
    token_create.add_argument("--name", default="command line")
    token_create.set_defaults(handler=cmd_token_create)

    audit = sub.add_parser("audit", help="audit trail").add_subparsers(
        dest="audit_command", required=True
    )
    audit.add_parser(
        "verify",
        help="check the chain's hashes, seals and checkpoints; non-zero exit at the first "
        "broken event",
    ).set_defaults(handler=cmd_audit_verify)
    audit.add_parser(
        "checkpoint",
        help="verify, then append the sealed head of the chain to SCORELINE_AUDIT_CHECKPOINTS",
    ).set_defaults(handler=cmd_audit_checkpoint)
    audit.add_parser(
        "seal", help="once, after an upgrade: anchor events written before events were sealed"
    ).set_defaults(handler=cmd_audit_seal)
    add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        _setup_django()
        if getattr(args, "needs_tables", True):
            _require_tables()
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one clear line for every failure, never a traceback
        print(f"scoreline: {_describe(error)}", file=sys.stderr)
        return 1


def _describe(error: Exception) -> str:
    from scoreline.lib.env import ConfigError

    if isinstance(error, ConfigError):
        return f"configuration error: {error}"
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    module = type(error).__module__
    if module.startswith(("django.db", "psycopg", "sqlite3")):
        return f"database error: {message}"
    return message


if __name__ == "__main__":
    sys.exit(main())
