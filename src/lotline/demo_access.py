"""Who can log in to the demo: an admin, a manager ("gestor") and a viewer ("consultor"), and
one API key.

Passwords and keys are stored hashed, so they can be printed only when they are made: every
call gives the demo users fresh random passwords (creating the users when missing) and
replaces the demo API key (the previous one is revoked). The credentials printed last are the
ones that work; running the demo again never fails on users that exist already."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from lotline.bootstrap import Services
from lotline.domain.statuses import Role

DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("admin", Role.ADMIN), ("gestor", Role.MANAGER), ("consultor", Role.VIEWER))
DEMO_API_KEY_NAME = "demo"
DEMO_API_KEY_ROLE = Role.MANAGER
PASSWORD_ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 16  # ~95 bits


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: Role
    password: str


@dataclass(frozen=True, slots=True)
class DemoAccess:
    users: list[DemoLogin]
    api_key: str
    api_key_name: str
    api_key_role: Role


def new_password() -> str:
    """Letters and digits only: safe to paste into a shell or a JSON body."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def ensure_demo_access(services: Services) -> DemoAccess:
    """The demo users with new passwords, and a new demo API key (see the module's note)."""
    users = services.users
    existing = {user.username: user for user in users.list_users()}
    logins: list[DemoLogin] = []
    for username, role in DEMO_USERS:
        password = new_password()
        user = existing.get(username)
        if user is None:
            users.create_user(username, password, role)
        else:
            users.update_user(user.id, role=role, active=True, password=password)
        logins.append(DemoLogin(username, role, password))
    for key in users.list_api_keys():
        if key.name == DEMO_API_KEY_NAME and key.revoked_at is None:
            users.revoke_api_key(key.id)
    issued = users.issue_api_key(name=DEMO_API_KEY_NAME, role=DEMO_API_KEY_ROLE)
    return DemoAccess(users=logins, api_key=issued.key, api_key_name=DEMO_API_KEY_NAME,
                      api_key_role=DEMO_API_KEY_ROLE)
