"""`triage doctor`: check everything a night run needs and say, in French, what is wrong and how to fix it.

Each check returns a Check; nothing is changed (no migration applied, no file moved, no mail sent).
The command exits with the code `triage run` would have used for the first failure.
"""
from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from pipeline.config import Settings, load_settings
from pipeline.errors import ExitCode, TriageError

LETTER_TEMPLATES = ("accuse_reception.txt.j2", "transmission.txt.j2", "avis_transmission.txt.j2")


@dataclass
class Check:
    name: str
    state: str  # ok, warn, fail
    detail: str
    fix: str = ""
    code: ExitCode = ExitCode.OK  # what `triage run` would exit with

    @property
    def failed(self) -> bool:
        return self.state == "fail"


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def warn(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, "warn", detail, fix)


def fail(name: str, detail: str, fix: str, code: ExitCode) -> Check:
    return Check(name, "fail", detail, fix, code)


def run_doctor(config: Path | None, on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Every check, in the order a run meets them; `on_check` sees each as it completes."""
    checks: list[Check] = []
    for check in _checks(config):
        checks.append(check)
        if on_check:
            on_check(check)
    return checks


def exit_code(checks: list[Check]) -> ExitCode:
    return next((c.code for c in checks if c.failed), ExitCode.OK)


def _checks(config: Path | None) -> Iterator[Check]:
    try:
        settings = load_settings(config)
    except TriageError as exc:
        yield fail("configuration", str(exc), getattr(exc, "hint", "") or "corrigez le fichier", ExitCode.CONFIG)
        return
    yield ok("configuration", f"{config or 'config/triage.toml'} lu")
    for check in (_reference, _data_dir, _database, _ocr_programs, _spacy, _classifier, _letters, _smtp):
        yield _safely(check, settings)
    yield from _folders(settings)
    yield from _mailboxes(settings)


NAMES = {"_reference": "table de routage", "_data_dir": "dossier de données", "_database": "base de données",
         "_ocr_programs": "tesseract et poppler", "_spacy": "modèle spaCy", "_classifier": "modèle de classement",
         "_letters": "modèles de lettres", "_smtp": "serveur d'envoi"}


def _safely(check: Callable[[Settings], Check], settings: Settings) -> Check:
    name = NAMES.get(check.__name__, check.__name__)
    try:
        return check(settings)
    except TriageError as exc:
        return fail(name, str(exc), getattr(exc, "hint", "") or "", getattr(exc, "exit_code", ExitCode.INTERNAL))
    except Exception as exc:  # noqa: BLE001  a doctor reports, it does not crash
        return fail(name, f"erreur inattendue : {type(exc).__name__} : {exc}", "voir le journal", ExitCode.INTERNAL)


def _reference(settings: Settings) -> Check:
    from pipeline.reference import load_reference
    from pipeline.routing_table import load_routing_table
    try:
        reference = load_reference(settings.reference_dir)
    except (OSError, KeyError, ValueError) as exc:
        return fail("données de référence", f"{settings.reference_dir} illisible : {exc}",
                    "reference_dir doit pointer vers data/reference", ExitCode.CONFIG)
    table = load_routing_table(settings.routing_file)
    missing = [c.code for c in reference.competences if c.code not in table.services]
    if missing:
        return warn("table de routage", f"compétences sans service : {', '.join(missing)}",
                    f"ajoutez-les dans {settings.routing_file}")
    return ok("table de routage", f"{len(table.services)} compétences, {len(reference.communes)} communes")


def _writable(path: Path) -> str | None:
    """None when we can create a file in `path` (creating the folder if needed), else why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _data_dir(settings: Settings) -> Check:
    problem = _writable(Path(settings.data_dir))
    if problem:
        return fail("dossier de données", f"{settings.data_dir} : {problem}",
                    f"chown -R <utilisateur de triage> {settings.data_dir}", ExitCode.CONFIG)
    return ok("dossier de données", f"{settings.data_dir} accessible en écriture")


def _database(settings: Settings) -> Check:
    from pipeline.store.database import make_engine, open_database, pending_migrations
    open_database(settings.database_url, migrate=False)
    engine = make_engine(settings.database_url)
    try:
        behind = pending_migrations(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if behind:
        return warn("base de données", f"{where} joignable, migrations en attente",
                    "elles seront appliquées au prochain « triage run »")
    return ok("base de données", f"{where} joignable, schéma à jour")


def _ocr_programs(settings: Settings) -> Check:
    from pipeline.extract.programs import require_ocr_programs
    require_ocr_programs(settings.ocr.language)
    return ok("tesseract et poppler", f"tesseract (langue {settings.ocr.language}), pdftoppm, pdftotext, pdfinfo")


def _spacy(settings: Settings) -> Check:
    from pipeline.understand.nlp import MODEL, load_nlp
    load_nlp()
    return ok("modèle spaCy", MODEL)


def _classifier(settings: Settings) -> Check:
    from pipeline.classify.model_files import load_model
    _, info = load_model(settings.classifier.model_dir)
    metrics = info.metadata.get("metrics", {})
    accuracy = metrics.get("holdout_accuracy")
    return ok("modèle de classement", f"version {info.version} active, empreinte vérifiée"
              + (f", exactitude {accuracy:.1%}" if accuracy is not None else ""))


def _letters(settings: Settings) -> Check:
    directory = Path(settings.letters.templates_dir)
    missing = [name for name in LETTER_TEMPLATES if not (directory / name).is_file()]
    if missing:
        return warn("modèles de lettres", f"absents de {directory} : {', '.join(missing)}",
                    "letters.templates_dir doit pointer vers config/letters")
    return ok("modèles de lettres", f"{len(LETTER_TEMPLATES)} modèles dans {directory}")


def _smtp(settings: Settings) -> Check:
    smtp = settings.smtp
    if not smtp.host:
        if settings.report.recipients:
            return warn("serveur d'envoi", "des destinataires du rapport sont définis mais [smtp] host est vide",
                        "renseignez [smtp] host, port, security")
        return ok("serveur d'envoi", "non configuré (pas d'envoi par courriel)")
    try:
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=10, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=10)
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password.resolve() if smtp.password else "")
            client.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return fail("serveur d'envoi", f"{smtp.host}:{smtp.port} : {exc}",
                    "vérifiez [smtp] host, port, security, username et la variable du mot de passe",
                    ExitCode.SEND_FAILED)
    return ok("serveur d'envoi", f"{smtp.host}:{smtp.port} répond ({smtp.security})")


def _folders(settings: Settings) -> Iterator[Check]:
    for spec in settings.folders:
        name, path = f"dossier {spec.name}", Path(spec.path)
        if not path.is_dir():
            yield fail(name, f"{path} n'existe pas", f"mkdir -p {path} (ou corrigez [[folders]] path)",
                       ExitCode.SOURCE_FAILED)
            continue
        if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
            yield fail(name, f"{path} : lecture ou écriture refusée (les fichiers traités en sont déplacés)",
                       f"chown <utilisateur de triage> {path}", ExitCode.SOURCE_FAILED)
            continue
        targets = [Path(spec.done_dir or path / "done"), Path(spec.quarantine_dir or path / "quarantine")]
        problems = [f"{t} : {p}" for t in targets if (p := _writable(t))]
        if problems:
            yield fail(name, "; ".join(problems), "donnez les droits d'écriture sur ces dossiers",
                       ExitCode.SOURCE_FAILED)
            continue
        waiting = sum(1 for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        yield ok(name, f"{path} : {waiting} fichier(s) en attente")


def _mailboxes(settings: Settings) -> Iterator[Check]:
    """Each mailbox tried as `triage mailboxes check` does: password, connection and TLS, login, folders."""
    from pipeline.sources.imap_check import check_mailbox
    for spec in settings.mailboxes:
        name = f"boîte {spec.name}"
        if spec.tls_insecure:
            yield warn(name, f"certificat de {spec.host} NON vérifié (tls_insecure = true) : la connexion peut "
                             "être interceptée", "retirez tls_insecure et donnez ca_file (l'autorité du serveur)")
        report = check_mailbox(spec)
        wrong = [step for step in report.steps if not step.ok]
        if wrong:
            yield fail(name, " ; ".join(f"{step.name} : {step.detail}" for step in wrong),
                       " ; ".join(step.fix for step in wrong if step.fix) or "« triage mailboxes check »",
                       ExitCode.SOURCE_FAILED)
        else:
            yield ok(name, f"{report.where} : identification réussie, {len(spec.folders)} dossier(s) lisible(s)")


STATES_FR = {"ok": ("OK", "green"), "warn": ("ATTENTION", "yellow"), "fail": ("ÉCHEC", "bold red")}


def print_check(console, check: Check) -> None:
    """One line per check, and the fix under it when something is wrong."""
    from rich.markup import escape
    label, style = STATES_FR[check.state]
    console.print(f"[{style}]{label:<10}[/]{escape(check.name)} : {escape(check.detail)}", soft_wrap=True, markup=True)
    if check.fix and check.state != "ok":
        console.print(f"{'':<10}→ {escape(check.fix)}", soft_wrap=True, highlight=False)
