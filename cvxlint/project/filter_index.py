"""Which index a query's filter could use instead: the reading CVX202 reports (use `withIndex`)
and CVX710 respects (an index such a filter could use is wanted, not unused)."""
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..syntax import js
from ..syntax.tree import Node
from .queries import Conjunct, EntsTableCall, Filter, PostFilter, QueryChain
from .schema import BUILTIN_INDEXES, Index, Schema, Table


@dataclass(eq=False, slots=True)
class FilterIndex:
    """One filter of a query, and the index whose range could do its work.

    kind: "filter" — `.filter(q => q.eq(...))` (only equalities) on a query with no index;
          "after_range" — such a filter after a `withIndex` range of `.eq`s, and a longer
          index holding both;
          "own_range" — such a filter after a `withIndex` with no range, on the leading
          fields of that index: its own range reads only the matching rows, in the same order;
          "bound" — a `.filter` whose equalities and bound (`q.gte(q.field("t"), x)`) go on
          with an index after the query's `.eq`s: the query's own (`withIndex("by_t")` with no
          range: rows and order unchanged) or a longer one (`by_doc` -> `by_doc_t`: the rows
          then come in that index's order);
          "post_filter" — a JS `.filter/.find` over the rows a query collected;
          "by_id" — such a JS `.filter/.find` comparing `_id`, over the rows of a query with
          no index: the one document it looks for is `db.get`'s (index None).
    index: None for "by_id", and for "filter" when no index fits (the fields of `filter.eqs`).
    exact: "filter" — the index has exactly the compared fields (otherwise they are its
           leading fields, and it gives the rows in its own order).
    joined: "bound" on the query's own index, read by `_own_range_bound`: the filter's terms
           its range takes (bounds on the field after the range's `.eq`s, joining a bound the
           range may already have), and `kept`, the ones that stay in `.filter`; both empty
           for the other "bound" findings (`_own_index_bound`: every term goes in the range)."""

    chain: QueryChain
    table: Table
    kind: str
    filter: Filter | PostFilter
    index: Index | None = None
    exact: bool = False
    joined: list[Conjunct] = field(default_factory=list)
    kept: list[Conjunct] = field(default_factory=list)


def filter_indexes(chains: Iterable[QueryChain], schema: Schema | None) -> Iterator[FilterIndex]:
    """Every filter of `chains` on a table the schema declares that an index range could do,
    each filter once (a chain built through a variable shares its filter with the others)."""
    if schema is None or not schema.readable:
        return
    seen: set[int] = set()
    for ch in chains:
        table = schema.table(ch.table) if ch.table else None
        if table is None or ch.system or not table.known:
            continue
        one = single_filter(ch)
        lead = one if one is not None and one.eqs else leading_equalities(ch)
        if not ch.uses_index and not ch.index_conditional and ch.full_table_scan is None and lead is not None:
            f = lead
            if id(f.node) not in seen and not f.helper and f.eqs:
                seen.add(id(f.node))
                fields = [name for name, _n, _v in f.eqs]
                if len(set(fields)) == len(fields):
                    idx, exact = covering_index(table, fields)
                    yield FilterIndex(ch, table, "filter", f, idx, exact)
        elif ch.index_call is not None and ch.search_call is None and one is not None:
            f = one
            if id(f.node) not in seen and not f.helper and f.eqs:
                seen.add(id(f.node))
                idx = _own_index_eqs(ch, f, table)
                if idx is not None:
                    yield FilterIndex(ch, table, "own_range", f, idx)
                    continue
                idx = _index_after_range(ch, f, table)
                if idx is not None:
                    yield FilterIndex(ch, table, "after_range", f, idx)
            elif id(f.node) not in seen and not f.helper and any(c.op in _BOUND_OPS for c in f.conjuncts):
                seen.add(id(f.node))
                idx = _own_index_bound(ch, f, table) if f.bounded is not None else None
                split = _own_range_bound(ch, f, table)
                if split is not None and (idx is None or (idx is split[0] and not split[2])):
                    yield FilterIndex(ch, table, "bound", f, split[0], joined=split[1], kept=split[2])
                elif idx is not None:
                    yield FilterIndex(ch, table, "bound", f, idx)
        for pf in ch.post_filters:
            if id(pf.node) not in seen:
                seen.add(id(pf.node))
                if _finds_by_id(ch, pf):
                    yield FilterIndex(ch, table, "by_id", pf)
                    continue
                idx = _index_for_post_filter(ch, pf, table)
                if idx is not None:
                    yield FilterIndex(ch, table, "post_filter", pf, idx)


def builtin_lookup(fi: FilterIndex) -> str | None:
    """For a "filter" that no index of the schema fits: the built-in way to do its work,
    "_id" (`db.get`) when it compares `_id`, "_creationTime" (the `by_creation_time` index)
    when it compares only that; None otherwise. An index may not name a system field (the
    push rejects it, CVX706), so these are the only ones that serve them."""
    if fi.kind != "filter" or fi.index is not None:
        return None
    fields = [name for name, _n, _v in fi.filter.eqs]
    if any(fi.table.has_field(x) is not True for x in fields):
        return None
    if any(vi.vector_field in fields for vi in fi.table.vector_indexes):
        return None  # an embedding: compared for presence on purpose
    if "_id" in fields:
        return "_id"
    if fields == ["_creationTime"]:
        return "_creationTime"
    return None


_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def new_index_name(table: Table, fields: list[str]) -> str | None:
    """`by_<fields>` (numbered when taken) for an index on `fields`; None when that is no
    valid index name."""
    base = "by_" + "_".join(x.replace(".", "_") for x in fields)
    # the built-in `by_id` and `by_creation_time` are taken in every table (Convex refuses them)
    taken = {*BUILTIN_INDEXES, *(i.name for i in (*table.indexes, *table.search_indexes, *table.vector_indexes))}
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name if len(name) <= 64 and _IDENT.match(name) else None


def index_to_add(fi: FilterIndex) -> str | None:
    """For a "filter" that no index of the schema fits: the name of the index to add for it
    (CVX202 tells to add it and query through it, which ends the scan as well). None when it
    compares a field the table may not have, an embedding, or a system field (no index may
    name one: `builtin_lookup`), when no name fits, or when the table is defined outside the
    schema file (no `.index` can be added there)."""
    if fi.kind != "filter" or fi.index is not None:
        return None
    fields = [name for name, _n, _v in fi.filter.eqs]
    table = fi.table
    if any(table.has_field(x) is not True for x in fields) or any(x.startswith("_") for x in fields):
        return None
    if any(vi.vector_field in fields for vi in table.vector_indexes):
        return None  # an embedding: compared for presence on purpose, never worth an index of its own
    return None if table.external else new_index_name(table, fields)


def single_filter(ch: QueryChain) -> Filter | None:
    """The chain's one filter; or its equality filters chained one right after the other,
    read as the one `q.and` they mean (`.filter(q => q.eq(q.field("a"), x)).filter(q =>
    q.eq(q.field("b"), y))`: same rows, same order), reported at the first; else None."""
    fs = ch.filters
    if len(fs) == 1:
        return fs[0]
    if len(fs) < 2 or any(f.helper or not f.eqs or f.param is None for f in fs):
        return None
    for prev, f in zip(fs, fs[1:]):
        callee = js.callee(f.node)
        if callee is None or callee.type != "member_expression" or js.unwrap(callee.child("object")) is not prev.node:
            return None  # another step in between, or built through a variable
    first = fs[0]
    return Filter(first.node, first.predicate, [x for f in fs for x in f.fields], [e for f in fs for e in f.eqs],
                  first.param, field_nodes=[x for f in fs for x in f.field_nodes], chained=[f.node for f in fs[1:]])


def leading_equalities(ch: QueryChain) -> Filter | None:
    """The equality filters a chain starts with, chained one right after the other, read as
    one `q.and` when other filters follow (`.filter(q => q.eq(q.field("a"), x)).filter(q =>
    q.gt(q.field("t"), y))`): an index range can do the first part, the rest stays a filter."""
    fs = ch.filters
    conditional = {id(s.node) for s in ch.steps if s.conditional}
    run = []
    for f in fs:
        if f.helper or not f.eqs or f.param is None or id(f.node) in conditional:
            break  # a filter applied only on some paths: the others still scan (CVX204)
        if run:
            callee = js.callee(f.node)
            if callee is None or callee.type != "member_expression" or js.unwrap(callee.child("object")) is not run[-1].node:
                break
        run.append(f)
    if not run or len(run) == len(fs):
        return None
    first = run[0]
    return Filter(first.node, first.predicate, [x for f in run for x in f.fields], [e for f in run for e in f.eqs],
                  first.param, field_nodes=[x for f in run for x in f.field_nodes], chained=[f.node for f in run[1:]])


def covering_index(table: Table, fields: list[str]) -> tuple[Index | None, bool]:
    """(index, exact) for the non-staged index whose leading fields are exactly `fields` (as a
    set): an index with just those fields wins over a longer one (exact=False)."""
    want = set(fields)
    best = None
    for idx in table.indexes:
        if idx.staged or not idx.certain or idx.fields is None or len(idx.fields) < len(fields):
            continue
        if set(idx.fields[: len(fields)]) != want:
            continue
        if len(idx.fields) == len(fields):
            return idx, True
        if best is None or len(idx.fields) < len(best.fields):
            best = idx
    return (best, False) if best is not None else (None, False)


def ents_filter_index(call: EntsTableCall, table: Table | None) -> tuple[Index, list[tuple[str, Node]]] | None:
    """The index a Convex Ents scan `ctx.table("t").filter(q => q.eq(q.field("a"), x))` could
    read instead: one whose fields are exactly the first filter's equalities, the indexes an
    edge makes included (`personId` for `.edge("person")`), with (field, value) in that
    index's order, for `ctx.table("t", "personId", (q) => q.eq("personId", x))`."""
    f = call.first_filter if table is not None and call.index is None and call.range is None else None
    if f is None or f.helper or not f.eqs:
        return None
    idx, exact = covering_index(table, [name for name, _n, _v in f.eqs])
    if idx is None or not exact or not idx.name:
        return None
    value = {name: v for name, _n, v in f.eqs}
    return idx, [(name, value[name]) for name in idx.fields]


def _own_index_eqs(ch: QueryChain, f: Filter, table: Table) -> Index | None:
    """`.withIndex("by_a").filter(q => q.eq(q.field("a"), x))`: the query names an index but
    gives it no range, and the filter's equalities are that index's leading fields."""
    if ch.index_conditional or ch.range is not None or not ch.range_known:
        return None
    current = table.index(ch.index) if ch.index else None
    if current is None or current.staged or not current.certain or current.fields is None:
        return None
    fields = [name for name, _n, _v in f.eqs]
    if len(set(fields)) != len(fields) or set(current.fields[: len(fields)]) != set(fields):
        return None
    return current


def _index_after_range(ch: QueryChain, f: Filter, table: Table) -> Index | None:
    """`.withIndex("by_a", q => q.eq("a", x)).filter(q => q.eq(q.field("b"), y))` where
    another index starts with a, b: its range reads only the matching rows."""
    if ch.index_conditional or not ch.range_known or any(o.op != "eq" for o in ch.range or []):
        return None
    base = ch.range_eqs
    current = table.index(ch.index) if ch.index else None
    if not base or len(base) != len(ch.range or []) or current is None or current.fields is None:
        return None
    extra = [name for name, _n, _v in f.eqs]
    if len(set(extra)) != len(extra) or set(extra) & set(base):
        return None
    want = len(base) + len(extra)
    # Rows must come in the same order from either index (`_creationTime` within the
    # equalities) unless the order cannot matter (`.unique()`).
    same_order = len(current.fields) == len(base)
    for idx in table.indexes:
        if idx.staged or idx.fields is None or idx.name == ch.index or len(idx.fields) < want:
            continue
        if ch.terminal != "unique" and not (same_order and len(idx.fields) == want):
            continue
        if idx.fields[: len(base)] != base or set(idx.fields[len(base): want]) != set(extra):
            continue
        return idx
    return None


def _own_index_bound(ch: QueryChain, f: Filter, table: Table) -> Index | None:
    """The index whose range holds the query's `.eq`s, then the filter's equalities, then the
    one field the filter bounds (at most once each way: `gte` and `lt`): the query's own
    index first (same order), else another that starts with the query's range fields."""
    if ch.index_conditional or not ch.range_known or any(o.op != "eq" for o in ch.range or []):
        return None
    current = table.index(ch.index) if ch.index else None
    if current is None or current.staged or current.fields is None:
        return None
    base = ch.range_eqs
    if len(base) != len(ch.range or []):
        return None
    others = [i for i in table.indexes if i is not current and not i.staged and i.fields is not None
              and i.fields[: len(base)] == base]
    for idx in (current, *others):
        if _holds_bound(idx, base, f):
            return idx
    return None


_BOUND_OPS = ("gt", "gte", "lt", "lte")


def _side(op: str) -> str:
    return "lower" if op in ("gt", "gte") else "upper"


def _own_range_bound(ch: QueryChain, f: Filter, table: Table) -> tuple[Index, list[Conjunct], list[Conjunct]] | None:
    """(the query's own index, the filter's terms its range can take, the terms that stay a
    filter) when the filter bounds the field after the range's `.eq`s and the range can take
    that bound: the range does not bound the field yet, or bounds it from the other side
    (`q.gte("at", a)` and `q.lt(q.field("at"), b)` make `q.gte("at", a).lt("at", b)`, triage
    G60d P1). The other terms stay (`q.and(q.lt(q.field("at"), now), q.eq(q.field("kind"), k))`
    keeps the `kind` test, P2). The same index walked the same way, and a database filter
    orders values as the index does: the same rows in the same order. None when both bound the
    same side (no range holds two lower bounds)."""
    if ch.index_conditional or not ch.range_known or ch.range_factory is not None:
        return None
    current = table.index(ch.index) if ch.index else None
    if current is None or current.staged or not current.certain or current.fields is None:
        return None
    base = ch.range_eqs
    rest = (ch.range or [])[len(base):]
    full = current.full_fields
    if len(full) <= len(base) or len(rest) > 1:
        return None
    bounded = full[len(base)]
    if rest and (rest[0].op not in _BOUND_OPS or rest[0].field != bounded):
        return None
    joined = [c for c in f.conjuncts if c.field == bounded and c.op in _BOUND_OPS]
    sides = [_side(c.op) for c in joined] + [_side(o.op) for o in rest]
    if not joined or len(set(sides)) != len(sides):
        return None
    return current, joined, [c for c in f.conjuncts if c not in joined]


def _holds_bound(idx: Index, base: list[str], f: Filter) -> bool:
    eqs, bounds = f.bounded
    extra = [name for name, _n, _v in eqs]
    bound_fields = {b[0] for b in bounds}
    lower = [b for b in bounds if b[1] in ("gt", "gte")]
    if len(set(extra)) != len(extra) or set(extra) & set(base) or len(bound_fields) != 1 \
            or len(lower) > 1 or len(bounds) - len(lower) > 1:
        return False
    full = idx.full_fields
    n = len(base) + len(extra)
    return len(full) > n and full[: len(base)] == base and set(full[len(base): n]) == set(extra) \
        and full[n] in bound_fields


def _finds_by_id(ch: QueryChain, pf: PostFilter) -> bool:
    """`const rows = await ctx.db.query("t").take(500); rows.find((r) => r._id === id)`: rows
    read to find one by its id, which `db.get` reads alone (and which the `take` misses once the
    table outgrows it). Only when the rows serve nothing else and the lookup sits in the function
    that read them (one inside a callback over other rows is a join: one read serves them all)."""
    if pf.eqs is None or "_id" not in {name for name, _v in pf.eqs}:
        return False
    if ch.terminal not in ("collect", "take") or ch.uses_index or ch.result_reads > 1:
        return False
    return js.enclosing_function(pf.node) is js.enclosing_function(ch.call.node)


def _index_for_post_filter(ch: QueryChain, pf: PostFilter, table: Table) -> Index | None:
    """The index whose range holds a JS filter's equalities (and one bound on the next field)
    over the rows a query collected, when those rows serve nothing else."""
    if pf.eqs is None or ch.terminal not in ("collect", "take") or ch.search_call is not None:
        return None
    if ch.func is not None and js.enclosing_function(pf.node) is not ch.func.node:
        return None  # inside another callback: a join over the collected rows, not a plain filter
    if ch.result_reads > 1:
        return None  # the rows serve more than this filter (a count, other filters): all are read anyway
    eq_fields = [name for name, _v in pf.eqs]
    bounds = pf.bounds
    if len(set(eq_fields)) != len(eq_fields) or len({b[0] for b in bounds}) > 1:
        return None
    want = post_filter_range_fields(ch, pf)
    if ch.index_call is not None:
        if ch.index_conditional or not ch.range_known or any(o.op != "eq" for o in ch.range or []):
            return None
        base = ch.range_eqs
        current = table.index(ch.index) if ch.index else None
        candidates = [current]
        if current is not None and current.fields is not None and len(current.fields) == len(base) == len(ch.range or []) \
                and not bounds:
            # A longer index that starts with the range's fields and ends with the filter's
            # (`by_a` -> `by_a_b`, neonbinder's players): the same rows, in the same order
            # (`_creationTime` within the equalities), so `.find` still finds the same one.
            candidates += [i for i in table.indexes if i is not current and i.fields is not None
                           and len(i.fields) == len(want) and i.fields[: len(base)] == base]
    else:
        base = []
        candidates = list(table.indexes)
    if (not eq_fields and not bounds) or (len(want) == len(base) and not bounds):
        return None  # nothing, or only what the query's range already holds: no narrower range
    for idx in candidates:
        if idx is None or idx.staged or idx.fields is None:
            continue
        full = idx.full_fields
        if len(full) < len(want) + (1 if bounds else 0) or set(full[: len(want)]) != set(want):
            continue
        if bounds and full[len(want)] != bounds[0][0]:
            continue
        if ch.terminal == "take" and not _take_keeps_matches(ch, pf, idx, table):
            return None
        return idx
    return None


def _take_keeps_matches(ch: QueryChain, pf: PostFilter, idx: Index, table: Table) -> bool:
    """Does a range doing the JS filter keep what `.take(n)` then the filter gave? The take
    keeps the first n rows in the query's order and the filter some of them; a range keeps the
    first n matching rows, a different set (triage G60d P3: the 50 newest votes, then the heavy
    ones among them, is no `by_weight` range). The two agree only when the matching rows are
    the first ones the query walks: a bound on the next field of the query's own index, on the
    side it starts from (`.order("desc").take(10)` on `by_at`, then `r.at > since`), on a
    field every row holds as one kind of value: JS compares a missing or null one otherwise
    than the index orders it (`undefined < x` is false, the index puts it first)."""
    if ch.index_call is None or idx.name != ch.index or pf.eqs or not pf.bounds:
        return False
    field = table.field(pf.bounds[0][0])
    if field is None or field.kind not in ("number", "string"):
        return False
    if any(s.method == "order" and s.conditional for s in ch.steps):
        return False
    order = ch.order if ch.order_node is not None else "asc"
    if order not in ("asc", "desc"):
        return False  # a direction chosen at run time
    sides = {"lower" if op in ("gt", "gte") else "upper" for _f, op, _v in pf.bounds}
    return sides == {"lower" if order == "desc" else "upper"}


def post_filter_range_fields(ch: QueryChain, pf: PostFilter) -> list[str]:
    """The fields a range doing a JS filter's equalities fixes: the query's own `.eq`s, then
    the filter's."""
    base = ch.range_eqs if ch.index_call is not None else []
    return base + [name for name, _v in pf.eqs or [] if name not in base]


@dataclass(eq=False, slots=True)
class Narrowing:
    """An existing index whose range can do part of a "filter" that no index covers whole
    (`.withIndex("by_b", q => q.eq("b", y)).filter(q => q.eq(q.field("a"), x))`): no schema change.

    lead: its leading fields the filter fixes, in the index's order (some of the filter's
          fields, not all: an index fixing all would cover them).
    same_order: the narrowed query gives the same results as the filter: the range fixes every
          field of the index, so its rows come in `_creationTime` order within the range, as
          the filter gave them; or the query is `.unique()`, where order cannot matter.
    rivals: the other indexes fixing as many of the fields, as well ordered (which of them reads
          fewer rows depends on the data: CVX202 names them all).
    why: why `index` was taken over its rivals (None without rivals)."""

    index: Index
    lead: list[str]
    same_order: bool
    rivals: list[Index]
    why: str | None


# A field whose name says each row has its own value: a session, a token, a slug, a uuid, an
# email, an id from another system. A string compared with one reads a row or a few.
_UNIQUE_NAME = re.compile(r"(session|token|slug|uuid|guid|email|nonce|external)_?(id|identifier|key|hash)?$", re.I)
# The id of whoever owns the row: every row of that owner shares it (a user may hold
# thousands), so it is rarely the narrowest field of a lookup that also names something of
# the owner's (ai-therapist's `chatHistory` by `userId` and `sessionId`).
_OWNER_NAME = re.compile(r"^(user|owner|author|creator|created_?by|org|organization|team|workspace|tenant|account)"
                         r"(_?id)?$", re.I)


def _field_rank(table: Table, name: str) -> int:
    """How few rows an equality on field `name` is likely to leave, as far as its name and
    type tell (lower: fewer). 0: a string named as unique to a row; 2: an owner's id; 3: a
    boolean or a choice of literals (a few values split the table); 1: anything else. A
    `v.id` field is a reference, which many rows may share: never 0."""
    v = table.field(name)
    kind = v.required().kind if v is not None else None
    if kind in ("boolean", "literal") or (kind == "union" and all(m.required().kind in ("literal", "null")
                                                                     for m in v.required().members)):
        return 3
    leaf = name.rsplit(".", 1)[-1]
    if kind == "string" and _UNIQUE_NAME.search(leaf):
        return 0
    return 2 if _OWNER_NAME.match(leaf) else 1


def _rank_reason(table: Table, best: str, rival: str) -> str:
    rank, other = _field_rank(table, best), _field_rank(table, rival)
    if rank == 0 and other > 0:
        return f"`{best}` reads like a value unique to a row"
    if other == 3 and rank < 3:
        return f"`{rival}` holds only a few values"
    if other == 2 and rank < 2:
        return f"`{rival}` is an owner's id, which all of the owner's rows share"
    return "which reads fewer rows depends on the data; the one on the field compared first is taken"


def narrowing_index(fi: FilterIndex) -> Narrowing | None:
    """For a "filter" that no index covers: the existing index whose range does the most of
    it. One that gives the same results (`Narrowing.same_order`) first, then the one fixing
    the most fields, then the one on the field likely to leave the fewest rows
    (`_field_rank`), then the one on the field the filter compares first (deterministic)."""
    if fi.kind != "filter" or fi.index is not None:
        return None
    fields = [name for name, _n, _v in fi.filter.eqs]
    candidates = []
    for idx in fi.table.indexes:
        if idx.staged or not idx.certain or idx.fields is None:
            continue
        lead = []
        for fld in idx.fields:
            if fld not in fields:
                break
            lead.append(fld)
        if lead and len(lead) < len(fields):
            same_order = lead == idx.fields or fi.chain.terminal == "unique"
            # the field of the lead that leaves the fewest rows, and where the filter compares it
            top = min(lead, key=lambda x: (_field_rank(fi.table, x), fields.index(x)))
            key = (not same_order, -len(lead), _field_rank(fi.table, top), fields.index(top))
            candidates.append((key, idx, lead, same_order, top))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    key, idx, lead, same_order, top = candidates[0]
    rivals = [c for c in candidates[1:] if c[0][:2] == key[:2]]
    why = _rank_reason(fi.table, top, rivals[0][4]) if rivals else None
    return Narrowing(idx, lead, same_order, [c[1] for c in rivals], why)
