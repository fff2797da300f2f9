"""Enveloped XML signatures (XML-DSig) on CAP alerts: verify what was received, sign what we send.

The cryptography and canonicalisation are signxml's (which checks the ds:Signature against the XML-Signature
schema too). What this module adds is CAP's conventions: one signature, the last child of <alert>, covering
the whole alert (Reference URI=""), with the signer's X.509 certificate in KeyInfo.

Trust is a separate question from integrity: `verify` says whether the alert is unchanged since the key in
the embedded certificate signed it, and reports that certificate's subject and validity, checked against
the alert's <sent> time and today. Only when given `trusted_certificates` does it also say who may sign.

Verification runs on the bytes as received. Publishers often re-indent an alert after signing it (the
signed vectors of the WMO CAP validator were); whitespace between elements carries no meaning in CAP, so
when the strict check fails on a digest or signature mismatch, the check is repeated on the same bytes
parsed without that whitespace, and a success is reported as valid with a note saying so.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, SignXMLException
from signxml.exceptions import InvalidSignature as SignatureMismatch
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from crisislink.adapters.standards.cap import XMLDSIG_NAMESPACE, hardened_parser, parse_tree, text_of
from crisislink.adapters.standards.cap_lexical import read_time
from crisislink.kernel.errors import InvalidInput

DS: Final = f"{{{XMLDSIG_NAMESPACE}}}"
NODE_CERTIFICATE_DAYS: Final = 730
_QUOTED_VALUE: Final = re.compile(r"'([^'{}]{40,})'")


class SignatureState(enum.StrEnum):
    NONE = "none"  # not signed
    VALID = "valid"
    INVALID = "invalid"


@dataclass(frozen=True)
class SignatureStatus:
    state: SignatureState
    reason: str
    signer: str | None = None  # the embedded certificate's subject, RFC 4514
    certificate_valid_from: datetime | None = None
    certificate_valid_until: datetime | None = None
    notes: tuple[str, ...] = ()


def _invalid(reason: str, certificate: x509.Certificate | None = None) -> SignatureStatus:
    if certificate is None:
        return SignatureStatus(SignatureState.INVALID, reason)
    return SignatureStatus(
        SignatureState.INVALID,
        reason,
        certificate.subject.rfc4514_string(),
        certificate.not_valid_before_utc,
        certificate.not_valid_after_utc,
    )


# ---------------------------------------------------------------------------------------------------------
# Verifying.


def verify(
    data: bytes, *, trusted_certificates: Collection[bytes] = (), root: etree._Element | None = None
) -> SignatureStatus:
    """Whether the alert in `data` (the bytes as received) carries a valid enveloped signature.

    `trusted_certificates` (PEM or DER): when given, the signer's certificate must be one of them.
    `root`: the <alert> of `data` as `cap.parse_tree` read it, when the caller has it (it is only read): most
    alerts are not signed, and for them parsing the message again was most of the cost of this check.
    Raises InvalidInput when `data` is not a CAP alert at all.
    """
    if root is None:
        root = parse_tree(data).root
    placement = _placement_problem(root)
    if placement is not None:
        return placement
    signature = root[-1]
    certificate = _embedded_certificate(signature)
    if isinstance(certificate, SignatureStatus):
        return certificate
    if trusted_certificates and not _is_trusted(certificate, trusted_certificates):
        return _invalid("the signer's certificate is not one of the trusted certificates", certificate)
    failure = _check(data, certificate, remove_blank_text=False)
    notes: tuple[str, ...] = ()
    if isinstance(failure, SignatureMismatch):
        relaxed = _check(data, certificate, remove_blank_text=True)
        if relaxed is None:
            failure = None
            notes = (
                "the whitespace between elements was changed after signing (re-indented); it is ignored",
            )
        elif isinstance(relaxed, InvalidDigest):  # signed info intact once re-indented: the content changed
            failure = relaxed
    if failure is not None:
        return _invalid(_failure_reason(failure), certificate)
    return SignatureStatus(
        SignatureState.VALID,
        "the alert is unchanged since the key in the embedded certificate signed it",
        certificate.subject.rfc4514_string(),
        certificate.not_valid_before_utc,
        certificate.not_valid_after_utc,
        notes + _certificate_notes(certificate, root, trusted=bool(trusted_certificates)),
    )


def _placement_problem(root: etree._Element) -> SignatureStatus | None:
    """None if `root` ends with exactly one ds:Signature; otherwise the status saying what is wrong."""
    everywhere = list(root.iter(f"{DS}Signature"))
    if not everywhere:
        return SignatureStatus(SignatureState.NONE, "the alert is not signed")
    if len(everywhere) > 1:
        return _invalid(f"the alert carries {len(everywhere)} signatures; CAP expects one")
    elements = [child for child in root if isinstance(child.tag, str)]
    if everywhere[0] is not elements[-1]:
        return _invalid("the signature is not the last child of <alert>")
    references = everywhere[0].findall(f"{DS}SignedInfo/{DS}Reference")
    if len(references) != 1 or references[0].get("URI") != "":
        return _invalid('the signature must have one Reference, URI="": the whole alert')
    return None


def _embedded_certificate(signature: etree._Element) -> x509.Certificate | SignatureStatus:
    found = signature.find(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate")
    if found is None:
        return _invalid("the signature carries no X.509 certificate, so the signer cannot be identified")
    try:
        der = base64.b64decode("".join(text_of(found).split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as error:
        return _invalid(f"the embedded X.509 certificate cannot be read: {error}")


def _is_trusted(certificate: x509.Certificate, trusted: Collection[bytes]) -> bool:
    mine = certificate.public_bytes(serialization.Encoding.DER)
    return any(_der(candidate) == mine for candidate in trusted)


def _der(certificate: bytes) -> bytes:
    if certificate.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(certificate).public_bytes(serialization.Encoding.DER)
    return certificate


def _check(data: bytes, certificate: x509.Certificate, *, remove_blank_text: bool) -> Exception | None:
    """signxml's verdict on `data` with the key of `certificate`: None if valid, else its exception."""
    # signxml refuses certificates outside their validity period; that is reported as a note, not a
    # failure (an alert keeps its signature after the certificate expires), so it checks at a time
    # when the certificate was valid.
    config = SignatureConfiguration(
        location="./", expect_references=1, verification_time=certificate.not_valid_before_utc
    )
    try:
        XMLVerifier().verify(
            data,
            x509_cert=certificate,
            parser=hardened_parser(remove_blank_text=remove_blank_text),
            expect_config=config,
        )
    except (SignXMLException, etree.DocumentInvalid, ValueError) as error:
        return error
    return None


def _failure_reason(error: Exception) -> str:
    if isinstance(error, InvalidDigest):
        return f"the alert was changed after it was signed (digest mismatch): {error}"
    if isinstance(error, InvalidCertificate):
        return f"the signing certificate is not acceptable: {error}"
    if isinstance(error, SignatureMismatch):
        return f"the signature value does not match the signed content: {error}".rstrip(": ")
    if isinstance(error, etree.DocumentInvalid):
        # lxml quotes the offending value whole (a certificate is ~1 KB): keep its start only.
        shortened = _QUOTED_VALUE.sub(lambda found: f"'{found[1][:24]}…'", str(error))
        return f"the signature does not match the XML-Signature schema (a tampered value?): {shortened}"
    return f"the signature cannot be checked: {error}"


def _certificate_notes(
    certificate: x509.Certificate, root: etree._Element, *, trusted: bool
) -> tuple[str, ...]:
    notes = [] if trusted else ["the signer is not checked against a list of trusted certificates"]
    valid_from, valid_until = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    sent = _sent_time(root)
    if sent is not None and not valid_from <= sent <= valid_until:
        notes.append(f"the certificate was not valid when the alert was sent ({sent.isoformat()})")
    if datetime.now(UTC) > valid_until:
        notes.append(f"the certificate expired on {valid_until.date().isoformat()}")
    return tuple(notes)


def _sent_time(root: etree._Element) -> datetime | None:
    sent = root.find(f"{{{etree.QName(root).namespace}}}sent")
    try:
        return None if sent is None else read_time(text_of(sent), "sent")
    except InvalidInput:
        return None  # the rules report a malformed <sent>; here it only dates the certificate


# ---------------------------------------------------------------------------------------------------------
# Signing.


def sign(alert_xml: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
    """`alert_xml` with an enveloped signature appended as the last child of <alert>.

    ECDSA keys sign with ecdsa-sha256, RSA keys with rsa-sha256; the digest is SHA-256 and the
    canonicalisation C14N 1.1, as in the signed alerts published by national weather services. The result
    must be sent as returned. What is signed is the alert without indentation, so that a partner who
    re-indents it can still verify it (see `verify`).
    """
    root = parse_tree(alert_xml, remove_blank_text=True).root
    if root.find(f".//{DS}Signature") is not None:
        raise InvalidInput("the alert is already signed")
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"the signing key or certificate cannot be read: {error}") from None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = "ecdsa-sha256"
    elif isinstance(key, rsa.RSAPrivateKey):
        algorithm = "rsa-sha256"
    else:
        raise InvalidInput("the signing key must be an ECDSA or RSA key")
    if certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise InvalidInput("the certificate is not the signing key's certificate")
    signer = XMLSigner(
        signature_algorithm=algorithm,
        digest_algorithm="sha256",
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1,
    )
    signed = signer.sign(root, key=key, cert=[certificate])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


@dataclass(frozen=True)
class NodeIdentity:
    key_pem: bytes  # PKCS#8, unencrypted: keep it readable by the node only
    cert_pem: bytes


def make_node_identity(
    common_name: str,
    *,
    valid_for: timedelta = timedelta(days=NODE_CERTIFICATE_DAYS),
    now: datetime | None = None,
) -> NodeIdentity:
    """A new ECDSA P-256 signing key and a self-signed certificate naming this node."""
    if not common_name.strip():
        raise InvalidInput("the node's certificate needs a name")
    key = ec.generate_private_key(ec.SECP256R1())
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)  # tolerate a partner's clock running behind
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name.strip())])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(uuid.uuid4().int >> 1)  # positive, at most 127 bits: within RFC 5280's 20 octets
        .not_valid_before(start)
        .not_valid_after(start + valid_for)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_only(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return NodeIdentity(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        certificate.public_bytes(serialization.Encoding.PEM),
    )


def _signing_only() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # non-repudiation: the node stands by what it signed
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
