"""The public reference endpoints, on a small app holding only the reference router."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from peduli.api import problems
from peduli.core.errors import PeduliError
from peduli.reference.api import router


@pytest.fixture(scope="module")
def api() -> TestClient:
    app = FastAPI()
    app.add_exception_handler(PeduliError, problems.handle_peduli_error)
    app.include_router(router, prefix="/api/v1")
    return TestClient(app)


def test_lists_every_representation_publicly_and_cacheably(api: TestClient) -> None:
    response = api.get("/api/v1/representations")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    assert "max-age" in response.headers["cache-control"]
    body = response.json()
    assert len(body) == 133
    seoul = next(p for p in body if p["code"] == "kbri-seoul")
    assert seoul["name"] == "KBRI Seoul"
    assert seoul["kind"] == "kbri"
    assert seoul["country"] == "KR"
    assert seoul["timezone"] == "Asia/Seoul"
    assert seoul["is_default_for_country"] is True
    assert seoul["jurisdiction"] == [
        {"country": "KR", "default": True, "subdivisions": [], "cities": [], "within": None}
    ]


def test_filter_by_country_lists_the_posts_serving_it(api: TestClient) -> None:
    body = api.get("/api/v1/representations", params={"country": "my"}).json()
    codes = [p["code"] for p in body]
    assert codes[0] == "kbri-kuala-lumpur"
    assert set(codes) == {
        "kbri-kuala-lumpur",
        "kjri-johor-bahru",
        "kjri-penang",
        "kjri-kota-kinabalu",
        "kjri-kuching",
        "kri-tawau",
    }
    accredited = api.get("/api/v1/representations", params={"country": "UG"}).json()
    assert [p["code"] for p in accredited] == ["kbri-nairobi"]


def test_filter_by_kind(api: TestClient) -> None:
    body = api.get("/api/v1/representations", params={"kind": "kri"}).json()
    assert sorted(p["code"] for p in body) == [
        "kri-darwin",
        "kri-songkhla",
        "kri-tawau",
        "kri-vanimo",
    ]
    both = api.get("/api/v1/representations", params={"kind": "kjri", "country": "US"}).json()
    assert len(both) == 5


def test_unknown_country_is_a_problem_with_a_hint(api: TestClient) -> None:
    response = api.get("/api/v1/representations", params={"country": "XX"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "country" in response.text


def test_unknown_kind_is_rejected(api: TestClient) -> None:
    assert api.get("/api/v1/representations", params={"kind": "embassy"}).status_code == 422


def test_countries(api: TestClient) -> None:
    response = api.get("/api/v1/countries")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    korea = next(c for c in response.json() if c["code"] == "KR")
    assert korea["name"]
    assert korea["name_id"]
