// A live table's page, whatever its game: join (watch), sit and stand, the
// game's own drawing (roulette.ts, blackjack.ts; any other game's drawn
// from its schemas by generic.ts), table chat, the table's
// seq as the client last saw it, and each hand's provably-fair commitment
// and reveal with a link to verify it; what staff did to the table (a round
// voided, new limits, the table closed). Leaving the page leaves the table.
import { CroupierError } from "../../typescript/src/client.js";
import * as api from "./api.js";
import { refusal } from "./app.js";
import { blackjackView } from "./blackjack.js";
import { chatPanel } from "./chat.js";
import { fill, flash, h, money, notice } from "./dom.js";
import { genericView } from "./generic.js";
import { rouletteView } from "./roulette.js";
const GAMES = { roulette: rouletteView, blackjack: blackjackView };
export const tablePage = async (main, ctx, table) => {
    const { client } = ctx;
    // The table's seq, for the tests and a reader of the page's source; a
    // player has no use for it on screen.
    const seqLine = h("span", { class: "seq", "data-seq": "", hidden: true });
    const infoLine = h("span", { class: "info" });
    const showInfo = (info) => fill(infoLine, `${info.game} · ${info.seated} of ${info.seats} seated`);
    const fair = h("p", { class: "fair", "aria-live": "polite" });
    const house = h("div", { class: "house-notice", "aria-live": "assertive" });
    const body = h("div", { class: "table-body" });
    const chat = chatPanel(ctx, table);
    let view = null;
    const messages = [];
    const showSeq = () => {
        const seq = client.lastSeq(table);
        seqLine.dataset.seq = String(seq ?? "");
        fill(seqLine, `seq ${seq ?? "—"}`);
    };
    const onMessage = (m) => {
        if (!view) {
            messages.push(m);
            return;
        }
        if (m.kind === "chat")
            chat.line(m.from, m.text);
        else if (m.kind === "resync")
            view.reset(m.view);
        else if (m.kind === "event") {
            const e = m.event;
            if (e.type === "fair.commit") {
                fill(fair, "Hand ", h("code", {}, String(e.round)), " committed to seed hash ", h("code", {}, String(e.commitment).slice(0, 16) + "…"));
            }
            else if (e.type === "fair.reveal") {
                const round = String(e.round);
                fill(fair, "Seed of hand ", h("code", {}, round), " revealed: ", h("a", { href: `#/round/${encodeURIComponent(round)}` }, "verify it"));
            }
            else if (e.type === "round.voided") {
                fill(house, notice(`The house voided round ${String(e.round)}: ${String(e.reason)}. Every stake in it was refunded.`, "info"));
                ctx.refreshBalance();
                void controls.refresh().catch(() => undefined);
            }
            else if (e.type === "table.config") {
                Object.assign(controls.config, e.config);
                const c = controls.config;
                fill(house, notice(`New limits: ${money(Number(c.min_bet), String(c.currency))} – ${money(Number(c.max_bet), String(c.currency))}.`, "info"));
                void controls.refresh().catch(() => undefined);
            }
            else if (e.type === "table.closed") {
                fill(house, notice(`This table has closed: ${String(e.reason)}.`, "error"), " ", h("a", { href: "#/lobby" }, "Back to the lobby"));
                body.inert = true;
                body.classList.add("closed");
                ctx.refreshBalance();
            }
            else
                view.event(e);
        }
        showSeq();
    };
    const off = client.onTable(table, onMessage);
    const listing = (await api.tables()).find((t) => t.id === table);
    const controls = {
        ctx,
        table,
        config: { ...listing?.config },
        async act(action) {
            try {
                await client.act({ table }, action);
            }
            catch (e) {
                flash(refusal(e), "error");
                throw e;
            }
        },
        async sit(seat) {
            try {
                await client.sit(table, seat);
            }
            catch (e) {
                if (!(e instanceof CroupierError && e.code === "already_seated")) {
                    flash(refusal(e), "error");
                    throw e;
                }
            }
            await controls.refresh();
        },
        async stand() {
            try {
                await client.stand(table);
            }
            catch (e) {
                flash(refusal(e), "error");
            }
            await controls.refresh();
        },
        async refresh() {
            const joined = await client.join(table);
            view?.reset(joined.view);
            showInfo(joined.info);
            showSeq();
        },
    };
    const joined = await client.join(table);
    const game = joined.info.game;
    let factory = GAMES[game];
    if (!factory) {
        // No drawing of its own: the generic one, from the game's schemas.
        const doc = await api.gameSchema(game).catch((e) => {
            off();
            throw new Error(`the web client cannot draw ${game} tables: ${refusal(e)}`);
        });
        factory = (c) => genericView(c, doc);
    }
    view = factory(controls);
    body.append(view.el, chat.el);
    view.reset(joined.view);
    for (const m of messages.splice(0))
        onMessage(m);
    showInfo(joined.info);
    showSeq();
    main.append(h("div", { class: "table-head" }, h("h1", {}, table), infoLine, seqLine), house, body, fair);
    return () => {
        off();
        client.leave(table).catch(() => undefined);
    };
};
