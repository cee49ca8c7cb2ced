"""Shared fixtures: real databases (SQLite and PostgreSQL), a model trained once, one OCR pool."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pipeline.config import FolderSource, Settings, load_settings
from pipeline.stages import Stages, ocr_pool

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
POSTGRES_ADMIN_URL = os.environ.get("TRIAGE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A competence model trained on the seed corpus, once for the whole session."""
    from pipeline.classify.lifecycle import train_and_decide
    from pipeline.classify.dataset import load_seed
    from pipeline.reference import load_reference
    directory = tmp_path_factory.mktemp("models")
    codes = {c.code for c in load_reference(ROOT / "data/reference").competences}
    train_and_decide(load_seed(ROOT / "data/seed", codes), directory, target_precision=0.97)
    return directory


def make_settings(tmp_path: Path, model_dir: Path, database_url: str | None = None, **overrides) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    base = dict(database_url=database_url or f"sqlite:///{tmp_path / 'triage.sqlite'}",
                data_dir=tmp_path / "var", reference_dir=ROOT / "data/reference",
                routing_file=ROOT / "config/routing.toml", seed_dir=ROOT / "data/seed",
                folders=[FolderSource(name="scanner", path=inbox)],
                classifier={"model_dir": model_dir, "review_threshold": 0.55},
                ocr={"workers": 2, "page_timeout_s": 60})
    base.update(overrides)
    return load_settings(ROOT / "config/triage.toml", **base)


@pytest.fixture
def settings(tmp_path, model_dir) -> Settings:
    return make_settings(tmp_path, model_dir)


@pytest.fixture(scope="session")
def stages(model_dir, tmp_path_factory) -> Stages:
    return Stages.load(make_settings(tmp_path_factory.mktemp("stages"), model_dir))


@pytest.fixture(scope="session")
def pool():
    with ocr_pool(2) as executor:
        yield executor


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database on the local server, dropped afterwards."""
    name = f"triage_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'triage.sqlite'}"
    return request.getfixturevalue("postgres_url")


def drop(files: list[Path], folder: Path) -> None:
    """Put test files into a drop folder, as a scanner would."""
    for path in files:
        shutil.copy2(path, folder / path.name)
