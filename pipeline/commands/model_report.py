"""`triage models show` for a person: the figures of one model version as tables, not 1,000 lines of JSON.

The JSON stays available with `--json` (for scripts); labels are the competences' French names.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

TOP_CONFUSIONS = 6
ORIGINS = {"seed": "corpus de départ", "reviewed": "relus par les agents", "imported": "importés"}


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _sortable(text: str) -> str:
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode().lower()


def print_model(console: Console, meta: dict, labels: dict[str, str], active: bool, zone: ZoneInfo) -> None:
    metrics, evaluation = meta.get("metrics", {}), meta.get("evaluation") or {}
    created = meta.get("created_at")
    when = datetime.fromisoformat(created).astimezone(zone).strftime("%d/%m/%Y à %H:%M") if created else "—"
    decision = meta.get("decision", {})
    console.print(f"Version {meta.get('version')} · entraînée le {when} · {'ACTIVE' if active else 'inactive'}")
    if decision.get("reason"):
        console.print(f"Décision à l'entraînement : {decision['reason']}" + (" (forcée)" if decision.get("forced") else ""))
    overall = Table(title="Mesures sur les courriers mis de côté pour l'évaluation", title_justify="left")
    for column in ("Exactitude", "F1 macro", "Courriers évalués", "Orientés sans relecture", "Justes parmi eux",
                   "Calibration (ECE)", "Brier"):
        overall.add_column(column, justify="right")
    overall.add_row(_pct(metrics.get("holdout_accuracy")), _pct(metrics.get("holdout_macro_f1")),
                    str(metrics.get("holdout_size", "—")), _pct(metrics.get("auto_share")),
                    _pct(metrics.get("auto_precision")), f"{metrics.get('ece', 0):.3f}".replace(".", ","),
                    f"{metrics.get('brier', 0):.3f}".replace(".", ","))
    console.print(overall)
    thresholds = meta.get("thresholds", {})
    per = Table(title="Par compétence (seuil : confiance au-dessus de laquelle le courrier part sans relecture)",
                title_justify="left")
    for column, justify in (("Compétence", "left"), ("Précision", "right"), ("Rappel", "right"), ("F1", "right"),
                            ("Exemples", "right"), ("Seuil", "right")):
        per.add_column(column, justify=justify)
    for code, figures in sorted((evaluation.get("per_competence") or {}).items(), key=lambda kv: _sortable(labels.get(kv[0], kv[0]))):
        threshold = thresholds.get(code)
        shown = "toujours relu" if threshold is not None and threshold > 1 else _pct(threshold)
        per.add_row(labels.get(code, code), _pct(figures.get("precision")), _pct(figures.get("recall")),
                    _pct(figures.get("f1")), str(figures.get("support", "—")), shown)
    console.print(per)
    confusion = evaluation.get("confusion") or {}
    names, matrix = confusion.get("labels", []), confusion.get("matrix", [])
    mistakes = sorted(((matrix[i][j], names[i], names[j]) for i in range(len(matrix)) for j in range(len(matrix[i]))
                       if i != j and matrix[i][j]), reverse=True)[:TOP_CONFUSIONS]
    if mistakes:
        console.print("Confusions les plus fréquentes (vraie compétence → proposée) :")
        for count, truth, guess in mistakes:
            console.print(f"  {count} × {labels.get(truth, truth)} → {labels.get(guess, guess)}")
    training = meta.get("training", {})
    origins = ", ".join(f"{n} {ORIGINS.get(origin, origin)}" for origin, n in (training.get("by_origin") or {}).items())
    console.print(f"Données d'entraînement : {training.get('n_examples', '—')} exemples" + (f" ({origins})" if origins else ""))
    console.print(f"Matrice de confusion complète : models/competence-{meta.get('version')}.confusion.png · "
                  "tout le détail : triage models show --json")
