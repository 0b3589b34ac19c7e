"""Which issuers auth.config.ts names: only others than Convex Auth's own (Clerk, Auth0, a
custom JWT), which makes Convex Auth's `getAuthUserId` give their subjects (CVX511)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvxlint.api import build_project, resolve_settings

GET_USER = ('import { getAuthUserId } from "@convex-dev/auth/server";\nimport { query } from "./_generated/server";\n'
            'export const me = query({ args: {}, handler: async (ctx) => await getAuthUserId(ctx) });\n')


def app_with(root: Path, auth_config: str, files: dict[str, str] | None = None):
    for rel, text in {"package.json": '{"name": "issuers"}', "convex/auth.config.ts": auth_config,
                      "convex/me.ts": GET_USER, **(files or {})}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    project, _, _ = build_project([root], resolve_settings([root]))
    [app] = project.apps
    return project, app


@pytest.mark.parametrize("config, only_others", [
    ('export default { providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" }] };', True),
    ('const domain = process.env.CLERK_ISSUER;\nexport default { providers: [{ domain, applicationID: "convex" }] };',
     True),
    ('export default { providers: [{ domain: "https://clerk.example.com", applicationID: "convex" }] };', True),
    ('export default { providers: [{ type: "customJwt", issuer: process.env.AUTH_ISSUER, jwks: "https://a.example/j",'
     ' algorithm: "RS256" }] };', True),
    ('export default { providers: [{ domain: process.env.CONVEX_SITE_URL, applicationID: "convex" }] };', False),
    ('export default { providers: [{ domain: "https://happy-otter-12.convex.site", applicationID: "convex" }] };',
     False),
    ('export default { providers: [\n  { domain: process.env.CLERK_ISSUER, applicationID: "convex" },\n'
     '  { domain: process.env.CONVEX_SITE_URL, applicationID: "convex" },\n] };', False),
    ('let domain = process.env.CLERK_ISSUER;\nexport default { providers: [{ domain, applicationID: "convex" }] };',
     False),  # a `let` may be set to anything before the export is read
    ('import { issuers } from "./issuers";\nexport default { providers: [...issuers] };', False),
    ('export default { providers: [] };', False),
])
def test_auth_config_names_only_other_issuers(tmp_path, config, only_others):
    project, app = app_with(tmp_path, config)
    assert app.auth_config_names_only_other_issuers is only_others
    # no `convexAuth(...)` signs anyone in, and the app asks getAuthUserId
    assert project.convex_auth_ids_foreign(app) is only_others


@pytest.mark.parametrize("providers, foreign", [("[]", True), ("[Password]", False)])
def test_convex_auth_that_signs_in_gives_ids_of_users(tmp_path, providers, foreign):
    project, app = app_with(
        tmp_path, 'export default { providers: [{ domain: process.env.CLERK_ISSUER, applicationID: "convex" }] };',
        {"convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
         'import { Password } from "@convex-dev/auth/providers/Password";\n'
         f'export const {{ auth, signIn, signOut, store }} = convexAuth({{ providers: {providers} }});\n'})
    assert project.convex_auth_ids_foreign(app) is foreign


def test_without_convex_auth_user_ids_are_the_apps_own(tmp_path):
    project, app = app_with(
        tmp_path, 'export default { providers: [{ domain: process.env.CLERK_ISSUER, applicationID: "convex" }] };',
        {"convex/me.ts": 'import { query } from "./_generated/server";\n'
         'export const me = query({ args: {}, handler: async (ctx) => await ctx.auth.getUserIdentity() });\n'})
    assert app.auth_config_names_only_other_issuers
    assert not project.convex_auth_ids_foreign(app)
