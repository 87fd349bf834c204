// Playing cards as cards: a card number 0–51 is rank `card % 13` (0 ace …
// 12 king) and suit `card / 13` (spades, hearts, diamonds, clubs), as
// docs/games/blackjack.md says; `null` is a card dealt face down.
import { h } from "./dom.js";
const RANKS = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"];
const RANK_NAMES = ["Ace", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Jack", "Queen", "King"];
const SUITS = ["♠", "♥", "♦", "♣"];
const SUIT_NAMES = ["spades", "hearts", "diamonds", "clubs"];
export function cardName(card) {
    return `${RANK_NAMES[card % 13]} of ${SUIT_NAMES[Math.floor(card / 13)]}`;
}
export function cardEl(card) {
    if (card === null)
        return h("span", { class: "card back", role: "img", "aria-label": "face-down card" });
    const suit = Math.floor(card / 13);
    return h("span", { class: `card ${suit === 1 || suit === 2 ? "red" : "black"}`, role: "img", "aria-label": cardName(card), "data-card": card }, h("span", { class: "rank" }, RANKS[card % 13]), h("span", { class: "suit" }, SUITS[suit]));
}
/** A hand's best total and whether an ace counts 11 in it. */
export function total(cards) {
    let value = 0;
    let aces = 0;
    for (const c of cards) {
        if (c === null)
            continue;
        const r = c % 13;
        value += r === 0 ? 1 : Math.min(r + 1, 10);
        if (r === 0)
            aces += 1;
    }
    const soft = aces > 0 && value + 10 <= 21;
    return { value: soft ? value + 10 : value, soft };
}
export function handEl(cards) {
    const t = total(cards);
    return h("span", { class: "cards" }, cards.map(cardEl), cards.length ? h("span", { class: "total" }, `${t.soft ? "soft " : ""}${t.value}`) : null);
}
