"""`triage mailboxes check`: try each configured mailbox as a run would, change nothing, say what is wrong.

Steps per mailbox: password variable → connection and TLS → login → folder list → each folder
(messages, new ones since the last run) → the after-store action (keyword allowed, destination
folder). One attempt each, no retries: the answer is wanted now.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from imapclient.exceptions import IMAPClientError

from pipeline.config import MailboxSource, Settings
from pipeline.errors import TriageError
from pipeline.sources.imap_connection import ImapFailure, connect, describe
from pipeline.store import mailbox_state
from pipeline.store.database import StoreFailure


@dataclass
class Step:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass
class MailboxReport:
    name: str
    where: str
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def as_dict(self) -> dict:
        return {"name": self.name, "where": self.where, "ok": self.ok, "steps": [asdict(s) for s in self.steps]}


FIXES = {
    "connection": "vérifiez host et port, que le serveur tourne et que le pare-feu laisse passer",
    "tls": "vérifiez tls (implicit sur 993, starttls sur 143) et ca_file (autorité qui a signé le certificat)",
    "login": "vérifiez user et la variable du mot de passe (password = { env = \"...\" })",
    "server": "voir le journal du serveur IMAP",
}


def check_mailboxes(settings: Settings) -> list[MailboxReport]:
    states = _saved_states(settings)
    return [check_mailbox(spec, states) for spec in settings.mailboxes]


def check_mailbox(spec: MailboxSource, states: dict | None = None) -> MailboxReport:
    report = MailboxReport(spec.name, describe(spec))
    steps = report.steps
    try:
        password = spec.password.resolve()
    except TriageError as exc:
        steps.append(Step("mot de passe", False, str(exc), getattr(exc, "hint", "") or ""))
        return report
    try:
        client = connect(spec, password)
    except ImapFailure as exc:
        if exc.kind == "login":
            steps.append(Step("connexion et TLS", True, _tls_detail(spec)))
        steps.append(Step("identification" if exc.kind == "login" else "connexion et TLS", False, str(exc),
                          FIXES[exc.kind]))
        return report
    try:
        steps.append(Step("connexion et TLS", True, _tls_detail(spec, client)))
        steps.append(Step("identification", True, f"connecté en tant que {spec.user}"))
        _check_folders(spec, client, steps, (states or {}).get(spec.name, {}))
    except (IMAPClientError, OSError) as exc:
        steps.append(Step("serveur", False, f"erreur pendant la vérification : {exc}", FIXES["server"]))
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            pass
    return report


def _tls_detail(spec: MailboxSource, client=None) -> str:
    where = f"{spec.host}:{spec.effective_port}"
    if spec.tls == "none":
        return f"{where} joignable, sans chiffrement (boucle locale)"
    version = ""
    if client is not None:
        sock = getattr(client, "socket", lambda: None)()
        version = f", {sock.version()}" if hasattr(sock, "version") else ""
    check = "certificat NON vérifié (tls_insecure = true)" if spec.tls_insecure else "certificat vérifié"
    return f"{where} joignable, {'TLS implicite' if spec.tls == 'implicit' else 'STARTTLS'}{version}, {check}"


def _check_folders(spec: MailboxSource, client, steps: list[Step], saved: dict) -> None:
    existing = [name for _flags, _sep, name in client.list_folders()]
    steps.append(Step("dossiers", True, f"{len(existing)} sur le serveur : {', '.join(existing[:12])}"
                      + (" …" if len(existing) > 12 else "")))
    refused: list[str] = []  # folders where the configured flag cannot be stored
    for folder in spec.folders:
        if folder not in existing and not client.folder_exists(folder):
            steps.append(Step(f"dossier {folder}", False, "introuvable sur le serveur",
                              f"dossiers existants : {', '.join(existing)}"))
            continue
        info = client.select_folder(folder, readonly=True)
        total, uidvalidity = int(info[b"EXISTS"]), int(info[b"UIDVALIDITY"])
        state = saved.get(folder)
        if state is None or state.uidvalidity != uidvalidity:
            new = total
            since = "jamais lu" if state is None else "UIDVALIDITY changée : tout sera relu, doublons reconnus"
        else:
            new = len([u for u in client.search(["UID", f"{state.last_uid + 1}:*"]) if u > state.last_uid])
            since = f"depuis l'UID {state.last_uid}"
        steps.append(Step(f"dossier {folder}", True, f"{total} message(s), {new} nouveau(x) ({since})"))
        permanent = info.get(b"PERMANENTFLAGS", ())
        # EXAMINE (read-only, as here) may answer an empty PERMANENTFLAGS: that says nothing of a later STORE.
        if permanent and b"\\*" not in permanent and spec.flag.encode() not in permanent:
            refused.append(folder)
        client.unselect_folder() if client.has_capability("UNSELECT") else client.close_folder()
    if spec.after_store == "move":
        exists = spec.move_to in existing or client.folder_exists(spec.move_to)
        steps.append(Step(f"déplacement vers {spec.move_to}", True,
                          "dossier existant" if exists else "dossier absent : il sera créé au premier traitement"))
    elif spec.after_store == "flag" and refused:
        steps.append(Step(f"marquage {spec.flag}", False, f"refusé par le serveur dans {', '.join(refused)}",
                          "choisissez un drapeau permis (\\Seen) ou after_store = \"move\""))
    elif spec.after_store == "flag":
        steps.append(Step(f"marquage {spec.flag}", True, "ajouté à chaque message après son enregistrement"))
    else:
        steps.append(Step("après enregistrement", True, "rien n'est changé sur le serveur (after_store = \"none\")"))


def _saved_states(settings: Settings) -> dict:
    """{mailbox: {folder: FolderState}} from the database, or {} when it cannot be read (counts are then totals)."""
    if not settings.mailboxes:
        return {}
    from pipeline.store.database import open_database
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return {}  # no database yet: every message is new (and none is created here)
    try:
        sessions = open_database(settings.database_url, migrate=False)
        with sessions() as session:
            rows = mailbox_state.all_states(session)
    except (TriageError, StoreFailure):
        return {}
    states: dict = {}
    for row in rows:
        states.setdefault(row.mailbox, {})[row.folder] = mailbox_state.FolderState(int(row.uidvalidity),
                                                                                   int(row.last_uid))
    return states
