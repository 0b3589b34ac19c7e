"""Fixtures shared by the query rules' examples."""

# A Convex Ents app of our own: `.edge("room")` indexes `roomId`; `ctx.table` in a query
ENTS_APP = {
    "convex/schema.ts": 'import { v } from "convex/values";\n'
                        'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                        'const schema = defineEntSchema({\n'
                        '  rooms: defineEnt({ title: v.string() }).edges("pings", { ref: true }),\n'
                        '  pings: defineEnt({ x: v.number(), at: v.number() }).edge("room").index("by_at", ["at"]),\n'
                        '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
    "convex/functions.ts": 'import { entsTableFactory } from "convex-ents";\n'
                           'import { customCtx, customQuery } from "convex-helpers/server/customFunctions";\n'
                           'import { query as baseQuery } from "./_generated/server";\n'
                           'import { entDefinitions } from "./schema";\n'
                           'export const query = customQuery(baseQuery, customCtx(async (ctx) => '
                           '({ table: entsTableFactory(ctx, entDefinitions) })));\n',
}
ENTS_SERVER = 'import { v } from "convex/values";\nimport { query } from "./functions";\n'
