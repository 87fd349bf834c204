import { countdown, fill, h, major, money } from "./dom.js";
import { wheel } from "./wheel.js";
const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
const colour = (n) => (n === 0 ? "green" : RED.has(n) ? "red" : "black");
/** One key per spot, whatever order its numbers came in. */
export function spotKey(s) {
    if ("numbers" in s)
        return `${s.type}:${[...s.numbers].sort((a, b) => a - b).join("-")}`;
    if ("number" in s)
        return `straight:${s.number}`;
    if ("column" in s)
        return `column:${s.column}`;
    if ("dozen" in s)
        return `dozen:${s.dozen}`;
    return s.type;
}
export function spotName(s) {
    if ("number" in s)
        return `Straight ${s.number}`;
    if ("numbers" in s)
        return `${s.type === "six_line" ? "Six line" : s.type[0].toUpperCase() + s.type.slice(1)} ${[...s.numbers].sort((a, b) => a - b).join("-")}`;
    if ("column" in s)
        return `Column ${s.column}`;
    if ("dozen" in s)
        return `Dozen ${s.dozen} (${s.dozen * 12 - 11}-${s.dozen * 12})`;
    return { red: "Red", black: "Black", odd: "Odd", even: "Even", low: "1-18", high: "19-36" }[s.type];
}
/** Every spot of the layout. Rows: numbers on 1, 3, 5 (3, 6, … on top), gutters 2, 4, the bottom edge 6. */
export function layout() {
    const places = [{ spot: { type: "straight", number: 0 }, row: 1, col: 1, rows: 5, kind: "number", label: "0" }];
    const rowOf = (n) => 2 * (2 - ((n - 1) % 3)) + 1;
    const colOf = (n) => 3 + 2 * Math.floor((n - 1) / 3);
    for (let n = 1; n <= 36; n++)
        places.push({ spot: { type: "straight", number: n }, row: rowOf(n), col: colOf(n), kind: "number", label: String(n) });
    for (let n = 1; n <= 36; n++) {
        const top = n % 3 === 0;
        const last = n > 33;
        if (!top)
            places.push({ spot: { type: "split", numbers: [n, n + 1] }, row: rowOf(n) - 1, col: colOf(n), kind: "edge" });
        if (!last)
            places.push({ spot: { type: "split", numbers: [n, n + 3] }, row: rowOf(n), col: colOf(n) + 1, kind: "edge" });
        if (!top && !last)
            places.push({ spot: { type: "corner", numbers: [n, n + 1, n + 3, n + 4] }, row: rowOf(n) - 1, col: colOf(n) + 1, kind: "edge" });
        if (n % 3 === 1) {
            places.push({ spot: { type: "street", numbers: [n, n + 1, n + 2] }, row: 6, col: colOf(n), kind: "edge" });
            if (!last)
                places.push({ spot: { type: "six_line", numbers: [n, n + 1, n + 2, n + 3, n + 4, n + 5] }, row: 6, col: colOf(n) + 1, kind: "edge" });
        }
    }
    places.push({ spot: { type: "split", numbers: [0, 1] }, row: 5, col: 2, kind: "edge" }, { spot: { type: "split", numbers: [0, 2] }, row: 3, col: 2, kind: "edge" }, { spot: { type: "split", numbers: [0, 3] }, row: 1, col: 2, kind: "edge" }, { spot: { type: "street", numbers: [0, 1, 2] }, row: 4, col: 2, kind: "edge" }, { spot: { type: "street", numbers: [0, 2, 3] }, row: 2, col: 2, kind: "edge" }, { spot: { type: "corner", numbers: [0, 1, 2, 3] }, row: 6, col: 2, kind: "edge" });
    for (const column of [1, 2, 3])
        places.push({ spot: { type: "column", column }, row: 7 - 2 * column, col: 27, kind: "outside", label: "2:1" });
    return places;
}
const OUTSIDE = [
    [{ type: "dozen", dozen: 1 }, { type: "dozen", dozen: 2 }, { type: "dozen", dozen: 3 }],
    [{ type: "low" }, { type: "even" }, { type: "red" }, { type: "black" }, { type: "odd" }, { type: "high" }],
];
export function rouletteView(c) {
    const me = c.ctx.me.id;
    let view = null;
    let chip = 0;
    let deadline = 0;
    let seated = false;
    let result = null;
    const buttons = new Map();
    const bet = async (spot) => {
        if (!view)
            return;
        try {
            await c.act({ type: "bet", spot, amount: chip });
        }
        catch {
            /* shown by the table page */
        }
    };
    const spotButton = (p) => {
        const name = spotName(p.spot);
        const b = h("button", { type: "button", class: `spot ${p.kind} ${p.label && p.kind === "number" ? colour(Number(p.label)) : ""}`, "aria-label": name, title: name, "data-spot": spotKey(p.spot), "data-spot-json": JSON.stringify(p.spot), onclick: () => void bet(p.spot) }, p.label ?? "");
        if (p.row > 0) {
            // Where it sits on a desk (3 rows of numbers across) and, turned a
            // quarter, on a phone (12 rows down, 1-2-3 from left to right, the
            // street edge on the left); the style sheet picks one by width.
            const span = p.rows ?? 1;
            b.style.setProperty("--row", `${p.row} / span ${span}`);
            b.style.setProperty("--col", String(p.col));
            b.style.setProperty("--v-row", String(p.col));
            b.style.setProperty("--v-col", `${7 - (p.row + span - 1)} / span ${span}`);
        }
        buttons.set(spotKey(p.spot), b);
        return b;
    };
    const places = layout();
    // Numbers and outside bets first, so Tab reaches them before the edges.
    const grid = h("div", { class: "cloth", role: "group", "aria-label": "Betting layout" }, places.filter((p) => p.kind !== "edge").map(spotButton), places.filter((p) => p.kind === "edge").map(spotButton));
    const outside = h("div", { class: "outside" }, OUTSIDE.map((row) => h("div", { class: "outside-row" }, row.map((spot) => spotButton({ spot, row: 0, col: 0, kind: "outside", label: spotName(spot) })))));
    const status = h("div", { class: "round-status", "aria-live": "polite" });
    const chips = h("div", { class: "chips", role: "radiogroup", "aria-label": "Chip value" });
    const mine = h("div", { class: "my-bets" });
    const history = h("ol", { class: "history", "aria-label": "Last numbers" });
    const seat = h("div", { class: "seat-controls" });
    const picture = wheel();
    const el = h("div", { class: "game roulette" }, h("div", { class: "roulette-top" }, h("div", {}, status, seat), picture.el), h("div", { class: "cloth-wrap" }, grid), outside, chips, mine, history);
    const drawChips = () => {
        if (!view)
            return;
        const values = [1, 5, 10, 25, 100].map((k) => k * view.min_bet).filter((v) => v <= view.max_bet);
        if (!values.includes(chip))
            chip = values[0];
        fill(chips, values.map((v) => h("button", { type: "button", role: "radio", class: "chip", "aria-checked": String(v === chip), onclick: () => ((chip = v), drawChips()) }, money(v, view.currency))));
    };
    const drawSeat = () => fill(seat, seated
        ? h("button", { type: "button", onclick: () => void c.stand().then(() => ((seated = false), drawSeat())) }, "Stand up")
        : h("button", { type: "button", class: "primary", onclick: () => void c.sit().then(() => ((seated = true), drawSeat())) }, "Sit down to bet"), seated ? " You are seated." : " You are watching.");
    const draw = () => {
        if (!view)
            return;
        const v = view;
        const phase = v.phase === "betting"
            ? [h("strong", {}, `Round ${v.round}: place your bets `), deadline ? countdown(deadline, "closes in") : null]
            : v.phase === "closing"
                ? [h("strong", {}, `Round ${v.round}: no more bets`)]
                : v.phase === "result" && result
                    ? [h("span", { class: `ball ${colour(result.number)}`, "data-number": result.number }, String(result.number)), " ", h("strong", { class: "outcome" }, outcome(result.won, result.staked, v.currency))]
                    : v.phase === "idle"
                        ? [h("strong", {}, "Waiting for a player to sit down")]
                        : [h("strong", {}, `Round ${v.round}`)];
        fill(status, ...phase);
        // The ball lands only once the table has said where (a resync in the
        // result phase: the newest number of the history).
        const landed = v.phase === "result" ? result?.number ?? v.history[0] : undefined;
        if (landed !== undefined)
            picture.show(landed);
        else
            picture.idle(v.phase === "closing");
        const totals = new Map();
        for (const b of v.my_bets)
            totals.set(spotKey(b.spot), (totals.get(spotKey(b.spot)) ?? 0) + b.amount);
        for (const [key, b] of buttons) {
            const t = totals.get(key);
            // The badge shows major units only ("5", "2.50"); the title says it in full.
            b.dataset.stake = t ? major(t, { short: true }) : "";
            b.title = t ? `${spotName(JSON.parse(b.dataset.spotJson ?? "{}"))}: ${money(t, v.currency)} on it` : b.getAttribute("aria-label") ?? "";
            b.classList.toggle("has-bet", Boolean(t));
        }
        const staked = v.my_bets.reduce((s, b) => s + b.amount, 0);
        fill(mine, v.my_bets.length ? `Your bets this round: ${v.my_bets.length}, ${money(staked, v.currency)}` : "No bets from you this round.", ` · table total ${money(v.table_total, v.currency)}`);
        fill(history, v.history.slice(0, 12).map((n) => h("li", { class: colour(n) }, String(n))));
        grid.classList.toggle("closed", v.phase !== "betting");
    };
    drawSeat();
    return {
        el,
        reset(raw) {
            view = raw;
            if (view.phase !== "betting")
                deadline = 0;
            drawChips();
            draw();
        },
        event(raw) {
            if (!view)
                return;
            const e = raw;
            switch (e.type) {
                case "betting_open":
                    view = { ...view, phase: "betting", round: e.round, my_bets: [], table_total: 0 };
                    deadline = Date.now() + e.closes_in_ms;
                    result = null;
                    break;
                case "bet_accepted":
                    view.table_total += e.amount;
                    if (e.player === me) {
                        view.my_bets.push({ player: me, spot: e.spot, amount: e.amount, op: 0, confirmed: true });
                        c.ctx.refreshBalance();
                    }
                    break;
                case "bet_refused":
                    break;
                case "no_more_bets":
                    view.phase = "closing";
                    break;
                case "spun": {
                    const won = e.payouts.filter((p) => p.player === me).reduce((s, p) => s + p.amount, 0);
                    result = { number: e.number, won, staked: view.my_bets.reduce((s, b) => s + b.amount, 0) };
                    view.phase = "result";
                    view.history = [e.number, ...view.history];
                    c.ctx.refreshBalance();
                    break;
                }
            }
            draw();
        },
    };
}
/** What a settled round did for the player, in words: a return of just the stake is no win. */
export function outcome(won, staked, currency) {
    if (staked === 0)
        return "No bets from you this round.";
    if (won > staked)
        return `You won ${money(won, currency)} (staked ${money(staked, currency)}).`;
    if (won === staked)
        return `Your stake of ${money(staked, currency)} came back.`;
    if (won > 0)
        return `${money(won, currency)} came back of ${money(staked, currency)} staked.`;
    return `You lost ${money(staked, currency)}.`;
}
