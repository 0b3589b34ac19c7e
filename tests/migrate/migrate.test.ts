// Runs the migrations `cvxlint migrate plan` generated for one fixture under convex-test.
// tests/migratekit.py copies this file into each case as <case>/test/migrate.test.ts, next to
// seed.json (documents valid under the old schema), old_schema.ts, final_schema.ts (the
// narrow push) and run.json (the generated migrations in run order, the verify queries).
//
// convex-test enforces the pushed (widened) schema on every write, like a deployment;
// convex-helpers' `validate` then checks each document against the final schema's
// validators, which is what the narrow push's full-table check does.
import { convexTest } from "convex-test";
import { expect, test } from "vitest";
import { makeFunctionReference } from "convex/server";
import type { GenericId } from "convex/values";
import { validate } from "convex-helpers/validators";
import { runToCompletion } from "@convex-dev/migrations";
import migrationsTest from "@convex-dev/migrations/test";
import schema from "../convex/schema";
import { components } from "../convex/_generated/api";
import oldSchema from "./old_schema";
import finalSchema from "./final_schema";
import seed from "./seed.json";
import run from "./run.json";

const modules = import.meta.glob("../convex/**/*.ts");
type Ids = Record<string, GenericId<any>[]>;

// Seed values: {"$ref": [table, i]} is the ID of the i-th seeded document of that table,
// {"$int64": "5"} an int64.
function resolve(value: unknown, ids: Ids): unknown {
  if (Array.isArray(value)) return value.map((x) => resolve(x, ids));
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if ("$ref" in o) {
      const [table, i] = o.$ref as [string, number];
      return ids[table][i];
    }
    if ("$int64" in o) return BigInt(o.$int64 as string);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, ids)]));
  }
  return value;
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
}

async function setup() {
  const t = convexTest(schema, modules);
  migrationsTest.register(t);
  const result = await t.run(async (ctx) => {
    const ids: Ids = {};
    const notOld: string[] = [];
    for (const [table, docs] of Object.entries(seed as Record<string, Record<string, unknown>[]>)) {
      ids[table] = [];
      for (const doc of docs) {
        const value = resolve(doc, ids) as Record<string, unknown>;
        const oldTable = (oldSchema as any).tables[table];
        if (!oldTable || !validate(oldTable.validator, value, { db: ctx.db })) notOld.push(`${table} ${show(value)}`);
        // convex-test validates the write against the widened schema: old documents must fit it
        ids[table].push(await ctx.db.insert(table as any, value as any));
      }
    }
    return { ids, notOld };
  });
  return { t, ...result };
}

// after.json, when the case has one: every listed table's documents after the migrations
// (system fields left out, in insertion order), with the seed's IDs resolved. A $ref to a
// table the seed does not fill (the copy of a renamed table) is the ID of its i-th document
// after the migrations, so references to the copies can be checked too.
async function documentsAfter(t: Awaited<ReturnType<typeof setup>>["t"], ids: Ids) {
  const after = run.after as Record<string, unknown[]>;
  return await t.run(async (ctx) => {
    const got: Record<string, unknown[]> = {};
    const want: Record<string, unknown[]> = {};
    const known: Ids = { ...ids };
    for (const table of Object.keys(after)) {
      const docs = await ctx.db.query(table as any).collect();
      known[table] ??= docs.map((doc: any) => doc._id);
      got[table] = docs.map(({ _id, _creationTime, ...fields }: any) => fields);
    }
    for (const table of Object.keys(after)) {
      want[table] = after[table].map((doc) => resolve(doc, known));
    }
    return { got, want };
  });
}

async function rejected(t: Awaited<ReturnType<typeof setup>>["t"]): Promise<string[]> {
  return await t.run(async (ctx) => {
    const out: string[] = [];
    for (const table of run.finalTables) {
      const validator = (finalSchema as any).tables[table].validator;
      for (const doc of await ctx.db.query(table as any).collect()) {
        const { _id, _creationTime, ...fields } = doc as any;
        if (!validate(validator, fields, { db: ctx.db })) out.push(`${table} ${show(fields)}`);
      }
    }
    return out;
  });
}

async function everything(t: Awaited<ReturnType<typeof setup>>["t"]): Promise<string> {
  return await t.run(async (ctx) => {
    const out: Record<string, unknown[]> = {};
    for (const table of Object.keys((schema as any).tables)) {
      out[table] = await ctx.db.query(table as any).collect();
    }
    return show(out);
  });
}

async function migrate(t: Awaited<ReturnType<typeof setup>>["t"], opts: { cursor?: null } = {}) {
  for (const name of run.migrations) {
    const ref = makeFunctionReference<"mutation", "internal">(`${run.module}:${name}`);
    const status = await t.action(async (ctx) =>
      runToCompletion(ctx, components.migrations, ref as any, { batchSize: 2, ...opts }),
    );
    expect(status.state, `${name}: ${status.error ?? ""}`).toBe("success");
  }
}

async function failingByVerify(t: Awaited<ReturnType<typeof setup>>["t"]): Promise<number> {
  let n = 0;
  for (const name of run.verify) {
    let cursor: string | null = null;
    for (;;) {
      const page: any = await t.query(makeFunctionReference<"query", "internal">(`${run.module}:${name}`) as any,
        { cursor, numItems: 3 });
      n += page.failing.length;
      if (page.isDone) break;
      cursor = page.continueCursor;
    }
  }
  return n;
}

test("seed documents are valid for the old schema and the widened schema accepts them", async () => {
  const { notOld } = await setup();
  expect(notOld).toEqual([]);
});

test("negative control: before the migrations the final schema rejects a document, and verify sees it", async () => {
  const { t } = await setup();
  expect((await rejected(t)).length).toBeGreaterThan(0);
  if (run.verify.length) expect(await failingByVerify(t)).toBeGreaterThan(0);
});

test("after the migrations every document passes the final schema; a rerun changes nothing", async () => {
  const { t, ids } = await setup();
  await migrate(t);
  expect(await rejected(t)).toEqual([]);
  expect(await failingByVerify(t)).toBe(0);
  if (run.after) {
    const { got, want } = await documentsAfter(t, ids);
    expect(got).toEqual(want);
  }
  const before = await everything(t);
  await migrate(t, { cursor: null });
  expect(await everything(t)).toEqual(before);
});
