"""The progress bar of a training: the step, a bar, examples or folds done, elapsed and remaining time.

Shown on standard error (rich draws it only on a terminal, and prints plain lines elsewhere), so
`triage train` shows it without its callers having to ask; a caller may pass its own callback.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

Report = Callable[[str, int, int], None]  # (step, done, total)


@contextmanager
def training_progress(report: Report | None = None) -> Iterator[Report]:
    if report is not None:
        yield report
        return
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("reste"), TimeRemainingColumn(),
                  console=console, transient=not console.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield update
