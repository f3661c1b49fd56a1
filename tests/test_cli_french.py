"""The framework's words in French for any command, including one added later without care for them."""
from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import click
import pytest
from click import types as click_types
from click.exceptions import ClickException

from panorama.cli import french

ENGLISH = ("Usage:", "Show this message", "Commands", "COMMAND", "[ARGS]", "[default", "required]", "PATH",
           "TEXT", "INTEGER", "Positional arguments", "Options:")


def _later_app() -> click.Group:
    """Commands written as click's documentation shows: no metavar, no French class, plain click.Group."""
    french.install()

    @click.group()
    def app() -> None:
        """Une application."""

    @app.command("later")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), help="Des chemins.")
    @click.option("--folder", type=click.Path(path_type=Path), help="Un dossier.")
    @click.option("--name", default="x", show_default=True, help="Un nom.")
    @click.option("--count", default=1, help="Un nombre.")
    @click.option("--ratio", type=float, help="Une part.")
    @click.option("--flag", is_flag=True, help="Un drapeau.")
    @click.option("--needed", required=True, help="Obligatoire.")
    def later(paths, folder, name, count, ratio, flag, needed) -> None:
        """Une commande ajoutée plus tard."""

    @app.group("sub", no_args_is_help=False)
    def sub() -> None:
        """Un sous-groupe."""

    @sub.command("other")
    def other() -> None:
        """Une autre."""

    return app


def _english(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(re.escape(w) + (r"\b" if w[-1].isalnum() else ""), text)]


def test_help_of_a_later_command_is_french(capsys) -> None:
    command = french.frenchify(_later_app())
    code = command(["later", "--help"], prog_name="panorama", standalone_mode=False)
    out = capsys.readouterr().out
    assert code == 0
    assert "Utilisation : panorama later" in out and "Afficher cette aide et quitter." in out
    assert "CHEMIN" in out and "TEXTE" in out and "NOMBRE" in out
    assert "Arguments :" in out and "Options :" in out and "[défaut : x]" in out and "obligatoire" in out
    assert not _english(out), out


def test_help_of_a_later_group_is_french(capsys) -> None:
    command = french.frenchify(_later_app())
    command(["sub", "--help"], prog_name="panorama", standalone_mode=False)
    out = capsys.readouterr().out
    assert "Utilisation : panorama sub [OPTIONS] COMMANDE [ARGUMENTS]..." in out and "Commandes :" in out
    assert not _english(out), out


@pytest.mark.parametrize("args, expected", [
    (["later"], "Argument obligatoire manquant : « PATHS »"),
    (["later", "a"], "Option obligatoire manquante : --needed"),
    (["later", "a", "--needed", "b", "--count", "deux"], "Valeur invalide pour --count : « deux » n'est pas un nombre valide."),
    (["later", "a", "--needed", "b", "--ratio", "x"], "« x » n'est pas un nombre valide"),
    (["later", "a", "--nope"], "Option inconnue : --nope"),
    (["later", "a", "--folder"], "L'option --folder attend une valeur."),
    (["later", "a", "--flag=1"], "L'option --flag ne prend pas de valeur."),
    (["ailleurs"], "Commande inconnue : « ailleurs ». Commandes disponibles : later, sub."),
    (["sub"], "Commande manquante."),
    (["sub", "other", "en-trop"], "Argument(s) en trop : en-trop."),
])
def test_usage_errors_of_a_later_command_are_french(args: list[str], expected: str) -> None:
    command = french.frenchify(_later_app())
    with pytest.raises(ClickException) as caught:
        command(args, prog_name="panorama", standalone_mode=False)
    text = french.usage_error_text(caught.value)
    assert expected in text, text
    assert not any(w in text for w in ("Missing", "Invalid", "No such", "Got unexpected", "is not", "requires"))
    assert not any(w in caught.value.format_message() for w in ("Missing", "No such", "Got unexpected", "requires"))


def _click_strings() -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """Every literal given to `_` or `ngettext` in the installed click, and the modules that bind them."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    modules: set[str] = set()
    for path in sorted(Path(click.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "gettext":
                modules.add(f"click.{path.stem}")
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                singles.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plurals.add((texts[0], texts[1]))
    return singles, plurals, modules


def test_every_string_of_click_has_its_french() -> None:
    """Read from click's own source: a click upgrade that adds a string fails here, not on a terminal."""
    singles, plurals, modules = _click_strings()
    assert len(singles) > 50 and len(plurals) >= 7  # the scan reads click's source (not an empty set)
    assert sorted(singles - set(french.MESSAGES)) == []
    assert sorted(plurals - set(french.PLURALS)) == []
    assert "required" in french.MESSAGES  # given to `_` through a variable (Option.get_help_record)
    assert sorted(modules - {*french.CLICK_MODULES, french.WINDOWS_MODULE}) == []


def test_install_reaches_every_click_module_and_type_name() -> None:
    french.install()
    for name in french.CLICK_MODULES:
        module = importlib.import_module(name)
        assert getattr(module, "_", french.french_gettext) is french.french_gettext, name
        assert getattr(module, "ngettext", french.french_ngettext) is french.french_ngettext, name
    for value in vars(click_types).values():
        if isinstance(value, type) and issubclass(value, click_types.ParamType):
            name = value.__dict__.get("name")
            assert not isinstance(name, str) or name in french.TYPE_NAMES.values(), (value, name)
    assert click.Path().name == "chemin" and click.Path(dir_okay=False).name == "fichier"


def test_a_type_built_before_install_is_renamed_by_frenchify(capsys, monkeypatch) -> None:
    for name in french.CLICK_MODULES:
        module = sys.modules[name]
        if hasattr(module, "_"):
            monkeypatch.setattr(module, "_", lambda message: message)  # click as it is before `install`
    english_path = click.Path()
    assert english_path.name == "path"
    monkeypatch.undo()

    @click.command()
    @click.option("--where", type=english_path)
    def early(where) -> None:
        """Tôt."""

    french.frenchify(early)(["--help"], prog_name="panorama", standalone_mode=False)
    assert "--where CHEMIN" in capsys.readouterr().out
