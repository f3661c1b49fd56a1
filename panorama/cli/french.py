"""The command-line framework's own words in French: help panels, usage line, help option, usage errors.

Typer 0.29 carries its own copy of click whose strings are plain English f-strings (no gettext
catalogue to translate), so the French comes from three places: typer's panel titles (module
constants read at each call), the command classes below (usage line, help option), and
`usage_error_text`, which words every usage error from its type and fields — the command runs in
non-standalone mode so that these errors reach `panorama.cli.main` instead of typer's printer.
"""
from __future__ import annotations

import re

from typer import rich_utils
from typer._click import exceptions as click_errors
from typer._click.core import Command, Context, Parameter
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

USAGE_PREFIX = "Utilisation : "
HELP_OPTION_TEXT = "Afficher cette aide et quitter."
OPTIONS_METAVAR = "[OPTIONS]"
SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."

_RICH_STRINGS = {
    "DEPRECATED_STRING": "(obsolète) ",
    "DEFAULT_STRING": "[défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Abandon.",
    "RICH_HELP": "Aide : [blue]'{command_path} {help_option}'[/]",
}


def install() -> None:
    """Put typer's help-panel strings in French (they are module constants read at each call)."""
    for name, text in _RICH_STRINGS.items():
        setattr(rich_utils, name, text)


class FrenchArgument(TyperArgument):
    """An argument whose help row shows its name or metavar only, not a type name like `<list[Path]>`."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None  # the name column already says what is expected


# Type column of an option without a metavar, in French (typer shows `<path>`, `<str>`…).
_TYPE_NAMES = {"Path": "CHEMIN", "str": "TEXTE", "int": "NOMBRE", "float": "NOMBRE", "datetime": "DATE"}


class FrenchOption(TyperOption):
    """An option whose type column is French (`CHEMIN`, `TEXTE`…) and empty for a flag."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.metavar is not None:
            return self.metavar
        if self.is_flag:
            return ""
        annotation = getattr(self.type_descriptor, "annotation", None)
        name = getattr(annotation, "__name__", "")
        return _TYPE_NAMES.get(name, "VALEUR")


def _format_usage(self: Command, ctx: Context, formatter: HelpFormatter) -> None:
    """The usage line, prefixed in French."""
    formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)


def _get_help_option(self: Command, ctx: Context) -> TyperOption | None:
    """The help option, described in French, with no type column."""
    option = Command.get_help_option(self, ctx)
    if option is not None:
        option.help = HELP_OPTION_TEXT
        option.metavar = ""
    return option


# Plain subclasses (no mixin) so that their layout is typer's: `frenchify` swaps the class of built objects.
class FrenchCommand(TyperCommand):
    """A command whose framework strings are French."""

    format_usage = _format_usage
    get_help_option = _get_help_option


class FrenchGroup(TyperGroup):
    """The `panorama` group, with French framework strings."""

    format_usage = _format_usage
    get_help_option = _get_help_option


def frenchify(command: Command) -> Command:
    """Give every command, argument and option of the tree its French display (any later command too).

    Typer builds these objects itself from the decorated functions; only their class changes, to a
    subclass that overrides display methods and keeps the same attributes.
    """
    command_swaps: dict[type[Command], type[Command]] = {TyperGroup: FrenchGroup, TyperCommand: FrenchCommand}
    param_swaps: dict[type[Parameter], type[Parameter]] = {TyperArgument: FrenchArgument, TyperOption: FrenchOption}
    if type(command) in command_swaps:
        command.__class__ = command_swaps[type(command)]
    for param in command.params:
        if type(param) in param_swaps:
            param.__class__ = param_swaps[type(param)]
    for sub in (getattr(command, "commands", None) or {}).values():
        frenchify(sub)
    return command


def _quoted(name: str) -> str:
    return f"« {name.strip(chr(39))} »"


def _command_names(ctx: Context | None) -> str:
    group = getattr(ctx, "command", None) if ctx is not None else None
    names = sorted(getattr(group, "commands", {}) or {})
    return ", ".join(names)


def usage_error_text(error: click_errors.ClickException) -> str:
    """A French sentence for a usage error raised by the framework (never its English message)."""
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click_errors.NoSuchOption):
        text = f"Option inconnue : {error.option_name}."
        if error.possibilities:
            text += " Vouliez-vous dire " + " ou ".join(sorted(error.possibilities)) + " ?"
        return text
    if isinstance(error, click_errors.MissingParameter):
        param = error.param
        name = getattr(param, "metavar", None) or getattr(param, "name", None) or "?"
        if getattr(error, "param_type", None) == "option" or (param is not None and param.param_type_name == "option"):
            opts = " / ".join(getattr(param, "opts", []) or [name])
            return f"Option obligatoire manquante : {opts}."
        return f"Argument obligatoire manquant : {_quoted(str(name))}."
    if isinstance(error, click_errors.BadParameter):
        hint = error.param_hint or (error.param.opts[0] if error.param is not None and error.param.opts else None)
        where = f" pour {hint if isinstance(hint, str) else ' / '.join(hint)}" if hint else ""
        return f"Valeur invalide{where}. Consultez l'aide de la commande (--help) pour la forme attendue."
    message = error.message if hasattr(error, "message") else str(error)
    patterns: list[tuple[str, str]] = [
        (r"Option '(?P<o>[^']+)' requires (an argument|\d+ arguments)\.", "L'option {o} attend une valeur."),
        (r"Option '(?P<o>[^']+)' does not take a value\.", "L'option {o} ne prend pas de valeur."),
        (r"No such command '(?P<c>.*)'\.", "Commande inconnue : « {c} »."),
        (r"Missing command\.", "Commande manquante."),
        (r"Got unexpected extra argument(?:s|\(s\))? \((?P<a>.*)\)", "Argument(s) en trop : {a}."),
        (r"Argument '(?P<a>[^']+)' takes (?P<n>\d+) values\.", "L'argument « {a} » attend {n} valeurs."),
    ]
    for pattern, french in patterns:
        match = re.fullmatch(pattern, message.strip())
        if match:
            text = french.format(**match.groupdict())
            if "Commande" in text and _command_names(ctx):
                text += f" Commandes disponibles : {_command_names(ctx)}."
            return text
    return "Appel incorrect de la commande."
