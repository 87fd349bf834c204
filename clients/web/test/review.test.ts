// The operator console's review queues in a real browser: Debian's
// chromium driven by playwright-core against `croupier serve --dev`, whose
// payment provider is the sandbox running as its own process (`croupier
// sandbox-pay`) and whose AML rules open a case at the second account
// signed in from one address. A demo player asks for a withdrawal above
// the review threshold; the operator approves it in the console and it is
// paid out (the player's balance says so); the operator opens the AML case
// the sign-ins raised, reads it, notes it and closes it as cleared, and
// each action is in the audit trail.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";

import { type DevServer, startDevServer } from "../../typescript/test/server.js";

const WAIT = { timeout: 45_000 };
const PAYMENTS = { CROUPIER__PAYMENTS__API_KEY: "sk_test_console", CROUPIER__PAYMENTS__WEBHOOK_SECRET: "whsec_test_console" };

let server: DevServer;
let sandbox: ChildProcess;
let browser: Browser;

/** A port free a moment ago, for the sandbox (the server must know it before the sandbox knows the server's). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** `croupier sandbox-pay` on `port`, sending its webhooks to `webhook`; resolves once it listens. */
async function startSandbox(port: number, webhook: string): Promise<ChildProcess> {
  const bin = process.env.CROUPIER_BIN;
  if (!bin) throw new Error("CROUPIER_BIN must name the croupier binary (scripts/test sets it)");
  const child = spawn(bin, ["sandbox-pay", "--port", String(port), "--webhook-url", webhook], {
    env: { ...process.env, ...PAYMENTS, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the payment sandbox did not start within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`the payment sandbox exited (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.includes("sandbox payment provider on")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

async function signIn(p: Page, username: string): Promise<void> {
  await p.goto(`http://127.0.0.1:${server.port}/`);
  const form = p.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(server.passwords.get(username) ?? "");
  await form.getByRole("button", { name: "Sign in" }).click();
  await p.locator("#bar nav").waitFor(WAIT);
}

/** A JSON route called from the page with its own token. */
async function call<T>(p: Page, method: string, path: string, body?: unknown): Promise<T> {
  return p.evaluate(
    async ([method, path, body]) => {
      const tokens = JSON.parse(sessionStorage.getItem("croupier.tokens") ?? "{}") as { access_token: string };
      const headers: Record<string, string> = { authorization: `Bearer ${tokens.access_token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(path as string, { method: method as string, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return res.json();
    },
    [method, path, body] as const,
  ) as Promise<T>;
}

const euros = async (p: Page) =>
  (await call<{ balances: { currency: string; available: number }[] }>(p, "GET", "/v1/wallet")).balances.find((b) => b.currency === "EUR")?.available ?? 0;

describe("the console's review queues in chromium", { timeout: 300_000 }, () => {
  before(async () => {
    const port = await freePort();
    server = await startDevServer([], {
      ...PAYMENTS,
      CROUPIER__PAYMENTS__PROVIDER: "sandbox",
      CROUPIER__PAYMENTS__API_URL: `http://127.0.0.1:${port}`,
      CROUPIER__PAYMENTS__RETURN_URL: "http://127.0.0.1/#/wallet",
      CROUPIER__PAYMENTS__REVIEW_ABOVE: "1000",
      CROUPIER__AML__ACCOUNTS_PER_ADDRESS: "2",
    });
    sandbox = await startSandbox(port, `http://127.0.0.1:${server.port}/v1/payments/sandbox/webhook`);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  after(async () => {
    await browser?.close();
    sandbox?.kill("SIGTERM");
    await server?.stop();
  });

  it("approves a withdrawal, which is paid out, and closes an AML case as cleared", async () => {
    const player = await (await browser.newContext()).newPage();
    const staff = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    staff.on("pageerror", (e) => assert.fail(`a script error in the console: ${e.message}`));
    await signIn(player, "alice");
    await signIn(staff, "dev-operator");
    const before = await euros(player);
    const asked = await call<{ payment: { id: number; status: string } }>(player, "POST", "/v1/wallet/withdrawals", { amount: 2_000, currency: "EUR", destination: "acct_ok" });
    assert.equal(asked.payment.status, "review", JSON.stringify(asked));
    assert.equal(await euros(player), before - 2_000, "held while it waits");

    // The withdrawal, approved from its row.
    await staff.reload();
    const row = staff.locator(`tr[data-withdrawal="${asked.payment.id}"]`);
    await row.waitFor(WAIT);
    assert.match(await row.innerText(), /alice[\s\S]*20\.00 EUR[\s\S]*acct_ok/);
    const approve = row.getByRole("form", { name: "Approve" });
    await approve.getByLabel("Reason").fill("known customer, checked");
    await approve.getByRole("button", { name: "Approve" }).click();
    await staff.getByText(new RegExp(`Withdrawal ${asked.payment.id} is (approved|paying|paid)\\.`)).waitFor(WAIT);
    await row.waitFor({ state: "detached", ...WAIT });
    for (let i = 0; ; i++) {
      const { payments } = await call<{ payments: { id: number; status: string }[] }>(player, "GET", "/v1/wallet/payments");
      if (payments.find((p) => p.id === asked.payment.id)?.status === "paid") break;
      assert.ok(i < 300, "the approved withdrawal was never paid");
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await euros(player), before - 2_000, "paid from the hold, once");
    await staff.locator('.audit tr[data-action="withdrawal.approve"]').waitFor(WAIT);

    // The AML case the second sign-in from this address raised.
    const caseRow = staff.locator('.cases tr[data-rule="shared_address"]').first();
    await caseRow.waitFor(WAIT);
    const id = await caseRow.getAttribute("data-case");
    await caseRow.getByRole("button", { name: "Open" }).click();
    const detail = staff.locator(".case-detail");
    await detail.getByText(/shared_address/).first().waitFor(WAIT);
    assert.match(await detail.innerText(), /address:127\.0\.0\.1/);
    const note = detail.getByRole("form", { name: "Add a note" });
    await note.getByLabel("Note").fill("demo accounts on one machine");
    await note.getByRole("button", { name: "Add note" }).click();
    await detail.locator(".history li", { hasText: "note: demo accounts on one machine" }).waitFor(WAIT);
    const close = detail.getByRole("form", { name: "Close case" });
    await close.getByLabel("Outcome").selectOption("cleared");
    await close.getByLabel("Reason").fill("the operator's own test accounts");
    await close.getByRole("button", { name: "Close case" }).click();
    await detail.getByText(/closed \(cleared\)/).first().waitFor(WAIT);
    await detail.locator(".history li", { hasText: "close: the operator's own test accounts" }).waitFor(WAIT);
    await staff.locator('.audit tr[data-action="aml.close"]').waitFor(WAIT);
    await staff.locator(`.cases tr[data-case="${id}"]`).waitFor({ state: "detached", ...WAIT });
  });
});
