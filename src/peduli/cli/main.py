"""The ``peduli`` command: database, demo, serve, seeding, staff, tokens, audit, keys, worker.

Each domain contributes a Typer sub-app; this module only wires them together.
"""

from __future__ import annotations

import typer

from peduli.cli import db as db_cli

app = typer.Typer(
    name="peduli",
    help="Peduli: protection of and services to citizens abroad.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db_cli.app, name="db")


def _register_commands() -> None:
    """Add every command group; imported here so `peduli --help` lists them all."""
    from peduli.cli import agencies as agencies_cli
    from peduli.cli import audit as audit_cli
    from peduli.cli import cases as cases_cli
    from peduli.cli import config as config_cli
    from peduli.cli import crisis as crisis_cli
    from peduli.cli import demo as demo_cli
    from peduli.cli import documents as documents_cli
    from peduli.cli import exchange as exchange_cli
    from peduli.cli import i18n as i18n_cli
    from peduli.cli import keys as keys_cli
    from peduli.cli import partners as partners_cli
    from peduli.cli import registry as registry_cli
    from peduli.cli import retention as retention_cli
    from peduli.cli import sandbox as sandbox_cli
    from peduli.cli import serve as serve_cli
    from peduli.cli import services as services_cli
    from peduli.cli import staff as staff_cli
    from peduli.cli import stats as stats_cli
    from peduli.cli import voice as voice_cli
    from peduli.cli import worker as worker_cli

    app.add_typer(staff_cli.staff_app, name="staff")
    app.add_typer(staff_cli.token_app, name="token")
    app.add_typer(audit_cli.app, name="audit")
    app.add_typer(agencies_cli.app, name="agencies")
    app.add_typer(cases_cli.app, name="cases")
    app.add_typer(config_cli.app, name="config")
    app.add_typer(exchange_cli.app, name="exchange")
    app.add_typer(i18n_cli.app, name="i18n")
    app.add_typer(keys_cli.app, name="keys")
    app.add_typer(partners_cli.app, name="partner")
    app.add_typer(crisis_cli.app, name="crisis")
    app.add_typer(retention_cli.app, name="retention")
    app.add_typer(registry_cli.app, name="registry")
    app.add_typer(voice_cli.app, name="voice")
    app.add_typer(services_cli.app, name="services")
    app.add_typer(documents_cli.app, name="documents")
    app.add_typer(stats_cli.app, name="stats")
    demo_cli.register(app)
    worker_cli.register(app)
    sandbox_cli.register(app)
    serve_cli.register(app)


_register_commands()
