"""Generate a large, realistic Convex app for benchmarks.

`python bench/genapp.py OUT --modules 2000` writes OUT/convex/ with a schema, a wrapper
module, shared helpers and N function modules (queries, mutations, actions, internal
functions, helpers in other files, validators imported from a shared file), plus a small
React frontend and a Python client. The code is deterministic for a given N.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

TABLES = ["users", "teams", "projects", "tasks", "comments", "files", "events", "invites"]

MODULE = '''import {{ v }} from "convex/values";
import {{ internalMutation, internalQuery, mutation, query, action }} from "../_generated/server";
import {{ internal }} from "../_generated/api";
import {{ authedQuery, authedMutation }} from "../lib/functions";
import {{ {table}Fields }} from "../lib/validators";
import {{ loadTeam, touch }} from "../lib/helpers";

/** List the latest {table} of a team ({i}). */
export const list{n} = authedQuery({{
  args: {{ team: v.id("teams"), limit: v.optional(v.number()) }},
  handler: async (ctx, {{ team, limit }}) => {{
    await loadTeam(ctx, team);
    return await ctx.db
      .query("{table}")
      .withIndex("by_team", (q) => q.eq("team", team))
      .order("desc")
      .take(limit ?? 20);
  }},
}});

export const get{n} = query({{
  args: {{ id: v.id("{table}") }},
  handler: async (ctx, {{ id }}) => {{
    const doc = await ctx.db.get("{table}", id);
    if (doc === null) return null;
    return {{ ...doc, label: `{table} ${{doc._id}}` }};
  }},
}});

export const create{n} = authedMutation({{
  args: {table}Fields,
  handler: async (ctx, args) => {{
    const id = await ctx.db.insert("{table}", {{ ...args }});
    await touch(ctx, args.team);
    await ctx.scheduler.runAfter(0, internal.m{dir}.mod{i}.afterCreate{n}, {{ id }});
    return id;
  }},
}});

export const afterCreate{n} = internalMutation({{
  args: {{ id: v.id("{table}") }},
  handler: async (ctx, {{ id }}) => {{
    const doc = await ctx.db.get("{table}", id);
    if (!doc) return;
    await ctx.db.patch("{table}", id, {{ updatedAt: Date.now() }});
  }},
}});

export const count{n} = internalQuery({{
  args: {{ team: v.id("teams") }},
  handler: async (ctx, {{ team }}) => {{
    let n = 0;
    for await (const _doc of ctx.db.query("{table}").withIndex("by_team", (q) => q.eq("team", team))) {{
      n += 1;
    }}
    return n;
  }},
}});

export const sync{n} = action({{
  args: {{ team: v.id("teams") }},
  handler: async (ctx, {{ team }}) => {{
    const total = await ctx.runQuery(internal.m{dir}.mod{i}.count{n}, {{ team }});
    const res = await fetch("https://example.com/hook", {{ method: "POST", body: JSON.stringify({{ total }}) }});
    return res.status;
  }},
}});

function summarize{n}(rows: Array<{{ title?: string }}>): string {{
  return rows
    .map((r) => r.title ?? "")
    .filter((t) => t.length > 0)
    .join(", ");
}}

export const summary{n} = query({{
  args: {{ team: v.id("teams") }},
  handler: async (ctx, {{ team }}) => {{
    const rows = await ctx.db
      .query("{table}")
      .withIndex("by_team", (q) => q.eq("team", team))
      .take(100);
    return summarize{n}(rows as Array<{{ title?: string }}>);
  }},
}});
'''

# Every fifth module also has the mistakes real apps have, so rules report and fixes are built.
FLAWED = '''
export const recent{n} = query({{
  args: {{ team: v.id("teams") }},
  handler: async (ctx, {{ team }}) => {{
    const since = Date.now() - 86400000;
    return await ctx.db
      .query("{table}")
      .filter((q) => q.eq(q.field("team"), team))
      .collect();
  }},
}});

export const rename{n} = mutation({{
  handler: async (ctx, {{ id, title }}: {{ id: any; title: string }}) => {{
    ctx.db.patch(id, {{ title }});
  }},
}});
'''

SCHEMA_HEAD = '''import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { commonFields } from "./lib/validators";

export default defineSchema({
'''

VALIDATORS = '''import { v } from "convex/values";

export const commonFields = {
  team: v.id("teams"),
  title: v.optional(v.string()),
  updatedAt: v.optional(v.number()),
};
'''

FUNCTIONS = '''import { customCtx, customMutation, customQuery } from "convex-helpers/server/customFunctions";
import { mutation, query } from "../_generated/server";

async function requireIdentity(ctx: { auth: { getUserIdentity(): Promise<unknown> } }) {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) throw new Error("Not signed in");
  return identity;
}

export const authedQuery = customQuery(query, customCtx(async (ctx) => ({ identity: await requireIdentity(ctx) })));
export const authedMutation = customMutation(mutation, customCtx(async (ctx) => ({ identity: await requireIdentity(ctx) })));
'''

HELPERS = '''import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { Id } from "../_generated/dataModel";

export async function loadTeam(ctx: QueryCtx, team: Id<"teams">) {
  const doc = await ctx.db.get("teams", team);
  if (doc === null) throw new Error("no such team");
  return doc;
}

export async function touch(ctx: MutationCtx, team: Id<"teams">) {
  await ctx.db.patch("teams", team, { updatedAt: Date.now() });
}
'''

FRONTEND = '''import {{ useMutation, useQuery }} from "convex/react";
import {{ api }} from "../convex/_generated/api";

export function Page{i}({{ team }}: {{ team: any }}) {{
  const rows = useQuery(api.m{dir}.mod{i}.list{n}, {{ team }});
  const create = useMutation(api.m{dir}.mod{i}.create{n});
  return <ul onClick={{() => void create({{ team }})}}>{{rows?.map((r) => <li key={{r._id}}>{{String(r._id)}}</li>)}}</ul>;
}}
'''

PYTHON = '''from convex import ConvexClient

client = ConvexClient("https://example.convex.cloud")
for i in range(3):
    client.query("m0/mod0:get0", {"id": "abc"})
'''


def generate(out: Path, modules: int) -> dict:
    convex = out / "convex"
    (convex / "lib").mkdir(parents=True, exist_ok=True)
    (convex / "_generated").mkdir(exist_ok=True)
    (out / "src").mkdir(exist_ok=True)
    (out / "scripts").mkdir(exist_ok=True)
    (out / "package.json").write_text(json.dumps({"name": "bench-app", "private": True,
                                                  "dependencies": {"convex": "1.48.0", "convex-helpers": "0.1.104"}}))
    schema = SCHEMA_HEAD
    for t in TABLES:
        schema += f'  {t}: defineTable({{ ...commonFields, name: v.optional(v.string()) }}).index("by_team", ["team"]),\n'
    schema += "});\n"
    (convex / "schema.ts").write_text(schema)
    validators = VALIDATORS + "".join(f"export const {t}Fields = {{ ...commonFields }};\n" for t in TABLES)
    (convex / "lib" / "validators.ts").write_text(validators)
    (convex / "lib" / "functions.ts").write_text(FUNCTIONS)
    (convex / "lib" / "helpers.ts").write_text(HELPERS)
    lines = 0
    for i in range(modules):
        d = i // 100
        table = TABLES[i % len(TABLES)]
        text = MODULE.format(i=i, n=i, dir=d, table=table)
        if i % 5 == 4:
            text += FLAWED.format(n=i, table=table)
        p = convex / f"m{d}" / f"mod{i}.ts"
        p.parent.mkdir(exist_ok=True)
        p.write_text(text)
        lines += text.count("\n")
        if i % 10 == 0:
            (out / "src" / f"Page{i}.tsx").write_text(FRONTEND.format(i=i, n=i, dir=d))
    (out / "scripts" / "seed.py").write_text(PYTHON)
    return {"modules": modules, "lines": lines}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--modules", type=int, default=2000)
    a = ap.parse_args()
    info = generate(a.out, a.modules)
    print(f"wrote {info['modules']} modules ({info['lines']:,} lines) to {a.out}")


if __name__ == "__main__":
    main()
