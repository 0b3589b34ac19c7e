// Bundle a Convex schema.ts with the real esbuild and print `schema.export()` (the JSON the
// Convex CLI pushes). Usage: node export_schema.mjs <schema.ts> [nodePath...]
// Packages resolve from tests/js/node_modules first, then from the extra node paths given.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const base = path.resolve(here, "..", "js");
const require = createRequire(path.join(base, "package.json"));
const esbuild = require("esbuild");

const [entry, ...extra] = process.argv.slice(2);
const out = mkdtempSync(path.join(tmpdir(), "cvxlint-schema-"));
try {
  const result = await esbuild.build({
    entryPoints: [path.resolve(entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "silent",
    nodePaths: [path.join(base, "node_modules"), ...extra.map((p) => path.resolve(p))],
  });
  const file = path.join(out, "schema.mjs");
  writeFileSync(file, result.outputFiles[0].contents);
  const mod = await import(pathToFileURL(file).href);
  const schema = mod.default;
  if (!schema || typeof schema.export !== "function") {
    throw new Error("the default export has no export() method");
  }
  process.stdout.write(schema.export() + "\n");
} finally {
  rmSync(out, { recursive: true, force: true });
}
