// The SDK against the real server (`croupier serve --dev`): sign-in, a
// roulette bet that settles as the ledger says, a refused bet's code, a
// slots session, a dropped socket that reconnects and resumes by seq with
// the seat kept, a replaced connection that says so, and an erased
// account's connection that closes for good.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { CroupierClient, CroupierError, type SocketConstructor, type State, type TableMessage } from "../src/index.js";
import type { roulette, slots } from "../src/index.js";
import { get, login, post, Relay, socketClass, startDevServer, type DevServer } from "./server.js";

let server: DevServer;
let WebSocket: SocketConstructor;
before(async () => {
  server = await startDevServer();
  WebSocket = await socketClass();
});
after(async () => {
  await server.stop();
});

type Wallet = { balances: { currency: string; available: number; held: number }[] };
const available = (w: Wallet, currency: string) => w.balances.find((b) => b.currency === currency)?.available ?? 0;

/** Resolves with the first message of `table` that `pick` accepts. */
function next<E>(client: CroupierClient, table: string, pick: (m: TableMessage<E>) => boolean, ms = 30_000) {
  return new Promise<TableMessage<E>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing matching on ${table} within ${ms} ms`)), ms);
    const off = client.onTable<E>(table, (m) => {
      if (pick(m)) {
        clearTimeout(timer);
        off();
        resolve(m);
      }
    });
  });
}

const isEvent =
  <E extends { type: string }>(type: E["type"]) =>
  (m: TableMessage<E>) =>
    m.kind === "event" && m.event.type === type;

test("a roulette bet settles as the ledger says, and a refused bet has its code", { timeout: 90_000 }, async () => {
  const token = await login(server.port, "alice", server.passwords.get("alice")!);
  const before = available(await get<Wallet>(server.port, "/v1/wallet", token), "EUR");
  const client = new CroupierClient({ url: `ws://127.0.0.1:${server.port}/v1/ws`, token, WebSocket });
  const authed = await client.connect();
  assert.equal(authed.username, "alice");

  const joined = await client.join("roulette-demo");
  const view = joined.view as unknown as roulette.View;
  assert.equal(view.currency, "EUR");
  assert.equal(joined.info.game, "roulette");
  const open = next<roulette.Event>(client, "roulette-demo", isEvent("betting_open"));
  await client.sit("roulette-demo");
  const opened = (await open) as { event: Extract<roulette.Event, { type: "betting_open" }> };

  await assert.rejects(
    client.act({ table: "roulette-demo" }, { type: "bet", spot: { type: "red" }, amount: 1 } satisfies roulette.Action),
    (e: unknown) => e instanceof CroupierError && e.code === "bet_below_minimum",
  );
  const spun = next<roulette.Event>(
    client,
    "roulette-demo",
    (m) => m.kind === "event" && m.event.type === "spun" && m.event.round === opened.event.round,
  );
  await client.act({ table: "roulette-demo" }, { type: "bet", spot: { type: "red" }, amount: 100 } satisfies roulette.Action);
  const result = (await spun) as { event: Extract<roulette.Event, { type: "spun" }> };
  const won = result.event.payouts.filter((p) => p.player === authed.player).reduce((sum, p) => sum + p.amount, 0);
  assert.ok(Number.isInteger(won) && (won === 0 || won === 200), `red pays 200 or nothing, not ${won}`);
  const after = available(await get<Wallet>(server.port, "/v1/wallet", token), "EUR");
  assert.equal(after, before - 100 + won);
  client.close();
});

test("a slots session spins with integer money", { timeout: 60_000 }, async () => {
  const token = await login(server.port, "bob", server.passwords.get("bob")!);
  const client = new CroupierClient({ url: `ws://127.0.0.1:${server.port}/v1/ws`, token, WebSocket });
  await client.connect();
  const session = await client.openSession("slots");
  const view = session.view as unknown as slots.View;
  assert.equal(view.currency, "EUR");
  const spun = next<slots.Event>(client, session.session, isEvent("spun"));
  await client.act({ session: session.session }, { type: "spin", line_bet: 1 } satisfies slots.Action);
  const { event } = (await spun) as { event: Extract<slots.Event, { type: "spun" }> };
  assert.equal(event.stake, view.lines * 1);
  assert.ok(Number.isInteger(event.total_win) && event.total_win >= 0);
  assert.equal(client.lastSeq(session.session), (await spun).seq);
  client.close();
});

test("a dropped socket reconnects and resumes by seq, seat kept; a replaced one says so", { timeout: 90_000 }, async () => {
  const token = await login(server.port, "bob", server.passwords.get("bob")!);
  const relay = await Relay.start(server.port);
  const states: State[] = [];
  let tokensAsked = 0;
  const client = new CroupierClient({
    url: `ws://127.0.0.1:${relay.port}/v1/ws`,
    token: () => {
      tokensAsked += 1;
      return token;
    },
    WebSocket,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  client.onState((s) => states.push(s));
  await client.connect();
  await client.join("roulette-demo");
  await client.sit("roulette-demo");
  const seen: number[] = [];
  client.onTable("roulette-demo", (m) => seen.push(m.seq));
  // Wait for a new round's window, then lose the connection in it.
  await next<roulette.Event>(client, "roulette-demo", isEvent("betting_open"));
  const lastBefore = client.lastSeq("roulette-demo")!;
  // The network goes away until the betting window has closed, as another
  // player sees it: that event is missed, and the resume must bring it.
  const aliceToken = await login(server.port, "alice", server.passwords.get("alice")!);
  const watcher = new CroupierClient({ url: `ws://127.0.0.1:${server.port}/v1/ws`, token: aliceToken, WebSocket });
  await watcher.connect();
  await watcher.join("roulette-demo");
  const missed = next<roulette.Event>(watcher, "roulette-demo", isEvent("no_more_bets"));
  const reopened = new Promise<void>((resolve) => client.onState((s) => s === "open" && resolve()));
  relay.refusing = true;
  relay.cut();
  const missedSeq = (await missed).seq;
  watcher.close();
  relay.refusing = false;
  await reopened;
  assert.deepEqual(states.slice(0, 2), ["connecting", "open"]);
  assert.ok(states.includes("reconnecting"), `${states}`);
  assert.ok(tokensAsked >= 2, `a fresh token is asked for at each connect (${tokensAsked})`);
  // Whatever came after lastBefore arrives once each, in order, without a gap.
  await next(client, "roulette-demo", (m) => m.seq >= missedSeq);
  const after = seen.filter((s) => s > lastBefore);
  assert.deepEqual(after, Array.from({ length: after.length }, (_, i) => lastBefore + 1 + i));
  assert.ok(after.includes(missedSeq), `the missed no_more_bets (seq ${missedSeq}) came with the resume: ${after}`);
  // Still seated: a bet in the next window is taken.
  await next<roulette.Event>(client, "roulette-demo", isEvent("betting_open"));
  await client.act({ table: "roulette-demo" }, { type: "bet", spot: { type: "black" }, amount: 100 });

  // Another connection of the same player replaces this one: no reconnect.
  const replaced = new Promise<void>((resolve) => client.onState((s) => s === "replaced" && resolve()));
  const other = new CroupierClient({ url: `ws://127.0.0.1:${server.port}/v1/ws`, token, WebSocket });
  await other.connect();
  await replaced;
  other.close();
  client.close();
  await relay.stop();
});

test("an erased account's connection closes for good, saying why", { timeout: 60_000 }, async () => {
  const password = "a long enough password";
  const made = await post(server.port, "/v1/auth/register", { username: "sdk-erin", password });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const token = await login(server.port, "sdk-erin", password);
  const client = new CroupierClient({ url: `ws://127.0.0.1:${server.port}/v1/ws`, token, WebSocket, backoff: { initialMs: 10, maxMs: 10 } });
  const states: [State, string | undefined][] = [];
  client.onState((s, detail) => states.push([s, detail]));
  await client.connect();
  const closed = new Promise<void>((resolve) => client.onState((s) => s === "closed" && resolve()));
  const erased = await post<{ status: string }>(server.port, "/v1/me/erase", { password }, token);
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  await closed;
  assert.deepEqual(states.at(-1), ["closed", "account_erased"]);
  // A reconnect would come within 10 ms of the close, and fail: none is tried.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(states.map(([s]) => s), ["connecting", "open", "closed"]);
  await assert.rejects(client.join("roulette-demo"), (e: unknown) => e instanceof CroupierError && e.code === "not_connected");
});
