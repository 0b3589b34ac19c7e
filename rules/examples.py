"""Code that the examples of rules in several families start from."""

# A Hono app served by convex-helpers' HttpRouterWithHono (convex/http.ts): each route's
# handler runs as an HTTP action whose ctx is `c.env`.
HONO = ('import { Hono } from "hono";\nimport { HonoWithConvex, HttpRouterWithHono } from "convex-helpers/server/hono";\n'
        'import { ActionCtx } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
        'const app: HonoWithConvex<ActionCtx> = new Hono();\n')

# convex/builders.ts of an app whose row-level-security builders keep the raw database as a
# second handle (`ctx.rawDb`) for the flows that must cross the policy, and a builder whose
# `pgDb` is another database's client (no Convex database, whatever its name says).
SECOND_DB = ('import { customCtx, customMutation, customQuery } from "convex-helpers/server/customFunctions";\n'
             'import { wrapDatabaseReader, wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
             'import { mutation, query } from "./_generated/server";\n'
             'import { openPool } from "./pg";\n'
             'const rules = {};\n'
             'export const ownerQuery = customQuery(query, customCtx(async (ctx) => ({\n'
             '  rawDb: ctx.db, db: wrapDatabaseReader(ctx, ctx.db, rules) })));\n'
             'export const ownerMutation = customMutation(mutation, customCtx(async (ctx) => ({\n'
             '  rawDb: ctx.db, db: wrapDatabaseWriter(ctx, ctx.db, rules) })));\n'
             'export const pgMutation = customMutation(mutation, customCtx(async () => ({ pgDb: openPool(), rawDb: openPool() })));\n')
SECOND_DB_PG = 'export const openPool = () => ({ query: (_: string) => [], insert: async (..._: unknown[]) => 1, delete: async (_: unknown) => 0 });\n'


# A Convex Ents app's `functions.ts`: `ctx.table` from a custom query builder (with the
# schema.ts that defines `entDefinitions`), and the imports of a module using it
ENTS_QUERY_FUNCTIONS = ('import { entsTableFactory } from "convex-ents";\n'
                        'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
                        'import { query as baseQuery } from "./_generated/server";\n'
                        'import { entDefinitions } from "./schema";\n'
                        'export const query = customQuery(baseQuery, customCtx(async (ctx) => '
                        '({ table: entsTableFactory(ctx, entDefinitions) })));\n')
ENTS_SERVER = 'import { v } from "convex/values";\nimport { query } from "./functions";\n'
# ... and one whose custom mutation builder adds `ctx.table`
ENTS_MUTATION_FUNCTIONS = ('import { entsTableFactory } from "convex-ents";\n'
                           'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                           'import { mutation as baseMutation } from "./_generated/server";\n'
                           'import { entDefinitions } from "./schema";\n'
                           'export const mutation = customMutation(baseMutation, customCtx(async (ctx) => '
                           '({ table: entsTableFactory(ctx, entDefinitions) })));\n')
