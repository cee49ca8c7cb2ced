"""A wrong command line, said in French with what to type instead (Click and Typer only speak English).

"Missing argument 'ids'" becomes « il manque IDS (numéros des lettres postées) » with the help
command to run; "Input should be a valid integer…" (pydantic, behind Typer's conversions)
becomes « attendu : un nombre entier ».
"""
from __future__ import annotations

import re

from rapidfuzz import process

DETAILS = [  # what Click, Typer or pydantic said → what the value should be
    (re.compile(r"does not match the formats? (.+)", re.S), lambda m: "attendu : une date "
     + " ou ".join(f.replace("%Y", "AAAA").replace("%m", "MM").replace("%d", "JJ").strip("'\" ")
                  for f in re.findall(r"'([^']+)'", m.group(1)))),
    (re.compile(r"valid integer|is not a valid integer", re.I), lambda m: "attendu : un nombre entier"),
    (re.compile(r"valid number|is not a valid float", re.I), lambda m: "attendu : un nombre"),
    (re.compile(r"valid boolean", re.I), lambda m: "attendu : oui ou non (true/false)"),
    (re.compile(r"is not one of (.+)|Input should be (.+)", re.S),
     lambda m: "valeurs possibles : " + (m.group(1) or m.group(2)).replace(" or ", ", ").rstrip(".")),
    (re.compile(r"does not exist", re.I), lambda m: "ce fichier ou dossier n'existe pas"),
]


def _names(param) -> str:
    if param is None:
        return "un paramètre"
    if getattr(param, "param_type_name", "") == "argument":
        return (getattr(param, "human_readable_name", None) or param.name or "").upper()
    return " / ".join(getattr(param, "opts", None) or []) or (param.name or "")


def _detail(message: str) -> str:
    for pattern, say in DETAILS:
        found = pattern.search(message)
        if found:
            return say(found)
    return ""


def french(exc, command_path: str) -> str:
    """The French sentence for a Click usage error, and what to run for help (never raises)."""
    try:
        return _french(exc, command_path)
    except Exception:  # a message we did not foresee must still reach the user
        return f"ligne de commande invalide ({exc.format_message()}).\nAide : {command_path} --help"


def _french(exc, command_path: str) -> str:
    name = type(exc).__name__
    param = getattr(exc, "param", None)
    help_line = f"Aide : {command_path} --help"
    if name == "MissingParameter":
        what = "l'argument" if getattr(param, "param_type_name", "") == "argument" else "l'option"
        about = f" ({param.help.rstrip('.')})" if getattr(param, "help", None) else ""
        return f"il manque {what} {_names(param)}{about}.\n{help_line}"
    if name == "NoSuchOption":
        option = getattr(exc, "option_name", "")
        possible = list(getattr(exc, "possibilities", None) or [])
        guess = possible[0] if possible else None
        context = getattr(exc, "ctx", None)
        if not guess and context is not None:
            known = [o for p in context.command.params for o in getattr(p, "opts", []) if o.startswith("--")]
            match = process.extractOne(option, known, score_cutoff=75) if known else None
            guess = match[0] if match else None
        return f"option inconnue : {option}" + (f" (vouliez-vous dire {guess} ?)" if guess else "") + f".\n{help_line}"
    if name == "BadParameter":
        message = exc.message or ""
        value = re.search(r"['\"]([^'\"]+)['\"] (?:does not|is not)", message)
        shown = f" « {value.group(1)} »" if value else ""
        detail = _detail(message)
        return (f"valeur invalide pour {_names(param)}{shown}" + (f" : {detail}" if detail else "") + f".\n{help_line}")
    if name == "NoArgsIsHelpError":
        return help_line
    if re.match(r"No such command", getattr(exc, "message", "") or ""):
        unknown = re.search(r"'([^']+)'", exc.message)
        return f"commande inconnue : {unknown.group(1) if unknown else ''}.\n{help_line}"
    if "Got unexpected extra argument" in (getattr(exc, "message", "") or ""):
        extra = re.search(r"\((.+)\)", exc.message)
        return f"argument en trop : {extra.group(1) if extra else ''}.\n{help_line}"
    return f"ligne de commande invalide ({exc.format_message()}).\n{help_line}"
