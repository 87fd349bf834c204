// Generated from schema/coin_flip.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. The SDK's example game: call heads or tails.
export {};
