"""The debrief's charts, drawn with matplotlib into PNG bytes (no window, no file)."""
from __future__ import annotations

import io
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.figure import Figure  # noqa: E402

from pipeline.store.statistics import AGE_BUCKETS, ReportData  # noqa: E402

BLUE, ORANGE, RED, GREEN, GREY = "#1f5f9e", "#e08a1e", "#c0392b", "#3a8f5c", "#8c8c8c"
TOP_COMMUNES = 10


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _style(axes, title: str) -> None:
    axes.set_title(title, loc="left", fontsize=11, fontweight="bold")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=9)


def _barh(counts: list[tuple[str, int]], title: str, color: str, xlabel: str = "nombre de courriers") -> bytes:
    counts = list(reversed(counts))  # largest on top
    figure, axes = plt.subplots(figsize=(7.5, 0.38 * len(counts) + 1.1))
    bars = axes.barh([label for label, _ in counts], [n for _, n in counts], color=color)
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_xlabel(xlabel, fontsize=9)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.margins(x=0.12)
    _style(axes, title)
    return _png(figure)


def by_channel(data: ReportData) -> bytes:
    """Received that day per channel, split into routed automatically and sent to a clerk."""
    channels = sorted(data.by_channel)
    review = [data.by_channel_review[c] for c in channels]
    auto = [data.by_channel[c] - data.by_channel_review[c] for c in channels]
    figure, axes = plt.subplots(figsize=(7.5, 0.55 * len(channels) + 1.3))
    left = axes.barh(channels, auto, color=GREEN, label="orientés automatiquement")
    right = axes.barh(channels, review, left=auto, color=ORANGE, label="à vérifier par un agent")
    axes.bar_label(left, label_type="center", color="white", fontsize=9, fmt=lambda v: f"{v:.0f}" if v else "")
    axes.bar_label(right, label_type="center", color="white", fontsize=9, fmt=lambda v: f"{v:.0f}" if v else "")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right", fontsize=8, frameon=False, bbox_to_anchor=(1, 1.02), ncols=2)
    _style(axes, "Reçus par canal")
    return _png(figure)


def by_competence(data: ReportData) -> bytes:
    return _barh(data.by_competence.most_common(), "Reçus par compétence suggérée", BLUE)


def by_commune(data: ReportData) -> bytes:
    """The ten communes with most items; the rest grouped."""
    top = data.by_commune.most_common(TOP_COMMUNES)
    rest = sum(data.by_commune.values()) - sum(n for _, n in top)
    return _barh(top + ([("Autres communes", rest)] if rest else []), "Reçus par commune", BLUE)


def backlog(data: ReportData) -> bytes:
    counts = [(label, data.backlog_age[label]) for label in AGE_BUCKETS]
    return _barh(counts, f"À vérifier ce matin ({data.to_review}) par ancienneté", ORANGE)


def deadlines(data: ReportData) -> bytes:
    labels = data.due_labels
    figure, axes = plt.subplots(figsize=(7.5, 2.6))
    values = [data.due[label] for label in labels]
    bars = axes.bar(labels, values, color=[RED, ORANGE, "#f0c419", GREY])
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylabel("courriers non traités", fontsize=9)
    axes.margins(y=0.15)
    _style(axes, "Échéances des courriers non traités")
    return _png(figure)


def corrections(data: ReportData) -> bytes:
    return _barh(data.corrected_by_competence.most_common(),
                 "Compétences suggérées corrigées par les agents", RED, "suggestions corrigées")


def draw_all(data: ReportData) -> dict[str, bytes]:
    """Every chart that has something to show, by name."""
    charts = {}
    if data.received:
        charts.update(canal=by_channel(data), competence=by_competence(data), commune=by_commune(data))
    if data.to_review:
        charts["attente"] = backlog(data)
    if sum(data.due.values()):
        charts["echeances"] = deadlines(data)
    if data.corrected_by_competence:
        charts["corrections"] = corrections(data)
    return charts

