import { stakeRefused } from "./app.js";
import { handEl } from "./cards.js";
import { countdown, fill, flash, h, major, money, parseMoney } from "./dom.js";
const STATUS = { playing: "", stood: "stood", bust: "bust", blackjack: "blackjack!", surrendered: "surrendered" };
/** What the player whose turn it is may do with `hand`, by the table's rules. */
export function legal(config, seat, hand) {
    const two = hand.cards.length === 2;
    const pair = two && hand.cards[0] % 13 === hand.cards[1] % 13;
    const splitOk = pair && seat.hands.length < (config.max_hands ?? 4) && (!hand.split_aces || (config.resplit_aces ?? false));
    return {
        hit: !hand.split_aces,
        stand: true,
        double: two && !hand.split_aces && (!hand.split || (config.double_after_split ?? true)),
        split: splitOk,
        surrender: (config.surrender ?? "off") === "late" && two && seat.hands.length === 1 && !hand.split,
    };
}
export function blackjackView(c) {
    const me = c.ctx.me.id;
    const config = c.config;
    let view = null;
    let deadline = 0;
    let results = [];
    let shuffled = false;
    let betInput = null;
    const dealer = h("div", { class: "dealer", "aria-label": "Dealer" });
    const status = h("div", { class: "round-status", "aria-live": "polite" });
    const seats = h("ol", { class: "seats" });
    const actions = h("div", { class: "actions", role: "group", "aria-label": "Your move" });
    const el = h("div", { class: "game blackjack" }, status, dealer, seats, actions);
    const act = (action) => () => void c.act(action).catch(() => undefined);
    const button = (label, action, enabled, key) => h("button", { type: "button", disabled: !enabled, "data-action": key ?? label.toLowerCase(), onclick: act(action) }, label);
    // The buttons are rebuilt only when what they offer changes: a button
    // replaced under the pointer between press and release would lose a click.
    let offered = "";
    const drawActions = (v) => {
        const mine = v.seats.find((s) => s.seat === v.my_seat);
        const hand = v.phase.phase === "turn" ? mine?.hands[v.phase.hand] : undefined;
        const key = JSON.stringify([v.phase, v.my_seat, mine?.bet ?? null, mine?.insurance.state, hand ? legal(config, mine, hand) : null]);
        if (key === offered)
            return;
        offered = key;
        const parts = [];
        if (v.my_seat == null) {
            parts.push("Take a free seat to play.");
        }
        else if (v.phase.phase === "betting" || v.phase.phase === "idle") {
            // One input for the whole visit, so an event never wipes what is being typed.
            betInput ??= h("input", { name: "amount", inputmode: "decimal", "aria-label": `Bet in ${v.currency}`, value: major(v.min_bet), size: 8 });
            const input = betInput;
            const placed = mine?.bet != null;
            parts.push(h("form", {
                class: "bet-form",
                onsubmit: (e) => {
                    e.preventDefault();
                    const amount = parseMoney(input.value);
                    if (amount === null)
                        return flash("Enter an amount such as 5 or 5.50.", "error");
                    void c.act({ type: "bet", amount }).catch(() => undefined);
                },
            }, h("label", {}, `Bet (${money(v.min_bet, v.currency)} – ${money(v.max_bet, v.currency)}) `, input), h("button", { type: "submit", class: "primary", disabled: placed || v.phase.phase !== "betting", "data-action": "bet" }, placed ? "Bet placed" : "Bet")), h("button", { type: "button", onclick: () => void c.stand() }, "Stand up"));
        }
        else if (v.phase.phase === "insurance" && mine?.insurance.state === "undecided") {
            const decide = (take) => () => void c
                .act({ type: "insurance", take })
                .then(() => {
                mine.insurance = take ? { state: "taken", amount: Math.floor((mine.bet ?? 0) / 2), confirmed: true } : { state: "declined" };
                draw();
            })
                .catch(() => undefined);
            parts.push("Dealer shows an ace: insurance? ", h("button", { type: "button", "data-action": "insure", onclick: decide(true) }, "Take insurance"), h("button", { type: "button", "data-action": "decline", onclick: decide(false) }, "No insurance"));
        }
        else if (v.phase.phase === "turn" && v.phase.seat === v.my_seat && mine) {
            const ok = hand ? legal(config, mine, hand) : { hit: false, stand: false, double: false, split: false, surrender: false };
            parts.push(button("Hit", { type: "hit" }, ok.hit), button("Stand", { type: "stand" }, ok.stand), button("Double", { type: "double" }, ok.double), button("Split", { type: "split" }, ok.split), (config.surrender ?? "off") === "late" ? button("Surrender", { type: "surrender" }, ok.surrender) : "");
        }
        else if (v.phase.phase === "result") {
            parts.push(h("button", { type: "button", onclick: () => void c.stand() }, "Stand up"));
        }
        fill(actions, ...parts);
    };
    const draw = () => {
        if (!view)
            return;
        const v = view;
        const p = v.phase;
        fill(status, p.phase === "betting"
            ? [h("strong", {}, `Round ${v.round}: bets open `), deadline ? countdown(deadline, "closes in") : null]
            : p.phase === "idle"
                ? h("strong", {}, "Waiting for a player to sit down")
                : p.phase === "insurance"
                    ? [h("strong", {}, "Insurance? "), deadline ? countdown(deadline, "") : null]
                    : p.phase === "turn"
                        ? [h("strong", {}, p.seat === v.my_seat ? "Your move " : `Seat ${p.seat + 1} to play `), deadline ? countdown(deadline, "clock") : null]
                        : p.phase === "result"
                            ? h("strong", {}, "Round over")
                            : h("strong", {}, "Dealing…"), shuffled ? h("span", { class: "note" }, " New shoe.") : null, v.shoe_remaining ? h("span", { class: "note" }, ` ${v.shoe_remaining} cards in the shoe.`) : null);
        fill(dealer, h("h2", {}, "Dealer"), handEl(v.dealer));
        const count = Number(config.seats ?? 7);
        fill(seats, Array.from({ length: count }, (_, i) => {
            const s = v.seats.find((x) => x.seat === i);
            const turn = p.phase === "turn" && p.seat === i;
            if (!s) {
                return h("li", { class: "seat empty", "data-seat": i }, h("h3", {}, `Seat ${i + 1}`), v.my_seat == null ? h("button", { type: "button", onclick: () => void c.sit(i) }, "Sit here") : "free");
            }
            const mineSeat = s.player === me;
            const res = results.filter((r) => r.seat === i);
            return h("li", { class: `seat${mineSeat ? " mine" : ""}${turn ? " turn" : ""}`, "data-seat": i }, h("h3", {}, `Seat ${i + 1}: ${mineSeat ? "you" : `player ${s.player}`}`), s.bet != null ? h("p", { class: "bet" }, `bet ${money(s.bet, v.currency)}`) : null, s.insurance.state === "taken" ? h("p", {}, `insured ${money(s.insurance.amount, v.currency)}`) : s.insurance.state === "declined" ? h("p", {}, "no insurance") : null, s.hands.map((hand, k) => h("div", { class: `hand${turn && p.phase === "turn" && p.hand === k ? " active" : ""}` }, handEl(hand.cards), h("span", { class: "hand-info" }, ` ${money(hand.stake, v.currency)} ${STATUS[hand.status] ?? hand.status}`), res[k] ? h("span", { class: `result ${res[k].payout > 0 ? "win" : "loss"}` }, res[k].payout > 0 ? ` paid ${money(res[k].payout, v.currency)}` : " lost") : null)));
        }));
        drawActions(v);
    };
    return {
        el,
        reset(raw) {
            view = raw;
            if (view.phase.phase === "betting" || view.phase.phase === "idle")
                results = [];
            draw();
        },
        event(raw) {
            if (!view)
                return;
            const v = view;
            const e = raw;
            switch (e.type) {
                case "betting_open":
                    v.phase = { phase: "betting" };
                    v.round = e.round;
                    v.dealer = [];
                    for (const s of v.seats)
                        Object.assign(s, { bet: null, hands: [], insurance: { state: "none" } });
                    deadline = Date.now() + e.closes_in_ms;
                    results = [];
                    shuffled = false;
                    // Seats may have changed since the last view.
                    void c.refresh().catch(() => undefined);
                    break;
                case "shuffled":
                    shuffled = true;
                    break;
                case "stake_refused":
                    flash(stakeRefused(e.code), "error");
                    break;
                case "bet_accepted": {
                    const s = v.seats.find((x) => x.seat === e.seat);
                    if (s)
                        s.bet = e.amount;
                    if (e.seat === v.my_seat)
                        c.ctx.refreshBalance();
                    break;
                }
                case "dealt":
                    v.phase = { phase: "closing" };
                    v.dealer = [e.dealer_up, null];
                    for (const [seat, cards] of e.seats) {
                        const s = v.seats.find((x) => x.seat === seat);
                        if (s)
                            s.hands = [{ cards, stake: s.bet ?? 0, split: false, split_aces: false, status: "playing" }];
                    }
                    break;
                case "insurance_offered":
                    v.phase = { phase: "insurance", closed: false };
                    deadline = Date.now() + Number(config.turn_ms ?? 10_000);
                    for (const s of v.seats)
                        if (s.bet != null)
                            s.insurance = { state: "undecided" };
                    break;
                case "turn":
                    v.phase = { phase: "turn", seat: e.seat, hand: e.hand };
                    deadline = Date.now() + e.clock_ms;
                    break;
                case "hand_updated": {
                    const s = v.seats.find((x) => x.seat === e.seat);
                    if (s)
                        s.hands = e.hands;
                    if (e.seat === v.my_seat)
                        c.ctx.refreshBalance();
                    break;
                }
                case "dealer_played":
                    v.dealer = e.cards;
                    break;
                case "settled":
                    v.phase = { phase: "result" };
                    v.dealer = e.dealer;
                    results = e.hands;
                    for (const r of e.hands) {
                        const s = v.seats.find((x) => x.seat === r.seat);
                        if (s)
                            s.hands = s.hands.length ? s.hands : [{ cards: r.cards, stake: r.stake, split: false, split_aces: false, status: r.status }];
                    }
                    c.ctx.refreshBalance();
                    break;
            }
            draw();
        },
    };
}
