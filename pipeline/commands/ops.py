"""Night and morning commands: doctor, status, report, letters, purge, export."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from pipeline.commands.common import ConfigOption, err, open_for_reading, open_for_writing, out
from pipeline.config import load_settings
from pipeline.errors import ExitCode

commands = typer.Typer()


@commands.command()
def doctor(config: Optional[Path] = ConfigOption,
           as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """Vérifie tout ce qu'il faut à un traitement de nuit et dit comment réparer ce qui manque.

    Configuration, base de données (et migrations), tesseract et sa langue, poppler, modèle spaCy,
    modèle de classement, serveur d'envoi, dossiers et boîtes aux lettres. Sort avec le code
    qu'aurait « triage run » pour le premier problème (0 si tout va bien).

    Exemple : triage doctor --config /etc/triage/triage.toml
    """
    from pipeline.ops.doctor import exit_code, print_check, run_doctor
    checks = run_doctor(config, on_check=None if as_json else (lambda check: print_check(out, check)))
    if as_json:
        print(json.dumps([{**vars(c), "code": int(c.code)} for c in checks], ensure_ascii=False))
    raise typer.Exit(int(exit_code(checks)))


@commands.command()
def status(config: Optional[Path] = ConfigOption,
           as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """File d'attente par statut, dernier traitement, plus ancien courrier à vérifier, échéances dépassées.

    Exemple : triage status --json
    """
    from pipeline.ops.status import print_status, queue_status, status_dict
    settings = load_settings(config)
    result = queue_status(settings, open_for_reading(settings))
    if as_json:
        print(json.dumps(status_dict(result), ensure_ascii=False, default=str))
    else:
        print_status(out, result)


@commands.command()
def report(config: Optional[Path] = ConfigOption,
           day: Optional[datetime] = typer.Option(None, "--date", formats=["%Y-%m-%d", "%d/%m/%Y"], help="Jour (défaut : hier)."),
           out_file: Optional[Path] = typer.Option(None, "--out", help="Fichier HTML (défaut : var/reports/)."),
           email: bool = typer.Option(False, "--email", help="Envoyer aussi aux destinataires de [report].")):
    """Débrief du matin : page HTML autonome (graphiques inclus) sur le courrier de la veille.

    Exemple : triage report --date 2026-11-23 --out rapport.html --email
    """
    from pipeline.report import build_report, text_summary
    settings = load_settings(config)
    result = build_report(settings, open_for_reading(settings), day.date() if day else None, out=out_file,
                          email=email)
    out.print(text_summary(result.data), highlight=False)
    out.print(f"Rapport : {result.path}" + (f" ; envoyé à {', '.join(result.emailed_to)}" if result.emailed_to else ""))


letters_app = typer.Typer(help="Lettres aux expéditeurs (accusés de réception, transmissions) et leur envoi.",
                          no_args_is_help=True)
commands.add_typer(letters_app, name="letters")


def _print_letters(rows) -> None:
    from pipeline.letters import KIND_FR
    if rows:
        out.print(f"{'N°':>5}  {'Courrier':<13}  {'Lettre':<38} {'Envoi':<8} {'État':<7} Destinataire", highlight=False)
    for r in rows:
        out.print(f"{r.id:>5}  {r.chrono}  {KIND_FR[r.kind]:<38} {r.channel:<8} {r.status:<7} {r.recipient or '-'}"
                  + (f"  {r.path}" if r.path else ""), highlight=False, soft_wrap=True)
    out.print(f"{len(rows)} lettre(s)")


@letters_app.command("draft")
def letters_draft(config: Optional[Path] = ConfigOption,
                  since: Optional[datetime] = typer.Option(None, "--since", formats=["%Y-%m-%d", "%d/%m/%Y"],
                                                           help="Courriers reçus depuis ce jour (défaut : 30 jours).")):
    """Rédige les lettres dues (accusé de réception, ou transmission + avis à l'expéditeur) : courriel ou PDF.

    Exemple : triage letters draft --since 2026-11-01
    """
    from pipeline.letters import draft_letters
    settings = load_settings(config)
    _print_letters(draft_letters(settings, open_for_writing(settings), since.date() if since else None))


@letters_app.command("send")
def letters_send(config: Optional[Path] = ConfigOption,
                 ids: Optional[list[int]] = typer.Argument(None, help="Numéros de lettres (défaut : tous les brouillons courriel).")):
    """Envoie par courriel les brouillons destinés à une adresse électronique ; l'envoi est enregistré.

    Exemple : triage letters send 12 13
    """
    from pipeline.letters.send import send_letters
    settings = load_settings(config)
    sent = send_letters(settings, open_for_writing(settings), ids)
    _print_letters(sent)
    if any(r.status == "failed" for r in sent):  # the others were sent: only the code says some were not
        raise typer.Exit(int(ExitCode.SEND_FAILED))


@letters_app.command("list")
def letters_list(config: Optional[Path] = ConfigOption,
                 state: Optional[str] = typer.Option(None, "--status", help="draft, sent ou failed.")):
    """Liste les lettres et leur état d'envoi.

    Exemple : triage letters list --status draft
    """
    from pipeline.letters import list_letters
    _print_letters(list_letters(open_for_reading(load_settings(config)), state))


@letters_app.command("mark-sent")
def letters_mark_sent(ids: list[int] = typer.Argument(..., help="Numéros des lettres postées."),
                      config: Optional[Path] = ConfigOption,
                      by: str = typer.Option("accueil", "--by", help="Qui les a postées.")):
    """Enregistre l'envoi postal de lettres imprimées depuis leur PDF.

    Exemple : triage letters mark-sent 14 15 --by m.durand
    """
    from pipeline.letters import mark_sent
    _print_letters(mark_sent(open_for_writing(load_settings(config)), ids, by))


@commands.command()
def purge(older_than: str = typer.Option(..., "--older-than", help="Âge : 90d, 6w, 18m, 2y…"),
          config: Optional[Path] = ConfigOption,
          dry_run: bool = typer.Option(False, "--dry-run", help="Compter sans rien effacer."),
          as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """Efface originaux et données personnelles des courriers transmis il y a longtemps ; garde les statistiques.

    Exemple : triage purge --older-than 2y --dry-run
    """
    from pipeline.ops.purge import purge as run_purge
    settings = load_settings(config)
    r = run_purge(settings, open_for_writing(settings), older_than, dry_run=dry_run)
    if as_json:
        print(json.dumps(vars(r), default=str))
        return
    verb = "seraient purgés" if dry_run else "purgés"
    out.print(f"Courriers reçus avant le {r.cutoff:%d/%m/%Y} {verb} : {r.items} ; fichiers : {r.files_removed} "
              f"({r.bytes_removed / 1e6:.1f} Mo) ; lettres : {r.letters} ; quarantaine : {r.quarantine}", soft_wrap=True)


@commands.command()
def export(config: Optional[Path] = ConfigOption,
           out_file: Optional[Path] = typer.Option(None, "--out", help="Fichier CSV (défaut : stdout)."),
           state: Optional[list[str]] = typer.Option(None, "--status", help="Statut : « à vérifier », « confirmé »… (ou son code)."),
           competence: Optional[str] = typer.Option(None, help="Compétence : son nom ou son code (ex. déchets)."),
           commune: Optional[str] = typer.Option(None, help="Code INSEE ou nom de commune."),
           channel: Optional[str] = typer.Option(None, help="email ou courrier."),
           since: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d", "%d/%m/%Y"], help="Reçus depuis ce jour."),
           until: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d", "%d/%m/%Y"], help="Reçus jusqu'à ce jour inclus."),
           urgent: bool = typer.Option(False, "--urgent", help="Seulement les urgents."),
           overdue: bool = typer.Option(False, "--overdue", help="Seulement les échéances dépassées.")):
    """Exporte les courriers en CSV (tableur : point-virgule, UTF-8) avec les filtres de la file d'attente.

    Exemple : triage export --competence dechets --since 2026-11-01 --out dechets.csv
    """
    from pipeline.ops.export import ExportFilters, export_items
    filters = ExportFilters(state, competence, commune, channel, since.date() if since else None,
                            until.date() if until else None, urgent, overdue)
    settings = load_settings(config)
    count = export_items(settings, open_for_reading(settings), filters, out_file)
    err.print(f"{count} courrier(s) exporté(s)" + (f" dans {out_file}" if out_file else ""))
