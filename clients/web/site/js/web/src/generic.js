import { fill, flash, h } from "./dom.js";
function resolver(doc) {
    const defs = doc.schema.definitions ?? {};
    const resolve = (s) => {
        const schema = (s ?? {});
        const ref = schema.$ref;
        if (typeof ref === "string" && ref.startsWith("#/definitions/"))
            return resolve(defs[ref.slice("#/definitions/".length)]);
        // A field that names a type with a description of its own: `{ allOf: [{ $ref }], description }`.
        const all = schema.allOf;
        if (Array.isArray(all) && all.length === 1 && !schema.properties)
            return resolve(all[0]);
        return schema;
    };
    return resolve;
}
/** The values a schema allows when it is a choice of constants (`enum`, or `oneOf` of `const`s), else null. */
function choices(s, resolve) {
    if (Array.isArray(s.enum))
        return s.enum;
    if ("const" in s)
        return [s.const];
    const variants = (s.oneOf ?? s.anyOf);
    if (!Array.isArray(variants))
        return null;
    const out = [];
    for (const v of variants) {
        const c = choices(resolve(v), resolve);
        if (!c)
            return null;
        out.push(...c);
    }
    return out;
}
/** A variant's properties, with those of the schemas it is `allOf`. */
function properties(s, resolve) {
    const props = { ...(s.properties ?? {}) };
    const required = [...(s.required ?? [])];
    for (const part of (s.allOf ?? [])) {
        const more = properties(resolve(part), resolve);
        Object.assign(props, more.props);
        required.push(...more.required);
    }
    return { props, required };
}
/** Every kind of action the game's action schema allows. */
export function actionForms(doc) {
    const resolve = resolver(doc);
    const root = resolve(doc.roots.action);
    const variants = (root.oneOf ?? root.anyOf)?.map(resolve) ?? [root];
    return variants.flatMap((v) => {
        const constants = choices(v, resolve);
        if (constants)
            return constants.map((c) => ({ label: String(c), constant: c, fields: [] }));
        const { props, required } = properties(v, resolve);
        const tagSchema = props.type ? resolve(props.type) : undefined;
        const tag = tagSchema && typeof tagSchema.const === "string" ? tagSchema.const : undefined;
        const fields = Object.entries(props)
            .filter(([name]) => !(tag !== undefined && name === "type"))
            .map(([name, schema]) => ({ name, schema, required: required.includes(name) }));
        return [{ label: tag ?? String(v.title ?? v.description ?? "act"), tag, fields }];
    });
}
function input(f, resolve) {
    const s = resolve(f.schema);
    const values = choices(s, resolve);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
    if (values)
        return h("select", { name: f.name, "data-kind": "choice" }, values.map((v) => h("option", { value: JSON.stringify(v) }, String(v))));
    if (type === "integer" || type === "number") {
        return h("input", { name: f.name, type: "number", step: type === "integer" ? 1 : "any", min: s.minimum, required: f.required, "data-kind": "number" });
    }
    if (type === "boolean")
        return h("input", { name: f.name, type: "checkbox", "data-kind": "boolean" });
    if (type === "string")
        return h("input", { name: f.name, required: f.required, "data-kind": "string" });
    return h("textarea", { name: f.name, required: f.required, placeholder: "JSON", "data-kind": "json" });
}
/** Reads a form's fields back into an action. */
function read(form, a) {
    const action = a.tag !== undefined ? { type: a.tag } : {};
    for (const f of a.fields) {
        const el = form.elements.namedItem(f.name);
        const kind = el.dataset.kind;
        if (kind === "boolean")
            action[f.name] = el.checked;
        else if (el.value === "" && !f.required)
            continue;
        else if (kind === "choice" || kind === "json")
            action[f.name] = JSON.parse(el.value);
        else if (kind === "number")
            action[f.name] = Number(el.value);
        else
            action[f.name] = el.value;
    }
    return action;
}
/** A value as one line of text: strings and numbers as they are, the rest as JSON. */
const text = (v) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v));
/** The generic drawing of a table of the game `doc` describes. */
export function genericView(c, doc) {
    const resolve = resolver(doc);
    const view = h("dl", { class: "generic-view", "aria-label": "Table" });
    const log = h("ol", { class: "event-log", "aria-live": "polite", "aria-label": "Events" });
    // One fetch of the view at a time; an event during one asks for another after it.
    let refreshing = false;
    let again = false;
    const refresh = () => {
        if (refreshing) {
            again = true;
            return;
        }
        refreshing = true;
        // An event may have moved money (a settlement): the header's balance too.
        c.ctx.refreshBalance();
        void c
            .refresh()
            .catch(() => undefined)
            .finally(() => {
            refreshing = false;
            if (again) {
                again = false;
                refresh();
            }
        });
    };
    const forms = actionForms(doc).map((a) => {
        const form = h("form", {
            class: "generic-action",
            "data-action": a.label,
            onsubmit: (e) => {
                e.preventDefault();
                let action;
                try {
                    action = a.constant !== undefined ? a.constant : read(e.target, a);
                }
                catch (err) {
                    // A JSON field that does not parse: nothing is sent.
                    flash(`Not sent: a JSON field does not parse (${err.message})`, "error");
                    return;
                }
                c.act(action).catch(() => undefined); // a refusal is shown by the table page
            },
        }, a.fields.map((f) => {
            const s = resolve(f.schema);
            const hint = typeof f.schema.description === "string" ? f.schema.description : typeof s.description === "string" ? s.description : "";
            return h("label", { title: hint }, f.name, " ", input(f, resolve));
        }), h("button", { type: "submit" }, a.label));
        return form;
    });
    const el = h("section", { class: "generic", "data-game": doc.game }, h("p", { class: "hint" }, `${doc.game}: drawn from the game's schema.`), h("div", { class: "seat-buttons" }, h("button", { type: "button", class: "sit", onclick: () => void c.sit().catch(() => undefined) }, "Sit"), h("button", { type: "button", class: "stand", onclick: () => void c.stand() }, "Stand")), view, h("div", { class: "generic-actions", role: "group", "aria-label": "Actions" }, forms), h("h2", {}, "Events"), log);
    return {
        el,
        reset(v) {
            const entries = v !== null && typeof v === "object" && !Array.isArray(v) ? Object.entries(v) : [["view", v]];
            fill(view, entries.flatMap(([k, value]) => [h("dt", {}, k), h("dd", { "data-field": k }, text(value))]));
        },
        event(e) {
            const { type, ...rest } = e;
            const name = typeof type === "string" ? type : "event";
            log.prepend(h("li", { "data-event": name }, h("strong", {}, name), " ", text(typeof type === "string" ? rest : e)));
            while (log.children.length > 50)
                log.lastElementChild?.remove();
            refresh();
        },
    };
}
