"""Model files: a pickle runs code when loaded, so only a trusted file of the model folder is ever loaded.

The attack tried here: a pickle that arrived as an email attachment (stored outside the model
folder) is named by the version's JSON or the active pointer; it must never be loaded.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest

from pipeline.classify import model_files
from pipeline.errors import ModelError

NOBODY = 65534


class _Payload:
    """Unpickling this creates the marker file: proof that the attacker's code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.fixture
def models(tmp_path) -> Path:
    directory = tmp_path / "models"
    model_files.save_model({"kind": "tiny model"}, directory, {"metrics": {}})
    return directory


@pytest.fixture
def attachment(tmp_path) -> tuple[Path, Path]:
    """A hostile pickle stored where attachments land, and the marker its loading would create."""
    marker = tmp_path / "code-ran"
    folder = tmp_path / "var" / "files"
    folder.mkdir(parents=True)
    path = folder / "piece-jointe.joblib"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    return path, marker


def _active_json(models: Path) -> Path:
    return models / f"competence-{model_files.active_version(models)}.json"


def _point_sidecar_at(models: Path, name: str, data: bytes) -> None:
    """What an attacker with write access to the sidecar does: name their file, with its real digest."""
    sidecar = _active_json(models)
    meta = json.loads(sidecar.read_text())
    meta.update(file=name, sha256=hashlib.sha256(data).hexdigest())
    sidecar.write_text(json.dumps(meta))


def test_a_trusted_model_of_the_folder_loads(models):
    model, info = model_files.load_model(models)
    assert model == {"kind": "tiny model"} and info.path.parent == models


@pytest.mark.parametrize("how", ["absolute path", "dot-dot path", "symlink out of the folder"])
def test_sidecar_naming_a_pickle_outside_the_model_folder_is_never_loaded(models, attachment, how):
    pickle_path, marker = attachment
    data = pickle_path.read_bytes()
    if how == "absolute path":
        name = str(pickle_path)
    elif how == "dot-dot path":
        name = os.path.relpath(pickle_path, models)
    else:
        name = "competence-lien.joblib"
        (models / name).symlink_to(pickle_path)
    _point_sidecar_at(models, name, data)
    with pytest.raises(ModelError, match="nom de fichier refusé|hors du dossier des modèles"):
        model_files.load_model(models)
    assert not marker.exists()


def test_active_pointer_naming_a_version_outside_the_folder_is_refused(models, attachment, tmp_path):
    pickle_path, marker = attachment
    outside = tmp_path / "var" / "files" / "competence-x.json"
    outside.write_text(json.dumps({"file": str(pickle_path), "sha256": hashlib.sha256(
        pickle_path.read_bytes()).hexdigest(), "version": "x"}))
    (models / model_files.ACTIVE).write_text(json.dumps({"version": "../var/files/competence-x", "previous": []}))
    with pytest.raises(ModelError, match="version de modèle invalide"):
        model_files.load_model(models)
    assert not marker.exists()


@pytest.mark.parametrize("which", ["pickle", "sidecar", "active pointer", "folder"])
@pytest.mark.parametrize("mode", [0o664, 0o646])
def test_group_or_other_writable_model_file_or_folder_is_refused(models, which, mode):
    meta = json.loads(_active_json(models).read_text())
    target = {"pickle": models / meta["file"], "sidecar": _active_json(models),
              "active pointer": models / model_files.ACTIVE, "folder": models}[which]
    os.chmod(target, mode | (0o111 if which == "folder" else 0))
    with pytest.raises(ModelError, match="modifiable par d'autres utilisateurs"):
        model_files.load_model(models)


@pytest.mark.parametrize("which", ["pickle", "sidecar", "active pointer", "folder"])
def test_model_file_owned_by_another_user_is_refused(models, which):
    assert os.getuid() == 0, "the tests run as root (make test), which can give a file away"
    meta = json.loads(_active_json(models).read_text())
    target = {"pickle": models / meta["file"], "sidecar": _active_json(models),
              "active pointer": models / model_files.ACTIVE, "folder": models}[which]
    os.chown(target, NOBODY, NOBODY)
    with pytest.raises(ModelError, match="appartient à un autre utilisateur"):
        model_files.load_model(models)


def test_writable_pointer_cannot_switch_to_a_planted_version(models, attachment):
    """A version file planted in the folder by someone else is refused even when named properly."""
    pickle_path, marker = attachment
    planted = models / "competence-20990101-000000-000000.joblib"
    planted.write_bytes(pickle_path.read_bytes())
    os.chown(planted, NOBODY, NOBODY)
    sidecar = models / "competence-20990101-000000-000000.json"
    sidecar.write_text(json.dumps({"file": planted.name, "sha256": hashlib.sha256(planted.read_bytes()).hexdigest(),
                                   "version": "20990101-000000-000000"}))
    model_files.activate_version(models, "20990101-000000-000000")
    with pytest.raises(ModelError, match="appartient à un autre utilisateur"):
        model_files.load_model(models)
    assert not marker.exists()


def test_model_folder_created_by_training_is_not_group_writable(tmp_path):
    old = os.umask(0o002)  # Debian's default for users with their own group
    try:
        directory = tmp_path / "new-models"
        info = model_files.save_model({"kind": "tiny model"}, directory, {"metrics": {}})
    finally:
        os.umask(old)
    assert directory.stat().st_mode & 0o022 == 0 and info.path.stat().st_mode & 0o022 == 0
    assert model_files.load_model(directory)[0] == {"kind": "tiny model"}
