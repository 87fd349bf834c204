// The real server for the SDK's tests: `croupier serve --dev` (the binary
// named by CROUPIER_BIN, which scripts/test sets) on a fresh SQLite file and
// a free port, with the demo passwords it prints; and a TCP relay in front
// of it that can cut every connection, as a network would.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Socket, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import type { SocketConstructor } from "../src/index.js";

export interface DevServer {
  port: number;
  passwords: Map<string, string>;
  stop(): Promise<void>;
}

/** `croupier serve --dev` on a fresh SQLite file, with `extra` arguments (`["--table", "coin_flip"]`). */
export async function startDevServer(extra: string[] = [], settings: Record<string, string> = {}): Promise<DevServer> {
  const bin = process.env.CROUPIER_BIN;
  if (!bin) throw new Error("CROUPIER_BIN must name the croupier binary (scripts/test sets it)");
  const dir = mkdtempSync(join(tmpdir(), "croupier-sdk-"));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("CROUPIER__") && !["CROUPIER_CONFIG", "DATABASE_URL", "REDIS_URL"].includes(k)) env[k] = v;
  }
  env.CROUPIER__DATABASE__SQLITE_PATH = join(dir, "dev.db");
  env.CROUPIER__RATE_LIMIT__ENABLED = "false";
  env.RUST_LOG = env.RUST_LOG ?? "warn";
  Object.assign(env, settings);
  const child: ChildProcess = spawn(bin, ["serve", "--dev", "--port", "0", ...extra], { env, stdio: ["ignore", "pipe", "inherit"] });
  const passwords = new Map<string, string>();
  let port = 0;
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the dev server printed no banner within 60 s")), 60_000);
    child.once("exit", (code) => reject(new Error(`the dev server exited (${code})`)));
    lines.on("line", (line) => {
      const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (listening) port = Number(listening[1]);
      const account = /^\s+\S+\s+(\S+)\s+password (\S+)/.exec(line);
      if (account) passwords.set(account[1], account[2]);
      if (line.trim().startsWith("tables:")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    port,
    passwords,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The WebSocket to test with: Node's own where it has one (22 and later), else the `ws` package's. */
export async function socketClass(): Promise<SocketConstructor> {
  if (globalThis.WebSocket) return globalThis.WebSocket;
  return (await import("ws")).WebSocket as unknown as SocketConstructor;
}

/** Signs `username` in over HTTP: the access token. */
export async function login(port: number, username: string, password: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** GET with a token: the JSON body. */
export async function get<T>(port: number, path: string, token: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

/** POST `body` (with a token, if given): the status and the JSON body. */
export async function post<T>(port: number, path: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/**
 * A relay on a free port to `target`: `cut()` drops every connection
 * through it, and while `refusing` it drops new ones at once.
 */
export class Relay {
  refusing = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly sockets: Set<Socket>,
  ) {}

  static async start(target: number): Promise<Relay> {
    const sockets = new Set<Socket>();
    let relay: Relay | null = null;
    const server = createServer((client) => {
      if (relay?.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(target, "127.0.0.1");
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    relay = new Relay(server, typeof address === "object" && address ? address.port : 0, sockets);
    return relay;
  }

  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }
}
