"""Code that the examples of rules in several families start from."""

# A Hono app served by convex-helpers' HttpRouterWithHono (convex/http.ts): each route's
# handler runs as an HTTP action whose ctx is `c.env`.
HONO = ('import { Hono } from "hono";\nimport { HonoWithConvex, HttpRouterWithHono } from "convex-helpers/server/hono";\n'
        'import { ActionCtx } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
        'const app: HonoWithConvex<ActionCtx> = new Hono();\n')
