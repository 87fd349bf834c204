// The player's account screen in a real browser: Debian's chromium driven
// by playwright-core against `croupier serve --dev`. A new player sets a
// loss limit, then loosens it (it waits out the cooling period), sets a
// reality check, sees their identity status, takes a cool-off (which the
// server then holds), downloads their data (the export names them), and
// erases the account: signed out with a notice, the old password no
// longer signs in, and the server says the account is erased.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";

import { type DevServer, startDevServer } from "../../typescript/test/server.js";

const WAIT = { timeout: 45_000 };
const PASSWORD = "dana-password-1";

let server: DevServer;
let browser: Browser;
let page: Page;

const saved = (p: Page) => p.locator("main .out .notice").last();

describe("the account screen in chromium", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startDevServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on("pageerror", (e) => assert.fail(`a script error on the page: ${e.message}`));
    await page.goto(`http://127.0.0.1:${server.port}/`);
    const form = page.getByRole("form", { name: "Sign up" });
    await form.getByLabel("Username").fill("dana");
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: "Create account" }).click();
    await page.locator("#bar nav").waitFor(WAIT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("sets a loss limit at once and waits out the cooling period to loosen it", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    const set = page.getByRole("form", { name: "Set a limit" });
    await set.waitFor(WAIT);
    await set.getByLabel("Limit on").selectOption("loss");
    await set.getByLabel("Per").selectOption("day");
    await set.getByLabel(/Amount/).fill("50");
    await set.getByRole("button", { name: "Set" }).click();
    await saved(page).filter({ hasText: "Your loss limit a day is 50.00 EUR." }).waitFor(WAIT);
    const row = page.locator('tr[data-limit="loss-day-EUR"]');
    assert.match(await row.innerText(), /50\.00 EUR/);
    // Loosening waits: the limit in force stays 50.00 and the 80.00 is shown waiting.
    await set.getByLabel(/Amount/).fill("80");
    await set.getByRole("button", { name: "Set" }).click();
    await saved(page).filter({ hasText: "Your loss limit loosens from" }).waitFor(WAIT);
    const cells = await row.locator("td").allInnerTexts();
    assert.equal(cells[1], "50.00 EUR", cells.join(" | "));
    assert.match(cells[3], /^80\.00 EUR from /, cells.join(" | "));
    // What is not an amount is refused before it is sent; what the server
    // refuses is shown in its words. Neither changes anything.
    await set.getByLabel(/Amount/).fill("-3");
    await set.getByRole("button", { name: "Set" }).click();
    await page.locator("main .out .notice.error", { hasText: "is not an amount" }).waitFor(WAIT);
    await set.getByLabel("Currency").fill("ZZZ");
    await set.getByLabel(/Amount/).fill("10");
    await set.getByRole("button", { name: "Set" }).click();
    await page.locator("main .out .notice.error", { hasText: /currency/i }).waitFor(WAIT);
    assert.equal((await row.locator("td").allInnerTexts())[1], "50.00 EUR");
    assert.equal(await page.locator('tr[data-limit$="-ZZZ"]').count(), 0);
  });

  it("sets a reality check, shows the identity status, and takes a cool-off the server then holds", async () => {
    const rules = page.getByRole("form", { name: "Play sessions" });
    await rules.getByLabel(/Reality check every/).fill("30");
    await rules.getByRole("button", { name: "Save" }).click();
    await saved(page).filter({ hasText: "Your play-session rules are saved." }).waitFor(WAIT);
    assert.equal(await page.getByRole("form", { name: "Play sessions" }).getByLabel(/Reality check every/).inputValue(), "30", "as the server now holds it");
    assert.equal(await page.locator("[data-kyc]").getAttribute("data-kyc"), "none");

    const exclude = page.getByRole("form", { name: "Exclude yourself" });
    await exclude.getByLabel("Kind").selectOption("cool_off");
    await exclude.getByLabel(/Days/).fill("1");
    await exclude.getByLabel(/cannot be undone/).check();
    await exclude.getByRole("button", { name: "Exclude me" }).click();
    await saved(page).filter({ hasText: "You are excluded until" }).waitFor(WAIT);
    await page.locator("main .notice", { hasText: /^Cool-off until/ }).waitFor(WAIT);
    // The server holds it.
    const held = await page.evaluate(async () => {
      const { access_token } = JSON.parse(sessionStorage.getItem("croupier.tokens") ?? "{}") as { access_token: string };
      const res = await fetch("/v1/me/protection", { headers: { authorization: `Bearer ${access_token}` } });
      return ((await res.json()) as { exclusion: { kind: string; active: boolean } }).exclusion;
    });
    assert.deepEqual([held.kind, held.active], ["cool_off", true]);
  });

  it("downloads the player's data, then erases the account", async () => {
    const [download] = await Promise.all([page.waitForEvent("download", WAIT), page.getByRole("button", { name: "Download my data" }).click()]);
    assert.match(download.suggestedFilename(), /^croupier-export-\d+\.json$/);
    const data = JSON.parse(await readFile((await download.path())!, "utf8")) as { format: string; sections: { account: { username: string }[]; limits: unknown[] } };
    assert.equal(data.format, "croupier-export/1");
    assert.equal(JSON.stringify(data.sections.account).includes('"dana"'), true, "the export names its player");
    assert.ok(data.sections.limits.length >= 1, "and holds the limit just set");

    const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem("croupier.tokens") ?? "{}") as { access_token: string }).access_token);
    const erase = page.getByRole("form", { name: "Erase my account" });
    await erase.getByLabel("Password").fill("not the password");
    await erase.getByLabel("Erase it for good").check();
    await erase.getByRole("button", { name: "Erase my account" }).click();
    await page.locator("main .out .notice.error").filter({ hasText: /password/i }).waitFor(WAIT);
    await erase.getByLabel("Password").fill(PASSWORD);
    await erase.getByRole("button", { name: "Erase my account" }).click();
    await page.getByRole("status").filter({ hasText: "Your account is erased." }).waitFor(WAIT);
    await page.getByRole("form", { name: "Sign in" }).waitFor(WAIT);

    const answer = await fetch(`http://127.0.0.1:${server.port}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 401);
    assert.equal(((await answer.json()) as { error: { code: string } }).error.code, "account_erased");
    const form = page.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Username").fill("dana");
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".auth .notice.error, .out .notice.error").first().waitFor(WAIT);
    assert.equal(await page.locator("#bar nav").count(), 0, "not signed in");
  });
});
