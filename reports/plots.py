"""PNG charts for report artefacts, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402  (the backend is chosen first)


def _save(figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100)
    plt.close(figure)


def histogram(path: Path, values, *, title: str, xlabel: str) -> None:
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.hist(list(values) or [0], bins=30, color="#3b6ea5")
    axes.set(title=title, xlabel=xlabel, ylabel="results")
    _save(figure, path)


def scatter(path: Path, xs, ys, *, title: str, xlabel: str, ylabel: str) -> None:
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.scatter(list(xs), list(ys), s=18, alpha=0.7, color="#3b6ea5")
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    _save(figure, path)


def lines(path: Path, xs, series: dict[str, list], *, title: str, ylabel: str) -> None:
    figure, axes = plt.subplots(figsize=(8, 4))
    for label, ys in series.items():
        axes.plot(list(xs), ys, marker="o", markersize=3, label=label)
    axes.set(title=title, ylabel=ylabel)
    if series:
        axes.legend()
    figure.autofmt_xdate()
    _save(figure, path)
