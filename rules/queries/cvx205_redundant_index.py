from cvxlint.rulekit import Invalid, Rule, Severity, Valid, looks_generated, reported_index_files, unused_indexes


HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
ORDER_SENSITIVE = ("first", "take", "paginate")
MEMBERS = (HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string() })\n'
           '    .index("by_team", ["team"])\n    .index("by_team_user", ["team", "user"]),\n});\n')
# a read of `by_team` in no particular order: its rows are only counted
COUNT_TEAM = ('export const count = query({ args: { team: v.string() }, handler: async (ctx, { team }) =>\n'
              '  (await ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).collect()).length });\n')
# by_team_user (defined first) read by no query, by_team_role read by one
THREE = (HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string(), role: v.string() })\n'
         '    .index("by_team", ["team"])\n    .index("by_team_user", ["team", "user"])\n'
         '    .index("by_team_role", ["team", "role"]),\n});\n')
ONE_ROLE = ('export const byRole = query({ args: { team: v.string(), role: v.string() }, handler: (ctx, { team, role }) =>\n'
            '  ctx.db.query("members").withIndex("by_team_role", (q) => q.eq("team", team).eq("role", role)).take(10) });\n')
ONE_MEMBER = ('export const one = query({ args: { team: v.string(), user: v.string() }, handler: (ctx, { team, user }) =>\n'
              '  ctx.db.query("members").withIndex("by_team_user", (q) => q.eq("team", team).eq("user", user)).unique() });\n')


class RedundantIndex(Rule):
    """Two indexes with the same fields, or one whose fields begin another's.

    ## What it does
    In schema.ts, flags an index whose fields are exactly those of an earlier index on the
    same table (an error: the push fails), and an index whose fields are a prefix of another
    index's fields (a warning: the longer index serves the same queries; when several do,
    the message names one CVX710 does not report as unused). Staged indexes are
    left out. A prefix index is kept (not flagged) when some query reads it in
    `_creationTime` order within its range — with `.first()`, `.take(n)`, `.paginate()` or
    `.order()`, or returns its `.collect()` as it is (also as a property of a returned object, or
    through `.map(...)`, which keeps the order) — which the longer index cannot give
    (the documented exception; not when the query's `.filter` fixes the longer index's other
    fields with `.eq`: that index gives the same rows in the same order, and it is the one
    the message names), or through a
    query the model does not follow (convex-helpers' `paginator(ctx.db, schema).query(...)`,
    a helper handing the query back unfinished), whose order is unknown. Nor is a prefix index that queries use while no query uses the
    longer one: that one is the index to drop (CVX710, `unused-index`, says so), nor a prefix
    index CVX710 reports as used by no query: there are no `.eq` calls to move, it is simply
    dropped. Tables from packages (`authTables`) are not checked.

    ## Why is this bad?
    Identical indexes fail the push ("Indexes must be unique within a table"). Every index
    is roughly one more copy of the table's documents to store and to update on each write
    (https://docs.convex.dev/understanding/best-practices/#check-for-redundant-indexes).

    ## Example
    ```ts
    defineTable({ team: v.id("teams"), user: v.id("users") })
      .index("by_team", ["team"])
      .index("by_team_user", ["team", "user"])
    ```
    Use instead:
    ```ts
    defineTable({ team: v.id("teams"), user: v.id("users") }).index("by_team_user", ["team", "user"])
    // query it with .withIndex("by_team_user", (q) => q.eq("team", t))
    ```
    """

    code = "CVX205"
    name = "redundant-index"
    severity = Severity.ERROR
    summary = "Index identical to another (push error) or a prefix of another (wasted writes)"
    plugin_rules = ("no-duplicate-indexes",)

    valid = [
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query, QueryCtx } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'function ofTeam(ctx: QueryCtx, team: string, dir: "asc" | "desc") {\n'
                     '  return ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).order(dir);\n}\n'
                     'export const page = query({ args: { team: v.string() }, handler: (ctx, { team }) => ofTeam(ctx, team, "desc").take(20) });\n'
                     + ONE_MEMBER},
              note="a helper hands the query back unfinished, ordered by a variable: its caller's order is unknown"),
        Valid(HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string() })\n'
              '    .index("by_team", ["team"])\n    .index("by_user_team", ["user", "team"]),\n});\n',
              path="convex/schema.ts"),
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'export const newest = query({ args: { team: v.string() }, handler: (ctx, { team }) =>\n'
                     '  ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).order("desc").first() });\n'},
              note="the prefix index gives _creationTime order within a team"),
        Valid(HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string() })\n'
              '    .index("by_team", { fields: ["team"], staged: true })\n    .index("by_team_user", ["team", "user"]),\n});\n',
              path="convex/schema.ts", note="staged"),
        Valid('// This file is auto-generated. Do not edit.\n' + HEAD +
              'export default defineSchema({ session: defineTable({ userId: v.string(), token: v.string() })\n'
              '  .index("userId", ["userId"]).index("userId_token", ["userId", "token"]) });\n',
              path="convex/schema.ts", note="a generated schema: the prefix advice cannot be acted on by hand"),
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'import { paginationOptsValidator } from "convex/server";\n'
                     'import { paginator } from "convex-helpers/server/pagination";\nimport schema from "./schema";\n'
                     'export const newest = query({ args: { team: v.string(), paginationOpts: paginationOptsValidator },\n'
                     '  handler: (ctx, { team, paginationOpts }) => paginator(ctx.db, schema).query("members")\n'
                     '    .withIndex("by_team", (q) => q.eq("team", team)).order("desc").paginate(paginationOpts) });\n'},
              note="read through convex-helpers' paginator: its order is not followed, so the index stays"),
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'export const all = query({ args: { team: v.string() }, handler: (ctx, { team }) =>\n'
                     '  ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).collect() });\n' + ONE_MEMBER},
              note="the team's members returned as read, in _creationTime order: the longer index would reorder them"),
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'export const roster = query({ args: { team: v.string() }, handler: async (ctx, { team }) => {\n'
                     '  const joined = await ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).collect();\n'
                     '  return { team, joined };\n}});\n' + ONE_MEMBER},
              note="returned as read inside an object: the caller still gets them in _creationTime order"),
        # triage G44 P7 (bob-rietveld/unheard-v3's integrations, returned without their API keys)
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'export const roster = query({ args: { team: v.string() }, handler: async (ctx, { team }) => {\n'
                     '  const rows = await ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).collect();\n'
                     '  return rows.map(({ user }) => ({ user }));\n}});\n'
                     'export const users = query({ args: { team: v.string() }, handler: async (ctx, { team }) =>\n'
                     '  (await ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).collect()).map((m) => m.user) });\n'
                     + ONE_MEMBER},
              note="returned through `.map`, which keeps the rows' order: the caller still gets _creationTime order"),
        Valid(MEMBERS, path="convex/schema.ts",
              files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     + COUNT_TEAM},
              note="no query uses `by_team_user`: that is the index to drop (CVX710), not `by_team`"),
        Valid(MEMBERS, path="convex/schema.ts", files={"convex/members.ts": 'import { query } from "./_generated/server";\n'
                                                      'import { v } from "convex/values";\n' + ONE_MEMBER},
              note="no query uses `by_team`: no `.eq` calls to move to `by_team_user`, CVX710 says to drop it"),
        Valid('import { defineEnt, defineEntSchema } from "convex-ents";\nimport { v } from "convex/values";\n'
              'export default defineEntSchema({\n  users: defineEnt({ name: v.string() }).edges("tasks", { ref: true }),\n'
              '  tasks: defineEnt({ done: v.boolean() }).edge("user").index("by_user_done", ["userId", "done"]),\n});\n',
              path="convex/schema.ts", files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
              'export const open = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_user_done").take(5) });\n'},
              note="Convex Ents makes the `userId` index for the edge: it is not the app's to drop"),
    ]
    invalid = [
        Invalid(MEMBERS, path="convex/schema.ts", lines=[5],
                files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'export const roster = query({ args: { team: v.string() }, handler: async (ctx, { team }) => {\n'
                       '  const rows = await ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team)).collect();\n'
                       '  return rows.map(({ user }) => user).sort();\n}});\n' + ONE_MEMBER},
                message="is a prefix of `by_team_user`",
                note="mapped, then sorted: the order the index gives is not what the caller gets"),
        Invalid(MEMBERS, path="convex/schema.ts", lines=[5],
                files={"convex/members.ts": 'import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'export const join = mutation({ args: { team: v.string(), user: v.string() }, handler: async (ctx, a) => {\n'
                       '  const had = await ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", a.team))\n'
                       '    .filter((q) => q.eq(q.field("user"), a.user)).first();\n'
                       '  if (!had) await ctx.db.insert("members", a);\n}});\n' + ONE_MEMBER},
                message="is a prefix of `by_team_user`",
                note="`.first()` in order, but the filter fixes `user` too: by_team_user gives the same row"),
        Invalid(HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string() })\n'
                '    .index("by_team", ["team"])\n    .index("by_team_user", ["team", "user"]),\n});\n',
                path="convex/schema.ts", lines=[5], message="prefix"),
        Invalid(HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string(), role: v.string() })\n'
                '    .index("by_team_user", ["team", "user"])\n    .index("by_team", ["team"])\n'
                '    .index("by_team_role", ["team", "role"]),\n});\n',
                path="convex/schema.ts", lines=[6], message="is a prefix of `by_team_role`",
                files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'export const admins = query({ args: { team: v.string() }, handler: (ctx, { team }) =>\n'
                       '  ctx.db.query("members").withIndex("by_team", (q) => q.eq("team", team))\n'
                       '    .filter((q) => q.eq(q.field("role"), "admin")).take(10) });\n' + ONE_MEMBER},
                note="the read's filter fixes `role`: by_team_role keeps its order, by_team_user (defined first) would not"),
        Invalid(THREE, path="convex/schema.ts", lines=[5], message="is a prefix of `by_team_role`",
                files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       + COUNT_TEAM + ONE_ROLE},
                note="`by_team_user` is defined first but read by no query (CVX710): name the longer index in use"),
        Invalid(MEMBERS, path="convex/schema.ts", lines=[5], message="prefix",
                files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       + COUNT_TEAM + ONE_MEMBER},
                note="both used, and the prefix's rows only counted: the longer index serves that count as well"),
        Invalid(HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string() })\n'
                '    .index("by_team", ["team"])\n    .index("by_team_user", ["team", "user"]),\n'
                '  settings: defineTable({ team: v.string(), theme: v.string() }).index("by_team", ["team"]),\n});\n',
                path="convex/schema.ts", lines=[5], message="is a prefix of `by_team_user`",
                files={"convex/members.ts": 'import { query, QueryCtx } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'async function themeOf({ ctx, team }: { ctx: QueryCtx; team: string }) {\n'
                       '  return await ctx.db.query("settings").withIndex("by_team", (q) => q.eq("team", team)).first();\n}\n'
                       'export const theme = query({ args: { team: v.string() }, handler: (ctx, { team }) => themeOf({ ctx, team }) });\n'
                       + COUNT_TEAM + ONE_MEMBER},
                note="the `.first()` on `settings.by_team` (in a helper taking `{ ctx, team }`) is no read of `members.by_team`"),
        Invalid(HEAD + 'export default defineSchema({\n  members: defineTable({ team: v.string(), user: v.string() })\n'
                '    .index("by_team", ["team"])\n    .index("by_team_user", ["team", "user"]),\n'
                '  posts: defineTable({ team: v.string(), body: v.string() }).index("by_team", ["team"]),\n});\n',
                path="convex/schema.ts", lines=[5], message="is a prefix of `by_team_user`",
                files={"convex/members.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'import { paginationOptsValidator } from "convex/server";\n'
                       'import { paginator } from "convex-helpers/server/pagination";\nimport schema from "./schema";\n'
                       'export const posts = query({ args: { team: v.string(), paginationOpts: paginationOptsValidator },\n'
                       '  handler: (ctx, { team, paginationOpts }) => paginator(ctx.db, schema).query("posts")\n'
                       '    .withIndex("by_team", (q) => q.eq("team", team)).order("desc").paginate(paginationOpts) });\n'
                       + ONE_MEMBER},
                note="the paginator reads `posts.by_team`: its order says nothing of `members.by_team`"),
        Invalid(HEAD + 'const members = defineTable({ team: v.string(), user: v.string() }).index("by_team", ["team"]);\n'
                'members.index("team", ["team"]);\n'
                'export default defineSchema({ members });\n',
                path="convex/schema.ts", lines=[4], message="same fields"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable or not reported_index_files(ctx, schema):
            return
        # (table, index) -> for each read in `_creationTime` order, the fields its `.filter`
        # fixes with `.eq` (a longer index fixing only those in its extra fields gives the same rows
        # in the same order: CVX202 says to query it so)
        ordered_use: dict[tuple[str, str], list[frozenset[str]]] = {}
        used: set[tuple[str, str]] = set()
        for ch in app.queries.chains:
            if ch.table and ch.index:
                used.add((ch.table, ch.index))
                # a `.collect()` handed back as it is: the caller gets the rows in this order; a
                # query handed back unfinished (a helper's builder) or ordered by a variable:
                # what its caller does with the order is unknown
                if ch.terminal in ORDER_SENSITIVE or ch.terminal is None or any(st.method == "order" for st in ch.steps) \
                        or (ch.terminal == "collect" and (ch.result_returned or ch.result_mapped_returned)):
                    f = ch.filters[0] if len(ch.filters) == 1 else None
                    fixed = frozenset(n for n, _x, _v in f.eqs) if f is not None and f.eqs else frozenset()
                    ordered_use.setdefault((ch.table, ch.index), []).append(fixed)
        # reads the model does not follow (a paginator, Convex Ents): their order is unknown, so
        # the index they read may be the one giving `_creationTime` order; one of an unknown table
        # may read any table's index of its name
        outside = app.queries.index_reads_outside_chains()
        unseen = {name for t, name in outside if t is None}
        # a prefix index no query uses has no `.eq` calls to move: CVX710 says to drop it
        # (and a longer index it reports is no index to move reads to)
        unused = {id(idx) for _t, idx in unused_indexes(ctx, app)}
        for table in schema.tables.values():
            if table.external or not table.known:
                continue
            idxs = [i for i in table.indexes if not i.staged and i.certain and i.fields]
            for j, b in enumerate(idxs):
                for a in idxs[:j]:
                    if a.fields == b.fields:
                        ctx.report(b.facts, b.name_node or b.node, f"index `{b.name}` on `{table.name}` has the same fields as "
                                   f"`{a.name}` ({_fields(a)}); the push fails with \"Indexes must be unique within a table\"",
                                   related=[ctx.related(a.facts, a.name_node or a.node, f"`{a.name}` is defined here")])
            for i, a in enumerate(idxs):
                longer = [b for b in idxs if len(b.fields) > len(a.fields) and b.fields[: len(a.fields)] == a.fields]
                # a longer index CVX710 reports as unused is the one to drop, not the one to move
                # this one's reads to; with none other left, this one stays
                longer = [b for b in longer if id(b) not in unused]
                needs_order = any(not any(set(b.fields[len(a.fields):]) <= fixed for b in longer)
                                  for fixed in ordered_use.get((table.name, a.name), ()))
                if not longer or needs_order or a.name in unseen or (table.name, a.name) in outside \
                        or a.name in table.library_indexes or id(a) in unused \
                        or looks_generated(a.facts):
                    continue  # (a generated schema, Better Auth's: advice nobody can act on by hand)
                if any(x.fields == a.fields for x in idxs[:i]):
                    continue  # already reported as identical
                if (table.name, a.name) in used and not any((table.name, b.name) in used or b.name in unseen
                                                            or (table.name, b.name) in outside for b in longer):
                    continue  # the longer index is the unused one: CVX710 says to drop that, not this
                # name the longer index whose extra fields every ordered read's filter fixes (the
                # one CVX202 names on that read): another would give its rows in another order
                uses = ordered_use.get((table.name, a.name), ())
                serving = [b for b in longer if all(set(b.fields[len(a.fields):]) <= fixed for fixed in uses)]
                b = (serving or longer)[0]
                how = "the same `.eq` calls" if not uses else "the `.eq` calls of its range and filter"
                ctx.report(a.facts, a.name_node or a.node,
                           f"index `{a.name}` ({_fields(a)}) is a prefix of `{b.name}` ({_fields(b)}); "
                           f"query `{b.name}` with {how} and drop `{a.name}` "
                           "(keep it only if you need results in `_creationTime` order within its range)",
                           severity=Severity.WARNING, related=[ctx.related(b.facts, b.name_node or b.node, f"`{b.name}` is defined here")])


def _fields(i) -> str:
    return "[" + ", ".join(f'"{f}"' for f in i.fields) + "]"
