"""Bearer tokens and roles: who may read, map, govern and administer.

Tokens are random (256 bits) and stored only as SHA-256 hashes: a leaked database does not leak
working tokens, and a slow password hash is unnecessary for secrets this long.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from .errors import Invalid

__all__ = ["ROLES", "Identity", "TokenRecord", "authenticate", "hash_token", "identity_for_hash", "issue_token",
           "new_token", "role_at_least"]

# Ordered from least to most trusted; each role can do everything the roles before it can.
ROLES = ("viewer", "coordinator", "governance", "admin")
TOKEN_PREFIX = "gsv_"


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str
    token_hash: str
    created_at: str
    revoked_at: str | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "created_at": self.created_at, "revoked_at": self.revoked_at}


@dataclass(frozen=True)
class Identity:
    """The caller: the token's name (recorded as actor in the change log) and its role."""

    name: str
    role: str

    def can(self, role: str) -> bool:
        return role_at_least(self.role, role)


def role_at_least(held: str, needed: str) -> bool:
    return ROLES.index(held) >= ROLES.index(needed)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")


def issue_token(store, name: str, role: str, actor: str) -> tuple[TokenRecord, str]:
    """Create a token; return its record and the token itself, which is shown this once only."""
    from .store.model import utc_now

    problems = {}
    if not _NAME.fullmatch(name or ""):  # not .match: "$" would allow a final newline
        problems["name"] = ["1-64 characters: letters, digits, space, '.', '_', '@' or '-'."]
    if role not in ROLES:
        problems["role"] = [f"Must be one of: {', '.join(ROLES)}."]
    if problems:
        raise Invalid("Cannot create that token.", problems)
    token = new_token()
    record = TokenRecord(name, role, hash_token(token), utc_now())
    store.save_token(record, actor)
    return record, token


def authenticate(store, token: str) -> Identity | None:
    """The identity behind a presented token, or None if it is unknown or revoked."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return identity_for_hash(store, hash_token(token))


def identity_for_hash(store, token_hash: str) -> Identity | None:
    """The identity behind a token's hash (what a signed-in session keeps), or None if unknown or revoked."""
    record = store.find_token(token_hash)
    if record is None or record.revoked_at is not None:
        return None
    return Identity(record.name, record.role)
