"""Accounts of the review page: create, change password, list, authenticate (argon2id hashes)."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.errors import ConfigError
from pipeline.store.schema import AppUserRow

ROLES = {"agent": "Agent", "admin": "Administrateur"}
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,100}$")
MIN_PASSWORD = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when a login names an unknown user, so that answering takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("aucun utilisateur ne porte ce mot de passe")


class UserError(ConfigError):
    """A refused account change (bad name, short password, unknown user); the text is French."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def fingerprint(user: AppUserRow) -> str:
    """Changes when the password does: a session carries it, so a new password ends old sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"mot de passe trop court ({MIN_PASSWORD} caractères au moins)")


def find_user(session: Session, username: str) -> AppUserRow | None:
    return session.execute(select(AppUserRow).where(AppUserRow.username == username)).scalar_one_or_none()


def add_user(session: Session, username: str, password: str, role: str = "agent") -> AppUserRow:
    """Create an account (caller commits)."""
    if not USERNAME.match(username):
        raise UserError("identifiant invalide : 2 à 100 caractères parmi lettres, chiffres, . _ @ -")
    if role not in ROLES:
        raise UserError(f"rôle inconnu : {role} (agent ou admin)")
    if find_user(session, username) is not None:
        raise UserError(f"l'utilisateur {username} existe déjà")
    check_password_rules(password)
    row = AppUserRow(username=username, role=role, password_hash=hash_password(password), active=True,
                     created_at=datetime.now(timezone.utc))
    session.add(row)
    return row


def set_password(session: Session, username: str, password: str) -> AppUserRow:
    row = find_user(session, username)
    if row is None:
        raise UserError(f"utilisateur inconnu : {username}")
    check_password_rules(password)
    row.password_hash = hash_password(password)
    return row


def list_users(session: Session) -> list[AppUserRow]:
    return list(session.execute(select(AppUserRow).order_by(AppUserRow.username)).scalars())


def authenticate(session: Session, username: str, password: str) -> AppUserRow | None:
    """The active user with this password, else None; rehashes when the parameters changed."""
    row = find_user(session, username.strip())
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
        session.commit()
    return row
