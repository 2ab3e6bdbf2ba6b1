"""The certificate page in a real headless browser (Playwright driving Debian's chromium).

No chromium, no pass: the test fails (apt-get install chromium; .ci/run installs it).
"""

from __future__ import annotations

import json
from pathlib import Path

from certify_results import NOW, POLICY

from infralab.grading.certify import certify, load_trusted_issuers, verify_credential


def _open(browser, path: Path):
    page = browser.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    return page, requests, dialogs


def test_the_page_shows_the_certificate_and_carries_the_signed_credential(browser, issued, keys):
    page, requests, _ = _open(browser, issued.html_path)
    assert page.title() == "Track A: Agent infrastructure foundations: Ada Example"
    assert page.inner_text("#candidate") == "Ada Example"
    assert page.inner_text("#track") == "Track A: Agent infrastructure foundations"
    rows = page.locator("#labs tbody tr")
    assert rows.count() == 3
    assert rows.nth(1).inner_text().split("\t")[:3] == ["a1-topologies", "94 / 100", "67 / 73"]
    assert page.inner_text("#total") == "288/300"
    assert issued.credential["issuer"]["id"] in page.inner_text("#issuer")
    assert "infralab verify" in page.inner_text("body")
    # the embedded credential, read by the browser, is the signed one and verifies
    embedded = page.evaluate("document.getElementById('credential').textContent")
    assert json.loads(embedded) == issued.credential
    assert embedded.startswith("\n")  # the line break after <script> is part of the text
    report = verify_credential(
        embedded[1:].encode("utf-8"),
        trusted=load_trusted_issuers(keys / "issuers.json"),
        at=NOW,
        status_dir=issued.json_path.parent,
    )
    assert report.ok, report.text()
    assert page.screenshot(full_page=True)[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(u.startswith("file://") for u in requests), requests  # nothing from the network
    page.close()


def test_a_hostile_name_is_text_not_markup(browser, tmp_path, keys, results):
    name = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    issued = certify(
        candidate="cand-1",
        track="A",
        name=name,
        results=results,
        policy=POLICY,
        keys_dir=keys,
        out=tmp_path / "evil",
        status_dir=tmp_path / "evil",
        now=NOW,
    )
    page, requests, dialogs = _open(browser, issued.html_path)
    assert page.inner_text("#candidate") == name
    assert page.locator("img").count() == 0 and dialogs == []
    embedded = page.evaluate("document.getElementById('credential').textContent")
    assert json.loads(embedded) == issued.credential
    page.close()
