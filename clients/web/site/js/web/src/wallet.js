// The wallet screen: each currency's balance (available and in play) and
// the ledger's lines for this account, newest first, a page at a time.
import * as api from "./api.js";
import { h, money, stack } from "./dom.js";
const KINDS = {
    deposit: "Deposit",
    reserve: "Stake held",
    settle: "Round settled",
    void: "Round voided (stake back)",
};
export const wallet = async (main) => {
    const balances = await api.balances();
    const rows = h("tbody");
    const more = h("button", { type: "button" }, "Older lines");
    let cursor = null;
    const load = async () => {
        const page = await api.transactions(cursor ?? undefined);
        for (const t of page.transactions) {
            rows.append(h("tr", {}, h("td", {}, new Date(t.created_at).toLocaleString()), h("td", {}, KINDS[t.kind] ?? t.kind), h("td", {}, t.round ? h("a", { href: `#/round/${encodeURIComponent(t.round)}` }, t.round) : "—"), h("td", { class: "num" }, money(t.available_change, t.currency)), h("td", { class: "num" }, t.held_change ? money(t.held_change, t.currency) : "")));
        }
        cursor = page.next_cursor;
        more.hidden = cursor === null;
    };
    more.addEventListener("click", () => void load());
    main.append(h("h1", {}, "Wallet"), stack(h("table", { class: "balances" }, h("thead", {}, h("tr", {}, h("th", {}, "Currency"), h("th", {}, "Available"), h("th", {}, "In play"))), h("tbody", {}, balances.map((b) => h("tr", { "data-currency": b.currency }, h("td", {}, b.currency), h("td", { class: "num available" }, money(b.available, b.currency)), h("td", { class: "num" }, money(b.held, b.currency))))))), h("h2", {}, "History"), stack(h("table", { class: "ledger" }, h("thead", {}, h("tr", {}, h("th", {}, "When"), h("th", {}, "What"), h("th", {}, "Round"), h("th", {}, "Available"), h("th", {}, "In play"))), rows)), more);
    await load();
};
