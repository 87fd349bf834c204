// Turns the server's JSON Schemas (schema/*.json, written by
// `cargo run -p croupier-server --example schemas`) into the SDK's
// TypeScript types (src/generated/*.ts). `node scripts/generate.mjs --check`
// writes nothing and fails when a committed file differs from what the
// schemas give (test/generated.test.ts runs the same check).
import { readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaDir = join(root, "schema");
const outDir = join(root, "src", "generated");

/**
 * json-schema-to-typescript drops the properties that sit beside an
 * `allOf` (as schemars writes a tagged newtype variant: the inner type's
 * `$ref`, plus the tag): move them into the `allOf` as one more member.
 */
function normalise(node) {
  if (Array.isArray(node)) return node.map(normalise);
  if (!node || typeof node !== "object") return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, normalise(v)]));
  if (Array.isArray(out.allOf) && out.properties) {
    const { properties, required, type, additionalProperties, ...rest } = out;
    const member = { type: type ?? "object", properties, ...(required ? { required } : {}) };
    if (additionalProperties !== undefined) member.additionalProperties = additionalProperties;
    return { ...rest, allOf: [...out.allOf, member] };
  }
  return out;
}

/** The TypeScript text of every schema, by output file name. */
export async function generated() {
  const out = new Map();
  for (const file of (await readdir(schemaDir)).filter((f) => f.endsWith(".json")).sort()) {
    const schema = normalise(JSON.parse(await readFile(join(schemaDir, file), "utf8")));
    const name = file.replace(/\.json$/, "");
    const banner =
      `// Generated from schema/${file} by scripts/generate.mjs (run scripts/generate-types\n` +
      `// at the repository root); do not edit. ${schema.description ?? ""}`.trimEnd();
    const text = await compile({ ...schema, title: undefined, description: undefined }, name, {
      bannerComment: banner,
      unreachableDefinitions: true,
      additionalProperties: false,
      strictIndexSignatures: true,
      format: true,
      style: { printWidth: 110 },
    });
    // The schema's root only gathers the definitions: no type of its own.
    const title = name[0].toUpperCase() + name.slice(1);
    out.set(`${name}.ts`, text.replace(`\nexport interface ${title} {\n  [k: string]: unknown | undefined;\n}\n`, "\n"));
  }
  return out;
}

async function main() {
  const check = process.argv.includes("--check");
  const files = await generated();
  await mkdir(outDir, { recursive: true });
  const stale = [];
  for (const [file, text] of files) {
    const path = join(outDir, file);
    const old = await readFile(path, "utf8").catch(() => null);
    if (old === text) continue;
    if (check) stale.push(file);
    else {
      await writeFile(path, text);
      console.log(`generate: wrote src/generated/${file}`);
    }
  }
  if (stale.length) {
    console.error(`generate: stale: ${stale.join(", ")} (run scripts/generate-types)`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
