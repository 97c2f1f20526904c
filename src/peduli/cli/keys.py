"""``peduli keys``: the secrets an installation outside development must set itself."""

from __future__ import annotations

import typer

from peduli.core.config import SECRET_SETTINGS, UnsafeConfiguration, check_environment, get_settings

app = typer.Typer(help="Secrets and keys.", no_args_is_help=True)


@app.command("generate")
def generate() -> None:
    """Print fresh values of every secret setting as PEDULI_...=... lines (for a .env file).

    Nothing is stored: put the lines in the secret store or environment of every process.
    A token that a provider issues is printed as a comment saying where to get it.
    """
    for secret in SECRET_SETTINGS:
        value = secret.generate()
        if value is None:
            typer.echo(f"# {secret.env}=<{secret.how}>")
        else:
            typer.echo(f"{secret.env}={value}")


def require_safe_environment() -> None:
    """Exit 1 with the list of missing secrets when this environment may not run on them."""
    try:
        check_environment(get_settings())
    except UnsafeConfiguration as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from None
