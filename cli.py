"""The `triage` command. Each command loads the configuration, calls one function, maps errors to exit codes."""
from __future__ import annotations

import functools
import json
import logging
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import click
import typer
from rich.console import Console

from pipeline.config import Settings, load_settings
from pipeline.errors import ExitCode, FatalError
from pipeline.ops.logs import machine_readable_logs

app = typer.Typer(help="triage : lit le courrier entrant et l'oriente vers le bon service.", no_args_is_help=True,
                  add_completion=False)
# Piped or in a cron mail, rich would wrap tables at 80 columns; a wide page reads better there.
out = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)
ConfigOption = typer.Option(None, "--config", "-c", help="Fichier de configuration (défaut : config/triage.toml).")


def command(fn):
    """Turn our fatal errors into a French message on stderr and the documented exit code."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FatalError as exc:
            if machine_readable_logs():
                logging.getLogger("triage").error("%s", exc, extra={"exit_code": int(exc.exit_code)})
            err.print(f"[bold red]Erreur :[/] {exc}")
            if exc.hint:
                err.print(f"Solution : {exc.hint}")
            raise typer.Exit(int(exc.exit_code))
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except Exception as exc:  # a bug: say so with the documented code, keep the traceback in the log
            logging.getLogger("triage").exception("erreur interne", extra={"exit_code": int(ExitCode.INTERNAL)})
            err.print(f"[bold red]Erreur interne :[/] {type(exc).__name__} : {exc}")
            raise typer.Exit(int(ExitCode.INTERNAL))
    return wrapper


def _setup_logging(verbose: bool, settings: Settings | None = None, fmt: str | None = None,
                   file: Path | None = None) -> None:
    from pipeline.config import LoggingSettings
    from pipeline.ops.logs import configure_logging
    configure_logging(settings.logging if settings else LoggingSettings(), verbose=verbose, fmt=fmt, file=file)


@app.command()
@command
def run(config: Optional[Path] = ConfigOption,
        dry_run: bool = typer.Option(False, "--dry-run", help="Tout lire et classer, sans rien enregistrer ni déplacer."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
        as_json: bool = typer.Option(False, "--json", help="Résumé en JSON."),
        oneline: bool = typer.Option(False, "--oneline", help="Résumé en une ligne (pour cron)."),
        wait: float = typer.Option(0, "--wait", help="Secondes à attendre si un autre traitement est en cours."),
        log_format: Optional[str] = typer.Option(None, "--log-format", help="Journal : plain ou json."),
        log_file: Optional[Path] = typer.Option(None, "--log-file", help="Journal dans ce fichier (défaut : stderr)."),
        retrain: bool = typer.Option(False, "--retrain",
                                     help="Après le traitement, réentraîner si assez de corrections sont arrivées.")):
    """Traite les dossiers (scanner, .eml) configurés : extraction, lieux, compétence, routage, stockage.

    Codes de sortie : 0 tout va bien, 3 quarantaine, 4 source en échec, 5 déjà en cours,
    10 configuration, 11 programme manquant, 12 base de données, 13 modèle, 70 erreur interne.

    Exemple : triage run --oneline --log-format json --log-file var/log/triage.jsonl
    """
    import time
    from pipeline.ops.logs import structured
    from pipeline.runner import run_configured
    from pipeline.summary import print_summary, summary_line
    settings = load_settings(config)
    _setup_logging(verbose, settings, log_format, log_file)
    quiet = oneline or structured(settings.logging, log_format, log_file)
    progress = logging.getLogger("triage.progress").info if quiet else (lambda m: err.print(m, style="dim"))
    started = time.monotonic()
    summary = run_configured(settings, dry_run=dry_run, wait_s=wait, on_progress=progress)
    if (retrain or settings.classifier.retrain_nightly) and not dry_run:
        _retrain_if_enough(settings)
    if as_json:
        out.print_json(json.dumps(summary_dict(summary), default=str))
    elif oneline:
        print(summary_line(summary, time.monotonic() - started))
    else:
        print_summary(out, summary, settings)
    raise typer.Exit(int(summary.exit_code))


def _retrain_if_enough(settings: Settings) -> None:
    from pipeline.classify.commands import train_now
    from pipeline.learning import corrections_since_last_training
    from pipeline.store.database import open_database
    new = corrections_since_last_training(settings, open_database(settings.database_url, migrate=False))
    if new < settings.classifier.retrain_min_corrections:
        err.print(f"Pas de réentraînement : {new} décisions d'agents depuis le dernier modèle "
                  f"(seuil {settings.classifier.retrain_min_corrections}).")
        return
    train_now(settings)


def summary_dict(summary) -> dict:
    return {"run_id": summary.run_id, "exit_code": int(summary.exit_code), "totals": dict(summary.totals),
            "sources": [{"name": s.name, **s.counts, "error": s.error} for s in summary.sources],
            "items": summary.routed}


@app.command()
@command
def demo(config: Optional[Path] = ConfigOption,
         samples: Path = typer.Option(Path("data/samples"), help="Dossier des exemples fournis.")):
    """Copie les exemples fournis dans un dossier de dépôt et lance le traitement dessus.

    Exemple : triage demo
    """
    from pipeline.classify.model_files import active_version
    from pipeline.config import FolderSource
    from pipeline.runner import run_configured
    from pipeline.summary import print_summary
    _setup_logging(False)
    base = load_settings(config)
    inbox = base.data_dir / "demo" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for path in sorted(samples.iterdir()):
        if path.suffix.lower() in (".eml", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"):
            shutil.copy2(path, inbox / path.name)
    settings = base.model_copy(update={"folders": [FolderSource(name="demo", path=inbox)]})
    if active_version(settings.classifier.model_dir) is None:
        err.print("Aucun modèle actif : entraînement sur le corpus d'amorçage…")
        _train(settings)
    summary = run_configured(settings, on_progress=lambda m: err.print(m, style="dim"))
    print_summary(out, summary, settings)
    raise typer.Exit(int(summary.exit_code))


@app.command()
@command
def evaluate(directory: Path = typer.Argument(..., help="Dossier étiqueté (labels.jsonl + fichiers)."),
             config: Optional[Path] = ConfigOption,
             as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """Mesure la chaîne complète (extraction, lieux, compétence) sur un jeu étiqueté, sans base de données.

    Exemple : triage evaluate ../shared/eval/dev --json
    """
    from pipeline.classify.evaluation import evaluate as run_evaluation
    from pipeline.stages import Stages, ocr_pool
    from pipeline.summary import print_evaluation
    settings = load_settings(config)
    stages = Stages.load(settings)
    with ocr_pool(settings.ocr.workers) as pool:
        report = run_evaluation(directory, stages, pool)
    if as_json:
        print(json.dumps({k: v for k, v in report.items() if k != "items"}, ensure_ascii=False))
    else:
        print_evaluation(out, report)


@app.command()
@command
def train(config: Optional[Path] = ConfigOption,
          import_path: Optional[Path] = typer.Option(None, "--import",
                                                     help="Courrier historique étiqueté : dossier (labels.jsonl) ou CSV."),
          force: bool = typer.Option(False, "--force", help="Activer le nouveau modèle même s'il est moins bon.")):
    """Entraîne un modèle (corpus d'amorçage + décisions des agents + imports), le compare au modèle actif
    sur les courriers les plus récents, et ne l'active que s'il n'est pas moins bon.

    Exemple : triage train --import archives/courrier-2025.csv
    """
    from pipeline.classify.commands import train_now
    train_now(load_settings(config), import_path=import_path, force=force)


def _train(settings: Settings) -> None:
    from pipeline.classify.commands import train_now
    train_now(settings, with_database=False)


def _register_models() -> None:
    from pipeline.classify.commands import models_app
    app.add_typer(models_app, name="models")


_register_models()


# --- review web page (pipeline/web) ---------------------------------------------------------------
users_app = typer.Typer(help="Comptes de la page de relecture (rôles agent et admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command()
@command
def serve(config: Optional[Path] = ConfigOption,
          host: Optional[str] = typer.Option(None, help="Adresse d'écoute (défaut : [web] host)."),
          port: Optional[int] = typer.Option(None, help="Port (défaut : [web] port).")):
    """Lance la page de relecture (secret des sessions : variable TRIAGE_WEB_SECRET par défaut).

    Exemple : TRIAGE_WEB_SECRET=$(openssl rand -hex 32) triage serve --port 8080
    """
    from pipeline.web.server import serve as run_server
    run_server(load_settings(config), host, port)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe")


@users_app.command("add")
@command
def users_add(username: str = typer.Argument(..., help="Identifiant de connexion."),
              role: str = typer.Option("agent", help="agent ou admin."),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="Lire le mot de passe sur stdin."),
              config: Optional[Path] = ConfigOption):
    """Crée un compte (mot de passe demandé, haché avec argon2id).

    Exemple : triage users add marie --role admin
    """
    from pipeline.store.database import open_database
    from pipeline.web.users import add_user
    sessions = open_database(load_settings(config).database_url)
    with sessions() as session:
        add_user(session, username, _password(password_stdin), role)
        session.commit()
    out.print(f"Compte {username} créé ({role}).")


@users_app.command("passwd")
@command
def users_passwd(username: str = typer.Argument(..., help="Identifiant de connexion."),
                 password_stdin: bool = typer.Option(False, "--password-stdin", help="Lire le mot de passe sur stdin."),
                 config: Optional[Path] = ConfigOption):
    """Change le mot de passe d'un compte (ses sessions ouvertes sont fermées).

    Exemple : triage users passwd marie
    """
    from pipeline.store.database import open_database
    from pipeline.web.users import set_password
    sessions = open_database(load_settings(config).database_url)
    with sessions() as session:
        set_password(session, username, _password(password_stdin))
        session.commit()
    out.print(f"Mot de passe de {username} changé.")


@users_app.command("list")
@command
def users_list(config: Optional[Path] = ConfigOption,
               as_json: bool = typer.Option(False, "--json", help="Une liste JSON sur stdout.")):
    """Liste les comptes, leur rôle et leur état.

    Exemple : triage users list --json
    """
    from pipeline.store.database import open_database
    from pipeline.web.users import list_users
    sessions = open_database(load_settings(config).database_url)
    with sessions() as session:
        rows = [{"username": u.username, "role": u.role, "active": u.active, "created_at": u.created_at.isoformat()}
                for u in list_users(session)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        out.print(f"{row['username']:<24} {row['role']:<6} {'actif' if row['active'] else 'désactivé'}")

@app.command()
@command
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


@app.command()
@command
def status(config: Optional[Path] = ConfigOption,
           as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """File d'attente par statut, dernier traitement, plus ancien courrier à vérifier, échéances dépassées.

    Exemple : triage status --json
    """
    from pipeline.ops.status import print_status, queue_status
    result = queue_status(load_settings(config))
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
    else:
        print_status(out, result)


@app.command()
@command
def report(config: Optional[Path] = ConfigOption,
           day: Optional[datetime] = typer.Option(None, "--date", formats=["%Y-%m-%d"], help="Jour (défaut : hier)."),
           out_file: Optional[Path] = typer.Option(None, "--out", help="Fichier HTML (défaut : var/reports/)."),
           email: bool = typer.Option(False, "--email", help="Envoyer aussi aux destinataires de [report].")):
    """Débrief du matin : page HTML autonome (graphiques inclus) sur le courrier de la veille.

    Exemple : triage report --date 2026-11-23 --out rapport.html --email
    """
    from pipeline.report import build_report, text_summary
    result = build_report(load_settings(config), day.date() if day else None, out=out_file, email=email)
    out.print(text_summary(result.data), highlight=False)
    out.print(f"Rapport : {result.path}" + (f" ; envoyé à {', '.join(result.emailed_to)}" if result.emailed_to else ""))


letters_app = typer.Typer(help="Lettres aux expéditeurs (accusés de réception, transmissions) et leur envoi.",
                          no_args_is_help=True)
app.add_typer(letters_app, name="letters")


def _print_letters(rows) -> None:
    from pipeline.letters import KIND_FR
    for r in rows:
        out.print(f"{r.id:>5}  {r.chrono}  {KIND_FR[r.kind]:<38} {r.channel:<8} {r.status:<7} {r.recipient or '-'}"
                  + (f"  {r.path}" if r.path else ""), highlight=False, soft_wrap=True)
    out.print(f"{len(rows)} lettre(s)")


@letters_app.command("draft")
@command
def letters_draft(config: Optional[Path] = ConfigOption,
                  since: Optional[datetime] = typer.Option(None, "--since", formats=["%Y-%m-%d"],
                                                           help="Courriers reçus depuis ce jour (défaut : 30 jours).")):
    """Rédige les lettres dues (accusé de réception, ou transmission + avis à l'expéditeur) : courriel ou PDF.

    Exemple : triage letters draft --since 2026-11-01
    """
    from pipeline.letters import draft_letters
    _print_letters(draft_letters(load_settings(config), since.date() if since else None))


@letters_app.command("send")
@command
def letters_send(config: Optional[Path] = ConfigOption,
                 ids: Optional[list[int]] = typer.Argument(None, help="Numéros de lettres (défaut : tous les brouillons courriel).")):
    """Envoie par courriel les brouillons destinés à une adresse électronique ; l'envoi est enregistré.

    Exemple : triage letters send 12 13
    """
    from pipeline.letters.send import send_letters
    sent = send_letters(load_settings(config), ids)
    _print_letters(sent)
    if any(r.status == "failed" for r in sent):
        raise typer.Exit(int(ExitCode.SEND_FAILED))


@letters_app.command("list")
@command
def letters_list(config: Optional[Path] = ConfigOption,
                 state: Optional[str] = typer.Option(None, "--status", help="draft, sent ou failed.")):
    """Liste les lettres et leur état d'envoi.

    Exemple : triage letters list --status draft
    """
    from pipeline.letters import list_letters
    _print_letters(list_letters(load_settings(config), state))


@letters_app.command("mark-sent")
@command
def letters_mark_sent(ids: list[int] = typer.Argument(..., help="Numéros des lettres postées."),
                      config: Optional[Path] = ConfigOption,
                      by: str = typer.Option("accueil", "--by", help="Qui les a postées.")):
    """Enregistre l'envoi postal de lettres imprimées depuis leur PDF.

    Exemple : triage letters mark-sent 14 15 --by m.durand
    """
    from pipeline.letters import mark_sent
    _print_letters(mark_sent(load_settings(config), ids, by))


@app.command()
@command
def purge(older_than: str = typer.Option(..., "--older-than", help="Âge : 90d, 6w, 18m, 2y…"),
          config: Optional[Path] = ConfigOption,
          dry_run: bool = typer.Option(False, "--dry-run", help="Compter sans rien effacer."),
          as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """Efface originaux et données personnelles des courriers transmis il y a longtemps ; garde les statistiques.

    Exemple : triage purge --older-than 2y --dry-run
    """
    from pipeline.ops.purge import purge as run_purge
    r = run_purge(load_settings(config), older_than, dry_run=dry_run)
    if as_json:
        print(json.dumps(vars(r), default=str))
        return
    verb = "seraient purgés" if dry_run else "purgés"
    out.print(f"Courriers reçus avant le {r.cutoff:%d/%m/%Y} {verb} : {r.items} ; fichiers : {r.files_removed} "
              f"({r.bytes_removed / 1e6:.1f} Mo) ; lettres : {r.letters} ; quarantaine : {r.quarantine}", soft_wrap=True)


@app.command()
@command
def export(config: Optional[Path] = ConfigOption,
           out_file: Optional[Path] = typer.Option(None, "--out", help="Fichier CSV (défaut : stdout)."),
           state: Optional[list[str]] = typer.Option(None, "--status", help="routed, to_review, confirmed…"),
           competence: Optional[str] = typer.Option(None, help="Code de compétence (ex. dechets)."),
           commune: Optional[str] = typer.Option(None, help="Code INSEE ou nom de commune."),
           channel: Optional[str] = typer.Option(None, help="email ou courrier."),
           since: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="Reçus depuis ce jour."),
           until: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="Reçus jusqu'à ce jour inclus."),
           urgent: bool = typer.Option(False, "--urgent", help="Seulement les urgents."),
           overdue: bool = typer.Option(False, "--overdue", help="Seulement les échéances dépassées.")):
    """Exporte les courriers en CSV (tableur : point-virgule, UTF-8) avec les filtres de la file d'attente.

    Exemple : triage export --competence dechets --since 2026-11-01 --out dechets.csv
    """
    from pipeline.ops.export import ExportFilters, export_items
    filters = ExportFilters(state, competence, commune, channel, since.date() if since else None,
                            until.date() if until else None, urgent, overdue)
    count = export_items(load_settings(config), filters, out_file)
    err.print(f"{count} courrier(s) exporté(s)" + (f" dans {out_file}" if out_file else ""))


# --- IMAP mailboxes (pipeline/sources/imap.py) ----------------------------------------------------
mailboxes_app = typer.Typer(help="Boîtes aux lettres IMAP lues par « triage run ».", no_args_is_help=True)
app.add_typer(mailboxes_app, name="mailboxes")


@mailboxes_app.command("check")
@command
def mailboxes_check(config: Optional[Path] = ConfigOption,
                    as_json: bool = typer.Option(False, "--json", help="Une liste JSON sur stdout.")):
    """Essaie chaque boîte configurée (connexion, TLS, identification, dossiers, nouveaux messages) sans rien changer.

    Sort avec le code 4 si une boîte a un problème, 0 si toutes répondent.

    Exemple : IMAP_PASSWORD=... triage mailboxes check --config /etc/triage/triage.toml
    """
    from pipeline.sources.imap_check import check_mailboxes
    settings = load_settings(config)
    if not settings.mailboxes:
        err.print("Aucune boîte configurée : ajoutez une section [[mailboxes]] au fichier de configuration.")
        raise typer.Exit(int(ExitCode.CONFIG))
    reports = check_mailboxes(settings)
    if as_json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False))
    for report in [] if as_json else reports:
        out.print(f"[bold]Boîte {report.name}[/] ({report.where}) : "
                  + ("[green]prête[/]" if report.ok else "[bold red]problème[/]"), soft_wrap=True)
        for step in report.steps:
            out.print(f"  {'[green]OK[/]   ' if step.ok else '[bold red]ÉCHEC[/]'} {step.name} : {step.detail}"
                      + (f"\n        → {step.fix}" if step.fix and not step.ok else ""), soft_wrap=True, highlight=False)
    raise typer.Exit(int(ExitCode.OK if all(r.ok for r in reports) else ExitCode.SOURCE_FAILED))


if __name__ == "__main__":
    app()
