"""Model files: versioned, written atomically, with a sha256 digest checked at load.

A model file is a pickle, and loading a pickle runs code: it is refused when the file or its
folder can be written by other users, or when its digest does not match its metadata.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import joblib

from pipeline.atomic import write_atomically
from pipeline.errors import ModelError

ACTIVE = "active.json"


@dataclass(frozen=True)
class ModelInfo:
    version: str
    path: Path
    digest: str
    metadata: dict


def save_model(model, model_dir: Path, metadata: dict, *, activate: bool = True) -> ModelInfo:
    """Write model + metadata under a new version; optionally make it the active one."""
    version = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
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
    path = Path(model_dir) / ACTIVE
    return json.loads(path.read_text()) if path.exists() else {}


def _write_pointer(model_dir: Path, version: str, history: list[str]) -> None:
    write_atomically(Path(model_dir) / ACTIVE, json.dumps({"version": version, "previous": history}).encode())


def write_sidecar(model_dir: Path, version: str, suffix: str, data: bytes) -> Path:
    """A file that goes with a version (e.g. its confusion matrix image)."""
    path = Path(model_dir) / f"competence-{version}{suffix}"
    write_atomically(path, data)
    return path


def read_metadata(model_dir: Path, version: str) -> dict:
    return json.loads((Path(model_dir) / f"competence-{version}.json").read_text())


def load_model(model_dir: Path, version: str | None = None):
    """Load a version (default: the active one) after checking permissions and digest."""
    version = version or active_version(model_dir)
    if version is None:
        raise ModelError("aucun modèle actif", hint="triage train")
    meta = read_metadata(model_dir, version)
    path = Path(model_dir) / meta["file"]
    for checked in (path, path.parent):
        mode = checked.stat().st_mode
        if mode & stat.S_IWOTH or (checked.stat().st_uid not in (0, os.getuid())):
            raise ModelError(f"{checked} est modifiable par d'autres utilisateurs : modèle refusé",
                             hint=f"chmod o-w {checked}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise ModelError(f"empreinte du modèle {version} invalide : fichier altéré ?")
    return joblib.load(io.BytesIO(data)), ModelInfo(version, path, meta["sha256"], meta)
