// The lobby: every live table with its game, seats and limits, and the
// single-player games. A table opens its page (watch first, sit from there).
import * as api from "./api.js";
import type { Screen } from "./app.js";
import { h, money } from "./dom.js";

/** Session games the web client can draw; a session game without a page is listed without a link (a table of any game opens, drawn from its schemas when it has no drawing of its own). */
const DRAWN = new Set(["slots"]);

function limits(config: Record<string, unknown>): string {
  const currency = String(config.currency ?? "");
  const min = (config.min_bet ?? config.min_line_bet ?? config.min_stake) as number | undefined;
  const max = (config.max_bet ?? config.max_line_bet ?? config.max_stake) as number | undefined;
  const per = config.min_line_bet !== undefined ? " a line" : "";
  if (typeof min !== "number" || typeof max !== "number") return "";
  return `${money(min, currency)} – ${money(max, currency)}${per}`;
}

export const lobby: Screen = async (main) => {
  const [tables, games] = await Promise.all([api.tables(), api.games()]);
  main.append(
    h("h1", {}, "Lobby"),
    h("h2", {}, "Live tables"),
    h(
      "ul",
      { class: "tiles" },
      tables.map((t) =>
        h(
          "li",
          { class: `tile ${t.game}`, "data-table": t.id },
          h("h3", {}, t.id),
          h("p", {}, `${t.game} · ${t.seated} of ${t.seats} seats taken`),
          h("p", { class: "limits" }, limits(t.config)),
          h("a", { class: "button", href: `#/table/${encodeURIComponent(t.id)}` }, "Open table"),
        ),
      ),
    ),
    h("h2", {}, "Single-player games"),
    h(
      "ul",
      { class: "tiles" },
      games
        .filter((g) => g.kind === "session")
        .map((g) =>
          h(
            "li",
            { class: `tile ${g.id}`, "data-game": g.id },
            h("h3", {}, g.id),
            h("p", {}, g.summary),
            h("p", { class: "limits" }, g.config ? limits(g.config) : ""),
            DRAWN.has(g.id)
              ? h("a", { class: "button", href: `#/slots/${encodeURIComponent(g.id)}` }, "Play")
              : h("p", {}, "no web view for this game"),
          ),
        ),
    ),
  );
};
