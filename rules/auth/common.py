"""What the auth rules share."""

from __future__ import annotations

from cvxlint.rulekit import js


def result_declarator(call):
    """The `variable_declarator` of `const x = await call(...)` (parentheses allowed), when
    the call's result is stored in a plain identifier; else None."""
    n = js.outer(call)
    p = n.parent
    while p is not None and p.type in ("await_expression", "parenthesized_expression"):
        n, p = p, p.parent
    if p is not None and p.type == "variable_declarator" and n.field == "value" \
            and p.child("name") is not None and p.child("name").type == "identifier":
        return p
    return None


def caller_id_advice(ctx, app) -> str:
    """How the app's code finds who is calling, as advice for a message: Convex Auth's
    `getAuthUserId(ctx)` when users sign in through it, else the identity the app's issuer
    (Clerk, Auth0, Better Auth) gives, which has no `getAuthUserId`."""
    if ctx.project.convex_auth_signs_in(app):
        return "`getAuthUserId(ctx)`"
    return "`(await ctx.auth.getUserIdentity())?.tokenIdentifier` (or its `subject`)"
