"""Credentials kept in documents: which fields of a table hold one (a password or its hash, an
API key, a one-time-password secret), and which public functions hand such rows out whole.
Whatever an app signs its users in with, a function anyone can call that returns these
fields gives them to anyone (CVX401)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .facts import FileFacts

if TYPE_CHECKING:
    from .model import App, RegisteredFunction
    from .queries import DatabaseUses

# Fields that hold a credential, by their whole name: `password`, `passwordHash`,
# `hashedPassword`, `apiKey`, `clientSecret`, `totpSecret`, `backupCodes`, `resetToken`. Not
# `tokenIdentifier` (who someone is, not a secret), nor a `hash` alone (a file's content hash
# is no secret): `hash` counts only in a table of people (`_PEOPLE_FIELD`), where it is the
# password's.
_CREDENTIAL_FIELD = re.compile(
    r"(hashed_?)?password(_?hash)?|(api|secret|private)_?key|(client_?|totp_?|mfa_?|two_?factor_?)?secret"
    r"|backup_?codes|recovery_?codes|(access_?|refresh_?|reset_?|session_?|auth_?)?token", re.I)
_PEOPLE_FIELD = re.compile(r"e_?mail|username|user_?name|login", re.I)


@dataclass(frozen=True, slots=True)
class ReturnedCredentials:
    """A read of rows holding a credential that a function returns as they are."""

    facts: FileFacts
    node: Node  # the read: `ctx.db.query("users")` or `ctx.db.get(...)`
    table: str
    field: str  # the credential field, as the schema spells it


def credential_field(app: "App", table: str) -> str | None:
    """The first field of `table`'s documents that holds a credential (`_CREDENTIAL_FIELD`),
    in any member of a union document; None when it has none or the schema cannot say."""
    schema = app.schema
    t = schema.table(table) if schema is not None and schema.readable else None
    doc = t.document.required() if t is not None and t.known and t.document is not None else None
    if doc is None:
        return None
    members = [m.required() for m in doc.members] if doc.kind == "union" and doc.members else [doc]
    for m in members:
        if m.kind != "object":
            continue
        people = any(_PEOPLE_FIELD.fullmatch(name) for name in m.fields)
        for name in m.fields:
            if _CREDENTIAL_FIELD.fullmatch(name) or (people and name.lower() == "hash"):
                return name
    return None


def returned_credentials(queries: "DatabaseUses", fn: "RegisteredFunction") -> ReturnedCredentials | None:
    """A read in `fn`'s handler of rows of a table with a credential field (`credential_field`)
    that the handler returns as they are: a query's result returned (`return await
    ctx.db.query("users").withIndex(...).first()`, or held and returned: `const user = ...;
    return user;`), or `return await ctx.db.get(id)`. Rows mapped or destructured before they
    are returned (`const { passwordHash, ...rest } = user`) are a projection: not these."""
    handler = fn.handler
    if handler is None:
        return None
    app = fn.module.app
    for chain in queries.chains:
        call = chain.call
        if call.func is handler and chain.result_returned and call.table is not None and not call.system:
            field = credential_field(app, call.table)
            if field is not None:
                return ReturnedCredentials(call.facts, call.node, call.table, field)
    for call in queries.calls_of(fn):
        if call.func is not handler or call.method != "get" or call.system or not call.args:
            continue
        table = call.table if call.explicit and call.table else queries.table_of(call.facts, call.args[-1])
        if table is None or not _returned(call.node):
            continue
        field = credential_field(app, table)
        if field is not None:
            return ReturnedCredentials(call.facts, call.node, table, field)
    return None


def _returned(call: Node) -> bool:
    """Is the call's result (awaited or not) the value of a `return` or an arrow's body?"""
    o = js.outer(call)
    if o.parent is not None and o.parent.type == "await_expression":
        o = js.outer(o.parent)
    p = o.parent
    return p is not None and (p.type == "return_statement" or (p.type == "arrow_function" and o.field == "body"))
