"""Password hashing with argon2 (pwdlib)."""

from __future__ import annotations

from pwdlib import PasswordHash

_HASHER = PasswordHash.recommended()
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both failures take the same time
    (made on first use: hashing costs ~0.1 s, which every CLI start would otherwise pay)."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _HASHER.hash("lotline-no-such-user")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _HASHER.verify(password, _dummy_hash())
        return False
    return bool(_HASHER.verify(password, password_hash))
