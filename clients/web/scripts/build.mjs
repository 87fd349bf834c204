// Builds the web client into site/ (what the server embeds): compiles src/
// and the SDK it is built on with tsc into site/js, copies @noble/ciphers'
// ChaCha20 (and the files it imports) into site/vendor, and points the
// compiled imports at that copy. `--check` builds into a scratch folder and
// fails if site/ differs, so a stale commit of site/ fails the test command.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const VENDOR = ["chacha.js", "_arx.js", "_poly1305.js", "utils.js", "LICENSE"];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function build(out) {
  rmSync(join(out, "js"), { recursive: true, force: true });
  rmSync(join(out, "vendor"), { recursive: true, force: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json"), "--outDir", join(out, "js")], { stdio: "inherit" });
  const vendor = join(out, "vendor", "noble-ciphers");
  mkdirSync(vendor, { recursive: true });
  for (const f of VENDOR) cpSync(join(root, "node_modules", "@noble", "ciphers", f), join(vendor, f));
  for (const file of files(join(out, "js")).filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(file, "utf8");
    const to = relative(dirname(file), vendor).split("\\").join("/");
    const fixed = text.replaceAll('from "@noble/ciphers/', `from "${to}/`);
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

if (!check) {
  build(join(root, "site"));
  console.log("built site/js and site/vendor");
} else {
  const scratch = mkdtempSync(join(tmpdir(), "croupier-web-"));
  try {
    build(scratch);
    const want = new Map(files(scratch).map((f) => [relative(scratch, f), readFileSync(f)]));
    const have = new Map(
      ["js", "vendor"].flatMap((d) => files(join(root, "site", d))).map((f) => [relative(join(root, "site"), f), readFileSync(f)]),
    );
    const stale = [...new Set([...want.keys(), ...have.keys()])].filter((k) => !want.get(k)?.equals(have.get(k) ?? Buffer.alloc(0)) || !have.has(k));
    if (stale.length) {
      console.error(`site/ is stale (run \`npm run build\` in clients/web and commit it): ${stale.join(", ")}`);
      process.exit(1);
    }
    console.log(`site/ matches its sources (${want.size} files)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
