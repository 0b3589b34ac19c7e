from cvxlint.project.auth import optional_read_checked
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js
from cvxlint.syntax import scope

from .common import result_declarator

SERVER = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
          'import { getAuthUserId } from "@convex-dev/auth/server";\n')
_CHECKING_PARENTS = frozenset(["if_statement", "ternary_expression", "while_statement"])


class IdentityNullCheck(Rule):
    """The identity used without checking it for null first.

    ## What it does
    Follows the result of `ctx.auth.getUserIdentity()`, `getAuthUserId(ctx)` and
    `getAuthSessionId(ctx)` stored in a variable, and flags its first use through a non-null
    assertion (`identity!.subject`, `userId!`) or a plain member access (`identity.email`),
    when no check of it (`if (!identity)`, `identity === null`, `assertSignedIn(identity)`,
    a ternary or `&&` guard, a `switch` whose `case null:` returns or throws) comes before
    that use; also a result asserted non-null where it is fetched (`const { subject } =
    (await ctx.auth.getUserIdentity())!`).

    ## Why is this bad?
    All three return `null` when nobody is signed in: the function crashes with a
    TypeError, or writes `null` where a user belongs. TypeScript catches plain member
    access, but not `!` assertions, and not JavaScript files.

    ## Example
    ```ts
    const identity = await ctx.auth.getUserIdentity();
    await ctx.db.insert("posts", { author: identity!.tokenIdentifier, body });
    ```
    Use instead:
    ```ts
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) throw new ConvexError("Unauthenticated");
    await ctx.db.insert("posts", { author: identity.tokenIdentifier, body });
    ```
    """

    code = "CVX405"
    name = "identity-null-check"
    severity = Severity.WARNING
    summary = "Identity (`getUserIdentity`, `getAuthUserId`) used without a null check"

    valid = [
        Valid(SERVER + 'export const create = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  const userId = identity?.subject;\n'
              '  if (!userId) throw new Error("not signed in");\n'
              '  await ctx.db.insert("notes", { userId, author: identity.name ?? "?" });\n}});\n',
              note="checked through an alias read with `?.` (TypeScript narrows `identity` too)"),
        Valid(SERVER + 'export const post = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (identity === null) throw new Error("sign in");\n'
              '  await ctx.db.insert("posts", { author: identity.tokenIdentifier, body });\n}});\n'),
        Valid(SERVER + 'export const me = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const userId = await getAuthUserId(ctx);\n  return userId ? await ctx.db.get("users", userId!) : null;\n}});\n'),
        Valid(SERVER + 'export const who = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity?.subject) throw new Error("sign in");\n'
              '  return identity.subject;\n}});\n'),
        Valid(SERVER + 'export const isAdmin = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  if (identity) {\n'
              '    const user = await ctx.db.query("users").withIndex("by_subject", (q) => q.eq("subject", identity.subject)).first();\n'
              '    return user?.isAdmin ?? false;\n  }\n  return false;\n}});\n',
              note="a checked `const` stays checked inside a callback"),
        Valid(SERVER + 'export const who = mutation({ args: {}, handler: async (ctx) => {\n'
              '  const identity = await ctx.auth.getUserIdentity();\n  switch (identity) {\n'
              '    case null:\n      return null;\n    default:\n      return identity.name ?? identity.subject;\n  }\n}});\n',
              note="a `case null` that returns: TypeScript narrows `identity` in the cases after it"),
    ]
    invalid = [
        Invalid(SERVER + 'export const post = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n'
                '  await ctx.db.insert("posts", { author: identity!.tokenIdentifier, body });\n}});\n', lines=[6]),
        Invalid(SERVER + 'export const mark = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await getAuthUserId(ctx);\n  await ctx.db.patch("users", userId!, { seen: true });\n}});\n',
                lines=[6]),
        Invalid(SERVER + 'export const who = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const identity = await ctx.auth.getUserIdentity();\n  switch (identity) {\n'
                '    case null:\n      console.log("anonymous");\n    default:\n      return identity.subject;\n  }\n}});\n',
                lines=[10], note="the `case null` falls through into the next case"),
        Invalid(SERVER + 'export const post = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {\n'
                '  const { tokenIdentifier } = (await ctx.auth.getUserIdentity())!;\n'
                '  await ctx.db.insert("posts", { author: tokenIdentifier, body });\n'
                '  await ctx.db.patch("users", (await getAuthUserId(ctx))!, { lastPost: Date.now() });\n}});\n',
                lines=[5, 7], message="asserted non-null",
                note="asserted where it is fetched and destructured (or handed on): no check can come first"),
    ]

    def check_module(self, ctx, module):
        facts = module.facts
        analysis = ctx.project.access_analysis
        for site in facts.all_calls():
            kind, what = analysis.classify(facts, site)
            if kind != "identity":
                continue
            asserted = _asserted_in_place(site.node)
            if asserted is not None:
                ctx.report(facts, asserted, f"the result of {what} is asserted non-null (`!`) where it is fetched: it "
                           "is null when nobody is signed in, and then the function fails with a TypeError (or "
                           "goes on with null); check it first and throw (or return)")
                continue
            decl = result_declarator(site.node)
            if decl is None:
                continue
            owner = js.enclosing_function(decl)
            if owner is None:
                continue
            for name in scope.bound_names(decl):
                use = _first_unchecked(owner, name, decl)
                if use is not None:
                    ctx.report(facts, use, f"`{name}` (from {what}) is used here without a null check: it is null "
                               "when nobody is signed in; check it first and throw (or return)")


def _asserted_in_place(call):
    """The `(await call(...))!` around the call, if any (`const { subject } = (await
    ctx.auth.getUserIdentity())!`): nothing can check the value before the assertion."""
    n = js.outer(call)
    p = n.parent
    while p is not None and p.type in ("await_expression", "parenthesized_expression"):
        n, p = p, p.parent
    return p if p is not None and p.type == "non_null_expression" else None


def _first_unchecked(owner, name, decl):
    reads = sorted((r for r in scope.reads_of(owner, name) if r.start > decl.end), key=lambda r: r.start)
    # TypeScript keeps a `const`'s narrowing inside callbacks (`if (identity) { ...map(() =>
    # identity.subject) }`); a `let` may be reassigned before the callback runs.
    through_callbacks = decl.parent is not None and decl.parent.has_tok("const")
    for r in reads:
        if _guarded(r, owner if through_callbacks else None):
            return None
        o = r
        while o.parent is not None and o.parent.type == "parenthesized_expression":
            o = o.parent
        p = o.parent
        if p is None:
            continue
        if p.type == "non_null_expression":
            return p
        if p.type == "member_expression" and o.field == "object" and p.first("optional_chain") is None:
            return p
        if _is_check(r):
            return None
    return None


def _is_check(r) -> bool:
    """A read that tests the value: conditions, comparisons, `!x`, `x ?? ...`, passing it to a
    helper — also through `?.` (`if (!identity?.subject) throw ...`)."""
    o = js.outer(r)
    optional = False
    while o.parent is not None and o.parent.type == "member_expression" and o.field == "object" \
            and o.parent.first("optional_chain") is not None:
        o = js.outer(o.parent)
        optional = True
    p = o.parent
    if p is None:
        return False
    if optional and p.type == "variable_declarator" and o.field == "value":
        return optional_read_checked(o)  # `const userId = identity?.subject; if (!userId) throw`
    if p.type in ("unary_expression", "binary_expression", "arguments", "ternary_expression"):
        return True
    if p.type == "parenthesized_expression" and p.parent is not None and p.parent.type in _CHECKING_PARENTS:
        return True
    if p.type == "switch_statement" and o.field == "value":
        return _switch_exits_on_null(p)
    return False


def _switch_exits_on_null(switch) -> bool:
    """`switch (identity) { case null: return null; default: ... }`: a `case null` (or
    `undefined`) that returns or throws, so no later case runs with the null value."""
    body = switch.child("body")
    for case in body.children if body is not None else ():
        value = js.unwrap(case.child("value")) if case.type == "switch_case" else None
        if value is not None and value.type in ("null", "undefined"):
            stmts = [c for c in case.children if c is not case.child("value")]
            return bool(stmts) and js.always_exits(stmts[-1])
    return False


def _guarded(r, owner=None) -> bool:
    """Is the read inside a branch whose condition mentions the same variable? Branches of
    `owner` and of the functions between it and the read count (None: the read's own
    function only)."""
    child = r
    for a in r.ancestors():
        if a.type in ("if_statement", "ternary_expression") and child.field in ("consequence", "alternative"):
            cond = a.child("condition")
            if cond is not None and any(n.type == "identifier" and n.text == r.text for n in cond.walk()):
                return True
        if a.type == "binary_expression" and (a.has_tok("&&") or a.has_tok("||")) and child.field == "right":
            left = a.child("left")
            if left is not None and any(n.type == "identifier" and n.text == r.text for n in left.walk()):
                return True
        if js.is_function(a) and (owner is None or a is owner):
            return False
        child = a
    return False
