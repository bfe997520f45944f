"""Access tokens in the SQLite store: stored as hashes; creating and revoking one is logged."""

from __future__ import annotations

import sqlite3

from ..auth import TokenRecord
from ..errors import Conflict, NotFound
from .model import Operation, utc_now

__all__ = ["SqliteTokens"]


class SqliteTokens:
    """The token part of the store port, for SqliteStore (which supplies ``transaction`` and ``_conn``)."""

    def save_token(self, record: TokenRecord, actor: str) -> None:
        with self.transaction(actor) as tx:
            try:
                tx.conn.execute("INSERT INTO tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                                (record.name, record.role, record.token_hash, record.created_at))
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"A token named '{record.name}' already exists.", {"name": ["Already in use."]}) from exc
            tx._log(Operation.CREATE_TOKEN, f"token:{record.name}", None, {"name": record.name, "role": record.role})

    def find_token(self, token_hash: str) -> TokenRecord | None:
        row = self._conn().execute("SELECT name, role, token_hash, created_at, revoked_at FROM tokens "
                                   "WHERE token_hash = ?", (token_hash,)).fetchone()
        return TokenRecord(*row) if row else None

    def list_tokens(self) -> list[TokenRecord]:
        rows = self._conn().execute("SELECT name, role, token_hash, created_at, revoked_at FROM tokens "
                                    "ORDER BY created_at, name").fetchall()
        return [TokenRecord(*row) for row in rows]

    def revoke_token(self, name: str, actor: str) -> TokenRecord:
        with self.transaction(actor) as tx:
            row = tx.conn.execute("SELECT name, role, token_hash, created_at, revoked_at FROM tokens WHERE name = ?",
                                  (name,)).fetchone()
            if row is None:
                raise NotFound(f"No token is named '{name}'.")
            record = TokenRecord(*row)
            if record.revoked_at is None:
                record = TokenRecord(*row[:4], utc_now())
                tx.conn.execute("UPDATE tokens SET revoked_at = ? WHERE name = ?", (record.revoked_at, name))
                tx._log(Operation.REVOKE_TOKEN, f"token:{name}", {"name": name, "role": record.role}, None)
            return record
