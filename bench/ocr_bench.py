"""OCR benchmark: the pipeline's wall time against bare `tesseract -l fra` on the same pages.

Both sides run with the same number of processes and one tesseract thread each, in the same
run. The pipeline side does everything `triage run` does to a scan except the database:
render (pdftoppm), clean-up, OCR, places, competence, routing. Prints the ratio and peak memory.

    .venv/bin/python bench/ocr_bench.py --pages 24 --workers 2
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pdf2image import convert_from_path  # noqa: E402

from pipeline.config import load_settings  # noqa: E402
from pipeline.extract.filetype import sniff  # noqa: E402
from pipeline.item import Document  # noqa: E402
from pipeline.stages import Stages, ocr_pool  # noqa: E402

SCAN_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def scanned_files(folders: list[Path], photos: bool) -> list[Path]:
    """Image-only PDFs (a text layer is not OCR work), and with `photos` image files too."""
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() not in SCAN_SUFFIXES or (path.suffix.lower() != ".pdf" and not photos):
                continue
            if path.suffix.lower() == ".pdf":
                text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True)
                if text.returncode != 0 or len(text.stdout.strip()) > 50:
                    continue  # unreadable, or a text layer: no OCR work
            found.append(path)
    return found


def page_images(files: list[Path], dpi: int, folder: Path) -> list[Path]:
    """The same pages as images, for bare tesseract (rendered before the clock starts)."""
    images = []
    for path in files:
        if sniff(path.read_bytes(), path.name) == "application/pdf":
            for number, page in enumerate(convert_from_path(path, dpi=dpi, grayscale=True), 1):
                target = folder / f"{path.stem}-{number}.png"
                page.save(target)
                images.append(target)
        else:
            images.append(path)
    return images


def bare_tesseract(images: list[Path], workers: int, language: str) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(image: Path) -> None:
        subprocess.run(["tesseract", str(image), "stdout", "-l", language], env=env, check=True,
                       capture_output=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as threads:
        list(threads.map(one, images))
    return time.perf_counter() - started


def pipeline(files: list[Path], stages: Stages, workers: int) -> tuple[float, int]:
    documents = [Document("bench", str(p), p.name, p.read_bytes()) for p in files]
    with ocr_pool(workers) as pool:
        list(pool.map(abs, range(workers)))  # start the workers before the clock, as a run does once
        started = time.perf_counter()
        outcomes = stages.process(documents, pool)
        elapsed = time.perf_counter() - started
    failed = [o for o in outcomes if o.error]
    for outcome in failed:
        print(f"  échec : {outcome.document.filename} : {outcome.error}")
    return elapsed, len(outcomes) - len(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=24, help="number of scanned files (repeated if needed)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate both sides this many times and keep each side's best time "
                             "(other load on the machine then hurts both alike)")
    parser.add_argument("--photos", action="store_true",
                        help="also phone photos (bare tesseract reads little of them without clean-up)")
    parser.add_argument("--folder", type=Path, action="append",
                        help="folders of scans (default: data/samples)")
    args = parser.parse_args()
    settings = load_settings(ROOT / "config/triage.toml")
    files = scanned_files(args.folder or [ROOT / "data/samples"], args.photos)
    if not files:
        sys.exit("aucun document scanné trouvé")
    files = (files * (args.pages // len(files) + 1))[:args.pages]
    stages = Stages.load(settings)
    bare_times, our_times = [], []
    with tempfile.TemporaryDirectory() as folder:
        images = page_images(files, settings.ocr.dpi, Path(folder))
        for _ in range(args.rounds):
            bare_times.append(bare_tesseract(images, args.workers, settings.ocr.language))
            elapsed, processed = pipeline(files, stages, args.workers)
            our_times.append(elapsed)
    bare, ours = min(bare_times), min(our_times)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fichiers : {len(files)}, pages : {len(images)}, processus : {args.workers}")
    print(f"tesseract seul : {bare:.1f} s ({bare / len(images):.2f} s/page)")
    print(f"pipeline       : {ours:.1f} s ({ours / len(images):.2f} s/page), {processed} documents traités")
    print(f"ratio pipeline / tesseract seul : {ours / bare:.2f} (meilleur de {args.rounds} passages alternés ; "
          f"tous : tesseract {', '.join(f'{t:.1f}' for t in bare_times)} s, "
          f"pipeline {', '.join(f'{t:.1f}' for t in our_times)} s)")
    print(f"mémoire de pointe : processus principal {self_peak:.0f} Mo, plus gros processus fils {children:.0f} Mo")


if __name__ == "__main__":
    main()
