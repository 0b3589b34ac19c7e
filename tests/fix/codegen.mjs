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
import { mkdirSync, writeFileSync } from "node:fs";
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

const modules = JSON.parse(modulesJson);
const out = join(functionsDir, "_generated");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "api.ts"), apiCodegen(modules, { useTypeScript: true }).TS);
const server = serverCodegen({ useTypeScript: true, envVars: undefined });
writeFileSync(join(out, "server.ts"), server.TS ?? server);
writeFileSync(join(out, "dataModel.ts"), hasSchema === "1" ? DATA_MODEL : NO_SCHEMA_DATA_MODEL);
