// The Croupier TypeScript SDK: the client, the protocol's types, and each
// game's types as a namespace (`roulette.Action`, `blackjack.View`,
// `coin_flip.Event`, ...),
// all generated from the server's Rust types but the client itself.
export * from "./client.js";
