"""The framework's words in French for any command, including one added later without care for them."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer._click.exceptions import ClickException

from panorama.cli import french

ENGLISH = ("Usage:", "Show this message", "<bool>", "<path>", "<str>", "<int>", "<list", "COMMAND", "[ARGS]",
           "[default", "required]")


def _later_app() -> typer.Typer:
    """A command written as typer's documentation shows, no metavar, no French class."""
    app = typer.Typer(rich_markup_mode="rich", add_completion=False)

    @app.command("later")
    def later(paths: Annotated[list[Path], typer.Argument(help="Des chemins.")],
              folder: Annotated[Path | None, typer.Option("--folder", help="Un dossier.")] = None,
              name: Annotated[str, typer.Option("--name", help="Un nom.")] = "x",
              count: Annotated[int, typer.Option("--count", help="Un nombre.")] = 1,
              flag: Annotated[bool, typer.Option("--flag", help="Un drapeau.")] = False) -> None:
        """Une commande ajoutée plus tard."""

    @app.command("other")
    def other() -> None:
        """Une autre."""

    return app


def test_help_of_a_later_command_is_french(capsys) -> None:
    french.install()
    command = french.frenchify(typer.main.get_command(_later_app()))
    code = command(["later", "--help"], prog_name="panorama", standalone_mode=False)
    out = capsys.readouterr().out
    assert code == 0
    assert "Utilisation : panorama later" in out and "Afficher cette aide et quitter." in out
    assert "CHEMIN" in out and "TEXTE" in out and "NOMBRE" in out
    assert not [w for w in ENGLISH if w in out], out


@pytest.mark.parametrize("args, expected", [
    (["later"], "Argument obligatoire manquant"),
    (["later", "a", "--count", "deux"], "Valeur invalide pour"),
    (["later", "a", "--nope"], "Option inconnue : --nope"),
    (["ailleurs"], "Commande inconnue : « ailleurs »"),
])
def test_usage_errors_of_a_later_command_are_french(args: list[str], expected: str) -> None:
    command = french.frenchify(typer.main.get_command(_later_app()))
    with pytest.raises(ClickException) as caught:
        command(args, prog_name="panorama", standalone_mode=False)
    text = french.usage_error_text(caught.value)
    assert expected in text
    assert not any(w in text for w in ("Missing", "Invalid", "No such", "Got unexpected"))
