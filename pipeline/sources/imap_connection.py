"""One IMAP connection to a configured mailbox: TLS as configured, login, retries with backoff.

`connect` makes a single attempt and says in French what went wrong (`ImapFailure`);
`Connection` keeps a logged-in client, reconnects when the link drops (re-selecting the folder
it had open, and noting it in `renumbered` if its UIDVALIDITY changed meanwhile), and gives up
with a SourceError after the configured number of retries.
"""
from __future__ import annotations

import logging
import socket
import ssl
import time
from typing import Callable, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, IMAPClientAbortError, IMAPClientError, LoginError

from pipeline.config import MailboxSource
from pipeline.errors import TriageError
from pipeline.sources import SourceError

log = logging.getLogger("triage.imap")
T = TypeVar("T")
TLS_FR = {"implicit": "TLS implicite", "starttls": "STARTTLS", "none": "sans chiffrement"}


class ImapFailure(TriageError):
    """One attempt failed; `kind` is connection, tls, login or server."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class LinkLost(TriageError):
    """The link dropped during one command run with `Connection.once` (not retried there)."""


def is_connection_loss(exc: BaseException) -> bool:
    """A dropped or broken link (worth reconnecting), as opposed to the server refusing a command."""
    if isinstance(exc, IMAPClientAbortError):
        return "read-only" not in str(exc).lower()
    return isinstance(exc, (OSError, EOFError))


def tls_context(spec: MailboxSource) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(spec.ca_file) if spec.ca_file else None)
    if spec.tls_insecure:
        log.warning(insecure_warning(spec), extra={"source": spec.name})
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def insecure_warning(spec: MailboxSource) -> str:
    return (f"ATTENTION boîte {spec.name} : certificat de {spec.host} NON vérifié (tls_insecure = true) : "
            "la connexion peut être interceptée ; réservé aux serveurs de test")


def describe(spec: MailboxSource) -> str:
    return f"{spec.user}@{spec.host}:{spec.effective_port}, {TLS_FR[spec.tls]}"


def connect(spec: MailboxSource, password: str) -> IMAPClient:
    """Connect, negotiate TLS and log in, once; ImapFailure says which step failed and why."""
    where = f"{spec.host}:{spec.effective_port}"
    try:
        context = tls_context(spec) if spec.tls != "none" else None
    except (OSError, ssl.SSLError) as exc:
        raise ImapFailure(f"fichier de certificats (ca_file) illisible : {spec.ca_file} : {exc}", "tls") from exc
    try:
        client = IMAPClient(spec.host, port=spec.effective_port, ssl=spec.tls == "implicit",
                            ssl_context=context, timeout=spec.timeout_s)
        if spec.tls == "starttls":
            client.starttls(context)
    except ssl.SSLCertVerificationError as exc:
        raise ImapFailure(f"certificat du serveur {where} refusé : {exc.verify_message or exc} "
                          "(ca_file à fournir, ou nom d'hôte différent du certificat)", "tls") from exc
    except ssl.SSLError as exc:
        raise ImapFailure(f"échec de la négociation TLS avec {where} : {exc.reason or exc} "
                          "(le port attend-il TLS implicite (993) ou STARTTLS (143) ?)", "tls") from exc
    except socket.gaierror as exc:
        raise ImapFailure(f"hôte inconnu : {spec.host} ({exc.strerror})", "connection") from exc
    except ConnectionRefusedError as exc:
        raise ImapFailure(f"connexion refusée par {where} (serveur arrêté ou mauvais port)", "connection") from exc
    except (socket.timeout, TimeoutError) as exc:
        raise ImapFailure(f"{where} ne répond pas (délai de {spec.timeout_s:.0f} s dépassé)", "connection") from exc
    except CapabilityError as exc:
        raise ImapFailure(f"{where} ne propose pas STARTTLS : essayez tls = \"implicit\" (port 993)", "tls") from exc
    except OSError as exc:
        raise ImapFailure(f"{where} injoignable : {exc.strerror or exc}", "connection") from exc
    except IMAPClientError as exc:
        raise ImapFailure(f"{where} : réponse inattendue du serveur : {exc}", "server") from exc
    try:
        client.login(spec.user, password)
    except LoginError as exc:
        _close(client)
        raise ImapFailure(f"identification refusée pour {spec.user} sur {where} : mot de passe ou identifiant "
                          f"incorrect ({_text(exc)})", "login") from exc
    except Exception as exc:  # noqa: BLE001  a link lost during login
        _close(client)
        if is_connection_loss(exc) or isinstance(exc, IMAPClientError):
            raise ImapFailure(f"connexion perdue avec {where} pendant l'identification : {exc}", "connection") from exc
        raise
    client.normalise_times = False  # INTERNALDATE as aware datetimes
    return client


class Connection:
    """A logged-in client that comes back after a drop, within the mailbox's retries and backoff."""

    def __init__(self, spec: MailboxSource, password: str, sleep: Callable[[float], None] = time.sleep):
        self.spec, self._password, self._sleep = spec, password, sleep
        self.client: IMAPClient | None = None
        self.selected: tuple[str, bool, int] | None = None  # folder, readonly, uidvalidity
        self.renumbered: set[str] = set()  # folders found with a new UIDVALIDITY on reconnecting
        self.connections = 0  # successful logins: more than one means the link dropped and came back

    def open(self) -> None:
        self.call(lambda client: None)

    def call(self, operation: Callable[[IMAPClient], T]) -> T:
        """Run `operation` on a live client; on a lost link reconnect (with backoff) and run it again.

        The operation must be safe to repeat (SELECT, SEARCH, FETCH, STORE or MOVE by UID)."""
        last: str = ""
        for attempt in range(self.spec.retries + 1):
            if attempt:
                delay = self.spec.backoff_s * 2 ** (attempt - 1)
                log.warning("boîte %s : %s ; nouvel essai dans %.1f s (%d/%d)", self.spec.name, last, delay,
                            attempt, self.spec.retries, extra={"source": self.spec.name})
                self._sleep(delay)
            try:
                if self.client is None:
                    self._reconnect()
                return operation(self.client)
            except ImapFailure as exc:
                last = str(exc)
            except Exception as exc:  # noqa: BLE001  sorted below: only a lost link is retried
                if not is_connection_loss(exc):
                    raise
                last = f"connexion perdue avec {self.spec.host}:{self.spec.effective_port} ({_text(exc)})"
                self.drop()
        raise SourceError(f"{last} ; abandon après {self.spec.retries + 1} tentative(s)")

    def once(self, operation: Callable[[IMAPClient], T]) -> T:
        """Run `operation` once on a live client (connecting first, with retries); LinkLost if the link drops.

        For commands that may themselves break the link (Dovecot says BYE when it cannot read a message)."""
        self.open()
        try:
            return operation(self.client)
        except Exception as exc:  # noqa: BLE001  only a lost link is turned into LinkLost
            if not is_connection_loss(exc):
                raise
            self.drop()
            raise LinkLost(_text(exc)) from exc

    def select(self, folder: str, readonly: bool) -> int:
        """SELECT (or EXAMINE) a folder and return its UIDVALIDITY; the folder is re-selected after a reconnection."""
        if self.selected and self.selected[:2] == (folder, readonly) and self.client is not None:
            return self.selected[2]
        self.selected = None  # a refused SELECT leaves no folder selected
        info = self.call(lambda client: client.select_folder(folder, readonly=readonly))
        self.selected = (folder, readonly, int(info[b"UIDVALIDITY"]))
        return self.selected[2]

    def _reconnect(self) -> None:
        client = connect(self.spec, self._password)
        if self.selected is not None:
            folder, readonly, uidvalidity = self.selected
            info = client.select_folder(folder, readonly=readonly)
            if int(info[b"UIDVALIDITY"]) != uidvalidity:
                self.renumbered.add(folder)
                self.selected = (folder, readonly, int(info[b"UIDVALIDITY"]))
        self.connections += 1
        self.client = client

    def drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            _close(client)

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001  closing a link that may already be gone
            _close(client)


def _close(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except Exception:  # noqa: BLE001
        pass


def _text(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text.strip() or type(exc).__name__
