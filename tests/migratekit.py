"""Helpers for the migration planner's tests.

* `load_case(name)` plans a fixture of fixtures/migrate/<name>/ ({old,new}/convex/schema.ts,
  expected.json) through the same path the CLI takes (both schemas read by the static
  model, code impact from the new tree).
* `Harness` lays the generated code of several cases out as small Convex apps and checks it
  with the real tools from tests/npm/migrations (installed from its lockfile by
  tests/run.sh): `tsc --noEmit` against the real `convex` and `@convex-dev/migrations`
  type definitions, and `vitest` + `convex-test` running the generated migrations on the
  case's seed documents (seed.json) and validating every document against the final schema.

Codegen needs a deployment since convex 1.28, so `_generated/` here is a stand-in typed from
convex's public generics (migrations.md section d): `DataModelFromSchemaDefinition` for the
data model, `internalMutationGeneric` typed as `MutationBuilder<DataModel, "internal">`,
`anyApi` typed through `ApiFromModules`/`FilterApi`, and `componentsGeneric()` cast to the
component's own `ComponentApi`. These are the types `npx convex codegen` produces.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cvxlint.config import Settings
from cvxlint.migrate import sources
from cvxlint.migrate.renames import Answers
from cvxlint.migrate.run import PlanRun, plan_between

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "fixtures" / "migrate"
NPM = ROOT / "tests" / "npm" / "migrations" / "node_modules"
TSC = NPM / "typescript" / "bin" / "tsc"
VITEST = NPM / "vitest" / "vitest.mjs"
TEST_TS = Path(__file__).resolve().parent / "migrate" / "migrate.test.ts"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "expected.json").is_file())


def expected(name: str) -> dict:
    return json.loads((CASES / name / "expected.json").read_text("utf-8"))


def load_case(name: str, answers: list[str] | None = None) -> PlanRun:
    case = CASES / name
    exp = expected(name)
    settings = Settings()
    settings.validate()
    old = sources.working_tree([case / "old"], settings, None)
    old.root = (case / "old").resolve()
    new = sources.working_tree([case / "new"], settings, None)
    new.root = (case / "new").resolve()  # file paths in the plan: relative to the fixture app
    given = Answers.parse(exp.get("answers", []) if answers is None else answers)
    return plan_between(old, new, new, settings, answers=given)


# --- stand-in _generated ---------------------------------------------------------------------------

DATA_MODEL = """/* eslint-disable */
// Stand-in for `npx convex codegen` (tests/migratekit.py): the data model of ../schema.ts.
import type { DataModelFromSchemaDefinition, DocumentByName, TableNamesInDataModel, SystemTableNames } from "convex/server";
import type { GenericId } from "convex/values";
import schema from "../schema.js";

export type DataModel = DataModelFromSchemaDefinition<typeof schema>;
export type TableNames = TableNamesInDataModel<DataModel>;
export type Doc<TableName extends TableNames> = DocumentByName<DataModel, TableName>;
export type Id<TableName extends TableNames | SystemTableNames> = GenericId<TableName>;
"""

SERVER = """/* eslint-disable */
// Stand-in for `npx convex codegen` (tests/migratekit.py).
import {
  actionGeneric, internalActionGeneric, internalMutationGeneric, internalQueryGeneric, mutationGeneric, queryGeneric,
} from "convex/server";
import type { ActionBuilder, MutationBuilder, QueryBuilder } from "convex/server";
import type { DataModel } from "./dataModel.js";

export const query: QueryBuilder<DataModel, "public"> = queryGeneric;
export const internalQuery: QueryBuilder<DataModel, "internal"> = internalQueryGeneric;
export const mutation: MutationBuilder<DataModel, "public"> = mutationGeneric;
export const internalMutation: MutationBuilder<DataModel, "internal"> = internalMutationGeneric;
export const action: ActionBuilder<DataModel, "public"> = actionGeneric;
export const internalAction: ActionBuilder<DataModel, "internal"> = internalActionGeneric;
"""

API = """/* eslint-disable */
// Stand-in for `npx convex codegen` (tests/migratekit.py).
import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";
import { anyApi, componentsGeneric } from "convex/server";
import type { ComponentApi as MigrationsComponentApi } from "@convex-dev/migrations/_generated/component.js";
@IMPORTS@

declare const fullApi: ApiFromModules<{
@MODULES@
}>;
export const api: FilterApi<typeof fullApi, FunctionReference<any, "public">> = anyApi as any;
export const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">> = anyApi as any;
export const components = componentsGeneric() as unknown as { migrations: MigrationsComponentApi };
"""

TSCONFIG = {
    # The options of the convex/tsconfig.json `npx convex dev` writes.
    "compilerOptions": {
        "allowJs": True, "strict": True, "moduleResolution": "Bundler", "jsx": "react-jsx", "skipLibCheck": True,
        "allowSyntheticDefaultImports": True, "target": "ESNext", "lib": ["ES2021", "dom"],
        "forceConsistentCasingInFileNames": True, "module": "ESNext", "isolatedModules": True, "noEmit": True,
    },
    "include": ["./convex/**/*"],
}

VITEST_CONFIG = """import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "edge-runtime",
    include: ["*/test/*.test.ts"],
    server: { deps: { inline: ["convex-test", "@convex-dev/migrations"] } },
  },
});
"""


def write_generated(functions: Path) -> None:
    mods = sorted(p.relative_to(functions).as_posix()[:-3] for p in functions.rglob("*.ts")
                  if p.name not in ("schema.ts", "convex.config.ts") and "_generated" not in p.parts)
    ident = {m: m.replace("/", "_") for m in mods}
    gen = functions / "_generated"
    gen.mkdir(parents=True, exist_ok=True)
    (gen / "dataModel.ts").write_text(DATA_MODEL)
    (gen / "server.ts").write_text(SERVER)
    imports = "\n".join(f'import type * as {ident[m]} from "../{m}.js";' for m in mods)
    modules = "\n".join(f'  "{m}": typeof {ident[m]};' for m in mods)
    (gen / "api.ts").write_text(API.replace("@IMPORTS@", imports).replace("@MODULES@", modules))


# --- laying out cases -----------------------------------------------------------------------------


@dataclass
class AppCase:
    name: str  # the app's directory under the harness root
    runtime: bool  # has seed.json: run under convex-test
    files: dict[str, str] = field(default_factory=dict)


class Harness:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        link = root / "node_modules"
        if not link.exists():
            link.symlink_to(NPM, target_is_directory=True)
        (root / "vitest.config.mjs").write_text(VITEST_CONFIG)
        self.cases: list[AppCase] = []

    def add(self, name: str, run: PlanRun, mutate=None, runtime: bool = True, app_code: bool = False,
            narrow: bool = False) -> AppCase:
        """Lay out the files the plan of fixture `name` generates as an app under root/<name>
        (`mutate(files)` may plant a bug first; `app_code` adds the new app's own modules, to
        check that the code shipped with phase 1 compiles against the phase-1 schema; `narrow`
        lays out what the narrow push deploys after its printed `cp` commands: the final
        schema and the plan's narrow-phase migrations module, if it has one)."""
        plan = run.plan
        files = {f.path: f.content for f in run.files}
        if mutate is not None:
            mutate(files)
        case_dir = CASES / (name.split("@")[0])
        app = self.root / name
        if app.exists():
            shutil.rmtree(app)
        functions = app / "convex"
        functions.mkdir(parents=True)
        new_schema = (case_dir / "new" / "convex" / "schema.ts").read_text("utf-8")
        plan_dir = f".cvxlint/plans/{plan.id}"
        (functions / "schema.ts").write_text(files.get("convex/schema.ts", new_schema))
        if narrow:
            (functions / "schema.ts").write_text(files.get(f"{plan_dir}/schema.ts", new_schema))
            if f"{plan_dir}/migrations.ts" in files:
                files["convex/migrations.ts"] = files[f"{plan_dir}/migrations.ts"]
        for rel in ("convex/migrations.ts", "convex/convex.config.ts"):
            if rel in files:
                (app / rel).write_text(files[rel])
        if app_code:
            source = case_dir / "new" / "convex"
            for p in source.rglob("*.ts"):
                if p.name not in ("schema.ts", "convex.config.ts") and "_generated" not in p.parts:
                    target = functions / p.relative_to(source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(p.read_text("utf-8"))
        write_generated(functions)
        (app / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
        runnable = [m.name for m in plan.migrations if m.kind != "verify" and m.ready]  # in run order
        verify = [m.name for m in plan.migrations if m.kind == "verify"]
        seed = case_dir / "seed.json"
        c = AppCase(name, runtime and seed.is_file(), files)
        if c.runtime:
            test = app / "test"
            test.mkdir()
            shutil.copy(TEST_TS, test / "migrate.test.ts")
            shutil.copy(seed, test / "seed.json")
            (test / "old_schema.ts").write_text((case_dir / "old" / "convex" / "schema.ts").read_text("utf-8"))
            (test / "final_schema.ts").write_text(files.get(f"{plan_dir}/schema.ts", new_schema))
            final_tables = [t["tableName"] for t in plan.narrowed["tables"]]
            # after.json (optional): each table's documents once migrated, without system fields,
            # in insertion order; it pins what a migration keeps, which the final schema alone
            # does not (an emptied array passes it too)
            after = case_dir / "after.json"
            (test / "run.json").write_text(json.dumps({
                "module": run.module, "migrations": runnable, "verify": verify, "finalTables": final_tables,
                "after": json.loads(after.read_text("utf-8")) if after.is_file() else None}))
        self.cases.append(c)
        return c

    # -- the real tools ---------------------------------------------------------------------------
    def tsc_all(self) -> dict[str, list[str]]:
        """Type-check every case in one tsc program (the cases are separate module trees, each
        with its own `_generated`); returns each case's error lines (empty: it compiles)."""
        config = dict(TSCONFIG, include=[f"./{c.name}/convex/**/*" for c in self.cases])
        (self.root / "tsconfig.json").write_text(json.dumps(config, indent=2))
        r = subprocess.run(["node", str(TSC), "--noEmit", "-p", str(self.root / "tsconfig.json")],
                           capture_output=True, text=True, timeout=600, cwd=self.root)
        errors: dict[str, list[str]] = {c.name: [] for c in self.cases}
        other: list[str] = []
        for line in (r.stdout + r.stderr).splitlines():
            head = line.split("/", 1)[0]
            if head in errors:
                errors[head].append(line)
            elif line.strip() and not line.startswith(" "):
                other.append(line)
        assert r.returncode == 0 or any(errors.values()) or other, r.stdout + r.stderr
        assert not other, "tsc errors outside the cases:\n" + "\n".join(other)
        return errors

    def vitest(self) -> dict[str, dict[str, dict]]:
        """Run every runtime case's test file in one vitest process; returns
        {case: {test title: {"status": "passed"|"failed", "messages": [...]}}}."""
        out = self.root / "vitest-results.json"
        if out.exists():
            out.unlink()
        r = subprocess.run(["node", str(VITEST), "run", "--root", str(self.root), "--reporter=json",
                            f"--outputFile={out}"], capture_output=True, text=True, timeout=600, cwd=self.root)
        assert out.is_file(), f"vitest wrote no results (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        data = json.loads(out.read_text("utf-8"))
        results: dict[str, dict[str, dict]] = {}
        for f in data["testResults"]:
            case = Path(f["name"]).resolve().relative_to(self.root.resolve()).parts[0]
            per = results.setdefault(case, {})
            if not f["assertionResults"]:
                per["<file>"] = {"status": "failed", "messages": [f.get("message", "")]}
            for a in f["assertionResults"]:
                per[a["title"]] = {"status": a["status"], "messages": a.get("failureMessages", [])}
        return results
