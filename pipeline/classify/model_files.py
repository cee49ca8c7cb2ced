"""Model files: versioned, written atomically, with a sha256 digest checked at load.

A model file is a pickle, and loading a pickle runs code. Whoever can choose the pickle or write
it owns the machine, so a model is loaded only from the model folder, and only when the folder,
the active pointer (`active.json`), the version's JSON and the pickle are each owned by root or
by us and writable by nobody else; the pointer and the JSON may only name plain file names in
that folder (no absolute path, no `..`, no link leading out), and the digest must match.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import joblib

from pipeline.atomic import write_atomically
from pipeline.errors import ModelError

ACTIVE = "active.json"
VERSION = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9]{6}")  # as save_model names them


@dataclass(frozen=True)
class ModelInfo:
    version: str
    path: Path
    digest: str
    metadata: dict


def save_model(model, model_dir: Path, metadata: dict, *, activate: bool = True) -> ModelInfo:
    """Write model + metadata under a new version; optionally make it the active one."""
    version = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    Path(model_dir).mkdir(mode=0o755, parents=True, exist_ok=True)  # never group-writable, or it would be refused
    with tempfile.TemporaryFile() as buffer:
        joblib.dump(model, buffer, compress=3)
        buffer.seek(0)
        data = buffer.read()
    digest = hashlib.sha256(data).hexdigest()
    path = Path(model_dir) / f"competence-{version}.joblib"
    write_atomically(path, data)
    meta = {**metadata, "version": version, "file": path.name, "sha256": digest,
            "created_at": datetime.now(timezone.utc).isoformat()}
    write_atomically(path.with_suffix(".json"), json.dumps(meta, indent=2, ensure_ascii=False).encode())
    if activate:
        activate_version(model_dir, version)
    return ModelInfo(version, path, digest, meta)


def activate_version(model_dir: Path, version: str) -> None:
    """Make a version active; the one it replaces is remembered for a rollback."""
    if not (Path(model_dir) / f"competence-{version}.json").exists():
        raise ModelError(f"version de modèle inconnue : {version}")
    pointer = _pointer(model_dir)
    history = pointer.get("previous", [])
    if pointer.get("version") and pointer["version"] != version:
        history = history + [pointer["version"]]
    _write_pointer(model_dir, version, history)


def rollback(model_dir: Path) -> str:
    """Go back to the version that was active before the current one; returns it."""
    history = _pointer(model_dir).get("previous", [])
    if not history:
        raise ModelError("aucune version précédente vers laquelle revenir")
    _write_pointer(model_dir, history[-1], history[:-1])
    return history[-1]


def active_version(model_dir: Path) -> str | None:
    return _pointer(model_dir).get("version")


def list_versions(model_dir: Path) -> list[dict]:
    """Every stored version's metadata, newest first."""
    return [json.loads(path.read_text()) for path in sorted(Path(model_dir).glob("competence-*.json"), reverse=True)]


def _pointer(model_dir: Path) -> dict:
    """The active pointer, read only when it can be trusted (it chooses which pickle is loaded)."""
    if not (Path(model_dir) / ACTIVE).exists():
        return {}
    pointer = _read_json(model_dir, ACTIVE)
    for version in [pointer.get("version"), *pointer.get("previous", [])]:
        if version is not None:
            _check_version(version)
    return pointer


def _write_pointer(model_dir: Path, version: str, history: list[str]) -> None:
    write_atomically(Path(model_dir) / ACTIVE, json.dumps({"version": version, "previous": history}).encode())


def write_sidecar(model_dir: Path, version: str, suffix: str, data: bytes) -> Path:
    """A file that goes with a version (e.g. its confusion matrix image)."""
    path = Path(model_dir) / f"competence-{version}{suffix}"
    write_atomically(path, data)
    return path


def read_metadata(model_dir: Path, version: str) -> dict:
    return _read_json(model_dir, f"competence-{_check_version(version)}.json")


def load_model(model_dir: Path, version: str | None = None):
    """Load a version (default: the active one) after checking names, owners, permissions and digest."""
    version = version or active_version(model_dir)
    if version is None:
        raise ModelError("aucun modèle actif", hint="triage train")
    meta = read_metadata(model_dir, version)
    data = read_trusted(model_dir, str(meta.get("file", "")))
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise ModelError(f"empreinte du modèle {version} invalide : fichier altéré ?")
    path = Path(model_dir) / meta["file"]
    try:
        model = joblib.load(io.BytesIO(data))
    except (AttributeError, ImportError) as exc:  # a class this version of the code no longer has
        raise ModelError(f"le modèle {version} a été écrit par une version précédente du logiciel et ne peut "
                         f"plus être lu ({exc})", hint="triage train") from exc
    return model, ModelInfo(version, path, meta["sha256"], meta)


def read_trusted(model_dir: Path, name: str) -> bytes:
    """The bytes of file `name` of the model folder, if it and the folder can be trusted; else ModelError."""
    folder = Path(model_dir)
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise ModelError(f"nom de fichier refusé dans le dossier des modèles {folder} : {name!r} "
                         "(un simple nom de fichier de ce dossier est attendu)")
    try:
        real_folder = folder.resolve(strict=True)
        _check_owner_and_mode(real_folder, os.stat(real_folder))
        real = (folder / name).resolve(strict=True)
        if real.parent != real_folder:  # a symbolic link leading out of the folder
            raise ModelError(f"{folder / name} mène hors du dossier des modèles ({real}) : refusé")
        descriptor = os.open(real, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ModelError(f"fichier de modèle illisible : {folder / name} : {exc.strerror or exc}",
                         hint="triage train") from exc
    with os.fdopen(descriptor, "rb") as handle:  # checked and read through the same descriptor
        _check_owner_and_mode(real, os.fstat(handle.fileno()))
        return handle.read()


def _check_owner_and_mode(path: Path, info: os.stat_result) -> None:
    if info.st_uid not in (0, os.getuid()):
        raise ModelError(f"{path} appartient à un autre utilisateur (uid {info.st_uid}) : modèle refusé",
                         hint=f"chown {os.getuid()} {path}")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ModelError(f"{path} est modifiable par d'autres utilisateurs que son propriétaire : modèle refusé",
                         hint=f"chmod go-w {path}")


def _read_json(model_dir: Path, name: str) -> dict:
    try:
        data = json.loads(read_trusted(model_dir, name))
    except ValueError as exc:
        raise ModelError(f"{Path(model_dir) / name} illisible (JSON invalide) : {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{Path(model_dir) / name} illisible : objet JSON attendu")
    return data


def _check_version(version) -> str:
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        raise ModelError(f"version de modèle invalide : {version!r} (attendu AAAAMMJJ-HHMMSS-micro)")
    return version
