from pathlib import Path

from cvxlint.project.definitions import Def
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, memoized, per_file
from cvxlint.syntax.scope import is_type_context

from .common import v_call

SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'import { statusValidator } from "./tasks";\n'
          'export const priority = v.union(v.literal("low"), v.literal("high"));\n'
          'export default defineSchema({ tasks: defineTable({ status: statusValidator, priority }) });\n')

# helpers that import the schema back (triage G58a P3): function declarations are made when the
# file is instantiated, `const`s (an arrow function's too) only when it runs
HELPERS = ('import { v } from "convex/values";\nimport schema from "./schema";\n'
           'const base = { note: v.optional(v.string()) };\n'
           'export function optionalOf(x) {\n  return v.optional(x);\n}\n'
           'export default function (x) {\n  return v.array(x);\n}\n'
           'export function withBase(x) {\n  return { ...base, ...x };\n}\n'
           'export const statusOf = () => v.string();\n'
           'export function tableNames() {\n  return Object.keys(schema.tables);\n}\n')
SCHEMA_HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'


class NoValidatorImportCycle(Rule):
    """A validator built at import time from a binding of an import cycle.

    ## What it does
    Finds import cycles among the files of the functions directory — counting only imports
    that exist at run time (`import type`, and imports whose names are used only as types,
    are erased by TypeScript and do not count) — and flags every use of a name imported
    from the cycle inside a validator expression evaluated at module load: `v.*(...)`,
    `defineTable(...)`, `defineSchema(...)`, or a registration's `args`/`returns`. Uses
    inside function bodies run later and are fine, and so is a function declaration
    (`export function partial(fields) {...}`, `export default function`): it exists from the
    moment its file is instantiated, before any file of the cycle runs, unless what it reads
    when called is a `const` or class of the cycle (an arrow function in a `const` is
    flagged like any `const`). The official plugin's
    no-schema-import-cycle only looks at cycles through `schema.ts`, and counts type-only
    imports.

    ## Why is this bad?
    Inside a cycle one of the files runs first and sees the other's exports still
    undefined: "A validator is undefined for field …; this is often caused by circular
    imports" (https://docs.convex.dev/error#undefined-validator).

    ## Example
    ```ts
    // convex/schema.ts imports statusValidator from "./tasks", and convex/tasks.ts:
    import { priority } from "./schema";
    export const add = mutation({ args: { priority }, handler: async () => {} });
    ```
    Use instead: move shared validators to a file that imports neither, e.g.
    `convex/validators.ts`, and import them from both.
    """

    code = "CVX509"
    name = "no-validator-import-cycle"
    severity = Severity.ERROR
    summary = "Validator built at import time from a name in an import cycle"
    plugin_rules = ("no-schema-import-cycle",)

    valid = [
        Valid('import { mutation } from "./_generated/server";\nimport type { Doc } from "./_generated/dataModel";\n'
              'import { v } from "convex/values";\nexport const statusValidator = v.string();\n'
              'import type { priority } from "./schema";\n'
              'export const add = mutation({ args: {}, handler: async (ctx, a: { p?: typeof priority }) => {} });\n',
              path="convex/tasks.ts", files={"convex/schema.ts": SCHEMA}, note="a type-only import is erased"),
        Valid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
              'import { priority } from "./schema";\nexport const statusValidator = v.string();\n'
              'export const add = mutation({ args: {}, handler: async () => priority });\n',
              path="convex/tasks.ts", files={"convex/schema.ts": SCHEMA}, note="used only inside a handler"),
        Valid(SCHEMA_HEAD + 'import listOf, { optionalOf } from "./helpers";\n'
              'export default defineSchema({ tags: defineTable({ label: optionalOf(v.string()), aliases: listOf(v.string()) }) });\n',
              path="convex/schema.ts", files={"convex/helpers.ts": HELPERS},
              note="function declarations (a default export's too) that read nothing of the cycle when called"),
    ]
    invalid = [
        Invalid('import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'import { priority } from "./schema";\nexport const statusValidator = v.string();\n'
                'export const add = mutation({ args: { p: priority }, handler: async () => {} });\n',
                path="convex/tasks.ts", files={"convex/schema.ts": SCHEMA}, lines=[5], message="convex/schema.ts"),
        Invalid(SCHEMA_HEAD + 'import { statusOf, withBase } from "./helpers";\n'
                'export default defineSchema({ tags: defineTable(withBase({ label: v.string() })),\n'
                '  notes: defineTable({ status: statusOf() }) });\n',
                path="convex/schema.ts", files={"convex/helpers.ts": HELPERS}, lines=[4, 5],
                note="a function declaration that reads a `const` of the cycle, and an arrow function in a `const`"),
    ]

    def check_module(self, ctx, module):
        cycles = _cycles(ctx, module.app)
        facts = module.facts
        path = module.path
        component = cycles.get(path)
        if component is None:
            return
        imported: dict[str, Path] = {}
        in_cycle = {str(p): p for p in component}
        for imp in facts.imports:
            if imp.type_only or not imp.local:
                continue
            other = _file_in(ctx, path, imp.source, in_cycle)
            if other is not None and other != path:
                imported[imp.local] = other
        if not imported:
            return
        defs = {id(fn.args_node) for fn in module.app.functions_in(module) if fn.args_node is not None}
        defs |= {id(fn.returns_node) for fn in module.app.functions_in(module) if fn.returns_node is not None}
        uses = sorted((n for name in imported for n in facts.module.identifiers(name)), key=lambda n: n.start)
        for n in uses:
            if n.parent is not None and n.parent.type == "import_specifier":
                continue
            if js.enclosing_function(n) is not None or is_type_context(n):
                continue
            if not _in_validator(ctx, facts, n, defs):
                continue
            if _initialized_early(ctx, ctx.project.linker.value_of(facts, n), in_cycle, set()):
                continue
            other = imported[n.text]
            ctx.report(facts, n, f"`{n.text}` comes from {_rel(module.app, other)}, which imports this file back "
                       "(an import cycle): when that file loads first, `" + (n.text or "") + "` is still undefined "
                       "here; move the shared validator to a file outside the cycle")


# declarations a module's functions are made from when the module is instantiated, before
# any module of the cycle runs (what is in the temporal dead zone is `const`/`let`/`class`)
_HOISTED = frozenset(("function_declaration", "generator_function_declaration"))


def _hoisted(node) -> bool:
    """A function declaration, also `export default function () {}` (a declaration too, not
    the expression `export default (function () {})` or an arrow function)."""
    return node.type in _HOISTED or (node.type in ("function_expression", "generator_function")
                                     and node.parent is not None and node.parent.type == "export_statement")


def _initialized_early(ctx, d, in_cycle: dict, seen: set) -> bool:
    """Is `d`, a definition imported from a file of the cycle, usable before that file runs?
    A function declaration is, as long as what it reads when called is too: a module-level
    `const` (or class) of a file of the cycle is not, a package's export or a file's outside
    the cycle is, another function declaration is when its own reads are."""
    if not isinstance(d, Def) or d.path or not _hoisted(d.node):
        return False
    if id(d.node) in seen:
        return True
    seen.add(id(d.node))
    facts = d.facts
    for n in facts.module.nodes_in(d.node, "identifier", "shorthand_property_identifier"):
        ref = facts.ref_of(n)
        if ref is not None and ref.kind in ("local", "param", "global") or is_type_context(n):
            continue
        p = n.parent
        if p is not None and p.type in _HOISTED and n.field == "name":
            continue
        read = ctx.project.linker.value_of(facts, n)
        if isinstance(read, Def) and str(read.facts.path) in in_cycle and not _initialized_early(ctx, read, in_cycle, seen):
            return False
    return True


def _in_validator(ctx, facts, n, defs) -> bool:
    for a in n.ancestors():
        if id(a) in defs:
            return True
        if a.type == "call_expression":
            if v_call(ctx, facts, a):
                return True
            callee = js.callee(a)
            if callee is not None and callee.type == "identifier" and callee.text in ("defineTable", "defineSchema"):
                return True
    return False


def _cycles(ctx, app) -> dict:
    """File -> the set of files of its import cycle (strongly connected component), for files in one."""

    def compute():
        files = {str(m.path): m.path for m in app.modules.values()}
        edges: dict[Path, set[Path]] = {}
        for m in app.modules.values():
            targets = per_file(ctx, m.facts, ("CVX509", "value imports"), lambda: _value_imports(ctx, m.facts))
            edges[m.path] = {files[t] for t in targets if t in files}
        result: dict[Path, frozenset] = {}
        for comp in _scc(edges):
            if len(comp) > 1:
                fs = frozenset(comp)
                for p in comp:
                    result[p] = fs
        return result

    return memoized(ctx, ("import_cycles", id(app)), compute)


def _value_imports(ctx, facts) -> frozenset[str]:
    """The files whose code loading `facts` loads first: imports used as values, re-exports."""
    used = facts.imports_used_as_values()
    sources = [imp.source for imp in facts.imports
               if not imp.type_only and not (imp.local and imp.local not in used and imp.imported != "")]
    sources += [src for src, _stmt, type_only in facts.reexport_statements() if not type_only]
    targets = (ctx.project.resolver.resolve(facts.path, src) for src in sources)
    return frozenset(t.name for t in targets if t is not None and t.kind == "file")


def _file_in(ctx, path: Path, source: str, files: dict[str, Path]) -> Path | None:
    """The file among `files` (by name) that `source`, imported from `path`, resolves to."""
    t = ctx.project.resolver.resolve(path, source)
    return files.get(t.name) if t is not None and t.kind == "file" else None


def _scc(edges: dict) -> list[list]:
    """Tarjan's strongly connected components, iteratively."""
    index: dict = {}
    low: dict = {}
    on: set = set()
    stack: list = []
    out: list[list] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(edges.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == node:
                        break
                out.append(comp)
    return out


def _rel(app, path: Path) -> str:
    try:
        return path.relative_to(app.root).as_posix()
    except ValueError:
        return path.name
