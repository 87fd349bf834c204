// The committed TypeScript types are exactly what scripts/generate.mjs
// makes of the committed schemas (whose own freshness against the Rust
// types server/tests/types.rs checks): run scripts/generate-types after
// changing a wire type.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("the generated types are fresh", async () => {
  const script = join(root, "scripts", "generate.mjs");
  const { generated } = (await import(script)) as { generated: () => Promise<Map<string, string>> };
  const files = await generated();
  assert.deepEqual([...files.keys()].sort(), ["blackjack.ts", "protocol.ts", "roulette.ts", "slots.ts"]);
  for (const [file, text] of files) {
    const committed = await readFile(join(root, "src", "generated", file), "utf8");
    assert.ok(committed === text, `src/generated/${file} is stale: run scripts/generate-types`);
  }
});
