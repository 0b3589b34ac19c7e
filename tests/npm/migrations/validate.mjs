// The oracle for tests/test_migrate_vjson.py: does a value pass a validator, according to
// convex-helpers' `validate` (which mirrors Convex's own validation) on the real `v`
// validators of the convex package? Reads [[validatorJson, value], ...] on stdin (validator
// JSON as `schema.export()` writes it; int64 values as {"$int64": "5"}), prints [bool, ...].
import { v } from "convex/values";
import { validate } from "convex-helpers/validators";

function int64(b64) {
  const bytes = Buffer.from(b64, "base64");
  return bytes.readBigInt64LE(0);
}

function fromJson(j) {
  switch (j.type) {
    case "string": return v.string();
    case "number": return v.number();
    case "bigint": return v.int64();
    case "boolean": return v.boolean();
    case "null": return v.null();
    case "any": return v.any();
    case "bytes": return v.bytes();
    case "id": return v.id(j.tableName);
    case "literal":
      return v.literal(j.value !== null && typeof j.value === "object" ? int64(j.value.$integer) : j.value);
    case "array": return v.array(fromJson(j.value));
    case "union": return v.union(...j.value.map(fromJson));
    case "record": return v.record(fromJson(j.keys), fromJson(j.values.fieldType));
    case "object":
      return v.object(Object.fromEntries(Object.entries(j.value).map(([k, f]) => [
        k, f.optional ? v.optional(fromJson(f.fieldType)) : fromJson(f.fieldType),
      ])));
    default: throw new Error(`unknown validator ${j.type}`);
  }
}

function value(x) {
  if (Array.isArray(x)) return x.map(value);
  if (x !== null && typeof x === "object") {
    if ("$int64" in x) return BigInt(x.$int64);
    return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, value(y)]));
  }
  return x;
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([validator, x]) => validate(fromJson(validator), value(x)));
process.stdout.write(JSON.stringify(out));
