"""What every `triage` invocation pays before working, and what each OCR worker weighs.

- `triage --help`: wall time (best of `--rounds`) and the modules' import time (`python -X importtime`);
- `triage run` on an empty inbox: wall time (best of `--rounds`): imports, database, model, spaCy;
- `triage run` on `--pages` scanned pages: the resident memory (RSS) and proportional memory (PSS,
  which shares copy-on-write pages out between processes) of the main process, the forkserver and
  each OCR worker, sampled every 50 ms; their peaks.

    .venv/bin/python bench/startup_bench.py --rounds 3 --pages 8
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile_night import _children, _rss  # noqa: E402
from bench.night_bench import DEV, TRIAGE, config, scanned_pdfs, write_pages  # noqa: E402

MB = 1024 ** 2


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def import_total(command: list[str]) -> tuple[float, list[str]]:
    """Seconds of imports in total, and the heaviest top-level imports."""
    stderr = subprocess.run([sys.executable, "-X", "importtime", *command], capture_output=True, text=True,
                            cwd=ROOT).stderr
    tops = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)  # no indent: a top-level import
        if match:
            tops.append((int(match.group(1)), match.group(2)))
    heaviest = [f"{name} {micro / 1e6:.2f} s" for micro, name in sorted(tops, reverse=True)[:4]]
    return sum(micro for micro, _ in tops) / 1e6, heaviest


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return False


def roles(main: int) -> dict[int, str]:
    """main, forkserver and OCR workers (the programs they start, tesseract and pdftoppm, are left out)."""
    found = {main: "principal"}
    for child in _children(main):
        if not _is_python(child):
            continue
        found[child] = "forkserver"
        for worker in _children(child):
            if _is_python(worker):
                found[worker] = "worker"
    return found


def memory_of_run(command: list[str]) -> tuple[float, dict[str, tuple[int, int]]]:
    """Wall seconds and, per role, the peak RSS and peak PSS of one process of that role."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    peaks: dict[str, tuple[int, int]] = {}
    while process.poll() is None:
        for pid, role in roles(process.pid).items():
            rss, pss = peaks.get(role, (0, 0))
            peaks[role] = (max(rss, _rss(pid)), max(pss, _pss(pid)))
        time.sleep(0.05)
    return time.monotonic() - started, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    args.database_url, args.workers = None, 2
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print(f"machine : {os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f}")
    help_s = min(timed([TRIAGE, "--help"]) for _ in range(args.rounds))
    imports, heaviest = import_total([TRIAGE, "--help"])
    print(f"triage --help : {help_s:.2f} s ; imports {imports:.2f} s (les plus lourds : {', '.join(heaviest)})")
    work = Path(tempfile.mkdtemp(prefix="startup-bench-"))
    try:
        empty = config(work / "empty", args)
        runs = [timed([TRIAGE, "run", "-c", str(empty), "--oneline"]) for _ in range(args.rounds)]
        print(f"triage run, boîte vide : {min(runs):.2f} s (passages : {', '.join(f'{t:.2f}' for t in runs)})")
        imports, heaviest = import_total([TRIAGE, "run", "-c", str(empty), "--oneline"])
        print(f"  imports {imports:.2f} s (les plus lourds : {', '.join(heaviest)})")
        scans = config(work / "pages", args)
        write_pages(work / "pages/scanner", scanned_pdfs(DEV), args.pages)
        seconds, peaks = memory_of_run([TRIAGE, "run", "-c", str(scans), "--oneline"])
        print(f"triage run, {args.pages} pages : {seconds:.1f} s ; mémoire (pic par processus, RSS / PSS) :")
        for role, (rss, pss) in peaks.items():
            print(f"  {role} : {rss / MB:.0f} Mo / {pss / MB:.0f} Mo")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
