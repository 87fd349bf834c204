// The committed TypeScript types are exactly what scripts/generate.mjs
// makes of the committed schemas (whose own freshness against the Rust
// types server/tests/types.rs checks), every one of them and nothing else,
// each exported from src/index.ts: run scripts/generate-types after
// changing a wire type.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("the generated types are fresh", async () => {
  const script = join(root, "scripts", "generate.mjs");
  const { generated } = (await import(script)) as { generated: () => Promise<Map<string, string>> };
  const files = await generated();
  // Exactly the files the schemas make are committed (a game added to the
  // server's schema list needs no edit here), each as generated.
  const committed = (await readdir(join(root, "src", "generated"))).filter((f) => f.endsWith(".ts")).sort();
  assert.deepEqual(committed, [...files.keys()].sort(), "src/generated/ holds what scripts/generate-types makes: run it");
  assert.ok(files.has("protocol.ts") && files.size > 1, "the protocol and at least one game");
  for (const [file, text] of files) {
    const kept = await readFile(join(root, "src", "generated", file), "utf8");
    assert.ok(kept === text, `src/generated/${file} is stale: run scripts/generate-types`);
  }
  // Every generated module is part of the SDK: exported from index.ts under its own name.
  const index = await readFile(join(root, "src", "index.ts"), "utf8");
  for (const file of files.keys()) {
    const name = file.replace(/\.ts$/, "");
    assert.ok(index.includes(`export type * as ${name} from "./generated/${name}.js";`), `src/index.ts does not export ${name}: add \`export type * as ${name} from "./generated/${name}.js";\``);
  }
});
