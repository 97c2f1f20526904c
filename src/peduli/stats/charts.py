"""Charts as server-drawn SVG (no script): horizontal bars for a breakdown, with the figure a
year earlier as a tick, and lines for the daily flows. Geometry is computed here in viewBox
units; the templates draw it, with the values as text beside each bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BAR_HEIGHT = 28
BAR_GAP = 8
LABEL_WIDTH = 300
BAR_AREA = 560
WIDTH = LABEL_WIDTH + BAR_AREA + 140
LINE_HEIGHT = 260
LINE_PADDING = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    year_earlier: int | None
    y: int
    width: float
    earlier_x: float | None


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bars(rows: list[tuple[str, int, int | None]]) -> BarChart:
    """A bar per (label, value, year earlier), scaled to the largest of all the figures."""
    top = max([1, *(v for _, v, _e in rows), *(e or 0 for _, _v, e in rows)])
    drawn = []
    for index, (label, value, earlier) in enumerate(rows):
        drawn.append(
            Bar(
                label=label,
                value=value,
                year_earlier=earlier,
                y=index * (BAR_HEIGHT + BAR_GAP),
                width=round(BAR_AREA * value / top, 1),
                earlier_x=None
                if earlier is None
                else round(LABEL_WIDTH + BAR_AREA * earlier / top, 1),
            )
        )
    return BarChart(bars=drawn, height=max(len(rows), 1) * (BAR_HEIGHT + BAR_GAP))


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    points: str  # the polyline's "x,y x,y …"


@dataclass(frozen=True)
class LineChart:
    lines: list[Line]
    top: int
    first: date | None
    last: date | None
    width: int = WIDTH
    height: int = LINE_HEIGHT
    padding: int = LINE_PADDING


def lines(series: dict[str, list[tuple[date, int]]], names: dict[str, str]) -> LineChart:
    """One line per kind over the same days, scaled to the largest daily count."""
    top = max([1, *(n for points in series.values() for _, n in points)])
    plotted = []
    first = last = None
    for kind, points in series.items():
        if not points:
            continue
        first, last = points[0][0], points[-1][0]
        step = (WIDTH - 2 * LINE_PADDING) / max(len(points) - 1, 1)
        xy = " ".join(
            f"{LINE_PADDING + index * step:.1f},"
            f"{LINE_HEIGHT - LINE_PADDING - (LINE_HEIGHT - 2 * LINE_PADDING) * n / top:.1f}"
            for index, (_, n) in enumerate(points)
        )
        plotted.append(Line(kind=kind, label=names[kind], points=xy))
    return LineChart(lines=plotted, top=top, first=first, last=last)
