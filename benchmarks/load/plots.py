"""Latency and throughput over time as plain SVG, from locust's ``_stats_history.csv``.

Written by hand rather than with a plotting library: two line charts need no dependency,
and the files stay small and diffable in ``docs/load-test/``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 150, 30, 40
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")

Series = tuple[str, list[tuple[float, float]]]


def history(path: Path) -> list[dict[str, str]]:
    """The aggregated rows of a locust stats history, one per second."""
    with path.open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Name"] == "Aggregated"]


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def chart(
    title: str, y_label: str, series: Sequence[Series], *, marks: Sequence[float] = ()
) -> str:
    """A line chart of ``series`` (x in seconds from the start); ``marks``: moments drawn as
    thin vertical lines (the SIGKILLs)."""
    points = [p for _name, values in series for p in values]
    x_max = max((x for x, _y in points), default=1.0) or 1.0
    y_max = max((y for _x, y in points), default=1.0) * 1.1 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x: float, y: float) -> str:
        return f"{LEFT + x / x_max * plot_w:.1f},{TOP + plot_h - y / y_max * plot_h:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="14">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>',
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        "seconds from the start</text>",
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
    ]
    for tick in range(5):
        y, x = y_max * tick / 4, x_max * tick / 4
        parts.append(f'<text x="{LEFT - 6}" y="{at(0, y).split(",")[1]}" text-anchor="end">'
                     f"{y:,.0f}</text>")  # fmt: skip
        parts.append(f'<text x="{at(x, 0).split(",")[0]}" y="{TOP + plot_h + 16}" '
                     f'text-anchor="middle">{x:,.0f}</text>')  # fmt: skip
    for mark in marks:
        mark_x = at(mark, 0).split(",")[0]
        parts.append(f'<line x1="{mark_x}" y1="{TOP}" x2="{mark_x}" y2="{TOP + plot_h}" '
                     'stroke="#999" stroke-dasharray="3,3"/>')  # fmt: skip
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        line = " ".join(at(x, y) for x, y in values)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{line}"/>'
        )
        y = TOP + 14 + 18 * number
        parts.append(f'<line x1="{WIDTH - RIGHT + 10}" y1="{y - 4}" x2="{WIDTH - RIGHT + 30}" '
                     f'y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')  # fmt: skip
        parts.append(f'<text x="{WIDTH - RIGHT + 36}" y="{y}">{escape(name)}</text>')
    if marks:
        y = TOP + 14 + 18 * len(series)
        parts.append(f'<text x="{WIDTH - RIGHT + 10}" y="{y}" fill="#666">┊ SIGKILL</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def windows_p95(requests_csv: Path, start: float, seconds: int = 10) -> dict[str, Series]:
    """p95 per ``seconds`` window of the page requests and of the API requests."""
    buckets: dict[str, dict[int, list[float]]] = {"page": {}, "API": {}, "baseline": {}}
    for line in requests_csv.read_text().splitlines() if requests_csv.exists() else []:
        at, kind, ms, _status = line.split(",")
        window = int((float(at) - start) // seconds)
        buckets[kind].setdefault(window, []).append(float(ms))
    series: dict[str, Series] = {}
    for kind, by_window in buckets.items():
        points = []
        for window, values in sorted(by_window.items()):
            values.sort()
            points.append(((window + 0.5) * seconds, values[int(0.95 * (len(values) - 1))]))
        series[kind] = (f"{kind} p95", points)
    return series


def write_plots(run_dir: Path, out: Path, *, kills: Sequence[float]) -> list[Path]:
    """``latency.svg``, ``latency-by-kind.svg`` and ``throughput.svg`` in ``out``, from the
    run's locust history and request log; kills as absolute epoch seconds."""
    rows = history(run_dir / "locust_stats_history.csv")
    if not rows:
        return []
    start = _number(rows[0]["Timestamp"])

    def series(column: str) -> list[tuple[float, float]]:
        return [(_number(r["Timestamp"]) - start, _number(r[column])) for r in rows]

    marks = [k - start for k in kills if k >= start]
    x_end = _number(rows[-1]["Timestamp"]) - start
    out.mkdir(parents=True, exist_ok=True)
    latency = chart(
        "Response time, all requests", "milliseconds",
        [("p50", series("50%")), ("p95", series("95%")), ("p99", series("99%"))], marks=marks,
    )  # fmt: skip
    throughput = chart(
        "Throughput", "requests per second",
        [("requests/s", series("Requests/s")), ("failures/s", series("Failures/s")),
         ("users", series("User Count"))], marks=marks,
    )  # fmt: skip
    by_kind = windows_p95(run_dir / "requests.csv", start)
    kinds = chart("p95 per 10 s, pages and API", "milliseconds",
                  [by_kind["page"], by_kind["API"], by_kind["baseline"],
                   ("target", [(0, 500), (x_end, 500)])],
                  marks=marks)  # fmt: skip
    written = []
    charts = (("latency.svg", latency), ("latency-by-kind.svg", kinds),
              ("throughput.svg", throughput))  # fmt: skip
    for name, svg in charts:
        (out / name).write_text(svg, encoding="utf-8")
        written.append(out / name)
    return written
