"""Documents a library writes into the app's own tables.

Convex Auth (@convex-dev/auth) inserts and patches the `users` table itself when someone
signs in: its default `createOrUpdateUser` (0.0.95, server/implementation/users.js) writes
`{ emailVerificationTime?, phoneVerificationTime?, ...profile }`, the profile being what
the provider returns (`name`, `email`, `image`, `phone`, `isAnonymous`). An app that
overrides `users` in its schema with another required field makes every sign-up fail
schema validation, though none of its own code writes a user. The app takes the write over
with `callbacks.createOrUpdateUser`, and a provider's own `profile(...)` may return more
fields: then what is written cannot be told here. With no provider at all (`providers: []`,
an app that signs in through another issuer in auth.config.ts) nobody signs in through the
library, and it inserts no user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .auth import allow_list_test, convex_auth_call, convex_auth_signs_in, normalised, parameter_field
from .callgraph import _awaited, returned_values
from .definitions import ExternalDef
from .evaluate import local_const
from .facts import FileFacts, FunctionInfo

if TYPE_CHECKING:
    from .model import App, Project
    from .schema import Table

# The user fields Convex Auth's default createOrUpdateUser writes (profiles of its built-in providers)
CONVEX_AUTH_USER_FIELDS = frozenset(("name", "image", "email", "emailVerificationTime", "phone",
                                     "phoneVerificationTime", "isAnonymous"))


# The indexes Convex Auth's own functions query (`withIndex` in @convex-dev/auth 0.0.95
# dist/server/implementation/*.js): dropping one from a table that overrides `authTables`
# breaks sign-in at run time. `users.email` and `users.phone` are read by its default
# createOrUpdateUser only (linking a verified email or phone to an existing user).
CONVEX_AUTH_INDEX_READS = frozenset([
    ("authAccounts", "providerAndAccountId"), ("authRateLimits", "identifier"), ("authRefreshTokens", "sessionId"),
    ("authRefreshTokens", "sessionIdAndParentRefreshTokenId"), ("authSessions", "userId"),
    ("authVerificationCodes", "accountId"), ("authVerificationCodes", "code"), ("authVerifiers", "signature"),
])
CONVEX_AUTH_DEFAULT_USER_INDEX_READS = frozenset([("users", "email"), ("users", "phone")])


def convex_auth_index_reads(project: "Project", app: "App") -> "tuple[FileFacts, Node, frozenset] | None":
    """(the `convexAuth({...})` call's file, the call, the (table, index) pairs Convex Auth
    queries) when the app signs users in through it; None otherwise."""
    setup = _sign_in_setup(project, app)
    if setup is None:
        return None
    facts, call, options = setup
    own = _own_user_callback(js.unwrap(js.object_get(options, "callbacks")))
    return facts, call, CONVEX_AUTH_INDEX_READS | (frozenset() if own else CONVEX_AUTH_DEFAULT_USER_INDEX_READS)


def _sign_in_setup(project: "Project", app: "App") -> "tuple[FileFacts, Node, Node | None] | None":
    """(its file, the `convexAuth({...})` call, its options) when users sign in through Convex
    Auth; None otherwise (`providers: []`: nobody signs in through the library)."""
    setup = convex_auth_call(project, app)
    if setup is None or not convex_auth_signs_in(project, app):
        return None
    facts, call = setup
    args = js.call_args(call)
    return facts, call, js.unwrap(args[0]) if args else None


def _own_user_callback(callbacks: "Node | None") -> bool:
    """Do the options' `callbacks` give `createOrUpdateUser` (or cannot be read): the app
    makes its users itself, not the library's default?"""
    return callbacks is not None and (callbacks.type != "object"
                                      or js.object_get(callbacks, "createOrUpdateUser") is not None)


# What the default createOrUpdateUser writes into `users` for a built-in provider, by the
# module the provider comes from, and the `users` index it queries to link the sign-in to an
# existing user: OAuth and email-code sign-ins count the email as verified (it stamps
# `emailVerificationTime` and looks for a user by index "email"), a phone code the phone;
# `Password` writes only `email` and links by email only with `verify` (left out here: its
# profile is then verified later, which cannot be told from the setup), `Anonymous` only
# `isAnonymous`. Google's and GitHub's profiles are `name`, `email`, `image` (@auth/core).
_OAUTH_WRITES = (frozenset(("name", "email", "image", "emailVerificationTime")), "email")
_EMAIL_CODE_WRITES = (frozenset(("email", "emailVerificationTime")), "email")
PROVIDER_USER_WRITES: dict[str, tuple[frozenset[str], str | None]] = {
    "@auth/core/providers/google": _OAUTH_WRITES,
    "@auth/core/providers/github": _OAUTH_WRITES,
    "@auth/core/providers/resend": _EMAIL_CODE_WRITES,
    "@convex-dev/auth/providers/Email": _EMAIL_CODE_WRITES,
    "@convex-dev/auth/providers/Phone": (frozenset(("phone", "phoneVerificationTime")), "phone"),
    "@convex-dev/auth/providers/Password": (frozenset(("email",)), None),
    "@convex-dev/auth/providers/Anonymous": (frozenset(("isAnonymous",)), None),
}


@dataclass(frozen=True)
class ProviderUserWrite:
    """What signing in through one provider of `convexAuth({ providers })` writes into `users`
    (`fields`) and which `users` index it queries (`index`, None: none)."""

    name: str  # the provider as written in `providers` (`Google` of `Google({ ... })`)
    fields: frozenset[str]
    index: str | None


@dataclass(frozen=True)
class LibraryUserWrites:
    """Convex Auth writes `users` documents with only `fields` (the call is `convexAuth(...)`)."""

    facts: FileFacts
    call: Node
    fields: frozenset[str]


def convex_auth_user_writes(project: "Project", app: "App") -> LibraryUserWrites | None:
    """How Convex Auth writes the app's users, when the app registers it with `convexAuth({...})`
    with some provider and leaves user documents to its default (no `callbacks.createOrUpdateUser`,
    no provider given its own `profile`); None otherwise."""
    memo = app.__dict__.setdefault("_convex_auth_user_writes", {})
    if "value" not in memo:
        memo["value"] = _find(project, app)
    return memo["value"]


def _find(project: "Project", app: "App") -> LibraryUserWrites | None:
    setup = _sign_in_setup(project, app)
    if setup is None:
        return None  # (nobody signs in through the library: it makes no user)
    facts, call, options = setup
    if options is None or options.type != "object" or any(p.spread for p in js.object_props(options)):
        return None
    callbacks = js.unwrap(js.object_get(options, "callbacks"))
    if _own_user_callback(callbacks) or any(p.spread for p in js.object_props(callbacks)):
        return None  # the app writes users itself (or we cannot tell)
    providers = js.unwrap(js.object_get(options, "providers"))
    if providers is None or providers.type != "array" or not _default_profiles(project, facts, providers):
        return None
    if _creates_accounts(project, app):
        return None  # invite-only: the app makes users and their accounts, sign-in links to them
    return LibraryUserWrites(facts, call, CONVEX_AUTH_USER_FIELDS)


def convex_auth_provider_writes(project: "Project", app: "App") -> tuple[ProviderUserWrite, ...]:
    """What each built-in provider of the app's `convexAuth({ providers })` writes into `users`
    and which of its indexes it queries, when the library's default createOrUpdateUser does the
    writing (no `callbacks.createOrUpdateUser`); providers given their own `profile`, or whose
    writes are not known here, are left out. An app that also makes accounts itself still has
    the library write the users who sign in through a provider (and patch the ones it links)."""
    memo = app.__dict__.setdefault("_convex_auth_provider_writes", {})
    if "value" not in memo:
        memo["value"] = _provider_writes(project, app)
    return memo["value"]


@dataclass(frozen=True)
class UserTableGaps:
    """What the app's own `users` table (one it defines, in place of Convex Auth's) lacks of
    what the library writes and queries for its providers, each with the providers (as
    written) that need it: undeclared `fields`, missing `indexes`."""

    table: "Table"
    fields: dict[str, list[str]]
    indexes: dict[str, list[str]]


def convex_auth_user_gaps(project: "Project", app: "App") -> UserTableGaps | None:
    """The gaps of the app's own `users` table (None: no such table, none it can tell, or
    none at all). A field counts only where the table's fields are all known, an index
    only where its indexes are."""
    schema = app.schema
    table = schema.table("users") if schema is not None and schema.readable else None
    if table is None or table.external or table.key_node is None:
        return None
    fields: dict[str, list[str]] = {}
    indexes: dict[str, list[str]] = {}
    for provider in convex_auth_provider_writes(project, app):
        for name in sorted(provider.fields):
            if table.has_field(name) is False:
                fields.setdefault(name, []).append(provider.name)
        if provider.index is not None and table.indexes_complete and table.knows_index(provider.index) is False:
            indexes.setdefault(provider.index, []).append(provider.name)
    return UserTableGaps(table, fields, indexes) if fields or indexes else None


def _provider_writes(project: "Project", app: "App") -> tuple[ProviderUserWrite, ...]:
    setup = _sign_in_setup(project, app)
    if setup is None:
        return ()
    facts, _call, options = setup
    if options is None or options.type != "object":
        return ()
    callbacks = js.unwrap(js.object_get(options, "callbacks"))
    if _own_user_callback(callbacks) or any(p.spread for p in js.object_props(callbacks)):
        return ()
    providers = js.unwrap(js.object_get(options, "providers"))
    out = []
    for p in providers.children if providers is not None and providers.type == "array" else ():
        module = _provider_module(project, facts, js.unwrap(p), 0)
        if module in PROVIDER_USER_WRITES and _default_profile(project, facts, js.unwrap(p), 0):
            fields, index = PROVIDER_USER_WRITES[module]
            made = js.unwrap(p)
            if (fields, index) == _OAUTH_WRITES and made.type == "call_expression" and any(
                    js.unwrap(a) is None or js.unwrap(a).type != "object"
                    or js.object_get(js.unwrap(a), "allowDangerousEmailAccountLinking") is not None
                    for a in js.call_args(made)):
                # `allowDangerousEmailAccountLinking: false` takes the email as unverified:
                # no `emailVerificationTime`, no lookup by email
                fields, index = fields - {"emailVerificationTime"}, None
            named = js.callee(made) if made.type == "call_expression" else made  # `Google({ ... })`: Google
            out.append(ProviderUserWrite(facts.text(named), fields, index))
    return tuple(out)


def _provider_module(project: "Project", facts: FileFacts, p: Node | None, depth: int) -> str | None:
    """The package module a provider comes from: `Google`, `Google({ ... })`, or a constant
    made of either (`const ResendOTP = Resend({ ... })` in another file)."""
    if p is None or depth > 4:
        return None
    if p.type == "call_expression":
        p = js.callee(p)
    if p is None or p.type not in ("identifier", "member_expression"):
        return None
    d = project.linker.value_of(facts, p)
    if isinstance(d, ExternalDef):
        return d.module if not d.path else None
    node = getattr(d, "node", None)
    return _provider_module(project, d.facts, js.unwrap(node), depth + 1) \
        if node is not None and node is not p and not getattr(d, "path", ()) else None


def _creates_accounts(project: "Project", app: "App") -> bool:
    """Does the app make sign-in accounts itself (`ctx.db.insert("authAccounts", ...)`, Convex
    Auth's `createAccount(ctx, ...)`)? Then it creates the users too, and the library only
    links a sign-in to them: its own insert runs just for emails nobody invited."""
    # an insert names its table as a literal (DbCall.table), so the name is written in a module
    # of the app or a file a function reaches, or no insert names it: a look at those files'
    # bytes spares the editor the app's database uses on every edit
    names_it = any(b"authAccounts" in m.facts.source for m in app.modules.values()) \
        or any(b"authAccounts" in r.facts.source for fn in app.functions for r in project.reach(fn))
    if names_it and any(call.method == "insert" and call.table == "authAccounts" for call in app.queries.calls):
        return True
    for module in app.modules.values():
        facts = module.facts
        if not any(i.source == "@convex-dev/auth/server" and i.imported == "createAccount" for i in facts.imports):
            continue
        for site in facts.all_calls():
            d = project.linker.value_of(facts, site.callee) if site.path and site.path[-1] == "createAccount" else None
            if isinstance(d, ExternalDef) and d.module == "@convex-dev/auth/server":
                return True
    return False


def _default_profiles(project: "Project", facts: FileFacts, providers: Node) -> bool:
    """Does every provider keep its built-in profile: a package's `Password`, `GitHub`, or
    `Password({ ... })` without a `profile` option (written there or in a constant)? A
    provider given its own `profile`, or one we cannot read (a spread, a project function),
    may write any field."""
    for p in providers.children:
        if not _default_profile(project, facts, js.unwrap(p), 0):
            return False
    return True


def _default_profile(project: "Project", facts: FileFacts, p: Node | None, depth: int) -> bool:
    if p is None or depth > 4:
        return False
    if p.type in ("identifier", "member_expression"):
        d = project.linker.value_of(facts, p)
        if isinstance(d, ExternalDef):
            return True  # a provider as its package exports it
        node = getattr(d, "node", None)
        return node is not None and node is not p and not getattr(d, "path", ()) \
            and _default_profile(project, d.facts, js.unwrap(node), depth + 1)
    if p.type != "call_expression" or not isinstance(project.linker.value_of(facts, js.callee(p)), ExternalDef):
        return False
    for arg in js.call_args(p):
        arg = js.unwrap(arg)
        if arg is None or arg.type != "object" or any(q.spread for q in js.object_props(arg)) \
                or js.object_get(arg, "profile") is not None:
            return False
    return True


# Providers whose `profile(params, ctx)` option makes the profile Convex Auth writes into
# `users` (Password.ts, Anonymous.ts in 0.0.95: `config.profile?.(params, ctx)`, then
# createAccount), and the one whose `authorize(params, ctx)` makes accounts itself
_PROFILE_PROVIDERS = frozenset(("@convex-dev/auth/providers/Password", "@convex-dev/auth/providers/Anonymous"))
_CREDENTIALS_PROVIDER = "@convex-dev/auth/providers/ConvexCredentials"
_SWITCH = frozenset(["switch_statement"])


@dataclass(frozen=True)
class CallerChosenProfileField:
    """A field of the profile Convex Auth writes into a `users` document at sign-up (its
    default createOrUpdateUser spreads the profile into the document) that holds a sign-in
    param as the client sent it: `signIn` is a public action, and its `params` are whatever
    the caller passes (`signIn("password", { flow: "signUp", role: "admin" })`)."""

    facts: FileFacts
    node: Node  # the field as written in the profile (`role: params.role`, the `role` of `{ email, role }`)
    field: str
    param: str  # the sign-in param it holds (`role` of `params.role`)
    provider: str  # the provider as written in `providers` (`Password`, `ConvexCredentials`)
    via: str  # "profile" (the provider's `profile` option) or "createAccount" (a call in `authorize`)


def convex_auth_caller_profile_fields(project: "Project", app: "App") -> tuple[CallerChosenProfileField, ...]:
    """The profile fields the caller of `signIn` chooses: those of what a `Password` or
    `Anonymous` provider's `profile(params)` returns, and of the `profile` a `ConvexCredentials`
    provider's `authorize(params, ctx)` gives `createAccount` (there or in a helper it hands
    the profile to), that hold `params.<x>` as written, through casts, a default for a missing
    value and `const` locals. A param the function tests against a list or a value first
    (`if (!["buyer", "seller"].includes(role)) throw`) is left out, and so is everything when the
    app stores users itself (`callbacks.createOrUpdateUser`)."""
    memo = app.__dict__.setdefault("_convex_auth_caller_profile_fields", {})
    if "value" not in memo:
        memo["value"] = tuple(_caller_profile_fields(project, app))
    return memo["value"]


def _caller_profile_fields(project: "Project", app: "App"):
    setup = _sign_in_setup(project, app)
    options = setup[2] if setup is not None else None
    if options is None or options.type != "object" or _own_user_callback(js.unwrap(js.object_get(options, "callbacks"))):
        return
    providers = js.unwrap(js.object_get(options, "providers"))
    for p in providers.children if providers is not None and providers.type == "array" else ():
        made = _provider_call(project, setup[0], js.unwrap(p), 0)
        if made is None:
            continue
        facts, call, module = made
        config = js.unwrap(js.call_args(call)[0]) if js.call_args(call) else None
        name = facts.text(js.callee(call))
        if module in _PROFILE_PROVIDERS:
            func = facts.function_for(_function_node(js.object_get(config, "profile")))
            if func is not None:
                for value in returned_values(func.node):
                    yield from _param_fields(facts, func, _object_literal(facts, value), name, "profile")
        elif module == _CREDENTIALS_PROVIDER:
            func = facts.function_for(_function_node(js.object_get(config, "authorize")))
            if func is not None:
                for profile in _created_profiles(project, facts, func):
                    yield from _param_fields(facts, func, profile, name, "createAccount")


def _provider_call(project: "Project", facts: FileFacts, p: Node | None, depth: int):
    """(its file, the call, the package module) of a provider made by a package's function
    (`Password({ ... })`), as written in `providers` or in a constant made of it."""
    if p is None or depth > 4:
        return None
    if p.type == "call_expression":
        d = project.linker.value_of(facts, js.callee(p))
        return (facts, p, d.module) if isinstance(d, ExternalDef) and not d.path else None
    if p.type not in ("identifier", "member_expression"):
        return None
    d = project.linker.value_of(facts, p)
    node = getattr(d, "node", None)
    if isinstance(d, ExternalDef) or node is None or node is p or getattr(d, "path", ()):
        return None
    return _provider_call(project, d.facts, js.unwrap(node), depth + 1)


def _function_node(value: Node | None) -> Node | None:
    """The function an option is written as: `profile(params) { ... }`, `profile: (params) => ...`."""
    value = js.unwrap(value)
    return value if js.is_function(value) or value is not None and value.type == "method_definition" else None


def _object_literal(facts: FileFacts, value: Node | None) -> Node | None:
    """The object literal `value` is, itself or through a `const` of its function."""
    value = _awaited(value)
    for _ in range(4):
        if value is None or value.type == "object":
            return value
        if value.type not in ("identifier", "shorthand_property_identifier"):
            return None
        value = js.unwrap(local_const(facts, value))
    return None


def _created_profiles(project: "Project", facts: FileFacts, func: FunctionInfo):
    """The object literals `func` gives `createAccount(ctx, { profile })` as the profile: in a
    call of its own, or as an argument of a project helper that passes that parameter on as
    the profile (`signUp(ctx, profile)`, one call deep)."""
    for site in func.all_calls():
        profile = _create_account_profile(project, facts, site)
        if profile is not None:
            yield _object_literal(facts, profile)
            continue
        target = project.callgraph.callee(facts, site) if site.ref is not None else None
        if target is None:
            continue
        tfacts, tfunc = target
        args = js.call_args(site.node)
        for inner in tfunc.all_calls():
            held = js.unwrap(_create_account_profile(project, tfacts, inner))
            ref = tfacts.ref_of(held) if held is not None else None  # (`{ profile }` too)
            if ref is not None and ref.kind == "param" and ref.func is tfunc and not ref.path and ref.index < len(args):
                yield _object_literal(facts, args[ref.index])


def _create_account_profile(project: "Project", facts: FileFacts, site) -> Node | None:
    """The `profile` a call of Convex Auth's `createAccount(ctx, { ..., profile })` passes."""
    if not site.path or site.path[-1] != "createAccount":
        return None
    d = project.linker.value_of(facts, site.callee)
    if not isinstance(d, ExternalDef) or d.module != "@convex-dev/auth/server" or d.name != "createAccount":
        return None
    args = js.call_args(site.node)
    return js.object_get(js.unwrap(args[1]), "profile") if len(args) > 1 else None


def _param_fields(facts: FileFacts, func: FunctionInfo, profile: Node | None, provider: str, via: str):
    """The fields of the object literal `profile` (written in `func`) that hold a sign-in param."""
    for prop in js.object_props(profile):
        if prop.spread or prop.key is None:
            continue
        param = _sign_in_param(facts, func, prop.value)
        if param is not None and not _param_tested(facts, func, param):
            yield CallerChosenProfileField(facts, prop.node, prop.key, param, provider, via)


def _sign_in_param(facts: FileFacts, func: FunctionInfo, value: Node | None) -> str | None:
    """The sign-in param `value` holds as the caller sent it: `params.role` (`func`'s first
    parameter), through casts (`params.role as Role`), a default for a missing value
    (`params.role ?? "member"`) and `const` locals (`const role = params.role as string`)."""
    for _ in range(6):
        n = js.unwrap(value)
        while n is not None and n.type == "binary_expression" and (n.has_tok("??") or n.has_tok("||")) \
                and js.literal_value(n.child("right")) is not None:
            n = js.unwrap(n.child("left"))
        param = parameter_field(facts, func, 0, n)
        if param is not None or n is None or n.type not in ("identifier", "shorthand_property_identifier"):
            return param
        value = local_const(facts, n)  # (None unless a `const` of the function)
    return None


def _param_tested(facts: FileFacts, func: FunctionInfo, param: str) -> bool:
    """Does `func` test the param (itself or a local holding it) against a list or a value
    (`ROLES.includes(role)`, `params.role !== "buyer"`, `switch (role)`)? Then it may keep the
    caller from choosing a value that grants anything: left to the app."""
    for n in facts.module.nodes_in(func.node, "identifier", "member_expression"):
        if n.type == "identifier" and n.parent is not None and n.parent.type == "member_expression" \
                and n.field == "object":
            continue  # the member expression around it is the read
        if _sign_in_param(facts, func, n) != param:
            continue
        read = normalised(n)
        switch = js.enclosing(read, _SWITCH)
        if allow_list_test(read, lambda _other: False) is not None \
                or switch is not None and js.unwrap(switch.child("value")) is js.unwrap(read):
            return True
    return False
