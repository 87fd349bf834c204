// The operator console's review queues: withdrawals waiting for an
// operator (approve, which pays out, or reject, which hands the hold back,
// each with a reason) and anti-money-laundering cases (read the facts the
// rule saw and the case's history; note, escalate, close as cleared or
// reported). Each list is by status, oldest first, as the server keeps it.
import * as api from "./api.js";
import { refusal } from "./app.js";
import { fields, fill, h, money, notice, stack } from "./dom.js";

interface Withdrawal {
  id: number;
  user_id: number;
  username: string;
  amount: number;
  currency: string;
  status: string;
  destination: string | null;
  created_at: number;
}

interface AmlCase {
  id: number;
  user_id: number;
  username: string;
  rule: string;
  subject: string;
  detail: Record<string, unknown>;
  status: string;
  outcome: string | null;
  opened_at: number;
}

interface CaseEvent {
  actor_name: string;
  action: string;
  note: string;
  at: number;
}

interface CasePage {
  case: AmlCase;
  history: CaseEvent[];
}

const when = (ms: number) => new Date(ms).toLocaleString();

/** A status picker that redraws its list when changed. */
function statusPicker(label: string, statuses: string[], changed: (status: string) => void): HTMLElement {
  return h(
    "label",
    {},
    `${label} `,
    h("select", { name: "status", onchange: (e: Event) => changed((e.target as HTMLSelectElement).value) }, statuses.map((s) => h("option", {}, s))),
  );
}

/** A one-line reason form: `act(reason)` on submit, its answer or refusal shown beside it. */
function reasonForm(name: string, act: (values: Record<string, string>) => Promise<string>, extra?: HTMLElement): HTMLElement {
  const out = h("span", { class: "answer" });
  return h(
    "form",
    {
      class: "inline",
      "aria-label": name,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = fields(e.target as HTMLFormElement);
        try {
          fill(out, notice(await act(f), "ok"));
        } catch (err) {
          fill(out, notice(refusal(err, { code: true }), "error"));
        }
      },
    },
    extra,
    h("label", {}, "Reason ", h("input", { name: "reason", required: true, maxlength: 200, size: 18, autocomplete: "off" })),
    h("button", { type: "submit" }, name),
    out,
  );
}

/** Withdrawals by status (`review` first); those in review can be approved or rejected. */
export function withdrawalsPart(changed: () => void): { el: HTMLElement; load: () => Promise<void> } {
  const rows = h("tbody");
  const said = h("div", { "aria-live": "polite" });
  let status = "review";
  const load = async (): Promise<void> => {
    const { withdrawals } = await api.route<{ withdrawals: Withdrawal[] }>("GET", `/v1/admin/withdrawals?status=${status}`);
    // A decision moves the withdrawal out of this list: what was done is said above it.
    const decide = (w: Withdrawal, verb: "approve" | "reject") =>
      reasonForm(verb === "approve" ? "Approve" : "Reject", async (f) => {
        const r = await api.route<{ payment: Withdrawal }>("POST", `/v1/admin/withdrawals/${w.id}/${verb}`, { reason: f.reason.trim() });
        const done = `Withdrawal ${w.id} is ${r.payment.status}.`;
        fill(said, notice(done, "ok"));
        changed();
        await load();
        return done;
      });
    fill(
      rows,
      withdrawals.length ? withdrawals.map((w) =>
        h(
          "tr",
          { "data-withdrawal": w.id },
          h("td", {}, String(w.id)),
          h("td", {}, w.username),
          h("td", { class: "num" }, money(w.amount, w.currency)),
          h("td", {}, w.destination ?? ""),
          h("td", {}, when(w.created_at)),
          h("td", {}, w.status === "review" ? [decide(w, "approve"), decide(w, "reject")] : w.status),
        ),
      ) : h("tr", {}, h("td", { colspan: 6 }, `No withdrawals ${status}.`)),
    );
  };
  const picker = statusPicker("Status", ["review", "approved", "paying", "paid", "failed", "rejected"], (s) => {
    status = s;
    void load().catch(() => undefined);
  });
  const el = h(
    "div",
    {},
    picker,
    said,
    stack(h("table", { class: "withdrawals" }, h("thead", {}, h("tr", {}, ["Id", "Player", "Amount", "To", "Asked", ""].map((t) => h("th", {}, t)))), rows)),
  );
  return { el, load };
}

/** The facts a rule saw, as fields. */
function facts(detail: Record<string, unknown>): HTMLElement {
  return h("dl", { class: "fields" }, Object.entries(detail).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : JSON.stringify(v))]));
}

/** AML cases by status (`open` first); one opened shows its facts, history and what can be done to it. */
export function amlPart(changed: () => void): { el: HTMLElement; load: () => Promise<void> } {
  const rows = h("tbody");
  const detail = h("div", { class: "case-detail", "aria-live": "polite" });
  let status = "open";
  const act = async (id: number, verb: string, body: Record<string, string>) => {
    const page = await api.route<CasePage>("POST", `/v1/admin/aml/cases/${id}/${verb}`, body);
    draw(page);
    changed();
    await load();
    return `Case ${id} is ${page.case.status}${page.case.outcome ? ` (${page.case.outcome})` : ""}.`;
  };
  const draw = (page: CasePage) => {
    const c = page.case;
    const live = c.status !== "closed";
    const note = h(
      "form",
      {
        class: "inline",
        "aria-label": "Add a note",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const f = fields(e.target as HTMLFormElement);
          try {
            await act(c.id, "notes", { note: f.note.trim() });
          } catch (err) {
            detail.append(notice(refusal(err, { code: true }), "error"));
          }
        },
      },
      h("label", {}, "Note ", h("input", { name: "note", required: true, maxlength: 200, size: 30, autocomplete: "off" })),
      h("button", { type: "submit" }, "Add note"),
    );
    const outcome = h("label", {}, "Outcome ", h("select", { name: "outcome" }, h("option", {}, "cleared"), h("option", {}, "reported")));
    fill(
      detail,
      h("h3", {}, `Case ${c.id}: ${c.rule} — ${c.username} (id ${c.user_id})`),
      h("p", {}, `${c.subject}, opened ${when(c.opened_at)}; ${c.status}${c.outcome ? ` (${c.outcome})` : ""}.`),
      facts(c.detail),
      h("h4", {}, "History"),
      page.history.length
        ? h("ol", { class: "history" }, page.history.map((e) => h("li", {}, `${when(e.at)} ${e.actor_name} ${e.action}: ${e.note}`)))
        : h("p", {}, "No action yet."),
      note,
      live && c.status === "open" ? reasonForm("Escalate", (f) => act(c.id, "escalate", { reason: f.reason.trim() })) : null,
      live ? reasonForm("Close case", (f) => act(c.id, "close", { outcome: f.outcome, reason: f.reason.trim() }), outcome) : null,
    );
  };
  const open = async (id: number) => {
    try {
      draw(await api.route<CasePage>("GET", `/v1/admin/aml/cases/${id}`));
    } catch (err) {
      fill(detail, notice(refusal(err, { code: true }), "error"));
    }
  };
  const load = async () => {
    const { cases } = await api.route<{ cases: AmlCase[] }>("GET", `/v1/admin/aml/cases?status=${status}`);
    fill(
      rows,
      cases.length ? cases.map((c) =>
        h(
          "tr",
          { "data-case": c.id, "data-rule": c.rule },
          h("td", {}, String(c.id)),
          h("td", {}, c.username),
          h("td", {}, c.rule),
          h("td", {}, c.subject),
          h("td", {}, when(c.opened_at)),
          h("td", {}, h("button", { type: "button", onclick: () => void open(c.id) }, "Open")),
        ),
      ) : h("tr", {}, h("td", { colspan: 6 }, `No cases ${status}.`)),
    );
  };
  const picker = statusPicker("Status", ["open", "escalated", "closed"], (s) => {
    status = s;
    void load().catch(() => undefined);
  });
  const el = h(
    "div",
    {},
    picker,
    stack(h("table", { class: "cases" }, h("thead", {}, h("tr", {}, ["Case", "Player", "Rule", "About", "Opened", ""].map((t) => h("th", {}, t)))), rows)),
    detail,
  );
  return { el, load };
}
