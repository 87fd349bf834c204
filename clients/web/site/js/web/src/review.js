// The operator console's review queues: withdrawals waiting for an
// operator (approve, which pays out, or reject, which hands the hold back,
// each with a reason) and anti-money-laundering cases (read the facts the
// rule saw and the case's history; note, escalate, close as cleared or
// reported). Each list is by status, oldest first, as the server keeps it.
import * as api from "./api.js";
import { refusal } from "./app.js";
import { fields, fill, h, money, notice, stack } from "./dom.js";
const when = (ms) => new Date(ms).toLocaleString();
/** A status picker that redraws its list when changed. */
function statusPicker(label, statuses, changed) {
    return h("label", {}, `${label} `, h("select", { name: "status", onchange: (e) => changed(e.target.value) }, statuses.map((s) => h("option", {}, s))));
}
/** A one-line reason form: `act(reason)` on submit, its answer or refusal shown beside it. */
function reasonForm(name, act, extra) {
    const out = h("span", { class: "answer" });
    return h("form", {
        class: "inline",
        "aria-label": name,
        onsubmit: async (e) => {
            e.preventDefault();
            const f = fields(e.target);
            try {
                fill(out, notice(await act(f), "ok"));
            }
            catch (err) {
                fill(out, notice(refusal(err, { code: true }), "error"));
            }
        },
    }, extra, h("label", {}, "Reason ", h("input", { name: "reason", required: true, maxlength: 200, size: 18, autocomplete: "off" })), h("button", { type: "submit" }, name), out);
}
/** Withdrawals by status (`review` first); those in review can be approved or rejected. */
export function withdrawalsPart(changed) {
    const rows = h("tbody");
    const said = h("div", { "aria-live": "polite" });
    let status = "review";
    const load = async () => {
        const { withdrawals } = await api.route("GET", `/v1/admin/withdrawals?status=${status}`);
        // A decision moves the withdrawal out of this list: what was done is said above it.
        const decide = (w, verb) => reasonForm(verb === "approve" ? "Approve" : "Reject", async (f) => {
            const r = await api.route("POST", `/v1/admin/withdrawals/${w.id}/${verb}`, { reason: f.reason.trim() });
            const done = `Withdrawal ${w.id} is ${r.payment.status}.`;
            fill(said, notice(done, "ok"));
            changed();
            await load();
            return done;
        });
        fill(rows, withdrawals.length ? withdrawals.map((w) => h("tr", { "data-withdrawal": w.id }, h("td", {}, String(w.id)), h("td", {}, w.username), h("td", { class: "num" }, money(w.amount, w.currency)), h("td", {}, w.destination ?? ""), h("td", {}, when(w.created_at)), h("td", {}, w.status === "review" ? [decide(w, "approve"), decide(w, "reject")] : w.status))) : h("tr", {}, h("td", { colspan: 6 }, `No withdrawals ${status}.`)));
    };
    const picker = statusPicker("Status", ["review", "approved", "paying", "paid", "failed", "rejected"], (s) => {
        status = s;
        void load().catch(() => undefined);
    });
    const el = h("div", {}, picker, said, stack(h("table", { class: "withdrawals" }, h("thead", {}, h("tr", {}, ["Id", "Player", "Amount", "To", "Asked", ""].map((t) => h("th", {}, t)))), rows)));
    return { el, load };
}
/** The facts a rule saw, as fields. */
function facts(detail) {
    return h("dl", { class: "fields" }, Object.entries(detail).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : JSON.stringify(v))]));
}
/** AML cases by status (`open` first); one opened shows its facts, history and what can be done to it. */
export function amlPart(changed) {
    const rows = h("tbody");
    const detail = h("div", { class: "case-detail", "aria-live": "polite" });
    let status = "open";
    const act = async (id, verb, body) => {
        const page = await api.route("POST", `/v1/admin/aml/cases/${id}/${verb}`, body);
        draw(page);
        changed();
        await load();
        return `Case ${id} is ${page.case.status}${page.case.outcome ? ` (${page.case.outcome})` : ""}.`;
    };
    const draw = (page) => {
        const c = page.case;
        const live = c.status !== "closed";
        const note = h("form", {
            class: "inline",
            "aria-label": "Add a note",
            onsubmit: async (e) => {
                e.preventDefault();
                const f = fields(e.target);
                try {
                    await act(c.id, "notes", { note: f.note.trim() });
                }
                catch (err) {
                    detail.append(notice(refusal(err, { code: true }), "error"));
                }
            },
        }, h("label", {}, "Note ", h("input", { name: "note", required: true, maxlength: 200, size: 30, autocomplete: "off" })), h("button", { type: "submit" }, "Add note"));
        const outcome = h("label", {}, "Outcome ", h("select", { name: "outcome" }, h("option", {}, "cleared"), h("option", {}, "reported")));
        fill(detail, h("h3", {}, `Case ${c.id}: ${c.rule} — ${c.username} (id ${c.user_id})`), h("p", {}, `${c.subject}, opened ${when(c.opened_at)}; ${c.status}${c.outcome ? ` (${c.outcome})` : ""}.`), facts(c.detail), h("h4", {}, "History"), page.history.length
            ? h("ol", { class: "history" }, page.history.map((e) => h("li", {}, `${when(e.at)} ${e.actor_name} ${e.action}: ${e.note}`)))
            : h("p", {}, "No action yet."), note, live && c.status === "open" ? reasonForm("Escalate", (f) => act(c.id, "escalate", { reason: f.reason.trim() })) : null, live ? reasonForm("Close case", (f) => act(c.id, "close", { outcome: f.outcome, reason: f.reason.trim() }), outcome) : null);
    };
    const open = async (id) => {
        try {
            draw(await api.route("GET", `/v1/admin/aml/cases/${id}`));
        }
        catch (err) {
            fill(detail, notice(refusal(err, { code: true }), "error"));
        }
    };
    const load = async () => {
        const { cases } = await api.route("GET", `/v1/admin/aml/cases?status=${status}`);
        fill(rows, cases.length ? cases.map((c) => h("tr", { "data-case": c.id, "data-rule": c.rule }, h("td", {}, String(c.id)), h("td", {}, c.username), h("td", {}, c.rule), h("td", {}, c.subject), h("td", {}, when(c.opened_at)), h("td", {}, h("button", { type: "button", onclick: () => void open(c.id) }, "Open")))) : h("tr", {}, h("td", { colspan: 6 }, `No cases ${status}.`)));
    };
    const picker = statusPicker("Status", ["open", "escalated", "closed"], (s) => {
        status = s;
        void load().catch(() => undefined);
    });
    const el = h("div", {}, picker, stack(h("table", { class: "cases" }, h("thead", {}, h("tr", {}, ["Case", "Player", "Rule", "About", "Opened", ""].map((t) => h("th", {}, t)))), rows)), detail);
    return { el, load };
}
