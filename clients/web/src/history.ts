// Round history and verification: the player's rounds, newest first; one
// round's record (outcome, stakes, payouts, draws); and the provably-fair
// check run in this browser against the revealed seed (or a seed pasted in),
// each step shown as a match or a mismatch.
import * as api from "./api.js";
import { refusal, type Screen } from "./app.js";
import { fill, h, money } from "./dom.js";
import { verify } from "./verify.js";

/** One line of the history: the round, when, where, and what the player staked in it or that they only watched. */
const playedEl = (r: api.PlayedRound) =>
  h(
    "li",
    { class: r.staked ? "staked" : "watched", "data-round": r.round, "data-staked": r.staked },
    h("a", { href: `#/round/${encodeURIComponent(r.round)}` }, r.round),
    h("span", { class: "when" }, ` ${r.game} · ${new Date(r.created_at).toLocaleString()} · `),
    r.staked ? h("span", {}, `staked ${money(r.staked, r.currency ?? "")}`) : h("span", { class: "tag" }, "watched, no stake"),
    r.voided ? h("span", { class: "tag" }, " voided, refunded") : null,
  );

export const history: Screen = async (main) => {
  const played = await api.rounds();
  main.append(h("h1", {}, "Your rounds"));
  if (!played.length) return void main.append(h("p", {}, "No rounds yet: play one from the lobby."));
  main.append(
    h("p", { class: "hint" }, "Every round you were seated at, newest first; the ones you only watched are marked."),
    h("ol", { class: "rounds" }, played.map(playedEl)),
  );
};

/** The seed to check against: the record's own, else one revealed by a seed rotation. */
async function revealedSeed(row: api.RoundRow): Promise<string | null> {
  if (row.record.rng.revealed) return row.record.rng.revealed;
  const fair = await api.fairness();
  return fair.revealed.find((r) => r.commitment === row.record.rng.commitment)?.server_seed ?? null;
}

/** A voided round in place of the check: nothing was played out, so nothing can be verified. */
const voidedEl = (reason: string) =>
  h(
    "section",
    { class: "voided", "aria-label": "Voided" },
    h("h2", {}, "Voided"),
    h("p", {}, `Staff voided this round (“${reason}”): every stake in it was refunded, and it was not played out, so there is nothing to verify.`),
  );

export const roundPage: Screen = async (main, ctx, key) => {
  const row = await api.round(key);
  const r = row.record;
  const sum = (lines: api.RoundRecord["stakes"]) =>
    lines.filter((l) => l.player === ctx.me.id).reduce((s, l) => s + l.amount.minor, 0);
  const currency = r.stakes[0]?.amount.currency ?? r.payouts[0]?.amount.currency ?? "";
  const results = h("ol", { class: "checks", "aria-live": "polite" });
  const verdict = h("p", { class: "verdict", role: "status" });
  // A box two lines high: the whole seed in view on a phone too.
  const seedInput = h("textarea", { name: "seed", rows: 2, cols: 66, spellcheck: "false", autocomplete: "off", "aria-label": "Server seed (64 hex digits)" });
  const run = async () => {
    fill(verdict, "Checking…");
    const checks = await verify(row, seedInput.value);
    fill(results, checks.map((c) => h("li", { class: c.ok ? "ok" : "bad" }, h("strong", {}, `${c.ok ? "✓ match" : "✗ mismatch"}: ${c.what}`), h("br"), h("small", {}, c.detail))));
    const ok = checks.every((c) => c.ok);
    verdict.className = `verdict ${ok ? "ok" : "bad"}`;
    verdict.dataset.verdict = ok ? "match" : "mismatch";
    fill(verdict, ok ? "Match: this round's outcome is the one the committed seed gives." : "Mismatch: this round does not follow from that seed.");
  };
  const reveal = h(
    "button",
    {
      type: "button",
      onclick: async () => {
        try {
          await api.rotateSeed();
          const seed = await revealedSeed(row);
          if (seed) seedInput.value = seed;
          reveal.remove();
          await run();
        } catch (e) {
          fill(verdict, refusal(e));
        }
      },
    },
    "Reveal my seed now (starts a new one)",
  );
  const seed = await revealedSeed(row);
  if (seed) seedInput.value = seed;
  const verifyEl = h(
    "section",
    { class: "verify", "aria-label": "Verify" },
    h("h2", {}, "Verify in this browser"),
    r.rng.fair ? null : h("p", {}, "This round was not played provably fair."),
    seed ? null : h("p", {}, "The seed of this round is still in use (slots keep one seed across rounds). ", reveal),
    h(
      "form",
      { onsubmit: (e: Event) => (e.preventDefault(), void run()) },
      h("label", {}, "Server seed ", seedInput),
      h("button", { type: "submit", class: "primary" }, "Verify"),
    ),
    verdict,
    results,
  );
  main.append(
    h("h1", {}, `Round ${row.round}`),
    h(
      "dl",
      { class: "round-meta" },
      h("dt", {}, "Game"),
      h("dd", {}, row.game),
      h("dt", {}, "Table"),
      h("dd", {}, row.table),
      h("dt", {}, "Played"),
      h("dd", {}, new Date(row.created_at).toLocaleString()),
      h("dt", {}, "Your stakes"),
      h("dd", {}, sum(r.stakes) ? money(sum(r.stakes), currency) : "none"),
      h("dt", {}, "Paid to you"),
      h("dd", {}, sum(r.payouts) ? money(sum(r.payouts), currency) : "nothing"),
      h("dt", {}, "Commitment"),
      h("dd", {}, h("code", {}, r.rng.commitment)),
    ),
    r.voided ? voidedEl(r.voided.reason) : verifyEl,
    h("details", {}, h("summary", {}, "The record"), h("pre", { class: "record" }, JSON.stringify(r, null, 2))),
  );
  if (seed && r.rng.fair && !r.voided) await run();
};
