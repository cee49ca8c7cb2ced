"""The learning loop as admins use it: gather examples, import historical mail, train, decide.

Seed corpus + imported historical mail + every item a clerk confirmed or corrected; the
clerk's final label wins over the prediction.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipeline.classify import dataset
from pipeline.classify.evaluation import load_labels
from pipeline.classify.lifecycle import TrainingResult, train_and_decide
from pipeline.classify.model_files import active_version, read_metadata
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.item import Document
from pipeline.reference import load_reference
from pipeline.store import training as stored


def competence_codes(settings: Settings) -> set[str]:
    return {c.code for c in load_reference(settings.reference_dir).competences}


def gather(settings: Settings, database) -> list[dataset.Example]:
    """Seed corpus, plus (with a database) imported mail and the clerks' reviewed items."""
    examples = dataset.load_seed(settings.seed_dir, competence_codes(settings))
    if database is not None:
        examples += stored.imported_examples(database) + stored.reviewed_examples(database)
    return examples


def train(settings: Settings, database, *, force: bool = False) -> TrainingResult:
    return train_and_decide(gather(settings, database), settings.classifier.model_dir,
                            target_precision=settings.classifier.target_precision, force=force)


def import_labelled(path: Path, settings: Settings, database) -> tuple[int, int]:
    """Store an administration's labelled mail (a folder in the eval format, or a CSV); (added, known)."""
    path = Path(path)
    codes = competence_codes(settings)
    if path.is_dir():
        examples = _read_labelled_folder(path, settings, codes)
    elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
        examples = dataset.read_csv(path, codes)
    else:
        raise ConfigError(f"{path} : un dossier étiqueté (labels.jsonl) ou un fichier CSV est attendu")
    added = stored.store_imported(database, examples)
    return added, len(examples) - added


def _read_labelled_folder(folder: Path, settings: Settings, codes: set[str]) -> list[dataset.Example]:
    """Extract each labelled file's text with the same code as a run (OCR included)."""
    from pipeline.stages import extract, ocr_pool
    labels = load_labels(folder)
    for label in labels:
        if label.competence not in codes:
            raise ConfigError(f"{folder / 'labels.jsonl'} : code de compétence inconnu {label.competence!r}")
    documents = [Document("import", str(folder / l.file), Path(l.file).name, (folder / l.file).read_bytes())
                 for l in labels]
    with ocr_pool(settings.ocr.workers, settings.limits) as pool:
        outcomes = extract(documents, settings.ocr, pool)
    return [dataset.Example(o.item.text, l.competence, l.commune, f"import:{folder.name}", o.item.received_at)
            for l, o in zip(labels, outcomes) if o.item is not None and o.item.text.strip()]


def corrections_since_last_training(settings: Settings, database) -> int:
    """Review decisions made after the active model was trained."""
    version = active_version(settings.classifier.model_dir)
    created = read_metadata(settings.classifier.model_dir, version)["created_at"] if version else None
    return stored.review_events_since(database, datetime.fromisoformat(created) if created else None)
