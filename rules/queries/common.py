"""Fixtures shared by the query rules' examples."""

from ..examples import ENTS_QUERY_FUNCTIONS, ENTS_SERVER  # noqa: F401  (for the rules)

# A Convex Ents app of our own: `.edge("room")` indexes `roomId`; `ctx.table` in a query
ENTS_APP = {
    "convex/schema.ts": 'import { v } from "convex/values";\n'
                        'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                        'const schema = defineEntSchema({\n'
                        '  rooms: defineEnt({ title: v.string() }).edges("pings", { ref: true }),\n'
                        '  pings: defineEnt({ x: v.number(), at: v.number() }).edge("room").index("by_at", ["at"]),\n'
                        '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
    "convex/functions.ts": ENTS_QUERY_FUNCTIONS,
}
