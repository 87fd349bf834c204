// The web client in a real browser: Debian's chromium (CHROMIUM, default
// /usr/bin/chromium) driven by playwright-core against `croupier serve
// --dev` (CROUPIER_BIN) through a relay that can cut the socket. A new
// player signs up, an operator funds them in the console, they play
// roulette (one bet from the keyboard), a blackjack hand with a double,
// slots spins, coin flip (a game with no drawing of its own, through the
// generic view drawn from its schemas), see each balance change as the
// ledger and the round records say, lose the socket and come back in their seat, verify rounds in the
// browser (and see a wrong seed fail), and are told when replaced; the
// operator voids a round in progress, changes a table's limits and closes
// it, and the player sees each.
// Screenshots go to CROUPIER_SCREENSHOTS when it is set (docs/screenshots).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

import { type DevServer, Relay, startDevServer } from "../../typescript/test/server.js";

const shots = process.env.CROUPIER_SCREENSHOTS;
const WAIT = { timeout: 45_000 };

let server: DevServer;
let relay: Relay;
let browser: Browser;
let player: BrowserContext;
let page: Page;
let staffPage: Page;
/** What the player's page reported to its console: refusals it flashed, among others. */
const logged: string[] = [];
let base: string;

async function shot(p: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signIn(p: Page, username: string, password: string): Promise<void> {
  await p.goto(base);
  const form = p.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await p.locator("#bar nav").waitFor(WAIT);
}

/** Waits for `what`; if it never comes, fails with what the page showed instead (and a screenshot). */
async function explained(p: Page, what: ReturnType<Page["locator"]>): Promise<void> {
  try {
    await what.waitFor(WAIT);
  } catch (e) {
    if (shots) await p.screenshot({ path: join(shots, "failure.png"), fullPage: true }).catch(() => undefined);
    const flash = await p.locator("#flash").innerText().catch(() => "");
    const main = await p.locator("main").innerText().catch(() => "");
    throw new Error(`${(e as Error).message}\nflash: ${flash}\nconsole:\n${logged.slice(-40).join("\n")}\npage: ${main.slice(0, 1500)}`);
  }
}

/** A JSON route, called from the page with its own token. */
async function api<T>(p: Page, path: string): Promise<T> {
  return p.evaluate(async (path) => {
    const tokens = JSON.parse(sessionStorage.getItem("croupier.tokens") ?? "{}") as { access_token: string };
    const res = await fetch(path, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    return res.json();
  }, path) as Promise<T>;
}

interface Tx {
  available_change: number;
  currency: string;
}

/** EUR available as the wallet says, and as the ledger's lines sum to. */
async function ledger(p: Page): Promise<{ available: number; sum: number }> {
  const w = await api<{ balances: { currency: string; available: number }[] }>(p, "/v1/wallet");
  let sum = 0;
  let cursor: number | null = null;
  do {
    const page: { transactions: Tx[]; next_cursor: number | null } = await api(p, `/v1/wallet/transactions?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
    for (const t of page.transactions) if (t.currency === "EUR") sum += t.available_change;
    cursor = page.next_cursor;
  } while (cursor !== null);
  return { available: w.balances.find((b) => b.currency === "EUR")?.available ?? 0, sum };
}

const shown = (minor: number) => `${Math.floor(minor / 100).toLocaleString("en")}.${String(minor % 100).padStart(2, "0")} EUR`;

/** The header shows what the wallet holds, and the ledger's lines add up to it. */
async function balanceAgrees(p: Page): Promise<number> {
  const { available, sum } = await ledger(p);
  assert.equal(sum, available, "the ledger's lines sum to the balance");
  await p.locator('#balance .bal[data-currency="EUR"]', { hasText: shown(available) }).waitFor(WAIT);
  return available;
}

/** The caller's newest round of `table`: its key and what it staked and paid the caller. */
async function lastRound(p: Page, table: string): Promise<{ key: string; staked: number; paid: number }> {
  const me = await api<{ id: number }>(p, "/v1/me");
  const { rounds } = await api<{ rounds: { round: string; staked: number }[] }>(p, "/v1/rounds");
  const key = rounds.map((r) => r.round).find((k) => k.startsWith(`${table}:`) || (table === "slots" && k.startsWith("s-")));
  assert.ok(key, `a round of ${table} is on record`);
  const row = await api<{ record: { stakes: { player: number; amount: { minor: number } }[]; payouts: { player: number; amount: { minor: number } }[] } }>(p, `/v1/rounds/${encodeURIComponent(key)}`);
  const mine = (lines: { player: number; amount: { minor: number } }[]) => lines.filter((l) => l.player === me.id).reduce((s, l) => s + l.amount.minor, 0);
  return { key, staked: mine(row.record.stakes), paid: mine(row.record.payouts) };
}

/** The player sits at roulette `table` and picks the 5.00 EUR chip once bets open; returns the balance before. */
async function sitAtRoulette(table: string): Promise<number> {
  const before = await balanceAgrees(page);
  await page.goto(`${base}#/table/${table}`);
  await page.getByRole("button", { name: "Sit down to bet" }).click();
  await page.locator(".round-status", { hasText: "place your bets" }).waitFor(WAIT);
  await page.getByRole("radio", { name: "5.00 EUR", exact: true }).click();
  return before;
}

describe("the web client in chromium", { timeout: 600_000 }, () => {
  before(async () => {
    // Players may ask for a reality check every second (the test below does).
    server = await startDevServer(["--table", "coin_flip"], { CROUPIER__PROTECTION__MIN_INTERVAL_SECS: "1" });
    relay = await Relay.start(server.port);
    base = `http://127.0.0.1:${relay.port}/`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    player = await browser.newContext({ viewport: { width: 1180, height: 860 } });
    page = await player.newPage();
    page.on("pageerror", (e) => assert.fail(`a script error in the page: ${e.message}`));
    page.on("console", (m) => logged.push(`${new Date().toISOString()} ${m.type()}: ${m.text()}`));
    // The socket's frames too (pings left out), for a failure to show what the page was told.
    page.on("websocket", (ws) => {
      const keep = (dir: string) => (f: { payload: string | Buffer }) => {
        const text = String(f.payload);
        if (!/"type":"(ping|pong)"/.test(text)) logged.push(`${new Date().toISOString()} ${dir} ${text.slice(0, 200)}`);
        if (logged.length > 400) logged.splice(0, logged.length - 400);
      };
      ws.on("framesent", keep(">"));
      ws.on("framereceived", keep("<"));
    });
  });

  after(async () => {
    await staffPage?.context().close();
    await browser?.close();
    await relay?.stop();
    await server?.stop();
  });

  it("signs a new player up and shows the lobby", async () => {
    await page.goto(base);
    await shot(page, "sign-in");
    const form = page.getByRole("form", { name: "Sign up" });
    await form.getByLabel("Username").fill("carol");
    await form.getByLabel("Password").fill("carol-password-1");
    await form.getByRole("button", { name: "Create account" }).click();
    await page.locator('[data-table="roulette-demo"]').waitFor(WAIT);
    assert.match(await page.locator('[data-table="roulette-demo"] .limits').innerText(), /1\.00 EUR – 500\.00 EUR/);
    await page.locator('[data-game="slots"]').waitFor(WAIT);
    await shot(page, "lobby");
  });

  it("is funded by an operator in the console", async () => {
    const staff = await browser.newContext({ viewport: { width: 1180, height: 860 } });
    const console = (staffPage = await staff.newPage());
    // The player's page stays as it is: the deposit must reach it over the socket.
    await page.locator("#balance", { hasText: "no funds yet" }).waitFor(WAIT);
    const hash = await page.evaluate(() => ((window as unknown as { kept: boolean }).kept = true) && location.hash);
    await signIn(console, "dev-operator", server.passwords.get("dev-operator") ?? "");
    // Staff land on the console; their header does not say they have no funds.
    const form = console.getByRole("form", { name: "Deposit" });
    await form.waitFor(WAIT);
    assert.equal((await console.locator("#balance").innerText()).trim(), "", "no balance line for staff without money");
    await form.getByLabel("Player").fill("carol");
    await form.getByLabel("Amount").fill("2000");
    await form.getByRole("button", { name: "Deposit" }).click();
    await console.getByText("Deposited 2,000.00 EUR to carol").waitFor(WAIT);
    await explained(page, page.locator('#balance .bal[data-currency="EUR"]', { hasText: "2,000.00 EUR" }));
    assert.equal(await page.evaluate(() => [(window as unknown as { kept?: boolean }).kept, location.hash].join(" ")), `true ${hash}`, "pushed, not reloaded");
    await console.locator(".figures dd").first().waitFor(WAIT);
    const line = console.locator('.audit tr[data-action="deposit"]');
    await line.waitFor(WAIT);
    assert.match(await line.innerText(), /dev-operator\s+deposit\s+user:\d+.*amount\s+200000.*127\.0\.0\.1/s);
    // The console fits a 1280 px window, the audit trail's details wrapping.
    await console.setViewportSize({ width: 1280, height: 860 });
    const wide = await console.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 1280, `the console fits 1280 px (it is ${wide} px wide)`);
    await shot(console, "console");

    await page.goto(`${base}#/wallet`);
    await page.locator('.balances [data-currency="EUR"] .available', { hasText: "2,000.00 EUR" }).waitFor(WAIT);
    await page.getByRole("cell", { name: "Deposit" }).waitFor(WAIT);
    assert.equal(await balanceAgrees(page), 200_000);
    await shot(page, "wallet");
  });

  it("plays a roulette round, one bet placed from the keyboard", async () => {
    const before = await sitAtRoulette("roulette-demo");
    await page.getByRole("button", { name: "Red", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Straight 17" }).click();
    await page.getByRole("button", { name: "Split 17-20" }).click();
    await page.locator(".my-bets", { hasText: "Your bets this round: 3, 15.00 EUR" }).waitFor(WAIT);
    const red = page.locator('.spot.has-bet[data-spot="red"]');
    assert.equal(await red.getAttribute("data-stake"), "5");
    assert.equal(await red.getAttribute("title"), "Red: 5.00 EUR on it");
    // The chat box takes what the server takes (play.chat_max_chars, 200, from its hello).
    assert.equal(await page.getByLabel("Chat message").evaluate((el) => (el as HTMLInputElement).maxLength), 200);
    for (const column of [1, 2, 3]) {
      const box = await page.locator(`.spot[data-spot="column:${column}"]`).boundingBox();
      assert.ok(box && box.width >= 24 && box.height >= 24, `the 2:1 column ${column} is a full spot: ${JSON.stringify(box)}`);
    }
    await shot(page, "roulette-betting");
    await page.locator(".ball").waitFor(WAIT);
    // The wheel shows the number the text says: the ball at rest in its pocket.
    const number = Number(await page.locator(".round-status .ball").getAttribute("data-number"));
    const wheel = page.locator("svg.wheel");
    assert.equal(await wheel.getAttribute("data-number"), String(number));
    assert.deepEqual(await wheel.locator(".pocket.won").evaluateAll((els) => els.map((e) => e.getAttribute("data-pocket"))), [String(number)]);
    const pockets = [0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10, 5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7, 28, 12, 35, 3, 26];
    const landed = await wheel.evaluate((el) => {
      // Where the ball is, as an angle clockwise from the top of the wheel, against the marked pocket's label.
      const centre = (e: Element) => { const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; };
      const [cx, cy] = centre(el);
      const angle = (e: Element) => { const [x, y] = centre(e); return (Math.atan2(x - cx, cy - y) * 180 / Math.PI + 360) % 360; };
      return { ball: angle(el.querySelector(".wheel-ball")!), pocket: angle(el.querySelector(".pocket.won text")!) };
    });
    const pocketAt = (pockets.indexOf(number) * 360) / 37;
    for (const [what, at] of Object.entries(landed)) {
      const off = Math.abs(((at - pocketAt + 540) % 360) - 180);
      assert.ok(off < 360 / 37 / 2, `the ${what} sits at ${at.toFixed(1)}°, the pocket of ${number} at ${pocketAt.toFixed(1)}°`);
    }
    await shot(page, "roulette-result");
    const round = await lastRound(page, "roulette-demo");
    assert.equal(round.staked, 1500);
    const outcome = await page.locator(".round-status .outcome").innerText();
    const expected =
      round.paid > round.staked ? `You won ${shown(round.paid)}`
      : round.paid === round.staked ? "Your stake of 15.00 EUR came back."
      : round.paid > 0 ? `${shown(round.paid)} came back of 15.00 EUR staked.`
      : "You lost 15.00 EUR.";
    assert.ok(outcome.includes(expected), `${outcome} (expected ${expected})`);
    assert.equal(await balanceAgrees(page), before - round.staked + round.paid);
  });

  it("refuses a sixth 100.00 chip on Red at a 500.00 EUR maximum, in the player's money", async () => {
    // Still seated at roulette-demo from the round before: the next round's bets.
    const before = await balanceAgrees(page);
    await page.locator(".round-status", { hasText: "place your bets" }).waitFor(WAIT);
    await page.getByRole("radio", { name: "100.00 EUR", exact: true }).click();
    const red = page.getByRole("button", { name: "Red", exact: true });
    for (let i = 0; i < 6; i++) await red.click();
    await explained(page, page.locator("#flash", { hasText: "At most 500.00 EUR on one spot (you have 500.00 EUR on it)" }));
    assert.ok(!(await page.locator("#flash").innerText()).includes("bet_above_maximum"), "the code is not shown to the player");
    await page.locator(".my-bets", { hasText: "Your bets this round: 5, 500.00 EUR" }).waitFor(WAIT);
    await shot(page, "roulette-limit");
    await page.locator(".ball").waitFor(WAIT);
    const round = await lastRound(page, "roulette-demo");
    assert.equal(round.staked, 50_000, "the round record holds the five chips, not six");
    assert.equal(await balanceAgrees(page), before - round.staked + round.paid);
    // A round sat through without a bet: the history marks it as watched.
    await page.locator(".round-status", { hasText: "place your bets" }).waitFor(WAIT);
    const watchedRound = Number(await page.locator(".round-status").innerText().then((t) => /Round (\d+)/.exec(t)?.[1]));
    await page.locator(".round-status .outcome", { hasText: "No bets from you this round." }).waitFor(WAIT);
    await page.goto(`${base}#/history`);
    const watched = page.locator(`.rounds li[data-round$=":${watchedRound}"]`);
    assert.equal(await watched.getAttribute("class"), "watched");
    assert.match(await watched.innerText(), /roulette · .* · watched, no stake/);
    const staked = page.locator(`.rounds li[data-round="${round.key}"]`);
    assert.equal(await staked.getAttribute("data-staked"), "50000");
    assert.match(await staked.innerText(), /staked 500\.00 EUR$/);
    await shot(page, "history");
  });

  it("plays a blackjack hand with a double, the hole card face down", async () => {
    await page.goto(`${base}#/table/blackjack-demo`);
    await page.getByRole("button", { name: "Sit here" }).first().click();
    await page.locator(".seat.mine").waitFor(WAIT);
    let doubled = false;
    for (let hand = 0; hand < 8 && !doubled; hand++) {
      const before = await balanceAgrees(page);
      await page.locator(".round-status", { hasText: "bets open" }).waitFor(WAIT);
      await page.getByLabel("Bet in EUR").fill("10");
      await page.locator('[data-action="bet"]').click();
      await page.getByRole("button", { name: "Bet placed" }).waitFor(WAIT);
      // Until the hand is over: decline insurance, double when it is our move.
      for (;;) {
        const next = await Promise.race([
          page.locator('[data-action="double"]:not([disabled])').waitFor(WAIT).then(() => "turn"),
          page.locator('[data-action="decline"]').waitFor(WAIT).then(() => "insurance"),
          page.locator(".round-status", { hasText: "Round over" }).waitFor(WAIT).then(() => "over"),
        ]);
        if (next === "insurance") {
          await page.locator('[data-action="decline"]').click();
          await page.locator('[data-action="decline"]').waitFor({ state: "detached", ...WAIT });
          continue;
        }
        if (next === "turn") {
          assert.equal(await page.locator(".dealer .card.back").count(), 1, "the hole card is face down");
          assert.equal(await page.locator(".dealer .card:not(.back)").count(), 1);
          await shot(page, "blackjack-turn");
          await page.locator('[data-action="double"]').click();
          await explained(page, page.locator(".seat.mine .hand-info", { hasText: "20.00 EUR" }));
          doubled = true;
          continue;
        }
        break;
      }
      const round = await lastRound(page, "blackjack-demo");
      if (doubled) {
        assert.equal(round.staked, 2000, "the double staked the bet again");
        assert.match(await page.locator(".seat.mine .hand-info").innerText(), /20\.00 EUR/);
        assert.equal(await page.locator(".dealer .card.back").count(), 0, "the dealer's cards are shown at the end");
        await shot(page, "blackjack-result");
      }
      assert.equal(await balanceAgrees(page), before - round.staked + round.paid);
    }
    assert.ok(doubled, "a hand was doubled within eight hands");
  });

  it("loses the socket, shows it, and comes back in the same seat", async () => {
    const seat = await page.locator(".seat.mine").getAttribute("data-seat");
    const seqBefore = Number(await page.locator(".seq").getAttribute("data-seq"));
    relay.refusing = true;
    relay.cut();
    await page.locator("#conn", { hasText: "Connection lost" }).waitFor(WAIT);
    await shot(page, "reconnecting");
    await page.waitForTimeout(1500);
    relay.refusing = false;
    await page.locator("#conn", { hasText: "Reconnected" }).waitFor(WAIT);
    assert.equal(await page.locator(".seat.mine").getAttribute("data-seat"), seat, "the same seat");
    // The table goes on: betting opens again and the seq moves on from where it was.
    await page.locator(".round-status", { hasText: "bets open" }).waitFor(WAIT);
    await page.waitForFunction((s) => Number(document.querySelector(".seq")?.getAttribute("data-seq")) > s, seqBefore, WAIT);
  });

  it("spins the slots", async () => {
    await page.goto(`${base}#/slots/slots`);
    await page.getByLabel("Line bet in EUR").fill("0.05");
    assert.match(await page.locator(".stake").innerText(), /20 lines = 1\.00 EUR/);
    for (let spin = 1; spin <= 3; spin++) {
      const before = await balanceAgrees(page);
      await page.locator('[data-action="spin"]').click();
      await page.locator(`.game.slots[data-rounds="${spin}"]`).waitFor(WAIT);
      assert.equal(await page.locator(".reels .cell").count(), 15);
      // Every symbol drawn as its picture, the one its name says.
      const drawn = await page.locator(".reels .cell").evaluateAll((cells) => cells.map((c) => [c.getAttribute("title"), c.querySelector("svg.symbol")?.getAttribute("data-picture")]));
      for (const [name, picture] of drawn) assert.equal(picture, name, `the ${name} cell shows its picture`);
      const round = await lastRound(page, "slots");
      assert.equal(round.staked, 100);
      assert.equal(await balanceAgrees(page), before - 100 + round.paid);
    }
    await page.getByText("Paytable").click();
    assert.equal(await page.locator(".paylines li").count(), 20, "every payline drawn");
    // Line 1 is the middle row: its picture marks the middle cell of each reel.
    assert.equal(await page.locator('.paylines li[data-line="1"] .line-map span.on').count(), 5);
    assert.equal(await page.locator('.paylines li[data-line="1"] .line-map').getAttribute("aria-label"), "rows 2, 2, 2, 2, 2");
    await shot(page, "slots");
  });

  it("shows the reality checks the player asked for, with what the session came to", async () => {
    const rules = async (every: number) =>
      page.evaluate(async (every) => {
        const tokens = JSON.parse(sessionStorage.getItem("croupier.tokens") ?? "{}") as { access_token: string };
        const body = JSON.stringify({ reality_check_secs: every, limit_secs: null });
        const headers = { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" };
        return (await fetch("/v1/me/session", { method: "PUT", headers, body })).status;
      }, every);
    assert.equal(await rules(1), 200);
    const check = page.locator('#reality[data-kind="reality_check"]', { hasText: "Reality check: you have played for" });
    await check.waitFor(WAIT);
    // This session has spun the slots (1.00 EUR a spin) among other play.
    assert.match(await check.innerText(), /EUR: staked [\d,]+\.\d\d EUR, (won|lost) [\d,]+\.\d\d EUR\./);
    assert.equal(await rules(0), 200);
    // A look at the session already under way when they were turned off may still bring one.
    await page.waitForTimeout(1500);
    await page.locator("#reality").getByRole("button", { name: "Continue" }).click();
    assert.equal((await page.locator("#reality").innerText()).trim(), "", "dismissed");
  });

  it("plays coin flip, which has no view of its own, through the one drawn from its schemas", async () => {
    const before = await balanceAgrees(page);
    await page.goto(`${base}#/lobby`);
    assert.match(await page.locator('[data-table="coin-flip-table"] .limits').innerText(), /1\.00 EUR – 100\.00 EUR/);
    await page.locator('[data-table="coin-flip-table"] a', { hasText: "Open table" }).click();
    const view = page.locator('.generic[data-game="coin_flip"]');
    await explained(page, view);
    await view.getByRole("button", { name: "Sit" }).click();
    // The action's form, built from the schema: `call` a choice, `stake` a number.
    const flip = view.locator('form[data-action="flip"]');
    assert.deepEqual(await flip.locator('select[name="call"] option').allInnerTexts(), ["heads", "tails"]);
    await flip.locator('select[name="call"]').selectOption({ label: "tails" });
    // A stake under the table's minimum is refused, and nothing moves.
    await flip.locator('input[name="stake"]').fill("50");
    await flip.getByRole("button", { name: "flip" }).click();
    await page.locator("#flash", { hasText: "between 100 and 10000" }).waitFor(WAIT);
    assert.equal(await balanceAgrees(page), before);
    await flip.locator('input[name="stake"]').fill("500");
    await flip.getByRole("button", { name: "flip" }).click();
    const flipped = view.locator('.event-log li[data-event="flipped"]');
    await explained(page, flipped);
    assert.match(await flipped.innerText(), /"call":"tails"/);
    // The view is fetched again after the event: one round played, its flip shown.
    await view.locator('dd[data-field="rounds"]', { hasText: /^1$/ }).waitFor(WAIT);
    assert.match(await view.locator('dd[data-field="last"]').innerText(), /"stake":500/);
    const round = await lastRound(page, "coin-flip-table");
    assert.equal(round.staked, 500);
    assert.ok(round.paid === 0 || round.paid === 975, `a flip pays 0 or 1.95x: ${round.paid}`);
    assert.match(await flipped.innerText(), new RegExp(`"payout":${round.paid}`));
    assert.equal(await balanceAgrees(page), before - 500 + round.paid);
    await shot(page, "coin-flip-generic");
  });

  it("verifies rounds in the browser, and a wrong seed does not verify", async () => {
    for (const table of ["roulette-demo", "blackjack-demo", "coin-flip-table"]) {
      const { key } = await lastRound(page, table);
      await page.goto(`${base}#/history`);
      await page.getByRole("link", { name: key }).click();
      await page.locator('.verdict[data-verdict="match"]').waitFor(WAIT);
      assert.equal(await page.locator(".checks li.ok").count(), 4, "commitment, draws, outcome and rules");
      if (table === "roulette-demo") await shot(page, "verify-match");
    }
    const seed = page.getByLabel("Server seed (64 hex digits)");
    const real = await seed.inputValue();
    await seed.fill(real.slice(0, -1) + (real.endsWith("0") ? "1" : "0"));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator('.verdict[data-verdict="mismatch"]').waitFor(WAIT);
    await shot(page, "verify-mismatch");
    // A slots round's seed is still in use until the player reveals it.
    const { key } = await lastRound(page, "slots");
    await page.goto(`${base}#/round/${encodeURIComponent(key)}`);
    await page.getByRole("button", { name: /Reveal my seed now/ }).click();
    await page.locator('.verdict[data-verdict="match"]').waitFor(WAIT);
    assert.equal(await page.locator(".checks li.ok").count(), 4, "commitment, draws, outcome and rules");
  });

  it("lets the operator find the player, their ledger and rounds, and open a round", async () => {
    await staffPage.goto(`${base}#/console`);
    const find = staffPage.getByRole("search", { name: "Find a player" });
    await find.getByLabel("Name starts with").fill("car");
    await find.getByRole("button", { name: "Find" }).click();
    await staffPage.getByRole("button", { name: "carol (player)" }).click();
    const { available } = await ledger(page);
    await staffPage.locator('.balances-line[data-player="carol"]', { hasText: `${shown(available)} available` }).waitFor(WAIT);
    assert.ok((await staffPage.locator(".player-detail .ledger tr").count()) > 5, "the player's ledger lines");
    assert.match(await staffPage.locator('.protection-line[data-kyc="none"]').innerText(), /^Identity: none\. Not excluded\. No limits\.$/);
    const rounds = staffPage.getByRole("search", { name: "Search rounds" });
    await rounds.getByLabel("Table").fill("roulette-demo");
    await rounds.getByLabel("Player").fill("carol");
    await rounds.getByRole("button", { name: "Search rounds" }).click();
    const { key } = await lastRound(page, "roulette-demo");
    await staffPage.getByRole("region", { name: "Rounds", exact: true }).getByRole("link", { name: key }).click();
    await staffPage.locator('.verdict[data-verdict="match"]').waitFor(WAIT);
    await shot(staffPage, "console-round");
  });

  it("lets the operator void a round in progress, change a table's limits and close it", async () => {
    await staffPage.goto(`${base}#/console`);
    const open = staffPage.getByRole("form", { name: "Open a table" });
    // The id's pattern is one the browser compiles, so it checks: a bad id is invalid before it is sent.
    const id = open.getByLabel("Id");
    await id.fill("House Test!");
    assert.equal(await id.evaluate((el) => (el as HTMLInputElement).validity.patternMismatch), true, "the pattern checks");
    await id.fill("house-test");
    assert.equal(await id.evaluate((el) => (el as HTMLInputElement).checkValidity()), true);
    await open.getByLabel("Min bet").fill("1");
    await open.getByLabel("Max bet").fill("500");
    await open.getByRole("button", { name: "Open table" }).click();
    await staffPage.getByText("Table house-test is open.").waitFor(WAIT);

    const before = await sitAtRoulette("house-test");
    await page.getByRole("button", { name: "Red", exact: true }).click();
    await page.locator(".my-bets", { hasText: "Your bets this round: 1, 5.00 EUR" }).waitFor(WAIT);
    assert.equal(await balanceAgrees(page), before - 500);

    await staffPage.locator('tr[data-table="house-test"]').getByRole("button", { name: "Manage" }).click();
    const panel = staffPage.locator('[data-admin-table="house-test"]');
    await explained(staffPage, panel.locator("dd", { hasText: "(stakes in play)" }));
    await shot(staffPage, "console-table");
    const voiding = panel.getByRole("form", { name: "Void the round" });
    await voiding.getByLabel("Reason").fill("wheel jammed");
    await voiding.getByRole("button", { name: "Void this round" }).click();
    await panel.getByText(/is voided; its stakes are refunded/).waitFor(WAIT);
    await explained(page, page.locator(".house-notice", { hasText: "voided round" }));
    assert.match(await page.locator(".house-notice").innerText(), /wheel jammed.*refunded/);
    assert.equal(await balanceAgrees(page), before, "the stake is back");
    await shot(page, "table-voided");

    const limits = panel.getByRole("form", { name: "Change limits" });
    await limits.getByLabel("Min bet").fill("2");
    await limits.getByLabel("Reason").fill("busy night");
    await limits.getByRole("button", { name: "Change limits" }).click();
    await panel.getByText(/The new limits (are in force|apply from the next round)/).waitFor(WAIT);
    await explained(page, page.locator(".house-notice", { hasText: "New limits: 2.00 EUR – 500.00 EUR" }));

    const closing = panel.getByRole("form", { name: "Close the table" });
    await closing.getByLabel("Reason").fill("end of shift");
    await closing.getByRole("button", { name: "Close table" }).click();
    await explained(page, page.locator(".house-notice", { hasText: "This table has closed: end of shift." }));
    assert.equal(await page.locator(".table-body.closed").count(), 1, "the closed table's layout is put away");
    await shot(page, "table-closed");
    for (const action of ["round.void", "table.config", "table.close"]) {
      await staffPage.locator(`.audit tr[data-action="${action}"]`, { hasText: "house-test" }).first().waitFor(WAIT);
    }
    assert.equal(await balanceAgrees(page), before, "nothing was staked after the void");
    // The player's history lists the voided round with its stake, marked; its page says why instead of verifying.
    await page.goto(`${base}#/history`);
    const voided = page.locator('.rounds li[data-round^="house-test:"]', { hasText: "voided, refunded" });
    await explained(page, voided);
    assert.match(await voided.innerText(), /staked 5\.00 EUR/);
    await voided.getByRole("link").click();
    await explained(page, page.locator("section.voided", { hasText: "wheel jammed" }));
    assert.equal(await page.locator("section.verify").count(), 0, "a voided round offers no check");
    assert.match(await page.locator(".round-meta").innerText(), /Your stakes\s+5\.00 EUR\s+Paid to you\s+nothing/);
    await shot(page, "round-voided");
  });

  it("reads on a phone-width screen, every screen", async () => {
    const { key } = await lastRound(page, "roulette-demo");
    const signInPage = await player.newPage(); // a new tab holds no session: the sign-in screen
    const screens: [Page, string, string][] = [
      [signInPage, "", "phone-sign-in"],
      [page, "#/lobby", "phone-lobby"],
      [page, "#/table/roulette-demo", "phone-roulette"],
      [page, "#/table/blackjack-demo", "phone-blackjack"],
      [page, "#/slots/slots", "phone-slots"],
      [page, "#/wallet", "phone-wallet"],
      [page, "#/history", "phone-history"],
      [page, "#/account", "phone-account"],
      [page, `#/round/${encodeURIComponent(key)}`, "phone-round"],
      [staffPage, "#/console", "phone-console"],
    ];
    const problems: string[] = [];
    for (const [p, route, name] of screens) {
      await p.setViewportSize({ width: 375, height: 780 });
      await p.goto(`${base}${route}`);
      await explained(p, p.locator("main h1"));
      await p.waitForTimeout(500);
      await shot(p, name);
      const wide = await p.evaluate(() => document.documentElement.scrollWidth);
      if (wide > 376) problems.push(`${name} is ${wide} px wide`);
      // Nor does a part of the page hide a sideways scroll (the roulette layout runs down the screen).
      const hidden = await p.evaluate(() => Array.from(document.querySelectorAll("main *")).filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible").map((e) => `${e.tagName.toLowerCase()}.${e.className}`));
      if (hidden.length) problems.push(`${name} scrolls sideways in ${hidden.join(", ")}`);
    }
    assert.deepEqual(problems, [], "every screen fits 375 px without a sideways scroll");
    await signInPage.close();
    await page.setViewportSize({ width: 1180, height: 860 });
    await staffPage.setViewportSize({ width: 1180, height: 860 });
  });

  it("says so when the account is opened elsewhere", async () => {
    await page.goto(`${base}#/lobby`);
    await page.locator('[data-table="roulette-demo"]').waitFor(WAIT);
    const other = await browser.newContext();
    const second = await other.newPage();
    await signIn(second, "carol", "carol-password-1");
    await page.locator("#conn", { hasText: "opened in another window" }).waitFor(WAIT);
    await shot(page, "replaced");
    await other.close();
  });
});
