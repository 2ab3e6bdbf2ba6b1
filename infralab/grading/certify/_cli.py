"""``infralab certify | verify | revoke | keys``: the certification subcommands.

Exit codes: 0 done (``verify``: the credential is valid), 1 ``certify`` refused (the candidate
does not meet the policy: every missing requirement is named) or ``verify`` found it invalid
(the failed checks are named), 2 unusable input (a malformed policy, a missing key or file:
the message names it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parsers", "handlers"]

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def add_parsers(sub: Any) -> None:
    """Add the certification subcommands to the ``infralab`` parser."""
    p = sub.add_parser("certify", help="issue a track certificate (signed Open Badge) or refuse")
    p.add_argument("--candidate", required=True, metavar="ID", help="the candidate's id")
    p.add_argument("--track", required=True, metavar="TRACK", help="track id in the policy")
    p.add_argument("--name", help="the candidate's name, as printed on the certificate")
    p.add_argument("--results", metavar="DIR", help="results (grader/results)")
    p.add_argument("--policy", metavar="FILE", help="policy (grader/policy.yaml)")
    p.add_argument("--key", metavar="FILE", help="issuer key (the newest grader/keys/issuer-N.key)")
    p.add_argument("--keys", metavar="DIR", help="key directory (grader/keys)")
    p.add_argument(
        "--out", metavar="DIR", help="where credential.json/.html go (grader/certificates/ID/TRACK)"
    )
    p.add_argument("--status-dir", metavar="DIR", help="status list and registry (grader/status)")
    p.add_argument("--json", action="store_true", help="print the credential")

    p = sub.add_parser("verify", help="verify a credential offline and name any failed check")
    p.add_argument("credential", metavar="CREDENTIAL", help="credential.json or credential.html")
    p.add_argument("--issuers", metavar="FILE", help="trusted issuer list (issuers.json)")
    p.add_argument(
        "--issuer",
        action="append",
        default=[],
        metavar="DID",
        help="trust this did:key (repeatable)",
    )
    p.add_argument(
        "--status-list",
        metavar="FILE",
        help="the issuer's status list (default: beside the credential, by its URL's file name)",
    )
    p.add_argument("--no-status", action="store_true", help="skip the revocation check")
    p.add_argument("--at", metavar="TIME", help="check validity at this ISO 8601 time (now)")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")

    p = sub.add_parser("revoke", help="revoke a credential: set its status bit, re-sign the list")
    p.add_argument("credential", nargs="?", metavar="CREDENTIAL", help="the credential file")
    p.add_argument("--id", metavar="URN", help="the credential id (instead of the file)")
    p.add_argument("--index", type=int, metavar="N", help="the status list index (instead)")
    p.add_argument("--policy", metavar="FILE", help="policy (grader/policy.yaml)")
    p.add_argument("--key", metavar="FILE", help="issuer key (the newest grader/keys/issuer-N.key)")
    p.add_argument("--keys", metavar="DIR", help="key directory (grader/keys)")
    p.add_argument("--status-dir", metavar="DIR", help="status list and registry (grader/status)")

    p = sub.add_parser("keys", help="issuer keys: init (first key), rotate (new signing key)")
    p.add_argument("action", choices=["init", "rotate"])
    p.add_argument("--keys", metavar="DIR", help="key directory (grader/keys)")
    p.add_argument("--name", help="the issuer's name in the trusted issuer list")


def _err(message: str) -> None:
    print(f"infralab: error: {message}", file=sys.stderr)


def _grader(args: argparse.Namespace) -> Path:
    from infralab.grading._course import find_course

    return find_course(getattr(args, "course", None)).root / "grader"


def _private(path: Path, grader: Path | None) -> Path:
    """A default directory under grader/: created with a .gitignore so it is never committed."""
    if grader is not None and not path.exists():
        path.mkdir(parents=True)
        (path / ".gitignore").write_text("# created by infralab: never commit\n*\n")
    return path


def _now() -> str:
    from infralab.grading.certify._credential import iso

    return iso(dt.datetime.now(dt.UTC))


def _cmd_certify(args: argparse.Namespace) -> int:
    from infralab.grading.certify import Refusal, certify
    from infralab.grading.certify._credential import check_candidate
    from infralab.grading.certify._proof import render
    from infralab.grading.certify._status import list_file_name

    check_candidate(args.candidate)
    need = not (args.results and args.policy and (args.key or args.keys) and args.out)
    grader = _grader(args) if need or not args.status_dir else None
    status = Path(args.status_dir) if args.status_dir else _private(grader / "status", grader)  # type: ignore[operator]
    out = (
        Path(args.out)
        if args.out
        else _private(grader / "certificates", grader) / args.candidate / args.track  # type: ignore[operator]
    )
    try:
        issued = certify(
            candidate=args.candidate,
            track=args.track,
            name=args.name,
            results=args.results or grader / "results",  # type: ignore[operator]
            policy=args.policy or grader / "policy.yaml",  # type: ignore[operator]
            key=args.key,
            keys_dir=args.keys or (None if args.key else grader / "keys"),  # type: ignore[operator]
            out=out,
            status_dir=status,
        )
    except Refusal as exc:
        print(f"infralab: refused: {exc}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(render(issued.credential), end="")
    else:
        c = issued.credential
        print(f"issued {c['id']} to {args.candidate} for track {args.track}")
        print(f"  {issued.json_path}\n  {issued.html_path}")
        print(f"  valid {c['validFrom']} .. {c['validUntil']}, status index {issued.status_index}")
        url = c["credentialStatus"]["statusListCredential"]
        print(f"  publish {status / list_file_name(url)} at {url}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from infralab.grading.certify import load_trusted_issuers, verify_credential
    from infralab.grading.certify._credential import parse_time

    path = Path(args.credential)
    try:
        data = path.read_bytes()
    except OSError as exc:
        _err(f"{path}: cannot read ({exc.strerror})")
        return EXIT_INPUT
    trusted = load_trusted_issuers(args.issuers) if args.issuers else None
    at = None
    if args.at:
        at = parse_time(args.at)
        if at is None:
            _err(f"--at {args.at!r}: not an ISO 8601 time with a zone (2026-01-01T00:00:00Z)")
            return EXIT_INPUT
    status_list = None
    if args.status_list:
        try:
            status_list = Path(args.status_list).read_bytes()
        except OSError as exc:
            _err(f"{args.status_list}: cannot read ({exc.strerror})")
            return EXIT_INPUT
    report = verify_credential(
        data,
        trusted=trusted,
        keys=args.issuer,
        at=at,
        status_list=status_list,
        status_dir=path.parent,
        check_status=not args.no_status,
    )
    if args.json:
        print(
            json.dumps(
                {"valid": report.ok, "checks": [c.__dict__ for c in report.checks]},
                sort_keys=True,
            )
        )
    else:
        print(f"{path}:")
        print(report.text())
    return EXIT_OK if report.ok else EXIT_FAIL


def _cmd_revoke(args: argparse.Namespace) -> int:
    from infralab.grading.certify import revoke
    from infralab.grading.certify._proof import parse_strict
    from infralab.grading.certify._verify import extract_credential

    credential_id = args.id
    if args.credential:
        doc = parse_strict(extract_credential(Path(args.credential).read_bytes()))
        credential_id = doc.get("id")
    if credential_id is None and args.index is None:
        _err("revoke what? give CREDENTIAL, --id URN or --index N")
        return EXIT_INPUT
    need = not (args.policy and (args.key or args.keys) and args.status_dir)
    grader = _grader(args) if need else None
    entry = revoke(
        policy=args.policy or grader / "policy.yaml",  # type: ignore[operator]
        status_dir=args.status_dir or grader / "status",  # type: ignore[operator]
        credential_id=credential_id,
        index=args.index,
        key=args.key,
        keys_dir=args.keys or (None if args.key else grader / "keys"),  # type: ignore[operator]
    )
    print(
        f"revoked {entry['credential']} (candidate {entry['candidate']}, track {entry['track']},"
        f" index {entry['index']}); publish the re-signed status list"
    )
    return EXIT_OK


def _cmd_keys(args: argparse.Namespace) -> int:
    from infralab.grading.certify import init_keys, rotate_keys

    keys = Path(args.keys) if args.keys else _grader(args) / "keys"
    if args.action == "init":
        path, did, created = init_keys(keys, args.name or "issuer", _now())
        for p in created:
            print(f"created {p}")
        print(f"issuer {did}\npublish {keys / 'issuers.json'} (the trusted issuer list)")
    else:
        path, did = rotate_keys(keys, args.name, _now())
        print(f"created {path}\nissuer {did} (the previous key is retired; its certificates")
        print(f"still verify)\npublish {keys / 'issuers.json'} (the trusted issuer list)")
    return EXIT_OK


def _guard(fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from infralab.grading._course import CourseError
        from infralab.grading.certify import (
            KeyError_,
            PolicyError,
            ProofError,
            ResultError,
            StatusError,
        )
        from infralab.grading.grade._variant import VariantKeyError

        try:
            return int(fn(args))
        except (
            PolicyError,
            KeyError_,
            ProofError,
            StatusError,
            ResultError,
            VariantKeyError,
            CourseError,
            OSError,
        ) as exc:
            _err(str(exc))
            return EXIT_INPUT

    return run


def handlers() -> dict[str, Any]:
    """Subcommand name -> handler, for ``infralab.grading.cli.main``."""
    return {
        "certify": _guard(_cmd_certify),
        "verify": _guard(_cmd_verify),
        "revoke": _guard(_cmd_revoke),
        "keys": _guard(_cmd_keys),
    }
