"""The installation's Ed25519 key that signs ledger checkpoints (DESIGN §5, issue 17).

The private key lives in a file outside the database (PKCS#8 PEM, mode 0600), so whoever can
rewrite the database cannot sign a checkpoint of a rewritten history. The public key is
exported as PEM (SubjectPublicKeyInfo), which `openssl pkey -pubin` reads."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lotline.domain.errors import LedgerKeyUnavailable


class LedgerKey:
    def __init__(self, private_key: Ed25519PrivateKey, path: Path) -> None:
        self._private_key = private_key
        self.path = path
        self.public_key = private_key.public_key()

    @classmethod
    def load(cls, path: Path) -> LedgerKey | None:
        """The key in `path`, or None when there is no such file."""
        try:
            mode = path.stat().st_mode
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise LedgerKeyUnavailable(f"ledger key file {path}: {error.strerror}") from error
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise LedgerKeyUnavailable(
                f"ledger key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
                f"chmod 600 it")
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except ValueError as error:
            raise LedgerKeyUnavailable(f"ledger key file {path} holds no readable PEM "
                                       f"private key") from error
        if not isinstance(key, Ed25519PrivateKey):
            raise LedgerKeyUnavailable(f"ledger key file {path} is not an Ed25519 key")
        return cls(key, path)

    @classmethod
    def load_or_create(cls, path: Path) -> LedgerKey:
        """The key in `path`, made there first (mode 0600, its folder 0700) when missing."""
        existing = cls.load(path)
        if existing is not None:
            return existing
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # O_EXCL: two processes creating at once keep one key; the loser reads it back.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls.load(path) or cls.load_or_create(path)
        except OSError as error:
            raise LedgerKeyUnavailable(f"ledger key file {path}: {error.strerror}") from error
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        return cls(key, path)

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def public_pem(self) -> str:
        return public_pem(self.public_key)

    def sign(self, data: bytes) -> str:
        """The signature of `data`, base64."""
        return base64.b64encode(self._private_key.sign(data)).decode("ascii")


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw 32-byte public key: names the key a checkpoint was signed with."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_public_key(pem: str) -> Ed25519PublicKey:
    """A PEM public key; ValueError when it is not an Ed25519 one."""
    try:
        key = serialization.load_pem_public_key(pem.encode("utf-8"))
    except UnsupportedAlgorithm as error:
        raise ValueError("not an Ed25519 public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def signature_holds(public_key: Ed25519PublicKey, signature: str, document: str) -> bool:
    """Whether `signature` (base64) is the key's signature of `document` (UTF-8)."""
    try:
        public_key.verify(base64.b64decode(signature, validate=True), document.encode("utf-8"))
    except (InvalidSignature, ValueError):  # bad base64, a lone surrogate: not signed by us
        return False
    return True
