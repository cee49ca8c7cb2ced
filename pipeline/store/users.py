"""Accounts of the review page (argon2id hashes), their server-side sessions, and the login throttle.

Login throttle, keyed on the name as the login normalises it (`normalise`) and on the client:
- per (name, client): PER_CLIENT failures within WINDOW_S lock that client out of that name
  until the oldest of them is WINDOW_S old;
- per name, whatever the client: past NAME_CEILING failures within WINDOW_S, each further try
  waits after the last failure 2, 4, 8… seconds, at most BACKOFF_MAX_S. A guesser spread over many
  addresses gets one try per BACKOFF_MAX_S at most, and the real user, from their own client,
  is never locked out for longer than that.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pipeline.errors import ConfigError
from pipeline.store.schema import AppUserRow, DirectoryEntryRow, LoginFailureRow, WebSessionRow

# "service": a service's or a town hall's account, bound to its directory entry; it sees only that
# entry's basket (pipeline/store/access.py) and none of the clerks' pages.
ROLES = ("agent", "admin", "service")
BASKET_KINDS = ("service", "mairie")
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,100}$")
MIN_PASSWORD = 10
WINDOW_S = 15 * 60
PER_CLIENT = 5
NAME_CEILING = 20
BACKOFF_MAX_S = 60

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when a login names an unknown user, so that answering takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("aucun utilisateur ne porte ce mot de passe")


class UserError(ConfigError):
    """A refused account change (bad name, short password, unknown user); the text is French."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    active: bool
    created_at: datetime
    entry_id: int | None = None  # service accounts: their directory entry
    email: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_service(self) -> bool:
        return self.role == "service"


@dataclass(frozen=True)
class BasketEntry:
    """A directory entry a service account can be bound to."""

    id: int
    code: str
    name: str
    kind: str


def _account(row: AppUserRow) -> Account:
    return Account(row.id, row.username, row.role, row.active, row.created_at, row.entry_id, row.email or "")


def basket_entries(session: Session) -> list[BasketEntry]:
    """Services and town halls an account can be created for (the administrations have no basket)."""
    rows = session.execute(select(DirectoryEntryRow).where(DirectoryEntryRow.kind.in_(BASKET_KINDS),
                                                           DirectoryEntryRow.active.is_(True))
                           .order_by(DirectoryEntryRow.kind.desc(), DirectoryEntryRow.name)).scalars()
    return [BasketEntry(row.id, row.code, row.name, row.kind) for row in rows]


def entry_by_code(session: Session, code: str) -> BasketEntry | None:
    row = session.execute(select(DirectoryEntryRow).where(DirectoryEntryRow.code == code.strip())).scalar()
    if row is None or row.kind not in BASKET_KINDS:
        return None
    return BasketEntry(row.id, row.code, row.name, row.kind)


def _check_binding(session: Session, role: str, entry_id: int | None) -> None:
    if role not in ROLES:
        raise UserError(f"rôle inconnu : {role} (agent, admin ou service)")
    if role == "service":
        entry = session.get(DirectoryEntryRow, entry_id) if entry_id is not None else None
        if entry is None or entry.kind not in BASKET_KINDS:
            raise UserError("un compte de service doit être rattaché à un service ou à une mairie de l'annuaire")


def normalise(username: str) -> str:
    """The name as the login and its throttle compare it: spaces around and letter case do not count."""
    return username.strip().casefold()


def _find(session: Session, username: str) -> AppUserRow | None:
    exact = session.execute(select(AppUserRow).where(AppUserRow.username == username.strip())).scalar()
    if exact is not None:
        return exact
    return session.execute(select(AppUserRow).where(func.lower(AppUserRow.username) == normalise(username))
                           .order_by(AppUserRow.id).limit(1)).scalar()


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"mot de passe trop court ({MIN_PASSWORD} caractères au moins)")


def add_user(session: Session, username: str, password: str, role: str = "agent", *,
             entry_id: int | None = None, email: str = "") -> Account:
    """Create an account; a "service" account needs its directory entry (`entry_id`)."""
    if not USERNAME.match(username):
        raise UserError("identifiant invalide : 2 à 100 caractères parmi lettres, chiffres, . _ @ -")
    _check_binding(session, role, entry_id)
    if _find(session, username) is not None:
        raise UserError(f"l'utilisateur {username} existe déjà")
    _check_password_rules(password)
    row = AppUserRow(username=username, role=role, password_hash=_hasher.hash(password), active=True,
                     created_at=datetime.now(timezone.utc), entry_id=entry_id if role == "service" else None,
                     email=email.strip()[:320])
    session.add(row)
    session.commit()
    return _account(row)


def account(session: Session, user_id: int) -> Account | None:
    row = session.get(AppUserRow, user_id)
    return _account(row) if row else None


def list_users(session: Session) -> list[Account]:
    return [_account(row) for row in session.execute(select(AppUserRow).order_by(AppUserRow.username)).scalars()]


def _end_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))


def set_password(session: Session, username: str, password: str) -> Account:
    """A new password; every open session of the account ends."""
    row = _find(session, username)
    if row is None:
        raise UserError(f"utilisateur inconnu : {username}")
    _check_password_rules(password)
    row.password_hash = _hasher.hash(password)
    _end_sessions_of(session, row.id)
    session.commit()
    return _account(row)


def update_account(session: Session, user_id: int, role: str, active: bool) -> Account:
    """Change role and state; a disabled account's sessions end, and so do those of a changed role
    (a page opened under the old rights must not stay open)."""
    row = session.get(AppUserRow, user_id)
    if row is None:
        raise UserError(f"compte inconnu : {user_id}")
    _check_binding(session, role, row.entry_id)
    changed_role = row.role != role
    row.role, row.active = role, active
    if role != "service":
        row.entry_id = None
    if not active or changed_role:
        _end_sessions_of(session, row.id)
    session.commit()
    return _account(row)


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The active user with this password, else None; rehashes when the parameters changed.

    An unknown name costs the same argon2 verification as a known one.
    """
    row = _find(session, username)
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
        session.commit()
    return _account(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user_id: int, max_hours: float) -> str:
    """A new session for this account; returns the token its cookie carries (only a digest is stored).

    Sessions past their maximum lifetime, which nobody logged out of, are dropped on the way.
    """
    token = secrets.token_urlsafe(32)
    session.execute(delete(WebSessionRow).where(
        WebSessionRow.created_at < datetime.now(timezone.utc) - timedelta(hours=max_hours)))
    session.add(WebSessionRow(token_hash=_digest(token), user_id=user_id, created_at=datetime.now(timezone.utc)))
    session.commit()
    return token


def session_account(session: Session, token: str, max_hours: float) -> Account | None:
    """The active account of a live session, else None (ended, expired, or account disabled)."""
    found = session.execute(select(AppUserRow, WebSessionRow.created_at).join(
        WebSessionRow, WebSessionRow.user_id == AppUserRow.id).where(WebSessionRow.token_hash == _digest(token))).first()
    if found is None:
        return None
    row, created = found
    if created.tzinfo is None:  # SQLite gives back the stored UTC wall time
        created = created.replace(tzinfo=timezone.utc)
    if not row.active or time.time() - created.timestamp() > max_hours * 3600:
        return None
    return _account(row)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _digest(token)))
    session.commit()


def wait_before_login(session: Session, username: str, client: str, now: float | None = None) -> int:
    """Seconds this client must wait before trying this name again (0: it may try now)."""
    now = time.time() if now is None else now
    name, since = normalise(username), now - WINDOW_S
    of_name = select(LoginFailureRow.at).where(LoginFailureRow.username == name, LoginFailureRow.at >= since)
    wait = 0.0
    fifth_last = session.execute(of_name.where(LoginFailureRow.client == client)
                                 .order_by(LoginFailureRow.at.desc()).offset(PER_CLIENT - 1).limit(1)).scalar()
    if fifth_last is not None:
        wait = fifth_last + WINDOW_S - now
    count, last = session.execute(select(func.count(), func.max(LoginFailureRow.at)).where(
        LoginFailureRow.username == name, LoginFailureRow.at >= since)).one()
    if count > NAME_CEILING:
        wait = max(wait, last + min(BACKOFF_MAX_S, 2 ** (count - NAME_CEILING)) - now)
    return max(0, int(-(-wait // 1)))


def record_failure(session: Session, username: str, client: str, now: float | None = None) -> None:
    """A wrong password (or unknown name); failures older than the window are dropped on the way."""
    now = time.time() if now is None else now
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < now - WINDOW_S))
    session.add(LoginFailureRow(username=normalise(username)[:200], client=client[:100], at=now))
    session.commit()


def clear_failures(session: Session, username: str, client: str) -> None:
    """A successful login forgets this client's failures for the name (not the others')."""
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.username == normalise(username),
                                                  LoginFailureRow.client == client))
    session.commit()
