"""`caseworker serve` and `caseworker keys`: run the service, manage its API keys."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from caseworker.api.credentials import ApiKeyStore, Role
from caseworker.exceptions import AuthoringError, CaseworkerError
from caseworker.logs import configure
from caseworker.settings import get_settings

keys_app = typer.Typer(help="Create, list and revoke the service's API keys.",
                       no_args_is_help=True)
console = Console()
errors = Console(stderr=True, soft_wrap=True)
INVALID_INPUT, RUNTIME_ERROR = 2, 3  # as `caseworker run`


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes (default CASEWORKER_WORKERS; 0 with remote workers)")] = None,
    agent: Annotated[list[Path] | None, typer.Option(
        help="An agent directory to serve (repeat; default CASEWORKER_AGENTS or ./agents/*)")]
    = None,
) -> None:
    """Serve the REST API: embedded Redis (unless REDIS_URL) and local workers, like `run`."""
    import uvicorn

    from caseworker.api.app import create_app
    from caseworker.api.catalog import Catalog
    from caseworker.runtime.local import LocalRuntime

    configure("INFO")
    settings = get_settings()
    try:
        catalog = Catalog.load(agent or settings.agent_paths)
        count = settings.workers if workers is None else workers
        with LocalRuntime(settings.redis_url, settings.data_dir, count) as runtime:
            errors.print(f"caseworker serving {', '.join(sorted(catalog.agents))} on "
                         f"http://{host}:{port} (docs at /docs; {count} local workers)",
                         highlight=False)
            # uvicorn re-raises SIGTERM once it has shut down; raising SystemExit then lets the
            # runtime stop its workers and Redis instead of the process dying under them.
            signal.signal(signal.SIGTERM, _exit_on_signal)
            uvicorn.run(create_app(runtime.url, settings=settings, catalog=catalog),
                        host=host, port=port, log_level="info")
    except AuthoringError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(INVALID_INPUT) from exc
    except CaseworkerError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(RUNTIME_ERROR) from exc


@contextmanager
def _key_store() -> Iterator[ApiKeyStore]:
    """Open the key store on the service's Redis (starting the embedded one if need be)."""
    from caseworker.runtime.connection import connect
    from caseworker.runtime.local import LocalRuntime

    settings = get_settings()
    with LocalRuntime(settings.redis_url, settings.data_dir, 0) as runtime:
        yield ApiKeyStore(connect(runtime.url))


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="The tenant the key acts for")],
    role: Annotated[list[Role], typer.Option(help="A role (repeat): submit, read, review, admin")],
    name: Annotated[str, typer.Option(help="Who or what uses the key")] = "",
) -> None:
    """Create an API key and print its token once (it is stored only hashed)."""
    try:
        with _key_store() as store:
            key, token = store.create(tenant, set(role), name)
    except AuthoringError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(INVALID_INPUT) from exc
    errors.print(f"created key {key.id} ({key.name}) for tenant {key.tenant}, roles "
                 f"{', '.join(sorted(key.roles))}; the token is shown only now:", highlight=False)
    print(token)


@keys_app.command("list")
def keys_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's keys")] = None,
) -> None:
    """List API keys (never their tokens)."""
    with _key_store() as store:
        found = store.list(tenant)
    table = Table("id", "name", "tenant", "roles", "created", "revoked")
    for key in found:
        table.add_row(key.id, key.name, key.tenant, ",".join(sorted(key.roles)),
                      key.created_at.isoformat(timespec="seconds"),
                      key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "")
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id")]) -> None:
    """Revoke an API key: its token is refused from now on."""
    try:
        with _key_store() as store:
            key = store.revoke(key_id)
    except CaseworkerError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(INVALID_INPUT) from exc
    errors.print(f"revoked key {key.id} ({key.name}) of tenant {key.tenant}", highlight=False)
