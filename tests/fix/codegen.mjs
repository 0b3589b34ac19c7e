// Write convex/_generated/{api,server,dataModel}.ts for an app, offline.
//
// `npx convex codegen` needs a deployment since convex 1.28, so the tests cannot run it.
// api.ts and server.ts come from the template functions the CLI itself uses (they ship in
// the convex package under dist/esm/cli/codegen_templates), fed with the app's module list.
// dataModel.ts is a stand-in typed from the public generics (`DataModelFromSchemaDefinition
// <typeof schema>`), the "dynamic" data model `npx convex dev` used to write: the CLI's own
// template module pulls in the whole CLI, which cannot be imported outside its bundle.
//
// usage: node codegen.mjs <convex package dir> <functions dir> <modules JSON> <has schema: 0|1>
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [convexPkg, functionsDir, modulesJson, hasSchema] = process.argv.slice(2);
const templates = join(convexPkg, "dist", "esm", "cli", "codegen_templates");
const load = (name) => import(pathToFileURL(join(templates, name)).href);

const { apiCodegen } = await load("api.js");
const { serverCodegen } = await load("server.js");

const DATA_MODEL = `/* eslint-disable */
// Stand-in for the generated data model (see tests/fix/codegen.mjs).
import type { DataModelFromSchemaDefinition, DocumentByName, TableNamesInDataModel, SystemTableNames } from "convex/server";
import type { GenericId } from "convex/values";
import schema from "../schema.js";

export type TableNames = TableNamesInDataModel<DataModel>;
export type Doc<TableName extends TableNames> = DocumentByName<DataModel, TableName>;
export type Id<TableName extends TableNames | SystemTableNames> = GenericId<TableName>;
export type DataModel = DataModelFromSchemaDefinition<typeof schema>;
`;
const NO_SCHEMA_DATA_MODEL = `/* eslint-disable */
// Stand-in for the generated data model of an app without a schema.
import type { AnyDataModel } from "convex/server";
import type { GenericId } from "convex/values";

export type TableNames = string;
export type Doc = any;
export type Id<TableName extends TableNames = TableNames> = GenericId<TableName>;
export type DataModel = AnyDataModel;
`;

// The env vars the app declares, as the CLI gets them: `npx convex dev` analyses
// convex.config.ts (`defineApp(...).export()`) and passes its envVars to the server
// template, or [] when there are none — so the generated `Env` type lists only the
// platform variables unless the app declares more.
async function declaredEnvVars() {
  const config = ["convex.config.ts", "convex.config.js"].map((f) => join(functionsDir, f)).find(existsSync);
  if (config === undefined) return [];
  const esbuild = await import(pathToFileURL(join(convexPkg, "..", "esbuild", "lib", "main.js")).href);
  const bundled = join(functionsDir, "_generated", "convex.config.bundle.mjs");
  await esbuild.build({ entryPoints: [config], bundle: true, format: "esm", platform: "node", outfile: bundled,
                        logLevel: "silent", nodePaths: [join(convexPkg, "..")] });
  try {
    const app = (await import(pathToFileURL(bundled).href)).default;
    return app.export().envVars ?? [];
  } finally {
    rmSync(bundled);
  }
}

const modules = JSON.parse(modulesJson);
const out = join(functionsDir, "_generated");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "api.ts"), apiCodegen(modules, { useTypeScript: true }).TS);
const server = serverCodegen({ useTypeScript: true, envVars: await declaredEnvVars() });
writeFileSync(join(out, "server.ts"), server.TS ?? server);
writeFileSync(join(out, "dataModel.ts"), hasSchema === "1" ? DATA_MODEL : NO_SCHEMA_DATA_MODEL);
