"""Labelled examples for training: the seed corpus, imported historical mail, the clerks' decisions.

The held-out split moves forward in time as in real use: the most recent dated examples are
kept for testing; undated seed examples contribute a fixed stratified share.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sklearn.model_selection import train_test_split

from pipeline.errors import ConfigError

HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class Example:
    text: str
    competence: str
    commune: str | None = None
    origin: str = "seed"  # seed:<file>, review:<chrono>, import:<file>
    received_at: datetime | None = None


def load_seed(seed_dir: Path, codes: set[str]) -> list[Example]:
    """The seed corpus: one JSONL file per competence code."""
    examples = []
    for path in sorted(Path(seed_dir).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            _check_code(row["competence"], codes, f"{path}:{number}")
            examples.append(Example(row["text"], row["competence"], row.get("commune"), f"seed:{path.stem}"))
    if not examples:
        raise ConfigError(f"aucun exemple d'entraînement dans {seed_dir}")
    return examples


# Header names accepted for each column: the English ones of the documentation and the French a
# spreadsheet user types.
COLUMNS = {"text": ("text", "texte"), "competence": ("competence", "compétence"), "commune": ("commune",),
           "received_at": ("received_at", "reçu le", "recu le", "date de réception", "date")}
DELIMITERS = ",;\t"
MAX_FIELD = 50_000_000


def read_csv(path: Path, codes: set[str]) -> list[Example]:
    """A CSV with columns text, competence and optionally commune, received_at (ISO date).

    Standard CSV (RFC 4180: quoted fields holding commas, quotes and line breaks) with `,`, `;`
    or tab between fields, in UTF-8 (with or without BOM) or Windows-1252 as French spreadsheets
    save it. Any malformed line stops the import with its line number, before anything is stored.
    """
    examples, origin = [], f"import:{Path(path).name}"
    for where, row in read_table(path, COLUMNS, ("text", "competence")):
        _check_code(row["competence"].strip(), codes, where)
        examples.append(Example(row["text"], row["competence"].strip(), row.get("commune", "").strip() or None,
                                origin, _date(row.get("received_at", "").strip(), where)))
    return examples


def read_table(path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """(where, {column: value}) for each non-empty line of a CSV, `where` naming the file and line.

    The separator is read from the header line alone: guessing it from a sample of quoted
    multi-line text (csv.Sniffer) fails on exactly the files spreadsheets write.
    """
    path = Path(path)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))  # a letter may exceed 128 KiB
    content = _decode(path)
    header_line = content.split("\n", 1)[0]
    delimiter = _delimiter(path, header_line, columns, required)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=True)
    names = [_normalise(name) for name in next(reader, [])]
    index = _column_index(names, columns)
    last_line = 1
    while True:
        first_line = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ConfigError(f"{path}, ligne {first_line} : CSV mal formé ({_french(exc)})",
                              hint="vérifiez les guillemets de ce champ ; un guillemet dans un texte s'écrit \"\"") from None
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}, ligne {first_line}"
        if len(row) != len(names):
            raise ConfigError(f"{where} : {len(row)} champs au lieu de {len(names)} (séparateur « {_shown(delimiter)} »)",
                              hint="un texte contenant le séparateur doit être entre guillemets")
        yield where, {key: row[position] for key, position in index.items()}


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Excel's "CSV (séparateur : point-virgule)"


def _delimiter(path: Path, header_line: str, columns: dict, required: tuple[str, ...]) -> str:
    """The separator of the header line that yields the required columns."""
    for delimiter in sorted(DELIMITERS, key=header_line.count, reverse=True):
        names = {_normalise(n) for n in next(csv.reader([header_line], delimiter=delimiter))}
        if {key for key, aliases in columns.items() if any(a in names for a in aliases)} >= set(required):
            return delimiter
    wanted = " et ".join(f"« {name} »" for name in required)
    raise ConfigError(f"{path}, ligne 1 : colonnes {wanted} attendues dans l'en-tête "
                      f"(séparées par « , », « ; » ou une tabulation), trouvé « {header_line[:120]} »")


def _normalise(name: str) -> str:
    return name.strip().strip('"').lower()


def _column_index(names: list[str], columns: dict) -> dict[str, int]:
    index = {}
    for key, aliases in columns.items():
        found = [names.index(a) for a in aliases if a in names]
        if found:
            index[key] = found[0]
    return index


def _date(value: str, where: str) -> datetime | None:
    if not value:
        return None
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%d/%m/%Y")):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return parsed.astimezone(timezone.utc) if parsed.tzinfo else parsed
    raise ConfigError(f"{where} : date de réception illisible « {value[:40]} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def _french(exc: csv.Error) -> str:
    message = str(exc)
    known = {"unexpected end of data": "guillemet ouvrant jamais refermé",
             "',' expected after '\"'": "texte collé après un guillemet fermant",
             "';' expected after '\"'": "texte collé après un guillemet fermant",
             "'\\t' expected after '\"'": "texte collé après un guillemet fermant",
             "field larger than field limit": "champ trop long"}
    return next((french for english, french in known.items() if english in message), message)


def _shown(delimiter: str) -> str:
    return "tabulation" if delimiter == "\t" else delimiter


def _check_code(code: str, codes: set[str], where: str) -> None:
    if code not in codes:
        raise ConfigError(f"{where} : code de compétence inconnu {code!r}")


def split(examples: list[Example], share: float = HOLDOUT_SHARE, seed: int = 13) -> tuple[list[Example], list[Example]]:
    """(train, held-out): the latest dated examples, plus a stratified share of the undated ones."""
    dated = sorted((e for e in examples if e.received_at is not None), key=lambda e: e.received_at)
    undated = [e for e in examples if e.received_at is None]
    cut = len(dated) - int(round(len(dated) * share))
    train, test = dated[:cut], dated[cut:]
    if undated:
        labels = [e.competence for e in undated]
        stratify = labels if min(labels.count(l) for l in set(labels)) >= 2 else None
        undated_train, undated_test = train_test_split(undated, test_size=share, random_state=seed, stratify=stratify)
        train, test = train + undated_train, test + undated_test
    return train, test


def summary(examples: list[Example]) -> dict:
    return {"n_examples": len(examples),
            "by_competence": dict(sorted(Counter(e.competence for e in examples).items())),
            "by_origin": dict(Counter(e.origin.split(":")[0] for e in examples))}
