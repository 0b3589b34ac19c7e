"""Calls from function handlers into plain helper functions, across files.

`reach(facts, handler)` lists every function a handler can run — itself, then the helpers
it calls (`await requireUser(ctx)`, `Users.get(ctx, id)`, `import * as lib ...; lib.f()`),
transitively — together with the chain of call sites that leads there and where the
handler's `ctx` went (which parameter of the helper receives it). Rules use this to see,
for example, that a query reaches `fetch` through `lib/remote.ts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..syntax import js
from .definitions import Def, Linker
from .facts import CallSite, FileFacts, FunctionInfo

if TYPE_CHECKING:
    from .derived import Derivations


@dataclass(frozen=True, slots=True)  # one per function reached from each handler: many
class Reached:
    facts: FileFacts
    func: FunctionInfo
    via: tuple[tuple[FileFacts, CallSite], ...]  # helper calls leading here (empty for the start)
    ctx_index: int | None  # which parameter of `func` holds the handler's ctx (None: not passed)
    ctx_path: tuple[str, ...] = ()  # ...and which part of it: ("db",) when `ctx.db` was passed

    @property
    def depth(self) -> int:
        return len(self.via)

    def ctx_uses(self):
        """Member chains on the handler's ctx inside this function: (ParamUse, full path)."""
        if self.ctx_index is None:
            return
        for use in self.func.all_param_uses():
            r = use.ref
            if r.func is self.func and r.index == self.ctx_index:
                yield use, self.ctx_path + use.path

    def ctx_calls(self):
        """Calls on the handler's ctx inside this function: (CallSite, full path)."""
        if self.ctx_index is None:
            return
        for site in self.func.all_calls():
            r = site.ref
            if r is not None and r.kind == "param" and r.func is self.func and r.index == self.ctx_index:
                yield site, self.ctx_path + site.path


class CallGraph:
    def __init__(self, linker: Linker, derived: "Derivations | None" = None, max_depth: int = 8):
        self.linker = linker
        self.derived = derived
        self.max_depth = max_depth
        self._callees: dict[int, tuple[FileFacts, FunctionInfo] | None] = {}
        self._reach: dict[int, list[Reached]] = {}

    def callee(self, facts: FileFacts, site: CallSite) -> tuple[FileFacts, FunctionInfo] | None:
        """The project function a call site calls, if it is one we can see."""
        key = id(site)
        if key in self._callees:
            return self._callees[key]
        result = None
        r = site.ref
        if r is not None and not site.is_new:
            if r.kind == "local" and r.func is not None and len(site.path) == 1:
                for child in r.func.children:
                    if child.name == r.name and not (site.func is not None and child is site.func):
                        result = (facts, child)
                        break
            elif r.kind == "module" and site.callee is not None:
                d = self.linker.value_of(facts, site.callee)
                if isinstance(d, Def) and not d.path and js.is_function(d.node):
                    info = d.facts.function_for(d.node)
                    if info is not None:
                        result = (d.facts, info)
        self._callees[key] = result
        return result

    def reach(self, facts: FileFacts, start: FunctionInfo) -> list[Reached]:
        """`start` and every helper function it calls, transitively (breadth first)."""
        key = id(start)
        hit = self._reach.get(key)
        if hit is None:
            if self.derived is not None:  # helpers reached depend on `facts` and what it imports
                hit = self.derived.get(facts, ("reach", key), lambda: self._walk(facts, start))
            else:
                hit = self._walk(facts, start)
            self._reach[key] = hit
        return hit

    def _walk(self, facts: FileFacts, start: FunctionInfo) -> list[Reached]:
        out = [Reached(facts, start, (), 0 if start.params else None)]
        seen = {id(start)}
        i = 0
        while i < len(out):
            cur = out[i]
            i += 1
            if cur.depth >= self.max_depth:
                continue
            for site in cur.func.all_calls():
                target = self.callee(cur.facts, site)
                if target is None:
                    continue
                tfacts, tfunc = target
                if id(tfunc) in seen or tfunc.is_inside(cur.func):
                    continue
                seen.add(id(tfunc))
                ctx_index, ctx_path = _ctx_flow(cur, site)
                out.append(Reached(tfacts, tfunc, cur.via + ((cur.facts, site),), ctx_index, ctx_path))
        return out


def _ctx_flow(cur: Reached, site: CallSite) -> tuple[int | None, tuple[str, ...]]:
    """Which argument of `site` carries the handler's ctx (or a part of it, like `ctx.db`)."""
    if cur.ctx_index is None:
        return None, ()
    for i, arg in enumerate(js.call_args(site.node)):
        a = js.unwrap(arg)
        if a is None:
            continue
        chain = js.member_chain(a)
        if chain is None or chain[0].type != "identifier":
            continue
        root, props = chain
        ref = site.func.lookup(root.text or "") if site.func is not None else None
        if ref is not None and ref.kind == "param" and ref.func is cur.func and ref.index == cur.ctx_index:
            return i, cur.ctx_path + ref.path + tuple(props)
    return None, ()




# --- code for one kind of function only ----------------------------------------------------------
# A helper shared by queries, mutations and actions tests `"db" in ctx`: queries and mutations
# have `ctx.db`, actions do not, so one side of the test never runs for a given kind.


def kind_can_run(kind: str, r: Reached, node=None) -> bool:
    """Can a `kind` handler run the helper call chain leading to `r` (and `node` in `r.func`)?
    False when one of those calls sits where a `"db" in ctx` test rules that kind out."""
    has_db = kind in ("query", "mutation")
    sites = [site.node for _facts, site in r.via]
    if node is not None:
        sites.append(node)
    return all(_db_branch(n) in (None, has_db) for n in sites)


def _db_branch(node) -> bool | None:
    """True/False when `node` runs only where `"db" in ctx` holds / fails; None: either."""
    child = node
    for a in node.ancestors():
        if js.is_function(a):
            return None
        if a.type in ("if_statement", "ternary_expression") and child.field in ("consequence", "alternative"):
            t = _db_test(a.child("condition"))
            if t is not None:
                return t if child.field == "consequence" else not t
        if a.type == "statement_block":
            # after `if ("db" in ctx) { ...; return }`, only the other kind gets here
            for prev in a.children:
                if prev is child:
                    break
                if prev.type == "if_statement" and prev.child("alternative") is None \
                        and js.always_exits(prev.child("consequence")):
                    t = _db_test(prev.child("condition"))
                    if t is not None:
                        return not t
        child = a
    return None


def _db_test(cond) -> bool | None:
    """`"db" in ctx` (or `ctx.db`, `ctx.db?.query`) -> True, `!("db" in ctx)` -> False,
    anything else -> None."""
    cond = js.unwrap(cond)
    if cond is None:
        return None
    if cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
        inner = _db_test(cond.children[0])
        return None if inner is None else not inner
    if cond.type == "binary_expression" and cond.has_tok("in") and js.string_value(cond.child("left")) == "db":
        return True
    if cond.type == "member_expression":
        # `if (ctx.db)`, `if (ctx.db?.query)`: a helper shared by all kinds asking for a database
        chain = js.member_chain(cond)
        if chain is not None and chain[0].type == "identifier" and list(chain[1][:1]) == ["db"] and len(chain[1]) <= 2:
            return True
    return None
