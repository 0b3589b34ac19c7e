"""convex 0.x apps: auth configured in convex.json `authInfo`, and what CVX401 does with it.

The version boundaries come from the CLI in the npm tarballs: convex 0.14.1 reads only
`authInfo` (no auth.config.js), 0.15 to 1.31.4 still read it (pushed with the config or moved
into auth.config.js), 1.31.5 dropped it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvxlint.api import build_project, check, resolve_settings

AUTH_INFO = '{"functions": "convex/", "authInfo": [{"applicationID": "abc", "domain": "https://issuer.example.com"}]}'
DELETE_NOTE = ('import { mutation } from "./_generated/server";\n'
               'export default mutation(async ({ db }, { id }) => {\n  await db.delete(id);\n});\n')
STORE_USER = ('import { mutation } from "./_generated/server";\n'
              'export default mutation(async ({ db, auth }) => {\n  const identity = await auth.getUserIdentity();\n'
              '  if (!identity) throw new Error("signed out");\n  await db.insert("users", { token: identity.tokenIdentifier });\n});\n')


def write_app(root: Path, convex: str | None, convex_json: str | None) -> Path:
    deps = f', "dependencies": {{"convex": "{convex}"}}' if convex else ""
    files = {
        "package.json": f'{{"name": "legacy"{deps}}}',
        "convex/_generated/server.d.ts": "export declare const mutation: any;\n",
        "convex/deleteNote.js": DELETE_NOTE,
        "convex/storeUser.js": STORE_USER,
    }
    if convex_json is not None:
        files["convex.json"] = convex_json
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize("convex, convex_json, configured", [
    ("0.14.1", AUTH_INFO, True),  # the only place 0.14 reads auth from
    ("1.31.4", AUTH_INFO, True),  # still pushed with the config
    (None, AUTH_INFO, True),  # version unknown: the key says it is an old app
    ("1.31.5", AUTH_INFO, False),  # dropped: the key is ignored
    ("0.14.1", '{"functions": "convex/", "authInfo": []}', False),
    ("0.14.1", None, False),
])
def test_auth_info_counts_as_auth_config_where_the_cli_reads_it(tmp_path, convex, convex_json, configured):
    root = write_app(tmp_path, convex, convex_json)
    project, _, _ = build_project([root], resolve_settings([root]))
    [app] = project.apps
    assert app.auth_configured is configured


def test_cvx401_checks_a_convex_014_app_whose_auth_is_in_convex_json(tmp_path):
    """With authInfo, deleteNote (public, deletes any note, asks nobody) is reported and
    storeUser's identity check is no 'there is never a signed-in caller'."""
    root = write_app(tmp_path, "0.14.1", AUTH_INFO)
    found = check([root], resolve_settings([root], overrides={"select": ["CVX4"]})).diagnostics
    # (CVX4, not CVX401: a rule selected by its code runs even without an auth config)
    found = [d for d in found if d.code == "CVX401"]
    assert [Path(d.path).name for d in found] == ["deleteNote.js"]
    assert "checks no identity" in found[0].message
    # where the CLI ignores the key, the app has no auth config: said once, nothing checked
    (tmp_path / "package.json").write_text('{"name": "legacy", "dependencies": {"convex": "1.48.0"}}')
    found = check([root], resolve_settings([root], overrides={"select": ["CVX4"]})).diagnostics
    found = [d for d in found if d.code == "CVX401"]
    assert [Path(d.path).name for d in found] == ["storeUser.js"]
    assert "no `auth.config.ts`" in found[0].message


def test_registrations_a_factory_makes_and_the_bare_forms(tmp_path):
    """`deleteColumn("races", "mode")` where `deleteColumn = (t, c) => (internalMutation(async ...))`
    (parenthesized, bare form inside the factory) is registered, with the factory's function as
    its handler; `query(listRaces)` and `mutation(withUser(async ...))` are the bare form, the
    first with listRaces as its handler, the second with no handler read (the wrapper's
    function is the handler) but the function it was given known."""
    server = 'import { query, mutation, internalMutation } from "./_generated/server";\n'
    files = {
        "package.json": '{"name": "legacy", "dependencies": {"convex": "0.14.1"}}',
        "convex/_generated/server.d.ts": "export declare const query: any, mutation: any, internalMutation: any;\n",
        "convex/oneTime.js": server + 'const deleteColumn = (table, column) => (\n  internalMutation(async ({ db }) => {\n'
                             '    for (const row of await db.query(table).take(100)) { delete row[column]; await db.replace(row._id, row); }\n'
                             '  })\n);\nexport const removeMode = deleteColumn("races", "mode");\n',
        "convex/races.js": server + 'const withUser = (func) => async (ctx, args) => func({ ...ctx, user: 1 }, args);\n'
                           'async function listRaces({ db }, { ended }) {\n  return await db.query("races").take(10);\n}\n'
                           'export const list = query(listRaces);\n'
                           'export const join = mutation(withUser(async ({ db, user }, { raceId }) => db.patch(raceId, { user })));\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    project, _, _ = build_project([tmp_path], resolve_settings([tmp_path]))
    [app] = project.apps
    remove = app.by_identifier["oneTime:removeMode"]
    assert (remove.kind, remove.visibility) == ("mutation", "internal")
    assert remove.handler is not None and remove.facts.text(remove.handler.node).startswith("async ({ db })")
    listed = app.by_identifier["races:list"]
    assert listed.is_legacy and listed.facts.text(listed.handler.node).startswith("async function listRaces")
    join = app.by_identifier["races:join"]
    assert join.is_legacy and join.handler is None
    assert join.facts.text(join.wrapped.node).startswith("async ({ db, user }, { raceId })")
