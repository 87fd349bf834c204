import * as api from "./api.js";
import { refusal, stakeRefused } from "./app.js";
import { fill, flash, h, major, money, parseMoney } from "./dom.js";
import { symbolPicture } from "./svg.js";
export const slotsPage = async (main, ctx, game) => {
    const listing = (await api.games()).find((g) => g.id === game && g.kind === "session");
    if (!listing?.config)
        throw new Error(`no single-player game ${game}`);
    const config = listing.config;
    const name = (s) => config.symbols[s]?.name ?? `#${s}`;
    const scatter = config.symbols.findIndex((s) => s.kind === "scatter");
    /** A symbol's face: its picture (its first letters for a symbol this client has none of), its name beneath. */
    const face = (s) => symbolPicture(name(s)) ?? h("b", {}, name(s).slice(0, 3).toUpperCase());
    const { client } = ctx;
    const opened = await client.openSession(game);
    const session = opened.session;
    let view = opened.view;
    const currency = view.currency ?? String(config.currency);
    const reels = h("div", { class: "reels", role: "img", "aria-label": "Reels" });
    const wins = h("div", { class: "wins", "aria-live": "polite" });
    const free = h("div", { class: "free-spins" });
    const input = h("input", { name: "line_bet", inputmode: "decimal", size: 6, "aria-label": `Line bet in ${currency}`, value: major(Math.max(view.min_line_bet, 5)) });
    const stakeLine = h("span", { class: "stake" });
    const spinButton = h("button", { type: "submit", class: "primary", "data-action": "spin" }, "Spin");
    const showStake = () => {
        const bet = parseMoney(input.value);
        fill(stakeLine, bet === null ? "enter a line bet" : ` × ${view.lines} lines = ${money(bet * view.lines, currency)}`);
    };
    input.addEventListener("input", showStake);
    /** A payline as a 5 × 3 picture: the row it takes on each reel, marked. */
    const lineEl = (rows) => {
        const grid = h("span", { class: "line-map", role: "img", "aria-label": `rows ${rows.map((r) => r + 1).join(", ")}` });
        for (let row = 0; row < 3; row++)
            for (let reel = 0; reel < 5; reel++)
                grid.append(h("span", { class: rows[reel] === row ? "on" : "" }));
        return grid;
    };
    const windowEl = (spin) => {
        const lit = new Set();
        for (const w of spin.lines) {
            const rows = config.lines[w.line];
            for (let reel = 0; reel < w.count; reel++)
                lit.add(`${reel}:${rows[reel]}`);
        }
        const grid = h("div", { class: "window" });
        for (let row = 0; row < 3; row++) {
            for (let reel = 0; reel < 5; reel++) {
                const s = spin.window[reel][row];
                const cls = `cell sym-${name(s)}${lit.has(`${reel}:${row}`) ? " lit" : ""}${config.symbols[s]?.kind === "scatter" ? " scatter" : ""}`;
                grid.append(h("span", { class: cls, title: name(s), role: "img", "aria-label": name(s), "data-symbol": s }, face(s), h("small", {}, name(s))));
            }
        }
        return grid;
    };
    const lineText = (spin, lineBet) => spin.lines.map((w) => h("li", {}, `line ${w.line + 1}: ${w.count} × ${name(w.symbol)} pays ${w.pays} × line bet = ${money(w.pays * lineBet, currency)}`));
    const machine = h("div", { class: "game slots" }, reels);
    const draw = (round) => {
        machine.dataset.rounds = String(view.rounds);
        if (!round) {
            fill(reels, h("p", {}, "Press Spin to play."));
            fill(wins);
            fill(free);
            return;
        }
        const lineBet = round.stake / view.lines;
        fill(reels, windowEl(round.spin));
        fill(wins, h("p", { class: `outcome ${round.total_win > 0 ? "win" : "loss"}` }, round.total_win > 0 ? `You won ${money(round.total_win, currency)} for ${money(round.stake, currency)}.` : `No win (staked ${money(round.stake, currency)}).`), round.spin.scatters >= config.free_spins.min_scatters ? h("p", {}, `${round.spin.scatters} ${name(scatter)}s: ${round.spin.free_spins_awarded} free spins!`) : null, h("ul", { class: "lines" }, lineText(round.spin, lineBet)));
        fill(free, round.free_spins.length ? h("h2", {}, `Free spins (wins × ${config.free_spins.multiplier})`) : null, h("ol", { class: "free-list" }, round.free_spins.map((s, i) => h("li", {}, h("span", {}, `Free spin ${i + 1}: ${money(s.win, currency)}`), windowEl(s)))));
    };
    const onMessage = (m) => {
        if (m.kind === "resync") {
            view = m.view;
            draw(view.last);
        }
        else if (m.kind === "event") {
            const e = m.event;
            if (e.type === "spun") {
                view.last = e;
                view.rounds += 1;
                draw(e);
            }
            else if (e.type === "stake_refused")
                flash(stakeRefused(e.code), "error");
            ctx.refreshBalance();
        }
    };
    const off = client.onTable(session, onMessage);
    const form = h("form", {
        class: "spin-form",
        onsubmit: async (e) => {
            e.preventDefault();
            const lineBet = parseMoney(input.value);
            if (lineBet === null)
                return flash("Enter a line bet such as 0.05.", "error");
            spinButton.disabled = true;
            try {
                await client.act({ session }, { type: "spin", line_bet: lineBet });
            }
            catch (err) {
                flash(refusal(err), "error");
            }
            finally {
                spinButton.disabled = false;
            }
        },
    }, h("label", {}, `Line bet (${money(view.min_line_bet, currency)} – ${money(view.max_line_bet, currency)}) `, input), stakeLine, spinButton);
    main.append(h("h1", {}, `Slots: ${game}`), h("p", { class: "session" }, `Session ${session} · ${view.lines} paylines · `, h("a", { href: "#/history" }, "your rounds")), (machine.append(form, wins, free), machine), h("details", { class: "paytable" }, h("summary", {}, "Paytable"), h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Symbol"), h("th", {}, "3"), h("th", {}, "4"), h("th", {}, "5"))), h("tbody", {}, config.symbols.map((s, i) => h("tr", {}, h("td", { class: "pay-symbol" }, face(i), `${s.name} (${s.kind})`), ...s.pays.slice(2).map((p) => h("td", {}, String(p))))))), h("h3", {}, `The ${config.lines.length} paylines`), h("ol", { class: "paylines" }, config.lines.map((rows, i) => h("li", { "data-line": i + 1 }, h("span", {}, `line ${i + 1}`), lineEl(rows))))));
    showStake();
    draw(view.last);
    return () => {
        off();
        client.closeSession(session).catch(() => undefined);
    };
};
