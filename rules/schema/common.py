"""What the schema rules share: example apps."""

# A Convex Ents app of our own: `.edge("team")` stores `teamId`, `.edges("badges")` is many:many
ENTS_FILES = {
    "convex/schema.ts": 'import { v } from "convex/values";\n'
                        'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                        'const schema = defineEntSchema({\n'
                        '  teams: defineEnt({ name: v.string() }).edges("players", { ref: true }),\n'
                        '  players: defineEnt({ handle: v.string(), score: v.number() }).edge("team").edges("badges"),\n'
                        '  badges: defineEnt({ label: v.string() }).edges("players"),\n'
                        '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
    "convex/functions.ts": 'import { entsTableFactory } from "convex-ents";\n'
                           'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
                           'import { mutation as baseMutation } from "./_generated/server";\n'
                           'import { entDefinitions } from "./schema";\n'
                           'export const mutation = customMutation(baseMutation, customCtx(async (ctx) => '
                           '({ table: entsTableFactory(ctx, entDefinitions) })));\n',
}
ENTS_SERVER = 'import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
