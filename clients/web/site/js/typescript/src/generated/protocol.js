// Generated from schema/protocol.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. Messages over /v1/ws (docs/protocol.md).
export {};
