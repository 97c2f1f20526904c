"""What the drills read off the layout's logs: why nginx answered a request itself."""

from __future__ import annotations

from pathlib import Path

from benchmarks.drills import _layout

ERROR_LOG = """\
2026/12/06 19:36:12 [error] 81#81: *567 upstream prematurely closed connection while reading \
response header from upstream, client: 127.0.0.1, server: , request: "POST \
/api/v1/self-reports HTTP/1.1", upstream: "http://127.0.0.1:8761/api/v1/self-reports", host: "a"
2026/12/06 19:36:12 [error] 81#81: *568 connect() failed (111: Connection refused) while \
connecting to upstream, client: 127.0.0.1, server: , request: "POST /api/v1/self-reports \
HTTP/1.1", upstream: "http://127.0.0.1:8762/api/v1/self-reports", host: "a"
2026/12/06 19:36:13 [error] 81#81: *569 connect() failed (111: Connection refused) while \
connecting to upstream, client: 127.0.0.1, server: , request: "GET /healthz HTTP/1.1", \
upstream: "http://127.0.0.1:8762/healthz", host: "a"
2026/12/06 19:36:13 [notice] 80#80: signal process started
"""


def test_nginx_failures_are_counted_by_method_and_reason(tmp_path: Path) -> None:
    layout = _layout.Layout(tmp_path, 8760, 55504)
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "nginx-error.log").write_text(ERROR_LOG)
    assert layout.nginx_failures() == {
        "POST: upstream prematurely closed connection": 1,
        "POST: connect() failed": 1,
        "GET: connect() failed": 1,
    }


def test_no_error_log_is_no_failure(tmp_path: Path) -> None:
    assert _layout.Layout(tmp_path, 8760, 55504).nginx_failures() == {}
