// Provably-fair verification in the browser (docs/fairness.md), with the
// browser's own crypto: SHA-256 of the revealed seed against the commitment,
// the round's ChaCha20 key as HMAC-SHA256(seed, fair message) (WebCrypto),
// the keystream from @noble/ciphers' ChaCha20 (rand_chacha's layout: 64-bit
// block counter, stream 0), each draw as `below(n)` (Lemire's multiply-shift
// with rejection), then the game's outcome recomputed from those draws; and
// the config served with the round hashed against the one its record names.
import { chacha20orig } from "../../../vendor/noble-ciphers/chacha.js";
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s) => {
    if (!/^([0-9a-f]{2})+$/i.test(s))
        return null;
    return Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
};
const utf8 = (s) => new TextEncoder().encode(s);
async function sha256(data) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}
async function hmac(key, message) {
    const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", k, message));
}
/** The message a round's key is derived from: `client_seed ":" nonce`, or a hand's id and its seeds' digest. */
export async function fairMessage(fair) {
    if (fair.kind === "round")
        return utf8(`${fair.client_seed}:${fair.nonce}`);
    const seeds = [...fair.client_seeds].sort();
    return utf8(`${fair.hand_id}:${hex(await sha256(utf8(seeds.join("\n"))))}`);
}
/** ChaCha20 words as rand_chacha's `next_u32` gives them. */
export class Words {
    key;
    buf = new Uint32Array(0);
    at = 0;
    block = 0;
    constructor(key) {
        this.key = key;
    }
    next() {
        if (this.at >= this.buf.length) {
            const bytes = chacha20orig(this.key, new Uint8Array(8), new Uint8Array(64 * 4), undefined, this.block);
            this.block += 4;
            const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
            this.buf = Uint32Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4, true));
            this.at = 0;
        }
        return this.buf[this.at++];
    }
    /** `below(n)`: `(w·n) >> 32`, redrawn only when the low half falls under `2^32 mod n`. */
    below(n) {
        const threshold = Number((2n ** 32n) % BigInt(n));
        for (;;) {
            const m = BigInt(this.next()) * BigInt(n);
            const lo = Number(m & 0xffffffffn);
            if (lo >= threshold)
                return Number(m >> 32n);
        }
    }
}
/** The index whose cumulative count first exceeds `at` (a card among the cards left, a stop on a strip). */
export function indexAt(counts, at) {
    let sum = 0;
    for (let i = 0; i < counts.length; i++) {
        sum += counts[i];
        if (at < sum)
            return i;
    }
    return -1;
}
/** The game's outcome recomputed from the draws: a line saying what was compared, or why it could not be. */
function outcomeCheck(row, draws) {
    const what = "The outcome follows from the draws";
    const outcome = row.record.outcome;
    const config = (row.config ?? {});
    if (row.game === "roulette") {
        const ok = draws.length === 1 && draws[0] === outcome.number;
        return { what, ok, detail: `the wheel's number from the seed: ${draws[0]}; recorded: ${String(outcome.number)}` };
    }
    if (row.game === "blackjack") {
        const state = row.record.state_before;
        const decks = Number(config.decks ?? 6);
        let left = state.shoe?.left?.length === 52 ? [...state.shoe.left] : Array(52).fill(decks);
        let size = state.shoe?.left?.length === 52 ? Number(state.shoe.size ?? 0) : decks * 52;
        const remaining = () => left.reduce((a, b) => a + b, 0);
        const perMille = size ? Math.floor(((size - Math.min(remaining(), size)) * 1000) / size) : 1000;
        if (perMille >= Number(config.penetration_per_mille ?? 750))
            (left = Array(52).fill(decks)), (size = decks * 52);
        const dealt = [];
        for (const at of draws) {
            if (remaining() === 0)
                return { what, ok: false, detail: "the shoe ran out mid-hand; check this one with `croupier verify`" };
            const card = indexAt(left, at);
            left[card] -= 1;
            dealt.push(card);
        }
        const hands = outcome.hands ?? [];
        const shown = [...hands.flatMap((x) => x.cards), ...(outcome.dealer ?? [])];
        const a = [...dealt].sort((x, y) => x - y).join(",");
        const b = [...shown].sort((x, y) => x - y).join(",");
        return { what, ok: a === b, detail: `${dealt.length} cards dealt from the seed; the hand shows ${shown.length}${a === b ? ", the same cards" : ", not the same cards"}` };
    }
    if (row.game === "coin_flip") {
        // One draw, below(2): 0 is heads, 1 tails (docs/games/coin_flip.md).
        const landed = draws[0] === 0 ? "heads" : "tails";
        const ok = draws.length === 1 && landed === outcome.landed;
        return { what, ok, detail: `the coin from the seed: ${landed}; recorded: ${String(outcome.landed)}` };
    }
    if (row.game === "slots") {
        const reels = config.reels;
        if (!reels)
            return { what, ok: false, detail: "the record names no machine config" };
        const spins = [outcome.spin, ...(outcome.free_spins ?? [])];
        let at = 0;
        for (const [k, spin] of spins.entries()) {
            for (let r = 0; r < reels.length; r++) {
                const strip = reels[r];
                const stop = indexAt(strip.map((s) => s.weight), draws[at++]);
                const window = [0, 1, 2].map((row) => strip[(stop + row) % strip.length].symbol);
                if (stop !== spin.stops[r] || window.join() !== spin.window[r].join()) {
                    return { what, ok: false, detail: `spin ${k + 1}, reel ${r + 1}: the seed stops at ${stop}, the record says ${spin.stops[r]}` };
                }
            }
        }
        const ok = at === draws.length;
        return { what, ok, detail: `${spins.length} spin(s): every reel's stop and window as recorded${ok ? "" : `, but ${draws.length - at} draws unused`}` };
    }
    return { what, ok: false, detail: `the web client does not know how ${row.game} maps draws; use \`croupier verify\`` };
}
/** Every check of `row` against `seedHex` (64 hex digits). */
export async function verify(row, seedHex) {
    const rng = row.record.rng;
    const seed = unhex(seedHex.trim());
    if (!seed || seed.length !== 32)
        return [{ what: "The seed", ok: false, detail: "a server seed is 64 hex digits" }];
    if (!rng.fair)
        return [{ what: "The round", ok: false, detail: "this round was not played provably fair" }];
    const checks = [];
    const digest = hex(await sha256(seed));
    checks.push({ what: "The seed matches the commitment published before the round", ok: digest === rng.commitment.toLowerCase(), detail: `SHA-256(seed) = ${digest}; committed ${rng.commitment}` });
    const words = new Words(await hmac(seed, await fairMessage(rng.fair)));
    const draws = row.record.draws.map((d) => words.below(d.range));
    const same = draws.every((v, i) => v === row.record.draws[i].value);
    checks.push({ what: "Every draw comes from the seed", ok: same, detail: `${draws.length} draws recomputed: ${draws.join(", ")}` });
    checks.push(outcomeCheck(row, draws));
    checks.push(await rulesCheck(row));
    return checks;
}
/** The config served is the one the record names: SHA-256 of its exact bytes (`config_text`) is the record's `config`. */
async function rulesCheck(row) {
    const what = "The round was played under the rules served with it";
    const named = row.record.config;
    if (!named || row.config_text === null)
        return { what, ok: false, detail: "this record names no config (it was written before records did)" };
    const digest = hex(await sha256(utf8(row.config_text)));
    return { what, ok: digest === named.toLowerCase(), detail: `SHA-256(config) = ${digest}; the record names ${named}` };
}
