"""The node's CAP signing key and certificate on disk: made once, kept owner-only, read at start."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Final

from crisislink.adapters.standards.cap_signature import NodeIdentity, make_node_identity
from crisislink.kernel.errors import InvalidInput

KEY_FILE: Final = "cap-signing-key.pem"
CERT_FILE: Final = "cap-signing-cert.pem"


def write_private(path: Path, content: bytes) -> None:
    # Created owner-only from the start: never readable by others, not even for a moment.
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as key_file:
        key_file.write(content)


def create(folder: Path, name: str, *, force: bool = False) -> NodeIdentity:
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    if not force and (key_path.exists() or cert_path.exists()):
        raise InvalidInput(f"{key_path} or {cert_path} exists; --force replaces them (partners must be told)")
    identity = make_node_identity(name)
    folder.mkdir(parents=True, exist_ok=True)
    write_private(key_path, identity.key_pem)
    cert_path.write_bytes(identity.cert_pem)
    return identity


class StoredIdentity:
    """The key pair in `folder`, made on first use when none is there (a new node signs from its first
    warning; `crisislink cap keygen` replaces it with one whose certificate partners were given)."""

    def __init__(self, folder: Path, name: str) -> None:
        self._folder = folder
        self._name = name
        self._identity: NodeIdentity | None = None
        self._lock = threading.Lock()

    def __call__(self) -> NodeIdentity:
        with self._lock:
            if self._identity is None:
                key_path, cert_path = self._folder / KEY_FILE, self._folder / CERT_FILE
                if key_path.exists() and cert_path.exists():
                    self._identity = NodeIdentity(key_path.read_bytes(), cert_path.read_bytes())
                else:
                    self._identity = create(self._folder, self._name, force=True)
            return self._identity
