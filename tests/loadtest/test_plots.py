"""The load test's plots: lines where the samples are, the kills marked, p95 per window."""

from __future__ import annotations

from pathlib import Path

from benchmarks.load import plots


def test_a_chart_draws_each_series_and_marks_each_kill() -> None:
    svg = plots.chart(
        "Throughput", "requests per second",
        [("requests/s", [(0, 0), (10, 20)]), ("failures/s", [(0, 0), (10, 1)])], marks=[5.0],
    )  # fmt: skip
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svg.count("<polyline") == 2
    assert svg.count('stroke-dasharray="3,3"') == 1  # the one kill
    assert "requests/s" in svg and "SIGKILL" in svg


def test_p95_per_window_separates_pages_from_api(tmp_path: Path) -> None:
    requests = tmp_path / "requests.csv"
    lines = [f"{100 + i / 10:.3f},API,{i},201" for i in range(100)]
    lines += [f"{112 + i / 10:.3f},page,{1000 + i},200" for i in range(20)]
    requests.write_text("\n".join(lines) + "\n")
    series = plots.windows_p95(requests, start=100.0)
    assert series["API"] == ("API p95", [(5.0, 94.0)])  # 100 answers in the first 10 s
    assert series["page"] == ("page p95", [(15.0, 1018.0)])
