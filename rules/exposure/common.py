"""What CVX301-CVX303 share: server code that reaches a function through `api.` where
`internal.` belongs, and the unsafe fix that makes the target internal everywhere at once."""

from __future__ import annotations

from dataclasses import replace

from cvxlint.project.definitions import ExternalDef
from cvxlint.project.internalize import make_internal, reference_to_internal
from cvxlint.rulekit import Fix, describe_uses, js, memoized, use_related

API_HEADER = ('import { v } from "convex/values";\n'
              'import { action, internalMutation, mutation, query } from "./_generated/server";\n'
              'import { api, internal } from "./_generated/api";\n')


def internal_fix(ctx, fn):
    """The unsafe multi-file fix for `fn` (shared by every finding about it), or None."""
    if fn is None:
        return None

    def compute():
        change = make_internal(ctx.project, fn)
        if change is None or not change.edits:
            return None
        twin = "internal" + fn.kind[0].upper() + fn.kind[1:]
        fix = Fix.unsafe(f"Make `{fn.display_name}` an {twin} and reference it through `internal.` everywhere",
                         *change.edits)
        return replace(fix, imports_kept=tuple(change.imports_kept))

    return memoized(ctx, ("make_internal", id(fn)), compute)


def report_public_references(ctx, app, hows: tuple[str, ...], doing: str) -> None:
    """Report server uses (of the given kinds) that name a public function: through `api.`,
    or by its string name (`runAfter(0, "mails:send", ...)`, untyped code)."""
    if app.layout.is_component:
        return  # a component's public functions are reachable only from its parent app
    for use in ctx.project.call_index.uses_in(app):
        if use.how not in hows or use.language != "server" or use.namespace not in ("api", "name") \
                or not ctx.reported(use.path):  # every finding sits on the use (the editor reports one file)
            continue
        fn = use.target
        if use.namespace == "name":
            # a name reaches internal and public functions alike: only a public one is worth a word
            if fn is not None and fn.is_public and not use.candidate:
                _report_public(ctx, app, use, fn, f'{use.describe()} {doing} `"{use.ref.name}"`, a public function',
                               None)
            continue
        # `api.` holds public functions only; a module that does not exist holds nothing
        module = "/".join(use.ref.path[:-1])
        found = next((m for m in app.modules.values() if m.module_name == module), None)
        if fn is None and found is not None and _made_by_package(ctx, found, use.ref.path[-1]):
            continue  # registered by a package (`convexAuth()`'s signIn): it may have no internal twin
        if fn is not None and fn.is_internal:
            # untyped code (`api` is `anyApi`) reaches an internal function through `api.` too
            written = js.accessor_text('internal', use.ref.path)
            ctx.report(use.path, (use.start, use.end),
                       f"{use.describe()} {doing} `{js.accessor_text('api', use.ref.path)}`, but `{fn.display_name}` "
                       f"is an internal function: `api` lists public functions only; write `{written}`",
                       fix=_namespace_fix(ctx, use, written))
            continue
        public = ", a public function" if fn is not None or found is not None else ""
        what = f"{use.describe()} {doing} `{js.accessor_text('api', use.ref.path)}`{public}"
        if fn is not None and fn.is_public:
            _report_public(ctx, app, use, fn, what, js.accessor_text('internal', use.ref.path))
        else:
            ctx.report(use.path, (use.start, use.end), f"{what}: use an internal function instead")


def _report_public(ctx, app, use, fn, what: str, internal_name: str | None) -> None:
    """`what` (a server use naming public `fn`): advise an internal function; make `fn`
    internal (the fix) when no client calls it, else split it. `internal_name`: the
    `internal.` reference the use becomes; None for a use by string name, which the fix
    leaves as it is (server code may run an internal function by its name)."""
    msg = f"{what}: use an internal function instead"
    fix = None
    clients = [u for u in app.callers(fn) if u.is_client]
    if clients:
        called = "may also be called" if all(u.candidate for u in clients) else "is also called"
        msg += (f"; `{fn.display_name}` {called} by clients ({describe_uses(ctx, clients, 3)}), "
                "so split it into a public wrapper and an internal function")
    else:
        if internal_name is not None:
            msg += f" (no client calls `{fn.display_name}`: make it internal and use `{internal_name}`)"
        else:
            msg += (f" (no client calls `{fn.display_name}`: make it internal; server code may run an internal "
                    "function by its name, so this call can stay as it is)")
        fix = internal_fix(ctx, fn)
    ctx.report(use.path, (use.start, use.end), msg, fix=fix,
               related=use_related(ctx, clients, f"a client calls `{fn.display_name}` here"))


def _made_by_package(ctx, module, name: str) -> bool:
    """Is export `name` of `module` taken from what a package's function returns
    (`export const { signIn, signOut } = convexAuth(...)`)?"""
    b = module.facts.bindings.get(name)
    if b is None or b.value is None or b.value.type != "call_expression":
        return False
    d = ctx.project.linker.value_of(module.facts, js.callee(b.value))
    return isinstance(d, ExternalDef)


def _namespace_fix(ctx, use, written: str):
    """Safe: the reference names the same function; only its namespace changes."""
    change = reference_to_internal(ctx.project, use)
    if change is None or not change.edits:
        return None
    return replace(Fix.safe(f"Write `{written}`", *change.edits), imports_kept=tuple(change.imports_kept))

