// Small DOM helpers for the web client: element building without innerHTML
// (so no server or player text is ever parsed as markup), money formatting,
// and the status line every screen reports into.
/** `h("button", { class: "x", onclick: f }, "Go")`: attributes, handlers, text children. */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false)
            continue;
        if (typeof value === "function")
            el.addEventListener(key.replace(/^on/, ""), value);
        else if (value === true)
            el.setAttribute(key, "");
        else
            el.setAttribute(key, String(value));
    }
    append(el, children);
    return el;
}
function append(el, children) {
    for (const child of children.flat()) {
        if (child === null || child === undefined || child === false)
            continue;
        el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
}
/** Replaces an element's children. */
export function fill(el, ...children) {
    el.replaceChildren();
    append(el, children);
}
/**
 * Minor units as major units, in integer arithmetic: `123456` → `1234.56`
 * (`1,234.56` with `grouped`, for reading; plain for an input to parse back);
 * `short` drops `.00` (`500` → `5`).
 */
export function major(minor, { short = false, grouped = false } = {}) {
    const abs = Math.abs(minor);
    const cents = abs % 100;
    const units = Math.floor(abs / 100);
    const whole = `${minor < 0 ? "-" : ""}${grouped ? units.toLocaleString("en") : String(units)}`;
    return short && cents === 0 ? whole : `${whole}.${String(cents).padStart(2, "0")}`;
}
/** Minor units as the currency's major units: `1234, "EUR"` → `12.34 EUR`. */
export function money(minor, currency) {
    return `${major(minor, { grouped: true })} ${currency}`;
}
/** Parses `12.34` (or `12`) into minor units; `null` if it is not an amount. */
export function parseMoney(text) {
    const m = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(text);
    if (!m)
        return null;
    return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
}
/** The form's named field values. */
export function fields(form) {
    const out = {};
    new FormData(form).forEach((v, k) => (out[k] = String(v)));
    return out;
}
/** A message line: `role="status"` (polite) or an alert for an error. */
export function notice(text, kind = "info") {
    return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
/** Reports `text` in the element `#flash` for a few seconds. */
export function flash(text, kind = "info") {
    // Refusals go to the console too: a flash is gone after six seconds.
    if (kind === "error")
        console.warn(`croupier: ${text}`);
    const box = document.getElementById("flash");
    if (!box)
        return;
    const line = notice(text, kind);
    box.appendChild(line);
    setTimeout(() => line.remove(), 6000);
}
/** A countdown to `deadline` (ms since the epoch), redrawn every 200 ms while it is in the page. */
export function countdown(deadline, label) {
    const el = h("span", { class: "clock", "aria-live": "off" });
    const tick = () => {
        const left = Math.max(0, deadline - Date.now());
        el.textContent = `${label} ${(left / 1000).toFixed(1)} s`;
        el.classList.toggle("low", left < 3000);
        if (left > 0 && (el.isConnected || !started))
            setTimeout(tick, 200);
    };
    let started = false;
    tick();
    started = true;
    return el;
}
/**
 * A table whose rows stack on a phone (`table.stack` in the style sheet):
 * each cell labelled with its column's heading, for rows there now and
 * rows added later.
 */
export function stack(table) {
    const label = () => {
        const heads = Array.from(table.tHead?.rows[0]?.cells ?? [], (c) => c.textContent ?? "");
        for (const body of Array.from(table.tBodies))
            for (const row of Array.from(body.rows))
                Array.from(row.cells).forEach((cell, i) => {
                    if (heads[i] && cell.dataset.label !== heads[i])
                        cell.dataset.label = heads[i];
                });
    };
    table.classList.add("stack");
    label();
    new MutationObserver(label).observe(table, { childList: true, subtree: true });
    return table;
}
