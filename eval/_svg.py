"""The score distribution chart of the HTML report, as inline SVG (no script, no assets)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

BINS = 20
WIDTH, HEIGHT = 660, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 28, 40
SERIES = (("correct", "#2e7d32"), ("wrong", "#c62828"), ("out_of_scope", "#1f5fa8"))
OUT_OF_SCOPE = "out of scope (expects abstain)"


def _bins(values: Sequence[float]) -> list[int]:
    counts = [0] * BINS
    for value in values:
        counts[min(BINS - 1, max(0, int(value * BINS)))] += 1
    return counts


def _x(value: float) -> float:
    return LEFT + value * (WIDTH - LEFT - RIGHT)


def _bars(groups: Mapping[str, Sequence[float]], top: int) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / BINS
    bar = slot / (len(SERIES) + 1)
    parts = []
    for s, (key, colour) in enumerate(SERIES):
        for b, count in enumerate(_bins(groups.get(key, ()))):
            if not count:
                continue
            h = plot_h * count / top
            x = LEFT + b * slot + bar * (s + 0.5)
            y = TOP + plot_h - h
            lo, hi = b / BINS, (b + 1) / BINS
            parts.append(
                f'<rect class="bar {key}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{count} {key.replace("_", " ")} '
                f"with {lo:.2f}–{hi:.2f}</title></rect>"
            )
    return parts


def _axes(top: int, axis: str) -> list[str]:
    base = HEIGHT - BOTTOM
    parts = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#555"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#555"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>',
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end">0</text>',
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 6}" text-anchor="middle">'
        f"{escape(axis)}</text>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<text x="{_x(tick):.1f}" y="{base + 14}" text-anchor="middle">{tick:g}</text>'
        )
    return parts


def _threshold(value: float, label: str) -> list[str]:
    x = _x(min(max(value, 0.0), 1.0))
    return [
        f'<line class="threshold" x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#111" stroke-dasharray="5 3"/>',
        f'<text class="threshold-label" x="{x + 4:.1f}" y="{TOP - 10}">'
        f"{escape(label)} {value:.2f}</text>",
    ]


def chart(
    groups: Mapping[str, Sequence[float]],
    thresholds: Sequence[tuple[float, str]],
    *,
    title: str,
    axis: str,
) -> str:
    """Grouped histogram bars of each series over 0–1, with dashed threshold lines."""
    top = max([1, *(max(_bins(v)) for v in groups.values() if v)])
    body = _axes(top, axis) + _bars(groups, top)
    for value, label in thresholds:
        body += _threshold(value, label)
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} '
        f'{HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'font-size="11" font-family="sans-serif"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def legend(groups: Mapping[str, Sequence[float]], correct: str, wrong: str) -> str:
    labels = {"correct": correct, "wrong": wrong, "out_of_scope": OUT_OF_SCOPE}
    items = "".join(
        f'<li><span class="swatch" style="background:{colour}"></span>{escape(labels[key])} '
        f"({len(groups.get(key, ()))})</li>"
        for key, colour in SERIES
    )
    return f'<ul class="legend">{items}</ul>'
