from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js
from cvxlint.syntax import scope

from .common import result_declarator

SERVER = 'import { query } from "./_generated/server";\n'
CONVEX_AUTH = {"convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
               'import { Password } from "@convex-dev/auth/providers/Password";\n'
               'export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });\n'}


def _auth_config(*entries: str, before: str = "") -> dict:
    """An auth.config.ts whose `providers` list is `entries` (lines), after the lines `before`."""
    return {"convex/auth.config.ts": before + 'export default { providers: [\n' + "".join(entries) + '] };\n'}


TWO_PROVIDERS = _auth_config('  { domain: "https://a.example.com", applicationID: "convex" },\n',
                             '  { domain: "https://b.example.com", applicationID: "convex" },\n')


SPLIT_SUBJECT = (SERVER + 'export const me = query({ args: {}, handler: async (ctx) => {\n'
                 '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) return null;\n'
                 '  const [userId] = identity.subject.split("|");\n  return userId;\n}});\n')
LOOKUP = ('export const me = query({ args: {}, handler: async (ctx) => {\n'
          '  const identity = await ctx.auth.getUserIdentity();\n  if (!identity) return null;\n'
          '  return await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", identity.email!)).unique();\n}});\n')


class PreferTokenIdentifier(Rule):
    """Users looked up by `identity.email` or `identity.subject` instead of `tokenIdentifier`.

    ## What it does
    In apps whose `auth.config.ts` lists more than one provider, flags `identity.email` and
    `identity.subject` used as a lookup key (`q.eq("email", identity.email)`, or compared with
    `===`). In apps whose users sign in with `@convex-dev/auth` (`convexAuth` with some
    provider), also flags parsing `identity.subject` by hand (`identity.subject.split("|")`).

    ## Why is this bad?
    `tokenIdentifier` is unique across providers; `subject` only within one, and emails
    can repeat or change (https://docs.convex.dev/auth/functions-auth). With Convex Auth,
    `getAuthUserId(ctx)` encapsulates the subject's format.

    ## Example
    ```ts
    const user = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", identity.email!)).unique();
    ```
    Use instead:
    ```ts
    const user = await ctx.db.query("users")
      .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier)).unique();
    ```
    """

    code = "CVX406"
    name = "prefer-token-identifier"
    severity = Severity.INFO
    summary = "User lookup by `identity.email`/`subject` with several providers (use `tokenIdentifier`)"

    valid = [
        Valid(SERVER + LOOKUP, note="a single provider"),
        Valid(SERVER + LOOKUP.replace('"email", identity.email!', '"tokenIdentifier", identity.tokenIdentifier'),
              files=TWO_PROVIDERS),
        Valid(SERVER + LOOKUP, files=_auth_config(
            '  { type: "customJwt", issuer: "https://api.workos.com/", algorithm: "RS256", jwks: `https://api.workos.com/sso/jwks/${clientId}`, applicationID: clientId },\n',
            '  { type: "customJwt", issuer: `https://api.workos.com/user_management/${clientId}`, algorithm: "RS256", jwks: `https://api.workos.com/sso/jwks/${clientId}` },\n',
            before='const clientId = process.env.WORKOS_CLIENT_ID;\n'),
              note="two issuers over one key set (WorkOS AuthKit) are one provider"),
        # triage G61b P5: more issuers spread in when a variable is set, all over the same key set
        Valid(SERVER + LOOKUP, files=_auth_config(
            '  { type: "customJwt", issuer: "https://idp.example.com/", algorithm: "RS256", jwks: keys },\n',
            '  ...(process.env.TENANT_ISSUER\n',
            '    ? [{ type: "customJwt", issuer: process.env.TENANT_ISSUER, algorithm: "RS256", jwks: keys }]\n',
            '    : []),\n', before='const keys = `https://idp.example.com/jwks/${process.env.IDP_APP}`;\n'),
              note="a conditional spread of issuers over the same key set adds no provider"),
        Valid(SERVER + LOOKUP, files=_auth_config(
            '  { domain: "https://a.example.com", applicationID: "convex" },\n', '  ...extraProviders,\n',
            before='import { extraProviders } from "./authExtra";\n'), note="a spread we cannot read: the count is unknown"),
        Valid(SERVER + LOOKUP, files=_auth_config(
            '  ...(process.env.STAGING\n',
            '    ? [{ domain: "https://staging.example.com", applicationID: "convex" }]\n',
            '    : [{ domain: "https://a.example.com", applicationID: "convex" }]),\n'),
              note="one provider or the other, never both"),
        # triage G47 P5: Convex Auth set up with no provider (Clerk signs users in): its
        # `getAuthUserId` is no help here
        Valid(SPLIT_SUBJECT, files={"convex/auth.ts": CONVEX_AUTH["convex/auth.ts"].replace("[Password]", "[]")}),
    ]
    invalid = [
        Invalid(SERVER + LOOKUP, files=TWO_PROVIDERS, lines=[5]),
        Invalid(SPLIT_SUBJECT, files=CONVEX_AUTH, lines=[5]),
        Invalid(SERVER + LOOKUP, files=_auth_config(
            '  { domain: "https://a.example.com", applicationID: "convex" },\n',
            '  ...(process.env.B_DOMAIN ? [{ domain: process.env.B_DOMAIN, applicationID: "convex" }] : []),\n'),
                lines=[5], note="a spread that adds a second identity system when set"),
    ]

    def check_module(self, ctx, module):
        app = module.app
        facts = module.facts
        providers = app.auth_config_identity_systems
        convex_auth = ctx.project.convex_auth_signs_in(app)
        if (providers is None or providers < 2) and not convex_auth:
            return
        for site in facts.all_calls():
            if site.path[-2:] != ("auth", "getUserIdentity"):
                continue
            decl = result_declarator(site.node)
            owner = js.enclosing_function(decl) if decl is not None else None
            if owner is None:
                continue
            name = decl.child("name").text or ""
            for r in scope.reads_of(owner, name):
                o = js.outer(r)
                p = o.parent
                if p is None or p.type != "member_expression" or o.field != "object":
                    continue
                field = p.child("property").text if p.child("property") is not None else None
                if field not in ("email", "subject"):
                    continue
                outer = js.outer(p)
                if field == "subject" and convex_auth and _splits(outer):
                    ctx.report(facts, outer, "`identity.subject` parsed by hand: with Convex Auth use "
                               "`await getAuthUserId(ctx)`, which knows the subject's format")
                elif providers is not None and providers >= 2 and _is_lookup_key(outer):
                    ctx.report(facts, outer, f"users looked up by `identity.{field}` in an app with {providers} auth "
                               f"providers: `{field}` is not unique across providers; use `identity.tokenIdentifier`")


def _splits(n) -> bool:
    p = n.parent
    return p is not None and p.type == "member_expression" and n.field == "object" \
        and p.child("property") is not None and p.child("property").text == "split"


def _is_lookup_key(n) -> bool:
    p = n.parent
    if p is None:
        return False
    if p.type == "arguments":
        call = p.parent
        callee = js.callee(call) if call is not None else None
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        return prop is not None and prop.text in ("eq", "get", "find", "findUnique")
    return p.type == "binary_expression" and (p.has_tok("===") or p.has_tok("=="))
