"""`srs schema`: print the JSON Schema that sources follow (for editors' YAML servers)."""

from __future__ import annotations

import click


@click.command("schema")
@click.option("--path", "show_path", is_flag=True, help="Print where the schema file is instead.")
def command(show_path: bool) -> None:
    """Print the JSON Schema of the source format.

    Point your editor's YAML language server at it, e.g. with a first line
    `# yaml-language-server: $schema=<path>` in a source file.
    """
    from ..deck.sources import schema_path

    path = schema_path()
    click.echo(str(path) if show_path else path.read_text(encoding="utf-8").rstrip("\n"))
