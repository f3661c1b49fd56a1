"""The command-line framework's own words in French: help, usage line, type names, usage errors.

Click words everything a person reads through gettext (`from gettext import gettext as _`, and
`ngettext`, bound in each of its modules). `install` replaces those two names in every click module
by lookups in the French tables below, so any string click shows — for our commands or for one
added later, written the usual click way — is French; a test checks that the tables hold every
string of the installed click. Type names (`text`, `integer`…) are class attributes, not gettext
strings: `install` renames them too, so a metavar reads CHEMIN, TEXTE, NOMBRE. `frenchify` gives a
command tree the last French touches (headings « Options : », « COMMANDE [ARGUMENTS]... »).
"""
from __future__ import annotations

import gettext
import importlib
import re
import sys
from typing import Any

import click
from click import exceptions as click_errors
from click import types as click_types
from click.formatting import HelpFormatter

OPTIONS_METAVAR = "[OPTIONS]"
SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."
_ENGLISH_SUBCOMMAND_METAVARS = ("COMMAND [ARGS]...", "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...")

# Every module of click that words something through gettext; the ones click imports lazily
# (editor, progress bar, shell completion) included, so that no later use can miss them.
CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                 "click.shell_completion", "click.termui", "click.types", "click.utils", "click._termui_impl")
WINDOWS_MODULE = "click._winconsole"  # imports msvcrt: translated only where it can be imported

MESSAGES: dict[str, str] = {
    # click.core
    "Aborted!": "Abandon.",
    "deprecated": "obsolète",
    "Missing command.": "Commande manquante.",
    "Options": "Options",
    "Positional arguments": "Arguments",
    "Commands": "Commandes",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Attention : la commande « {name} » est obsolète.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Attention : le paramètre « {name} » est obsolète.{extra_message}",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Could not determine name for option with declarations {decls!r}":
        "Impossible de déterminer le nom de l'option déclarée par {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead?"
    " Did you mean to pass '--{name}'?":
        "Aucune option déclarée, mais un nom a été donné ({name}). Vouliez-vous déclarer un argument,"
        " ou écrire « --{name} » ?",
    "env var: {var}": "variable d'environnement : {var}",
    "default: {default}": "défaut : {default}",
    "required": "obligatoire",
    "(dynamic)": "(calculé)",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Un argument se déclare par un seul nom ; {length} reçus : {decls}.",
    "Name '{name}' defined twice": "Nom « {name} » défini deux fois",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "L'option oui/non « {decl} » ne peut pas utiliser le même nom pour oui et pour non.",
    # click.decorators
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Confirm the action without prompting.": "Confirmer l'action sans question.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    # click.exceptions
    "Missing argument": "Argument obligatoire manquant :",
    "Missing option": "Option obligatoire manquante :",
    "Missing parameter": "Paramètre obligatoire manquant :",
    "Missing {param_type}": "Paramètre obligatoire manquant ({param_type}) :",
    "Missing parameter: {param_name}": "Paramètre obligatoire manquant : {param_name}",
    "unknown error": "erreur inconnue",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier « {filename} » : {message}",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Aide : {command} {option}",
    "No such option {name!r}.": "Option inconnue : {name}.",
    "No such command {name!r}.": "Commande inconnue : « {name} ».",
    # click.formatting
    "Usage:": "Utilisation :",
    # click.parser
    "Invalid start character for option ({option})": "Premier caractère invalide pour une option ({option})",
    "Option {name!r} does not take a value.": "L'option {name} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » attend {nargs} valeurs.",
    # click.shell_completion
    "Couldn't detect Bash version, shell completion is not supported.":
        "Version de Bash inconnue : la complétion n'est pas disponible.",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "La complétion demande Bash 4.4 ou plus récent.",
    # click.termui, click._termui_impl, click._winconsole, click.utils
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Unknown color {colour!r}": "Couleur inconnue : « {colour} »",
    "Error: invalid input": "Erreur : saisie invalide",
    "d": "j",
    "{editor}: Editing failed": "{editor} : la modification a échoué",
    "{editor}: Editing failed: {e}": "{editor} : la modification a échoué : {e}",
    "Windows error: {error}": "Erreur Windows : {error}",
    "Unknown standard stream '{name}'": "Flux standard inconnu : « {name} »",
    # click.types
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "Choose from:\n\t{choices}": "Valeurs possibles :\n\t{choices}",
    "Choice({choices})": "Choix({choices})",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "« {value} » n'est pas une valeur oui/non reconnue. Valeurs reconnues : {states}",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un {number_type} valide.",
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a file.": "{name} « {filename} » : c'est un fichier, un dossier est attendu.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » : c'est un dossier, un fichier est attendu.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » : lecture non autorisée.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture non autorisée.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » : exécution non autorisée.",
}

PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argument(s) en trop : {args}.", "Argument(s) en trop : {args}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Attend {nargs} valeurs, mais 1 a été donnée.", "Attend {nargs} valeurs, mais {len} ont été données."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire l'une de ces options : {possibilities} ?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("L'option {name} attend une valeur.", "L'option {name} attend {nargs} valeurs."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("« {value} » n'est pas {choice}.", "« {value} » ne fait pas partie des valeurs possibles : {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("« {value} » ne suit pas la forme {format}.", "« {value} » ne suit aucune des formes {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} valeurs sont attendues, {len_value} a été donnée.",
         "{len_type} valeurs sont attendues, {len_value} ont été données."),
}

# Type names shown as metavars (upper-cased: TEXTE, NOMBRE…) and inside the messages above.
TYPE_NAMES: dict[str, str] = {
    "text": "texte", "integer": "nombre", "integer range": "nombre", "float": "nombre",
    "float range": "nombre", "boolean": "booléen", "uuid": "uuid", "filename": "fichier",
    "choice": "choix", "datetime": "date",
}


def french_gettext(message: str) -> str:
    """Click's `_`: the French text, or the message itself when the table lacks it (a test prevents that)."""
    return MESSAGES.get(message, message)


def french_ngettext(singular: str, plural: str, count: int) -> str:
    """Click's `ngettext`: the French singular or plural."""
    pair = PLURALS.get((singular, plural))
    if pair is None:
        return gettext.ngettext(singular, plural, count)
    return pair[0] if count == 1 else pair[1]


def _translate_module(module: Any) -> None:
    if hasattr(module, "_"):
        module._ = french_gettext
    if hasattr(module, "ngettext"):
        module.ngettext = french_ngettext


def install() -> None:
    """Make click French in this process: its gettext strings, its type names. Safe to call again."""
    for name in CLICK_MODULES:
        _translate_module(importlib.import_module(name))
    if WINDOWS_MODULE in sys.modules:  # pragma: no cover - Windows only
        _translate_module(sys.modules[WINDOWS_MODULE])
    for value in vars(click_types).values():
        if isinstance(value, type) and issubclass(value, click_types.ParamType):
            english = value.__dict__.get("name")
            if isinstance(english, str) and english in TYPE_NAMES:
                value.name = TYPE_NAMES[english]


class FrenchHelpFormatter(HelpFormatter):
    """French typography for the help's headings: « Options : »."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")


class FrenchContext(click.Context):
    """A context whose help is laid out by `FrenchHelpFormatter` (sub-commands' contexts inherit it)."""

    formatter_class = FrenchHelpFormatter


class FrenchCommand(click.Command):
    """A command listed with its whole first paragraph in its group's help (click cuts it at 45 characters)."""

    context_class = FrenchContext

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help or not self.help:
            return super().get_short_help_str(limit)
        return " ".join(self.help.split("\n\n")[0].split())


class FrenchGroup(click.Group):
    """The `panorama` group: French usage metavar, French commands and sub-groups."""

    context_class = FrenchContext
    command_class = FrenchCommand
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order they were declared, as a person reads the workflow


def frenchify(command: click.Command) -> click.Command:
    """The last French touches on a command tree, any later command or group included.

    A group built the usual click way keeps click's English « COMMAND [ARGS]... », and a type built
    before `install` keeps its English name: both are put right here, as well as the French headings.
    """
    if command.context_class is click.Context:
        command.context_class = FrenchContext
    if isinstance(command, click.Group) and command.subcommand_metavar in _ENGLISH_SUBCOMMAND_METAVARS:
        command.subcommand_metavar = SUBCOMMAND_METAVAR
    for param in command.params:
        name = getattr(param.type, "name", None)
        if isinstance(name, str):
            french = MESSAGES.get(name) if name in ("file", "directory", "path") else TYPE_NAMES.get(name)
            if french:
                param.type.name = french
    for sub in (command.commands.values() if isinstance(command, click.Group) else ()):
        frenchify(sub)
    return command


_METAVAR_DECORATION = re.compile(r"^[\['\s]+|[\]'.\s]+$")


def _quoted(name: str) -> str:
    """« CHEMIN » for a metavar written 'CHEMIN', [CHEMIN] or CHEMIN..."""
    bare = _METAVAR_DECORATION.sub("", name)
    return f"« {bare} »"


def _command_names(ctx: click.Context | None) -> str:
    group = getattr(ctx, "command", None) if ctx is not None else None
    return ", ".join(sorted(getattr(group, "commands", {}) or {}))


def _hint(error: click_errors.BadParameter) -> str | None:
    hint = error.param_hint or (error.param.opts[0] if error.param is not None and error.param.opts else None)
    if hint is None:
        return None
    return hint if isinstance(hint, str) else " / ".join(hint)


def usage_error_text(error: click_errors.ClickException) -> str:
    """A French sentence for an error raised by the framework (its own wording is French once installed)."""
    if isinstance(error, click_errors.NoSuchOption):
        text = f"Option inconnue : {error.option_name}."
        if error.possibilities:
            text += " Vouliez-vous dire " + " ou ".join(sorted(error.possibilities)) + " ?"
        return text
    if isinstance(error, click_errors.MissingParameter):
        param = error.param
        name = getattr(param, "metavar", None) or getattr(param, "name", None) or "?"
        if error.param_type == "option" or (param is not None and param.param_type_name == "option"):
            opts = " / ".join(getattr(param, "opts", []) or [name])
            return f"Option obligatoire manquante : {opts}."
        if param is not None and error.ctx is not None:
            name = param.make_metavar(error.ctx)  # as the usage line shows it
        return f"Argument obligatoire manquant : {_quoted(str(name))}."
    if isinstance(error, click_errors.BadParameter):
        hint = _hint(error)
        where = f" pour {hint}" if hint else ""
        reason = f" : {error.message.rstrip('.')}." if error.message else "."
        return f"Valeur invalide{where}{reason} Consultez l'aide de la commande (--help) pour la forme attendue."
    if isinstance(error, click_errors.NoSuchCommand):
        text = f"Commande inconnue : « {error.command_name} »."
        if error.possibilities:
            text += " Vouliez-vous dire " + " ou ".join(f"« {p} »" for p in sorted(error.possibilities)) + " ?"
    else:
        text = error.format_message().strip()
    if isinstance(error, click_errors.NoSuchCommand) or error.message == MESSAGES["Missing command."]:
        names = _command_names(getattr(error, "ctx", None))
        if names:
            text += f" Commandes disponibles : {names}."
    return text or "Appel incorrect de la commande."
