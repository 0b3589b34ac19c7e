"""Making a public function internal: every edit it takes, across files.

A function that only server code calls should be internal (convex-rules.md, family 3).
Turning it internal means, all at once:

1. registering it with the internal twin of its builder (`mutation` -> `internalMutation`,
   `queryGeneric` -> `internalQueryGeneric`), importing that name from where the public one
   came from (and dropping the public one when nothing else reads it);
2. rewriting every `api.x.y` that names it to `internal.x.y`, importing `internal` from the
   same `_generated/api` (and dropping `api` when nothing else reads it).

`make_internal(project, fn)` returns those edits, or None when the change cannot be done
mechanically: a client (frontend or Python) calls the function or names it in a type, the
builder is a custom wrapper with no known internal twin, or a reference is built in a way we
cannot rewrite (`anyApi`, a string name, a partial reference such as `const m = api.tasks;
m.list`), or a reference cannot take `internal` as written (a local of that name in its scope, an
`import type` of that name, a parameter typed `FunctionReference<"mutation">`, whose visibility
defaults to "public"). References in types (`FunctionReturnType<typeof api.x.y>`) are rewritten too:
`api.x.y` stops existing.

An import that one fix keeps only because another reference still reads it (two functions
of one file made internal in the same pass) is listed in `imports_kept`: the fix loop drops
it once nothing reads it any more.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import edits as E
from ..diagnostics import Edit
from ..syntax import js
from ..syntax.tree import Node
from .facts import FileFacts, Import

if TYPE_CHECKING:
    from .builders import RegisteredFunction
    from .model import Project

INTERNAL_TWIN = {
    "query": "internalQuery", "mutation": "internalMutation", "action": "internalAction",
    "queryGeneric": "internalQueryGeneric", "mutationGeneric": "internalMutationGeneric",
    "actionGeneric": "internalActionGeneric",
}


class Internalizing(NamedTuple):
    edits: list[Edit]
    imports_kept: list[tuple[str, str]]  # (path, local name) kept for another reader


def make_internal(project: "Project", fn: "RegisteredFunction") -> Internalizing | None:
    if not fn.is_public or fn.builder.origin not in ("generated", "generic") or not fn.exported:
        return None
    twin = INTERNAL_TWIN.get(fn.builder.name)
    if twin is None:
        return None
    uses = [*fn.module.app.callers(fn), *project.call_index.type_mentions(fn)]
    if any(u.is_client for u in uses):
        return None
    result = Internalizing([], [])
    if not _builder_edits(project, fn, twin, result):
        return None
    rewrites: dict[str, tuple[FileFacts, list]] = {}
    for u in uses:
        if u.language in ("server", "cli") and u.namespace == "name":
            # `ctx.runQuery("orders:total")`, `npx convex run orders:total`: server code and the
            # admin key reach internal functions by name too
            continue
        root = _api_root(u)
        if root is None:
            return None
        if u.how == "reference" and not _may_hold_internal(project, u):
            return None
        facts = u.ref.origin_facts
        entry = rewrites.setdefault(facts.path, (facts, []))
        if all(r is not root for r in entry[1]):
            entry[1].append(root)
    for facts, roots in rewrites.values():
        if not _reference_edits(project, facts, roots, result):
            return None
    return result


def reference_to_internal(project: "Project", use) -> Internalizing | None:
    """The edits that write one `api.x.y` reference (a `FunctionUse`) as `internal.x.y`, for
    a function that is internal already (untyped code, where `api` and `internal` are both
    `anyApi`, reaches it either way)."""
    root = _api_root(use)
    if root is None:
        return None
    result = Internalizing([], [])
    return result if _reference_edits(project, use.ref.origin_facts, [root], result) else None


def reference_text(namespace: str, identifier: str) -> str:
    """`internal.flows.record` for ("internal", "flows:record")."""
    module, _, name = identifier.partition(":")
    return js.accessor_text(namespace, (*module.split("/"), name))


def reference_in_place(project: "Project", facts: FileFacts, node: Node, namespace: str, identifier: str,
                       functions_dir) -> Edit | None:
    """The edit that writes `node`, an expression holding a registered function itself, as
    the reference naming it (`internal.flows.record` for `namespace` "internal" and
    `identifier` "flows:record"), when the file already imports `namespace` from the
    `_generated/api` of the app whose functions directory is `functions_dir`, under a name
    no local hides at `node`; None otherwise."""
    imp = _generated_import(project, facts, namespace, functions_dir)
    if imp is None or _shadowed(facts, node, imp.local):
        return None
    return Edit(facts.path, node.start, node.end, reference_text(imp.local, identifier))


def _generated_import(project: "Project", facts: FileFacts, name: str, functions_dir) -> Import | None:
    """The value import of `name` (`internal`, `api`) from the `_generated/api` of the app
    whose functions directory is `functions_dir`, if the file has one."""
    for imp in facts.imports:
        if imp.imported == name and not imp.type_only:
            t = project.resolver.resolve(Path(facts.path), imp.source)
            if t is not None and t.kind == "generated" and t.name == "api" and t.functions_dir == functions_dir:
                return imp
    return None


def _api_root(use) -> Node | None:
    """The `api` identifier a use's reference chain starts from (`api` of `api.x.y`), when
    it can be rewritten in place."""
    ref = use.ref
    if ref is None or ref.namespace != "api" or not ref.rewritable or ref.origin_facts is None:
        return None
    chain = js.member_chain(ref.origin)
    return chain[0] if chain is not None and chain[0].type == "identifier" else None


def _builder_edits(project: "Project", fn: "RegisteredFunction", twin: str, result: Internalizing) -> bool:
    facts = fn.facts
    callee = js.callee(fn.call)
    if callee is None or callee.type != "identifier":
        return False
    imp = facts.import_of(callee.text or "")
    if imp is None or imp.type_only or imp.imported != fn.builder.name:
        return False
    stmt = E.statement_of(imp)
    if stmt is None:
        return False
    still_read = E.references(facts, imp.local, {id(callee)}) > 0
    if still_read:
        result.imports_kept.append((facts.path, imp.local))
    existing = _named_import(facts, imp.source, twin)
    if existing is not None:
        result.edits.append(Edit(facts.path, callee.start, callee.end, existing.local))
        if not still_read:
            result.edits.append(E.remove_specifier(facts, imp.node))
        return True
    if _name_taken(facts, twin):
        return False  # the twin's name is taken by something else in this file
    result.edits.append(Edit(facts.path, callee.start, callee.end, twin))
    if not still_read:  # `query` or `query as publicQuery` -> `internalQuery`
        result.edits.append(E.rename_specifier(facts, imp.node, twin))
    else:
        add = E.add_specifier(facts, stmt, twin)
        if add is None:
            return False
        result.edits.append(add)
    return True


def _name_taken(facts: FileFacts, name: str) -> bool:
    """Is `name` declared at module level? An `import type` counts: importing the value
    under the same name is a duplicate identifier (TS2300)."""
    return name in facts.bindings or facts.import_of(name) is not None


def _shadowed(facts: FileFacts, node: Node, name: str) -> bool:
    """Does a local of a function around `node` hide the module-level `name` there?"""
    func = facts.enclosing_function(node)
    return func is not None and func.lookup(name) is not None


def _may_hold_internal(project: "Project", use) -> bool:
    """Can the place a reference is passed to or stored in hold an internal reference? Not
    when its declared type is `FunctionReference` with the visibility left out (it defaults
    to "public") or written "public": there `internal.x.y` fails to type-check."""
    facts = use.ref.origin_facts
    node = js.outer(use.ref.origin)
    parent = node.parent
    annotation = None
    if parent is not None and parent.type == "variable_declarator" and node.field == "value":
        annotation = parent.child("type")
    elif parent is not None and parent.type == "arguments" and parent.parent is not None:
        index = next((i for i, a in enumerate(js.call_args(parent.parent)) if a is node), None)
        d = project.linker.value_of(facts, js.callee(parent.parent))
        fn = getattr(d, "node", None)
        if index is not None and fn is not None and js.is_function(fn):
            params = js.function_params(fn)
            if index < len(params) and params[index].type in ("required_parameter", "optional_parameter"):
                annotation = params[index].child("type")
    if annotation is None:
        return True
    for n in annotation.walk():
        name = n.child("name") if n.type == "generic_type" else None
        if name is not None and name.type == "nested_type_identifier":  # `server.FunctionReference`
            name = name.child("name")
        if name is None or name.text != "FunctionReference":
            continue
        targs = n.child("type_arguments")
        visibility = facts.text(targs.children[1]) if targs is not None and len(targs.children) > 1 else '"public"'
        if '"public"' in visibility and '"internal"' not in visibility:
            return False
    return True


def _named_import(facts: FileFacts, source: str, imported: str) -> Import | None:
    for imp in facts.imports:
        if imp.source == source and imp.imported == imported and not imp.type_only:
            return imp
    return None


def _reference_edits(project: "Project", facts: FileFacts, roots: list, result: Internalizing) -> bool:
    """Rewrite `api` to `internal` at each chain root in one file, fixing the imports."""
    api_name = roots[0].text or ""
    if any(r.text != api_name for r in roots):
        return False
    api_imp = facts.import_of(api_name)
    if api_imp is None or api_imp.imported != "api" or api_imp.type_only:
        return False
    target = project.resolver.resolve(Path(facts.path), api_imp.source)
    if target is None or target.kind != "generated" or target.name != "api":
        return False
    internal_imp = _generated_import(project, facts, "internal", target.functions_dir)
    if internal_imp is None and _name_taken(facts, "internal"):
        return False  # `internal` means something else here
    local = internal_imp.local if internal_imp is not None else "internal"
    if any(_shadowed(facts, r, local) for r in roots):
        return False  # a local of that name would take the rewritten reference
    result.edits.extend(Edit(facts.path, r.start, r.end, local) for r in roots)
    api_still_read = E.references(facts, api_name, {id(r) for r in roots}) > 0
    if api_still_read:
        result.imports_kept.append((facts.path, api_name))
    if internal_imp is None:
        if not api_still_read:  # `api` or `api as a` -> `internal`
            result.edits.append(E.rename_specifier(facts, api_imp.node, "internal"))
        else:
            stmt = E.statement_of(api_imp)
            add = E.add_specifier(facts, stmt, "internal") if stmt is not None else None
            if add is None:
                return False
            result.edits.append(add)
    elif not api_still_read:
        result.edits.append(E.remove_specifier(facts, api_imp.node))
    return True
