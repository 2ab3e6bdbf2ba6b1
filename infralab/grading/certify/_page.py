"""The one-page HTML rendering of a certificate, with the signed credential embedded.

The page needs nothing from the network (a strict Content-Security-Policy forbids it): a
person reads the name, the track, the labs and scores, the issuer and how to verify; a
program reads the credential from ``<script type="application/vc+ld+json" id="credential">``,
whose bytes are exactly the signed file's (``infralab verify`` accepts the page too).
"""

from __future__ import annotations

import html
from typing import Any

from infralab.grading.certify._proof import render

__all__ = ["render_page"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1d2733;line-height:1.45}
header{border-bottom:3px solid #1d4e89;padding-bottom:1rem;margin-bottom:1.5rem}
.issuer{color:#4a5868;font-size:.95rem}
h1{font-size:1.9rem;margin:.4rem 0}
.who{font-size:1.5rem;font-weight:600}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d5dde6;font-size:.92rem}
th{background:#eef3f8}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem}
code.hash{word-break:break-all}
pre{background:#f5f7fa;padding:.8rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.meta dt{font-weight:600;float:left;clear:left;width:9rem}
.meta dd{margin:0 0 .3rem 9.5rem}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def render_page(credential: dict[str, Any]) -> str:
    """The certificate page of a signed credential."""
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    issuer = credential["issuer"]
    ids = {i.get("identityType"): i.get("identityHash") for i in subject.get("identifier", [])}
    candidate = ids.get("identifier", "")
    person = ids.get("name") or candidate
    rows = []
    for ev in credential.get("evidence", []):
        rows.append(
            "<tr>"
            f"<td>{_e(ev.get('lab'))}</td>"
            f"<td>{_e(ev.get('score'))} / {_e(ev.get('maxScore'))}</td>"
            f"<td>{_e(ev.get('hiddenScore'))} / {_e(ev.get('hiddenMaxScore'))}</td>"
            f"<td>{_e(ev.get('attempt'))}</td>"
            f"<td>{_e(ev.get('gradedAt'))}</td>"
            f'<td><code class="hash">{_e(str(ev.get("submissionSha256", ""))[:16])}…</code></td>'
            "</tr>"
        )
    status = credential.get("credentialStatus") or {}
    embedded = render(credential)
    criteria = _e(achievement.get("criteria", {}).get("narrative", ""))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{_e(achievement.get("name"))}: {_e(person)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<div class="issuer">{_e(issuer.get("name"))} certifies that</div>
<div class="who" id="candidate">{_e(person)}</div>
<div class="issuer">candidate <code>{_e(candidate)}</code> has earned</div>
<h1 id="track">{_e(achievement.get("name"))}</h1>
<div>{_e(achievement.get("description"))}</div>
</header>
<main>
<h2>Labs</h2>
<table id="labs">
<thead><tr><th>Lab</th><th>Score</th><th>Hidden tests</th><th>Attempt</th><th>Graded</th>
<th>Submission sha256</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p>Total: <strong id="total">{_e(subject.get("score"))}</strong> points.</p>
<dl class="meta">
<dt>Issuer</dt><dd id="issuer">{_e(issuer.get("name"))}<br><code class="hash">{_e(issuer.get("id"))}</code></dd>
<dt>Valid</dt><dd id="validity">from {_e(credential.get("validFrom"))} until {_e(credential.get("validUntil", "no end"))}</dd>
<dt>Credential</dt><dd><code class="hash">{_e(credential.get("id"))}</code></dd>
<dt>Revocation</dt><dd>bit {_e(status.get("statusListIndex", "-"))} of <code class="hash">{_e(status.get("statusListCredential", "none"))}</code></dd>
<dt>Policy</dt><dd>version {_e(subject.get("policyVersion"))}, sha256 <code class="hash">{_e(subject.get("policySha256"))}</code></dd>
</dl>
<h2>Criteria</h2>
<pre>{criteria}</pre>
<h2 id="how-to-verify">How to verify</h2>
<p>This page carries the signed credential: an Open Badges 3.0
<code>OpenBadgeCredential</code> (W3C Verifiable Credentials 2.0), signed with Ed25519 as a
Data Integrity proof (cryptosuite <code>eddsa-jcs-2022</code>) by the issuer's
<code>did:key</code>. Verify it offline, with the issuer's published trusted issuer list and
revocation list beside it:</p>
<pre>infralab verify credential.json --issuers issuers.json
infralab verify this-page.html --issuers issuers.json --status-list {_e(str(status.get("statusListCredential", "status.json")).rsplit("/", 1)[-1])}</pre>
<p>Any other eddsa-jcs-2022 verifier works too: remove <code>proof.proofValue</code>; hash
the proof's other fields and the credential without its proof, each canonicalised with
RFC 8785 (JCS), with SHA-256; check the Ed25519 signature (<code>proofValue</code>, base58btc)
of the two hashes with the key in the issuer's <code>did:key</code>. Check that the issuer is
one you trust, the dates, and bit {_e(status.get("statusListIndex", "-"))} of the status list.
A changed byte in the credential fails verification; this page's text is only a rendering.</p>
<details><summary>The signed credential</summary>
<script type="application/vc+ld+json" id="credential">
{embedded}</script>
<pre id="credential-text">{_e(embedded)}</pre>
</details>
</main>
</body>
</html>
"""
