"""Password hashing with argon2 (pwdlib)."""

from __future__ import annotations

from pwdlib import PasswordHash

_HASHER = PasswordHash.recommended()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _HASHER.hash("lotline-no-such-user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _HASHER.verify(password, _DUMMY_HASH)
        return False
    return bool(_HASHER.verify(password, password_hash))
