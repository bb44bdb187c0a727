"""The audit key, kept outside the database, and the seals (HMAC-SHA256) it puts on the chain.

Each event's hash is sealed with the key when the event is written, and so are the
checkpoints of the chain's head. Someone who can write to the database but cannot read the
key can still recompute hashes, but cannot seal what they wrote.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from scoreline.lib.env import ConfigError

__all__ = ["MIN_KEY_LENGTH", "AuditKey", "audit_key", "missing_key", "sealing_key"]

#: Characters a key must have at least, from the environment or its file.
MIN_KEY_LENGTH = 32
_ENVIRONMENT = "SCORELINE_AUDIT_KEY"


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(repr=False)
    #: Where the key came from: the environment variable's name or the file's path.
    origin: str

    @property
    def id(self) -> str:
        """A public fingerprint that tells keys apart without revealing them."""
        return self.seal("key-id", "scoreline audit key")[:12]

    def seal(self, purpose: str, message: str) -> str:
        # The purpose keeps an event's seal from being passed off as a checkpoint's.
        return hmac.new(self.secret, f"{purpose}:{message}".encode(), hashlib.sha256).hexdigest()

    def holds(self, purpose: str, message: str, seal: str) -> bool:
        return hmac.compare_digest(self.seal(purpose, message), seal)


def audit_key() -> AuditKey | None:
    """The key from ``SCORELINE_AUDIT_KEY``, else from its file in the data directory; ``None``
    when there is neither (checking must never invent the key it checks against)."""
    if settings.AUDIT_KEY:
        return AuditKey(settings.AUDIT_KEY.encode(), _ENVIRONMENT)
    path = Path(settings.AUDIT_KEY_FILE)
    return _read_key_file(path) if path.exists() else None


def sealing_key() -> AuditKey:
    """The key to seal with; without one, a new random key is kept in its file (mode 0600)."""
    key = audit_key()
    if key is not None:
        return key
    path = Path(settings.AUDIT_KEY_FILE)
    _create_key_file(path)
    return _read_key_file(path)


def missing_key(what: str) -> ConfigError:
    """The error for a chain that needs its key when there is none."""
    return ConfigError(
        f"{what}, but there is no audit key: set {_ENVIRONMENT} or restore "
        f"{settings.AUDIT_KEY_FILE} from your backup"
    )


def _read_key_file(path: Path) -> AuditKey:
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"the audit key file {path} cannot be read ({error})") from None
    if len(text) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"the audit key file {path} holds fewer than {MIN_KEY_LENGTH} characters; "
            "restore it from your backup"
        )
    return AuditKey(text.encode(), str(path))


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, written = tempfile.mkstemp(dir=path.parent, prefix=".audit_key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        # A hard link appears whole and never replaces a file: processes writing their
        # first events at once all end up with the one key that won.
        os.link(written, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(written)
