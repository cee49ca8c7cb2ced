"""Pydantic's validation errors of the configuration, said in French for the admin who edits the file.

Each error names the section and the key ("clé inconnue « wokers » dans [ocr] : vouliez-vous
dire « workers » ?"); an unknown key gets the closest known one as a suggestion.
"""
from __future__ import annotations

import types
import typing

from pydantic import BaseModel, ValidationError
from rapidfuzz import process

# Keys that existed once and must not be read silently as something else.
REPLACED_KEYS = {
    "verify_certificate": "n'existe plus : les certificats sont toujours vérifiés ; pour un serveur de test "
                          "à certificat non reconnu seulement, tls_insecure = true (signalé à chaque traitement)",
}
EXPECTED = {  # pydantic's error type → what the key expects
    "int_parsing": "un nombre entier", "int_type": "un nombre entier", "int_from_float": "un nombre entier",
    "float_parsing": "un nombre", "float_type": "un nombre", "bool_parsing": "true ou false",
    "bool_type": "true ou false", "string_type": "un texte entre guillemets", "list_type": "une liste [ ... ]",
    "dict_type": "une table", "model_type": "une table", "model_attributes_type": "une table",
    "path_type": "un chemin de fichier",
}
SUGGESTION_CUTOFF = 60  # rapidfuzz score (0-100) under which no key is suggested


def describe_errors(exc: ValidationError, root: type[BaseModel]) -> str:
    """Every error of `exc`, one per clause, in French."""
    return " ; ".join(describe_error(error, root) for error in exc.errors(include_url=False))


def describe_error(error: dict, root: type[BaseModel]) -> str:
    loc, kind = tuple(error.get("loc", ())), error.get("type", "")
    section_loc, key = (loc[:-1], loc[-1]) if loc and isinstance(loc[-1], str) else (loc, "")
    model = _model_at(root, section_loc)
    where = section_name(section_loc)
    if kind == "extra_forbidden":
        if key in REPLACED_KEYS:
            return f"« {key} » dans {where} {REPLACED_KEYS[key]}"
        known = list(model.model_fields) if model else []
        match = process.extractOne(str(key), known, score_cutoff=SUGGESTION_CUTOFF) if known else None
        hint = f" : vouliez-vous dire « {match[0]} » ?" if match else (
            f" (clés connues : {', '.join(known)})" if known else "")
        return f"clé inconnue « {key} » dans {where}{hint}"
    if kind == "missing":
        return f"clé obligatoire « {key} » absente de {where}"
    if kind == "value_error":  # our own validators already speak French
        return str(error.get("msg", "")).removeprefix("Value error, ")
    subject = f"« {key} » dans {where}" if key else where
    received = f", reçu {error['input']!r}" if not isinstance(error.get("input"), (dict, list)) else ""
    return f"valeur invalide pour {subject} : attendu {_expected(kind, error.get('ctx') or {})}{received}"


def section_name(loc: tuple) -> str:
    """("folders", 0) → "[[folders]] n° 1"; ("mailboxes", 0, "password") → "[[mailboxes]] n° 1 (password)";
    ("ocr",) → "[ocr]"; () → "le haut du fichier"."""
    if not loc:
        return "le haut du fichier"
    index = next((i for i, part in enumerate(loc) if isinstance(part, int)), None)
    if index is None:
        return f"[{'.'.join(map(str, loc))}]"
    inner = ".".join(str(part) for part in loc[index + 1:] if isinstance(part, str))
    return f"[[{'.'.join(map(str, loc[:index]))}]] n° {loc[index] + 1}" + (f" ({inner})" if inner else "")


def _expected(kind: str, ctx: dict) -> str:
    if kind == "literal_error":
        return "l'une des valeurs " + str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", '"')
    bounds = {"greater_than": "supérieur à", "greater_than_equal": "au moins", "less_than": "inférieur à",
              "less_than_equal": "au plus"}
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return f"un nombre {bounds[kind]} {limit}"
    return EXPECTED.get(kind, "valeur d'un type inattendu")


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that validates the table at `loc` (list indexes skipped)."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = _model_in(model.model_fields[part].annotation)
    return model


def _model_in(annotation) -> type[BaseModel] | None:
    """The BaseModel inside `X`, `X | None` or `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
