// The Croupier TypeScript SDK: the client, the protocol's types, and each
// game's types as a namespace (`roulette.Action`, `blackjack.View`,
// `coin_flip.Event`, ...),
// all generated from the server's Rust types but the client itself.
export * from "./client.js";
export type * as protocol from "./generated/protocol.js";
export type * as roulette from "./generated/roulette.js";
export type * as blackjack from "./generated/blackjack.js";
export type * as slots from "./generated/slots.js";
export type * as coin_flip from "./generated/coin_flip.js";
