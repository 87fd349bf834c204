// The web client's entry point: sign-up and sign-in, the header (who, the
// balance, where to go), the connection line that shows a reconnect and the
// resume by seq, the reality checks and session-limit notice of the player's
// play session, and the hash router (#/lobby, #/table/ID, #/slots/GAME,
// #/wallet, #/history, #/round/KEY, #/account, #/console).
import { CroupierClient } from "../../typescript/src/client.js";
import * as api from "./api.js";
import { account } from "./account.js";
import { refusal } from "./app.js";
import { console as operatorConsole } from "./console.js";
import { fields, fill, h, money, notice } from "./dom.js";
import { history, roundPage } from "./history.js";
import { lobby } from "./lobby.js";
import { slotsPage } from "./slots.js";
import { tablePage } from "./table.js";
import { wallet } from "./wallet.js";
const main = document.getElementById("main");
const bar = document.getElementById("bar");
const conn = document.getElementById("conn");
const reality = document.getElementById("reality");
const routes = {
    lobby,
    table: tablePage,
    slots: slotsPage,
    wallet,
    history,
    round: roundPage,
    console: operatorConsole,
    account,
};
let ctx = null;
let leave = null;
function authScreen(message) {
    bar.replaceChildren(h("span", { class: "brand" }, "Croupier"));
    const out = h("div", { class: "out" }, message ? notice(message, "info") : null);
    const form = (mode) => h("form", {
        class: "panel auth",
        "aria-label": mode === "in" ? "Sign in" : "Sign up",
        onsubmit: async (e) => {
            e.preventDefault();
            const f = fields(e.target);
            try {
                await (mode === "in" ? api.signIn(f.username, f.password) : api.signUp(f.username, f.password));
                await start();
            }
            catch (err) {
                fill(out, notice(refusal(err), "error"));
            }
        },
    }, h("h2", {}, mode === "in" ? "Sign in" : "Sign up"), h("label", {}, "Username", h("input", { name: "username", autocomplete: "username", required: true })), h("label", {}, "Password", h("input", {
        name: "password",
        type: "password",
        required: true,
        autocomplete: mode === "in" ? "current-password" : "new-password",
    })), h("button", { type: "submit" }, mode === "in" ? "Sign in" : "Create account"));
    fill(main, h("h1", {}, "Welcome to Croupier"), h("p", { class: "hint" }, "Sign in, or create an account to play."), h("div", { class: "auth-row" }, form("in"), form("up")), out);
}
/** The balances the header shows, by currency: read from `GET /v1/wallet`, updated by the socket's `balance` pushes. */
const balances = new Map();
async function refreshBalance() {
    try {
        for (const b of await api.balances())
            balances.set(b.currency, b);
        drawBalance();
    }
    catch (e) {
        const box = document.getElementById("balance");
        if (box)
            fill(box, h("span", { class: "bal" }, "balance unavailable"));
    }
}
function drawBalance() {
    const box = document.getElementById("balance");
    if (!box)
        return;
    const shown = [...balances].map(([currency, b]) => ({ currency, ...b })).filter((b) => b.available !== 0 || b.held !== 0);
    // Staff hold no money as a rule: only a player is told they have none.
    if (!shown.length)
        return fill(box, ctx?.me.role === "player" ? h("span", { class: "bal" }, "no funds yet") : "");
    fill(box, shown.map((b) => h("span", { class: "bal", "data-currency": b.currency }, money(b.available, b.currency), b.held ? h("small", {}, ` (${money(b.held, b.currency)} in play)`) : null)));
}
async function signOut(message) {
    ctx?.client.close();
    ctx = null;
    balances.clear();
    fill(reality, "");
    await api.signOut();
    authScreen(message);
}
function header(me) {
    const link = (href, text) => h("a", { href }, text);
    fill(bar, h("a", { class: "brand", href: "#/lobby" }, "Croupier"), h("nav", { "aria-label": "Main" }, link("#/lobby", "Lobby"), link("#/wallet", "Wallet"), link("#/history", "Rounds"), me.role === "player" ? link("#/account", "Account") : link("#/console", "Console")), h("span", { id: "balance", "aria-live": "polite" }), h("span", { class: "who" }, `${me.username} (${me.role})`), h("button", { class: "link", onclick: () => signOut("Signed out.") }, "Sign out"));
}
function showState(state, detail) {
    conn.dataset.state = state;
    switch (state) {
        case "connecting":
            return fill(conn, "Connecting…");
        case "open":
            if (!conn.dataset.lost)
                return fill(conn, "");
            delete conn.dataset.lost;
            fill(conn, "Reconnected: tables resumed from the last seq seen.");
            setTimeout(() => conn.dataset.state === "open" && fill(conn, ""), 8000);
            return;
        case "reconnecting":
            conn.dataset.lost = "1";
            return fill(conn, `Connection lost: reconnecting (${detail ?? ""})…`);
        case "replaced":
            return fill(conn, "This account was opened in another window, so this one was disconnected. ", h("button", { onclick: () => location.reload() }, "Play here instead"));
        case "closed":
            return fill(conn, "");
    }
}
/** A reality check, or the stop of the player's session time limit: shown until dismissed or replaced by the next. */
function showPlaySession(m) {
    const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const played = (secs) => `${Math.floor(secs / 60)} min ${secs % 60} s`;
    const text = m.type === "reality_check"
        ? [
            `Reality check: you have played for ${played(m.elapsed_secs)} this session.`,
            ...m.play.map((p) => `${p.currency}: staked ${money(p.wagered, p.currency)}, ${p.net >= 0 ? "won" : "lost"} ${money(Math.abs(p.net), p.currency)}.`),
            m.stops_at == null ? "" : `Your session time limit stops play at ${clock(m.stops_at)}.`,
        ]
            .filter(Boolean)
            .join(" ")
        : `Your session time limit is reached after ${played(m.elapsed_secs)}: you can play again from ${clock(m.resume_at)}.`;
    reality.dataset.kind = m.type;
    fill(reality, h("span", {}, text), h("button", { onclick: () => fill(reality, "") }, m.type === "reality_check" ? "Continue" : "OK"));
}
async function start() {
    const me = await api.me();
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/ws`;
    const client = new CroupierClient({ url, token: api.accessToken });
    client.onState(showState);
    // Money from outside play (an operator's deposit) shows at once.
    client.onBalance((b) => {
        balances.set(b.currency, { available: b.available, held: b.held });
        drawBalance();
    });
    client.onPlaySession(showPlaySession);
    await client.connect();
    ctx = { me, client, refreshBalance: () => void refreshBalance(), signOut };
    header(me);
    void refreshBalance();
    await route();
}
async function route() {
    if (!ctx)
        return;
    leave?.();
    leave = null;
    // Staff land on the console, players in the lobby.
    const home = ctx.me.role === "player" ? "lobby" : "console";
    const [, name = home, ...rest] = location.hash.split("/");
    const screen = routes[name] ?? lobby;
    for (const a of bar.querySelectorAll("nav a")) {
        a.toggleAttribute("aria-current", a.getAttribute("href") === `#/${name}`);
    }
    main.replaceChildren();
    ctx.refreshBalance();
    try {
        const cleanup = await screen(main, ctx, decodeURIComponent(rest.join("/")));
        leave = cleanup ?? null;
    }
    catch (e) {
        fill(main, notice(refusal(e), "error"));
    }
    main.focus({ preventScroll: true });
}
window.addEventListener("hashchange", () => void route());
if (api.signedIn()) {
    start().catch((e) => authScreen(e instanceof api.ApiError ? (console.info(`croupier: signed out ${e.code}`), "Please sign in again.") : String(e)));
}
else {
    authScreen();
}
