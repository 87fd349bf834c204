// The operator console (operator and admin roles): the server's live
// figures from its own /metrics, players (find, balances, history, deposit),
// tables (list, open; for one, change limits, void the round in progress,
// close), rounds (search, open a record), the review queues (withdrawals,
// AML cases: review.ts) and the audit trail.
import * as api from "./api.js";
import { refusal } from "./app.js";
import { fields, fill, h, money, notice, parseMoney, stack } from "./dom.js";
import { amlPart, withdrawalsPart } from "./review.js";
import { auditPart, playersPart, roundsPart } from "./staff.js";
import { tablePanel } from "./tableadmin.js";
/** Sums of one Prometheus metric's samples, by the label named (or all together). */
export function metric(text, name, label) {
    const out = new Map();
    for (const line of text.split("\n")) {
        if (!line.startsWith(name) || line.startsWith("#"))
            continue;
        const m = /^([a-z_]+)(\{([^}]*)\})?\s+(\S+)/.exec(line);
        if (!m || m[1] !== name)
            continue;
        const labels = Object.fromEntries((m[3] ?? "").split(",").filter(Boolean).map((kv) => kv.split("=").map((x) => x.replace(/"/g, ""))));
        const key = label ? (labels[label] ?? "") : "";
        out.set(key, (out.get(key) ?? 0) + Number(m[4]));
    }
    return out;
}
function section(title, ...body) {
    return h("section", { class: "panel console-part", "aria-label": title }, h("h2", {}, title), ...body);
}
/** A deposit to `username` (or to a name typed in); `done` runs after one is made. */
function depositForm(done, username) {
    const out = h("div");
    return h("form", {
        "aria-label": "Deposit",
        onsubmit: async (e) => {
            e.preventDefault();
            const f = fields(e.target);
            const amount = parseMoney(f.amount);
            if (amount === null || amount === 0)
                return fill(out, notice("Enter an amount such as 100 or 12.50.", "error"));
            try {
                const r = await api.route("POST", "/v1/admin/wallet/deposit", {
                    username: f.username.trim(),
                    amount,
                    currency: f.currency,
                    idempotency_key: `console:${crypto.randomUUID()}`,
                });
                fill(out, notice(`Deposited ${money(amount, f.currency)} to ${f.username} (transaction ${r.tx_id}).`, "ok"));
                done();
            }
            catch (err) {
                fill(out, notice(refusal(err, { code: true }), "error"));
            }
        },
    }, h("label", {}, "Player ", h("input", { name: "username", required: true, autocomplete: "off", value: username })), h("label", {}, "Amount ", h("input", { name: "amount", required: true, inputmode: "decimal", size: 10 })), h("label", {}, "Currency ", h("select", { name: "currency" }, ["EUR", "USD", "GBP"].map((c) => h("option", {}, c)))), h("button", { type: "submit", class: "primary" }, "Deposit"), out);
}
export const console = async (main, ctx) => {
    if (ctx.me.role === "player")
        throw new api.ApiError(403, "forbidden", "the console is for operators and admins");
    const tables = h("tbody");
    const managed = h("div", { class: "managed" });
    const drawTables = async () => {
        const list = await api.tables();
        fill(tables, list.map((t) => h("tr", { "data-table": t.id }, h("td", {}, t.id), h("td", {}, t.game), h("td", {}, `${t.seated} / ${t.seats}`), h("td", {}, `${money(Number(t.config.min_bet ?? 0), String(t.config.currency))} – ${money(Number(t.config.max_bet ?? 0), String(t.config.currency))}`), h("td", {}, h("button", { type: "button", onclick: () => fill(managed, tablePanel(t.id, changed)) }, "Manage")))));
    };
    const figures = h("dl", { class: "figures" });
    const drawFigures = async () => {
        const text = await fetch("/metrics").then((r) => r.text());
        const inputs = metric(text, "croupier_table_inputs_total", "outcome");
        const wallet = metric(text, "croupier_wallet_operations_total", "outcome");
        const http = metric(text, "croupier_http_requests_total");
        const conns = metric(text, "croupier_ws_connections");
        fill(figures, h("dt", {}, "Open sockets"), h("dd", {}, String(conns.get("") ?? 0)), h("dt", {}, "Table inputs (taken / refused)"), h("dd", {}, `${inputs.get("accepted") ?? 0} / ${inputs.get("rejected") ?? 0}`), h("dt", {}, "Wallet operations (ok / failed)"), h("dd", {}, `${wallet.get("ok") ?? 0} / ${[...wallet].filter(([k]) => k !== "ok").reduce((s, [, v]) => s + v, 0)}`), h("dt", {}, "HTTP requests"), h("dd", {}, String(http.get("") ?? 0)));
    };
    const audit = auditPart();
    const reload = () => void audit.load().catch(() => undefined);
    const withdrawals = withdrawalsPart(reload);
    const aml = amlPart(reload);
    // A role without a queue's permission sees its refusal there, not a broken console.
    const loadQueue = (part) => part.load().catch((err) => part.el.append(notice(refusal(err, { code: true }), "error")));
    const changed = () => void Promise.all([drawTables(), audit.load()]).catch(() => undefined);
    const openOut = h("div");
    const open = h("form", {
        "aria-label": "Open a table",
        onsubmit: async (e) => {
            e.preventDefault();
            const f = fields(e.target);
            try {
                const config = {};
                if (f.min_bet)
                    config.min_bet = parseMoney(f.min_bet);
                if (f.max_bet)
                    config.max_bet = parseMoney(f.max_bet);
                await api.route("POST", "/v1/admin/tables", { id: f.id.trim(), game: f.game, config });
                fill(openOut, notice(`Table ${f.id} is open.`, "ok"));
                await Promise.all([drawTables(), audit.load()]);
            }
            catch (err) {
                fill(openOut, notice(refusal(err, { code: true }), "error"));
            }
        },
    }, h("label", {}, "Id ", h("input", { name: "id", required: true, pattern: "[a-z0-9\\-]{1,40}", title: "1 to 40 of a-z, 0-9 and -", size: 16 })), h("label", {}, "Game ", h("select", { name: "game" }, h("option", {}, "roulette"), h("option", {}, "blackjack"))), h("label", {}, "Min bet ", h("input", { name: "min_bet", inputmode: "decimal", size: 8 })), h("label", {}, "Max bet ", h("input", { name: "max_bet", inputmode: "decimal", size: 8 })), h("button", { type: "submit" }, "Open table"), openOut);
    main.append(h("h1", {}, "Operator console"), section("Live figures", figures), section("Deposit", depositForm(reload)), section("Players", playersPart((name) => depositForm(reload, name))), section("Tables", stack(h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Table"), h("th", {}, "Game"), h("th", {}, "Seated"), h("th", {}, "Limits"), h("th", {}, ""))), tables)), managed, open), section("Rounds", roundsPart()), section("Withdrawals to review", withdrawals.el), section("AML cases", aml.el), section("Audit trail", audit.el));
    await Promise.all([drawTables(), drawFigures(), audit.load(), loadQueue(withdrawals), loadQueue(aml)]);
    const timer = setInterval(() => void drawFigures().catch(() => undefined), 5000);
    return () => clearInterval(timer);
};
