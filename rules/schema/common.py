"""What the schema rules share: example apps."""

from ..examples import ENTS_MUTATION_FUNCTIONS

# A Convex Ents app of our own: `.edge("team")` stores `teamId`, `.edges("badges")` is many:many
ENTS_FILES = {
    "convex/schema.ts": 'import { v } from "convex/values";\n'
                        'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                        'const schema = defineEntSchema({\n'
                        '  teams: defineEnt({ name: v.string() }).edges("players", { ref: true }),\n'
                        '  players: defineEnt({ handle: v.string(), score: v.number() }).edge("team").edges("badges"),\n'
                        '  badges: defineEnt({ label: v.string() }).edges("players"),\n'
                        '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
    "convex/functions.ts": ENTS_MUTATION_FUNCTIONS,
}
ENTS_SERVER = 'import { v } from "convex/values";\nimport { mutation } from "./functions";\n'
