"""`triage serve` and `triage users …`: the review page and its accounts."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from pipeline.commands.common import ConfigOption, command, open_for_reading, open_for_writing, out
from pipeline.config import load_settings

commands = typer.Typer()


users_app = typer.Typer(help="Comptes de la page de relecture (rôles agent, admin et service).", no_args_is_help=True)
commands.add_typer(users_app, name="users")


@commands.command()
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
              role: str = typer.Option("agent", help="agent ou admin (service : voir --service)."),
              service: Optional[str] = typer.Option(
                  None, "--service", help="Code du service ou de la mairie dans l'annuaire (compétence ou code "
                                          "INSEE) : un compte qui ne voit que cette corbeille."),
              email: str = typer.Option("", "--email", help="Courriel de la corbeille (facultatif)."),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="Lire le mot de passe sur stdin."),
              config: Optional[Path] = ConfigOption):
    """Crée un compte (mot de passe demandé, haché avec argon2id).

    Exemple : triage users add marie --role admin ; triage users add eau --service eau_assainissement
    """
    from pipeline.store.users import UserError, add_user, entry_by_code
    database = open_for_writing(load_settings(config))
    with database() as session:
        entry = None
        if service is not None:
            entry = entry_by_code(session, service)
            if entry is None:
                raise UserError(f"aucun service ni mairie de code « {service} » dans l'annuaire")
            role = "service"
        add_user(session, username, _password(password_stdin), role, entry_id=entry.id if entry else None,
                 email=email)
    out.print(f"Compte {username} créé ({role}{' : corbeille ' + entry.name if entry else ''}).")


@users_app.command("passwd")
@command
def users_passwd(username: str = typer.Argument(..., help="Identifiant de connexion."),
                 password_stdin: bool = typer.Option(False, "--password-stdin", help="Lire le mot de passe sur stdin."),
                 config: Optional[Path] = ConfigOption):
    """Change le mot de passe d'un compte (ses sessions ouvertes sont fermées).

    Exemple : triage users passwd marie
    """
    from pipeline.store.users import set_password
    database = open_for_writing(load_settings(config))
    with database() as session:
        set_password(session, username, _password(password_stdin))
    out.print(f"Mot de passe de {username} changé : ses sessions ouvertes sont fermées.")


@users_app.command("list")
@command
def users_list(config: Optional[Path] = ConfigOption,
               as_json: bool = typer.Option(False, "--json", help="Une liste JSON sur stdout.")):
    """Liste les comptes, leur rôle et leur état.

    Exemple : triage users list --json
    """
    from pipeline.store.users import list_users
    database = open_for_reading(load_settings(config))
    with database() as session:
        rows = [{"username": u.username, "role": u.role, "active": u.active, "created_at": u.created_at.isoformat(),
                 "entry_id": u.entry_id, "email": u.email} for u in list_users(session)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        out.print(f"{row['username']:<24} {row['role']:<7} {'actif' if row['active'] else 'désactivé'}")
