// Generated from schema/blackjack.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. Blackjack.
export {};
