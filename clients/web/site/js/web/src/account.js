// The player's account screen (#/account): their own protection — deposit,
// loss and wager limits (a lower one binds at once, a higher one waits out
// the cooling period, as the server says), play-session rules, and a
// cool-off or self-exclusion — their identity check (KYC), and their data:
// a download of everything held about them, and erasing the account.
// Every change is the server's to accept; the screen shows what it answers.
import * as api from "./api.js";
import { refusal } from "./app.js";
import { fields, fill, h, money, notice, parseMoney, stack } from "./dom.js";
const STATUS = {
    none: "Your identity is not checked yet.",
    pending: "Your identity is being checked.",
    verified: "Your identity is verified.",
    rejected: "Your identity check was rejected: start another.",
};
const when = (ms) => new Date(ms).toLocaleString();
const minutes = (secs) => (secs == null ? "" : String(Math.round(secs / 60)));
/** A form that sends what `send` makes of its fields, then says `done` (or the refusal) in `out` and reloads. */
function form(label, out, send, reload, ...children) {
    return h("form", {
        class: "panel",
        "aria-label": label,
        onsubmit: async (e) => {
            e.preventDefault();
            try {
                const said = await send(fields(e.target));
                await reload();
                fill(out, notice(said, "ok"));
            }
            catch (err) {
                fill(out, notice(refusal(err), "error"));
            }
            out.scrollIntoView({ block: "nearest" });
        },
    }, h("h3", {}, label), ...children);
}
const select = (name, label, options) => h("label", {}, label, h("select", { name }, options.map(([value, text]) => h("option", { value }, text))));
function limitsPart(p, out, reload) {
    const rows = p.limits.map((l) => h("tr", { "data-limit": `${l.kind}-${l.period}-${l.currency}` }, h("td", {}, `${l.kind} a ${l.period}`), h("td", { class: "num" }, l.amount == null ? "none" : money(l.amount, l.currency)), h("td", { class: "num" }, money(l.used, l.currency)), h("td", {}, l.pending ? `${l.pending.amount == null ? "none" : money(l.pending.amount, l.currency)} from ${when(l.pending.from)}` : "")));
    const set = form("Set a limit", out, async (f) => {
        const amount = f.amount.trim() === "" ? null : parseMoney(f.amount);
        if (amount === null && f.amount.trim() !== "")
            throw new Error(`${f.amount.trim()} is not an amount (like 50 or 50.00)`);
        const l = await api.route("PUT", "/v1/me/limits", { kind: f.kind, period: f.period, currency: f.currency.trim(), amount });
        return l.pending ? `Your ${l.kind} limit loosens from ${when(l.pending.from)}.` : `Your ${l.kind} limit a ${l.period} is ${l.amount == null ? "removed" : money(l.amount, l.currency)}.`;
    }, reload, select("kind", "Limit on", [["loss", "Losses"], ["wager", "Stakes"], ["deposit", "Deposits"]]), select("period", "Per", [["day", "Day"], ["week", "Week"], ["month", "Month"]]), h("label", {}, "Currency", h("input", { name: "currency", value: "EUR", required: true, size: 4 })), h("label", {}, "Amount (empty: none)", h("input", { name: "amount", inputmode: "decimal" })), h("button", {}, "Set"));
    const list = rows.length
        ? stack(h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Limit"), h("th", {}, "In force"), h("th", {}, "Used"), h("th", {}, "Waiting"))), h("tbody", {}, rows)))
        : notice("You have set no limits.");
    const cooling = `A lower limit binds at once; a higher one, or none, after ${Math.round(p.raise_cooling_secs / 3600)} hours.`;
    return [h("h2", {}, "Your limits"), list, h("p", {}, cooling), set];
}
function sessionPart(p, out, reload) {
    const s = p.session;
    return [
        form("Play sessions", out, async (f) => {
            const secs = (text) => (text.trim() === "" ? null : Number(text) * 60);
            await api.route("PUT", "/v1/me/session", { reality_check_secs: secs(f.reality), limit_secs: secs(f.limit) });
            return "Your play-session rules are saved.";
        }, reload, h("label", {}, "Reality check every (minutes)", h("input", { name: "reality", type: "number", min: 0, value: minutes(s.reality_check_secs) })), h("label", {}, "Stop a session after (minutes, empty: never)", h("input", { name: "limit", type: "number", min: 1, value: minutes(s.limit_secs) })), h("button", {}, "Save")),
    ];
}
function exclusionPart(p, out, reload) {
    const x = p.exclusion;
    const now = x?.active ? notice(`${x.kind === "cool_off" ? "Cool-off" : "Self-exclusion"} ${x.until == null ? "for good" : `until ${when(x.until)}`}: no play, no deposits.`, "info") : null;
    return [
        h("h2", {}, "Take a break"),
        now ?? h("p", {}, "A cool-off or a self-exclusion stops play and deposits until it ends; it cannot be lifted early. You can still withdraw."),
        form("Exclude yourself", out, async (f) => {
            const days = f.days.trim() === "" ? null : Number(f.days);
            const x = await api.route("POST", "/v1/me/exclusion", { kind: f.kind, days });
            return `You are excluded ${x.until == null ? "for good" : `until ${when(x.until)}`}.`;
        }, reload, select("kind", "Kind", [["cool_off", "Cool-off"], ["self_exclusion", "Self-exclusion"]]), h("label", {}, "Days (empty: for good, self-exclusion only)", h("input", { name: "days", type: "number", min: 1 })), h("label", { class: "check" }, h("input", { type: "checkbox", name: "sure", required: true }), "I understand it cannot be undone"), h("button", {}, "Exclude me")),
    ];
}
async function kycPart(out) {
    let k;
    try {
        k = await api.route("GET", "/v1/me/kyc");
    }
    catch (e) {
        return [h("h2", {}, "Identity"), notice(refusal(e), "error")];
    }
    const needs = Object.entries(k.required)
        .filter(([, status]) => status !== "none")
        .map(([what, status]) => `${what}: ${status}`);
    const start = h("button", {
        type: "button",
        onclick: async () => {
            try {
                const started = await api.route("POST", "/v1/me/kyc");
                location.assign(started.redirect_url);
            }
            catch (e) {
                fill(out, notice(refusal(e), "error"));
            }
        },
    }, "Verify my identity");
    const said = STATUS[k.status] ?? `Your identity check is ${k.status}.`;
    const status = h("p", { "data-kyc": k.status }, said, needs.length ? ` Needed for ${needs.join(", ")}.` : "");
    return k.status === "verified" ? [h("h2", {}, "Identity"), status] : [h("h2", {}, "Identity"), status, start];
}
function dataPart(ctx, out) {
    const download = h("button", {
        type: "button",
        onclick: async () => {
            try {
                const data = await api.route("GET", "/v1/me/export");
                const link = h("a", { href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" })), download: `croupier-export-${ctx.me.id}.json` });
                link.click();
                URL.revokeObjectURL(link.href);
                fill(out, notice("Your data is downloaded.", "ok"));
            }
            catch (e) {
                fill(out, notice(refusal(e), "error"));
            }
        },
    }, "Download my data");
    const erase = form("Erase my account", out, async (f) => {
        await api.route("POST", "/v1/me/erase", { password: f.password, otp: f.otp.trim() || undefined });
        await ctx.signOut("Your account is erased. The ledger and round records are kept by law, under a number only.");
        return "";
    }, async () => { }, h("p", {}, "Withdraw your money first. Your name, profile, sessions and second factor are deleted; what the law keeps is kept under a number. This cannot be undone."), h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })), h("label", {}, "Code from your authenticator (if it is on)", h("input", { name: "otp", autocomplete: "one-time-code", inputmode: "numeric" })), h("label", { class: "check" }, h("input", { type: "checkbox", name: "sure", required: true }), "Erase it for good"), h("button", { class: "danger" }, "Erase my account"));
    return [h("h2", {}, "Your data"), h("p", {}, download), erase];
}
export const account = async (main, ctx) => {
    const out = h("div", { class: "out", "aria-live": "polite" });
    const body = h("div", { class: "account" });
    const reload = async () => {
        const p = await api.route("GET", "/v1/me/protection");
        fill(body, ...limitsPart(p, out, reload), ...sessionPart(p, out, reload), ...exclusionPart(p, out, reload), ...(await kycPart(out)), ...dataPart(ctx, out));
    };
    await reload();
    main.append(h("h1", {}, "Account"), out, body);
};
