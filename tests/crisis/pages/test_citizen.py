"""The check-in page works without JavaScript, in the recipient's language."""

from __future__ import annotations

from tests.crisis.conftest import Sent


def test_page_works_without_javascript_in_the_recipients_language(sent: Sent) -> None:
    token = sent.tokens[sent.phones[0]]  # Ani reads English
    first = sent.client.get(f"/c/{token}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("?lang=en")
    page = sent.client.get(f"/c/{token}?lang=en")
    assert page.status_code == 200 and "Are you safe?" in page.text
    assert 'name="answer" value="safe"' in page.text
    bad = sent.client.post(f"/c/{token}", data={"answer": "safe", "latitude": "abc"})
    assert bad.status_code == 422
    done = sent.client.post(f"/c/{token}", data={"answer": "safe", "place": "Masjid Negara"})
    assert done.status_code == 200 and "marked safe" in done.text
    assert sent.client.get("/c/1.00000000000000000000").status_code == 404
