"""Assertions on RFC 9457 problem responses."""

from __future__ import annotations

from httpx import Response


def assert_problem(response: Response, status: int, *fragments: str) -> dict:
    """The response is a problem+json of `status` whose detail contains every fragment."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"], body
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]
    return body
