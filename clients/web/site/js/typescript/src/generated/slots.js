// Generated from schema/slots.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. Video slots.
export {};
