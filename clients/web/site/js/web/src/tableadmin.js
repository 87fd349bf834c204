// The operator console's running-table part: one table's status (its config,
// the round in progress, what waits for the round boundary) and what staff
// do to it — change its limits, void the round in progress, close it — each
// with a reason, which the server writes to the audit trail.
import * as api from "./api.js";
import { refusal } from "./app.js";
import { fields, fill, h, major, money, notice, parseMoney } from "./dom.js";
const reasonField = () => h("label", {}, "Reason ", h("input", { name: "reason", required: true, maxlength: 200, size: 24, autocomplete: "off" }));
/** The panel for table `id`; `changed` runs after staff changed something (to redraw lists and the audit trail). */
export function tablePanel(id, changed) {
    const el = h("div", { class: "table-admin", "data-admin-table": id, "aria-live": "polite" });
    const out = h("div");
    const path = `/v1/admin/tables/${encodeURIComponent(id)}`;
    const act = async (method, url, body, done) => {
        try {
            const r = await api.route(method, url, body);
            fill(out, notice(done(r), "ok"));
            changed();
        }
        catch (e) {
            fill(out, notice(refusal(e, { code: true }), "error"));
        }
        await draw();
    };
    const form = (label, submit, inputs, run) => h("form", {
        "aria-label": label,
        onsubmit: (e) => {
            e.preventDefault();
            run(fields(e.target));
        },
    }, ...inputs, h("button", { type: "submit" }, submit));
    const draw = async () => {
        let s;
        try {
            s = await api.route("GET", path);
        }
        catch (e) {
            return fill(el, h("h3", {}, `Table ${id}`), notice(refusal(e, { code: true }), "error"), out);
        }
        const cur = String(s.config.currency);
        const limits = form("Change limits", "Change limits", [
            h("label", {}, "Min bet ", h("input", { name: "min_bet", inputmode: "decimal", size: 8, value: major(Number(s.config.min_bet)) })),
            h("label", {}, "Max bet ", h("input", { name: "max_bet", inputmode: "decimal", size: 8, value: major(Number(s.config.max_bet)) })),
            reasonField(),
        ], (f) => {
            const min = parseMoney(f.min_bet);
            const max = parseMoney(f.max_bet);
            if (min === null || max === null)
                return fill(out, notice("Enter amounts such as 1 or 2.50.", "error"));
            const body = { config: { min_bet: min, max_bet: max }, reason: f.reason };
            void act("PATCH", `${path}/config`, body, (r) => (r.status === "applied" ? "The new limits are in force." : "The new limits apply from the next round."));
        });
        const voidForm = s.round
            ? form("Void the round", "Void this round", [reasonField()], (f) => {
                const url = `/v1/admin/rounds/${encodeURIComponent(s.round)}/void`;
                void act("POST", url, { reason: f.reason }, (r) => (r.status === "voided" ? `Round ${s.round} is voided; its stakes are refunded.` : `Round ${s.round} is being voided.`));
            })
            : h("p", {}, "No round in progress.");
        const close = form("Close the table", "Close table", [reasonField()], (f) => {
            void act("POST", `${path}/close`, { reason: f.reason }, (r) => (r.status === "closed" ? `Table ${id} is closed.` : `Table ${id} closes when the round in play has settled.`));
        });
        fill(el, h("h3", {}, `Table ${s.table} (${s.game})`), h("dl", { class: "figures" }, h("dt", {}, "Limits"), h("dd", { "data-limits": "" }, `${money(Number(s.config.min_bet), cur)} – ${money(Number(s.config.max_bet), cur)}`), h("dt", {}, "Seated"), h("dd", {}, String(s.seated)), h("dt", {}, "Round in progress"), h("dd", { "data-round": s.round ?? "" }, s.round ? `${s.round}${s.staked ? " (stakes in play)" : ""}` : "none"), ...(s.closing ? [h("dt", {}, "Closing"), h("dd", {}, s.closing)] : []), ...(s.pending_config ? [h("dt", {}, "Waiting limits"), h("dd", {}, `${money(Number(s.pending_config.min_bet), cur)} – ${money(Number(s.pending_config.max_bet), cur)}`)] : [])), h("button", { type: "button", onclick: () => void draw() }, "Refresh"), limits, voidForm, close, out);
    };
    void draw();
    return el;
}
