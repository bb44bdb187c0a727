"""Serving the application: one multi-threaded WSGI server, used by `serve` and `demo`."""

from __future__ import annotations

from django.db import connection

__all__ = ["DEFAULT_THREADS", "serve"]

DEFAULT_THREADS = 8


def serve(host: str, port: int, threads: int = DEFAULT_THREADS) -> None:
    """Serve until interrupted; the database is checked first so a bad URL fails at once."""
    from waitress import serve as waitress_serve

    from scoreline.wsgi import application

    connection.ensure_connection()
    print(f"Scoreline is serving on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    waitress_serve(application, host=host, port=port, threads=threads, ident="Scoreline")
