// The operator console's players, rounds and audit parts: find a player by
// the start of their name and see their balances, ledger lines and rounds
// (deposit from there); search rounds by table and player and open a
// record; read the audit trail of staff actions, a page at a time.
import * as api from "./api.js";
import { refusal } from "./app.js";
import { fields, fill, h, money, notice, stack } from "./dom.js";

interface Summary {
  round: string;
  table: string;
  game: string;
  created_at: number;
}

interface PlayerPage {
  player: api.Me;
  balances: api.Balance[];
  transactions: api.TxLine[];
  rounds: Summary[];
  protection: {
    limits: { kind: string; period: string; currency: string; amount: number | null; used: number }[];
    exclusion: { kind: string; until: number | null } | null;
  };
  kyc: { status: string };
}

/** The player's own protection and identity status, in one line for staff. */
function protectionLine(p: PlayerPage): HTMLElement {
  const x = p.protection.exclusion;
  const limits = p.protection.limits.filter((l) => l.amount !== null).map((l) => `${l.kind} ${money(l.amount ?? 0, l.currency)} a ${l.period} (${money(l.used, l.currency)} used)`);
  return h(
    "p",
    { class: "protection-line", "data-kyc": p.kyc.status },
    `Identity: ${p.kyc.status}. `,
    x ? `Excluded (${x.kind.replace("_", "-")}) ${x.until === null ? "for good" : `until ${when(x.until)}`}. ` : "Not excluded. ",
    limits.length ? `Limits: ${limits.join("; ")}.` : "No limits.",
  );
}

interface AuditLine {
  id: number;
  at: number;
  actor_name: string;
  action: string;
  target: string;
  detail: string;
  address: string;
}

const when = (ms: number) => new Date(ms).toLocaleString();

/** An audit line's detail as readable fields that wrap (it is JSON, or plain text for older lines). */
function detailFields(detail: string): HTMLElement {
  let fields: unknown;
  try {
    fields = JSON.parse(detail);
  } catch {
    return h("span", {}, detail);
  }
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) return h("span", {}, detail);
  return fieldList(fields as Record<string, unknown>);
}

/** An object as fields; an object within it (a config before and after) as fields of its own. */
function fieldList(fields: Record<string, unknown>): HTMLElement {
  const shown = (v: unknown): Node | string =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? fieldList(v as Record<string, unknown>) : typeof v === "string" ? v : JSON.stringify(v);
  return h("dl", { class: "fields" }, Object.entries(fields).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, shown(v))]));
}

function roundList(rounds: Summary[]): HTMLElement {
  if (!rounds.length) return h("p", {}, "No rounds.");
  return stack(
    h(
      "table",
      { class: "rounds-found" },
      h("thead", {}, h("tr", {}, h("th", {}, "Round"), h("th", {}, "Game"), h("th", {}, "Played"))),
      h("tbody", {}, rounds.map((r) => h("tr", {}, h("td", {}, h("a", { href: `#/round/${encodeURIComponent(r.round)}` }, r.round)), h("td", {}, r.game), h("td", {}, when(r.created_at))))),
    ),
  );
}

/** Search box, results, and the chosen player's page; `deposit` is the deposit form to show with it. */
export function playersPart(deposit: (username: string) => HTMLElement): HTMLElement {
  const results = h("div", { class: "found" });
  const detail = h("div", { class: "player-detail", "aria-live": "polite" });
  const show = async (username: string) => {
    try {
      const p = await api.route<PlayerPage>("GET", `/v1/admin/players/${encodeURIComponent(username)}`);
      fill(
        detail,
        h("h3", {}, `${p.player.username} (${p.player.role}, id ${p.player.id})`),
        h("p", { class: "balances-line", "data-player": p.player.username }, p.balances.length ? p.balances.map((b) => `${money(b.available, b.currency)} available, ${money(b.held, b.currency)} in play`).join(" · ") : "No funds yet."),
        protectionLine(p),
        deposit(p.player.username),
        h("h4", {}, "Ledger (newest first)"),
        stack(h(
          "table",
          { class: "ledger" },
          h("thead", {}, h("tr", {}, ["When", "What", "Round", "Available", "In play"].map((t) => h("th", {}, t)))),
          h("tbody", {}, p.transactions.map((t) => h("tr", {}, h("td", {}, when(t.created_at)), h("td", {}, t.kind), h("td", {}, t.round ?? ""), h("td", { class: "num" }, money(t.available_change, t.currency)), h("td", { class: "num" }, t.held_change ? money(t.held_change, t.currency) : "")))),
        )),
        h("h4", {}, "Rounds"),
        roundList(p.rounds),
      );
    } catch (e) {
      fill(detail, notice(refusal(e, { code: true }), "error"));
    }
  };
  const search = h(
    "form",
    {
      role: "search",
      "aria-label": "Find a player",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const q = fields(e.target as HTMLFormElement).q.trim();
        try {
          const { players } = await api.route<{ players: api.Me[] }>("GET", `/v1/admin/players?q=${encodeURIComponent(q)}`);
          fill(results, players.length ? h("ul", {}, players.map((p) => h("li", {}, h("button", { type: "button", class: "link", onclick: () => void show(p.username) }, `${p.username} (${p.role})`)))) : notice(`No account starts with "${q}".`));
        } catch (err) {
          fill(results, notice(refusal(err, { code: true }), "error"));
        }
      },
    },
    h("label", {}, "Name starts with ", h("input", { name: "q", required: true, maxlength: 32, autocomplete: "off" })),
    h("button", { type: "submit" }, "Find"),
  );
  return h("div", {}, search, results, detail);
}

export function roundsPart(): HTMLElement {
  const out = h("div");
  return h(
    "div",
    {},
    h(
      "form",
      {
        role: "search",
        "aria-label": "Search rounds",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const f = fields(e.target as HTMLFormElement);
          const q = new URLSearchParams();
          if (f.table.trim()) q.set("table", f.table.trim());
          if (f.player.trim()) q.set("player", f.player.trim());
          try {
            const { rounds } = await api.route<{ rounds: Summary[] }>("GET", `/v1/admin/rounds?${q}`);
            fill(out, roundList(rounds));
          } catch (err) {
            fill(out, notice(refusal(err, { code: true }), "error"));
          }
        },
      },
      h("label", {}, "Table ", h("input", { name: "table", size: 16, autocomplete: "off" })),
      h("label", {}, "Player ", h("input", { name: "player", size: 16, autocomplete: "off" })),
      h("button", { type: "submit" }, "Search rounds"),
    ),
    out,
  );
}

export function auditPart(): { el: HTMLElement; load: () => Promise<void> } {
  const rows = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Older lines");
  let before: number | null = null;
  const load = async (fresh = true) => {
    const page = await api.route<{ audit: AuditLine[]; next_cursor: number | null }>("GET", `/v1/admin/audit?limit=20${!fresh && before ? `&before=${before}` : ""}`);
    if (fresh) rows.replaceChildren();
    for (const l of page.audit) {
      rows.append(h("tr", { "data-action": l.action }, h("td", {}, when(l.at)), h("td", {}, l.actor_name), h("td", {}, l.action), h("td", {}, l.target), h("td", { class: "detail" }, detailFields(l.detail)), h("td", {}, l.address)));
    }
    before = page.next_cursor;
    more.hidden = before === null;
  };
  more.addEventListener("click", () => void load(false));
  const el = h(
    "div",
    {},
    stack(h("table", { class: "audit" }, h("thead", {}, h("tr", {}, h("th", {}, "When"), h("th", {}, "Who"), h("th", {}, "What"), h("th", {}, "On"), h("th", {}, "Detail"), h("th", {}, "From"))), rows)),
    more,
  );
  return { el, load: () => load(true) };
}
