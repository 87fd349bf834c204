// Generated from schema/roulette.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. European roulette.
export {};
