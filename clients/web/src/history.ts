// Round history and verification: the player's rounds, newest first; one
// round's record (outcome, stakes, payouts, draws); and the provably-fair
// check run in this browser against the revealed seed (or a seed pasted in),
// each step shown as a match or a mismatch.
import * as api from "./api.js";
import { refusal, type Screen } from "./app.js";
import { fill, h, money } from "./dom.js";
import { verify } from "./verify.js";

export const history: Screen = async (main) => {
  const keys = await api.rounds();
  main.append(
    h("h1", {}, "Your rounds"),
    keys.length
      ? h("ol", { class: "rounds" }, keys.map((k) => h("li", {}, h("a", { href: `#/round/${encodeURIComponent(k)}` }, k))))
      : h("p", {}, "No rounds yet: play one from the lobby."),
  );
};

/** The seed to check against: the record's own, else one revealed by a seed rotation. */
async function revealedSeed(row: api.RoundRow): Promise<string | null> {
  if (row.record.rng.revealed) return row.record.rng.revealed;
  const fair = await api.fairness();
  return fair.revealed.find((r) => r.commitment === row.record.rng.commitment)?.server_seed ?? null;
}

export const roundPage: Screen = async (main, ctx, key) => {
  const row = await api.round(key);
  const r = row.record;
  const sum = (lines: api.RoundRecord["stakes"]) =>
    lines.filter((l) => l.player === ctx.me.id).reduce((s, l) => s + l.amount.minor, 0);
  const currency = r.stakes[0]?.amount.currency ?? r.payouts[0]?.amount.currency ?? "";
  const results = h("ol", { class: "checks", "aria-live": "polite" });
  const verdict = h("p", { class: "verdict", role: "status" });
  const seedInput = h("input", { name: "seed", size: 66, spellcheck: "false", autocomplete: "off", "aria-label": "Server seed (64 hex digits)" });
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
      h("dd", {}, money(sum(r.stakes), currency)),
      h("dt", {}, "Paid to you"),
      h("dd", {}, money(sum(r.payouts), currency)),
      h("dt", {}, "Commitment"),
      h("dd", {}, h("code", {}, r.rng.commitment)),
    ),
    h(
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
    ),
    h("details", {}, h("summary", {}, "The record"), h("pre", { class: "record" }, JSON.stringify(r, null, 2))),
  );
  if (seed && r.rng.fair) await run();
};
