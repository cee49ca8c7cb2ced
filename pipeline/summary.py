"""What a person reads at the end of a run or an evaluation: French tables on the terminal."""
from __future__ import annotations

from rich.markup import escape

from rich.console import Console
from rich.table import Table

from pipeline.batch import RunSummary
from pipeline.config import Settings
from pipeline.reference import load_reference
from pipeline.status import label as status_label

COUNT_FR = {"fetched": "lus", "stored": "enregistrés", "duplicates": "doublons", "quarantined": "en quarantaine"}


def print_summary(console: Console, summary: RunSummary, settings: Settings) -> None:
    reference = load_reference(settings.reference_dir)
    if summary.routed:
        table = Table(title="Courrier orienté", show_lines=False)
        for column in ("N° chrono", "Fichier", "Compétence", "Conf.", "Commune", "Destination", "Statut", "Échéance"):
            table.add_column(column)
        for row in summary.routed:
            table.add_row(row["chrono"], row["file"], row["competence"] or "-",
                          f"{row['confidence']:.0%}" if row["confidence"] is not None else "-",
                          reference.commune_name(row["commune"]), row["destination"],
                          ("URGENT · " if row["urgent"] else "") + status_label(row["status"]),
                          row["due_date"].strftime("%d/%m/%Y") if row["due_date"] else "-")
        console.print(table)
    totals = summary.totals
    console.print("Bilan : " + ", ".join(f"{totals[key]} {label}" for key, label in COUNT_FR.items()))
    for source in summary.sources:
        counts = source.counts
        console.print(f"  {escape(source.name)} : " + ", ".join(f"{counts[key]} {label}" for key, label in COUNT_FR.items())
                      + f", {counts['failed']} illisible(s)" + (" — [red]en échec[/]" if source.error else ""),
                      highlight=False, soft_wrap=True, markup=True)
    for source in summary.sources:
        if source.counts["hidden"] or source.counts["settling"]:
            console.print(f"  {source.name} : {source.counts['hidden']} fichier(s) caché(s) non lu(s) (nom commençant "
                          f"par « . »), {source.counts['settling']} en cours d'écriture laissé(s) pour le prochain "
                          "traitement", highlight=False, soft_wrap=True)
    for source in summary.sources:
        if source.error:
            console.print(f"[red]Source {escape(source.name)} en échec :[/] {escape(str(source.error))}", highlight=False, markup=True)


def print_evaluation(console: Console, report: dict) -> None:
    table = Table(title=f"Évaluation sur {report['n']} documents")
    for column in ("Forme", "N", "Compétence (exactitude)", "Compétence (F1 macro)", "Commune (exactitude)"):
        table.add_column(column)
    rows = [("toutes", report)] + list(report["by_shape"].items())
    for shape, metrics in rows:
        table.add_row(shape, str(metrics["n"]), f"{metrics['competence_accuracy']:.1%}",
                      f"{metrics['competence_macro_f1']:.1%}", f"{metrics['commune_accuracy']:.1%}")
    console.print(table)
    if report["confusions"]:
        confusions = Table(title="Confusions les plus fréquentes")
        for column in ("Attendu", "Prédit", "Nombre"):
            confusions.add_column(column)
        for c in report["confusions"]:
            confusions.add_row(c["expected"], str(c["predicted"]), str(c["count"]))
        console.print(confusions)
    if report["auto_routed_precision"] is not None:
        console.print(f"Orientés sans relecture : {report['auto_routed_share']:.1%} des documents, "
                      f"compétence juste pour {report['auto_routed_precision']:.1%} d'entre eux")
    scored = {name: v for name, v in report.get("fields_correct", {}).items() if v["n"]}
    if scored:
        names = {"sender_name": "expéditeur (nom de famille)", "sender_postcode": "code postal", "sender_town": "ville",
                 "letter_date": "date du courrier", "subject": "objet"}
        console.print("Champs d'enregistrement justes (courriers papier étiquetés) : " + " ; ".join(
            f"{names[name]} {v['correct']:.1%} (sur {v['n']})" for name, v in scored.items()))
    console.print(f"Temps moyen par document : {report['seconds_per_item']:.2f} s")
    for error in report["errors"]:
        console.print(f"[red]Illisible :[/] {escape(str(error['file']))} : {escape(str(error['error']))}", highlight=False, markup=True)


def summary_line(summary: RunSummary, seconds: float) -> str:
    """One line for cron's mail and for grep: run, exit code and its meaning, counts, failed sources."""
    from pipeline.errors import EXIT_MEANINGS
    totals, code = summary.totals, summary.exit_code
    failed = [s.name for s in summary.sources if s.error]
    run = f"n°{summary.run_id}" if summary.run_id is not None else "à blanc"
    return (f"triage run {run} : code {int(code)} ({EXIT_MEANINGS[code]}) ; "
            + ", ".join(f"{totals[key]} {label}" for key, label in COUNT_FR.items())
            + f" ; sources en échec : {', '.join(failed) if failed else 'aucune'} ; {seconds:.0f} s")
