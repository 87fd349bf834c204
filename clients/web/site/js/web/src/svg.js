// Pictures drawn as SVG elements, built node by node (never parsed from
// markup): the slot machine's symbols, and the shapes the roulette wheel is
// made of.
const NS = "http://www.w3.org/2000/svg";
/** `svg("circle", { r: 4 })`: an SVG element with attributes and children (text or elements). */
export function svg(tag, attrs = {}, ...children) {
    const el = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs))
        el.setAttribute(key, String(value));
    for (const child of children)
        el.append(child);
    return el;
}
const LEAF = "#2f8a3a";
const outline = (colour) => ({ stroke: colour, "stroke-width": 1.2, "stroke-linejoin": "round" });
/** Each symbol of the stock slot machine, on a 32 × 32 canvas. */
const SYMBOLS = {
    cherry: [
        ["path", { d: "M11 18 Q13 8 23 4 M22 19 Q20 11 23 4", fill: "none", stroke: LEAF, "stroke-width": 1.8, "stroke-linecap": "round" }],
        ["path", { d: "M23 4 Q28 3 29 8 Q24 9 23 4 Z", fill: LEAF }],
        ["circle", { cx: 10, cy: 22, r: 6.5, fill: "#c8102e", ...outline("#7a0a1c") }],
        ["circle", { cx: 22, cy: 24, r: 6.5, fill: "#c8102e", ...outline("#7a0a1c") }],
        ["circle", { cx: 8, cy: 20, r: 1.6, fill: "#fff", opacity: 0.7 }],
        ["circle", { cx: 20, cy: 22, r: 1.6, fill: "#fff", opacity: 0.7 }],
    ],
    lemon: [
        ["path", { d: "M3 17 Q4 11 9 8 Q16 4 23 8 Q28 11 29 17 Q28 23 23 26 Q16 30 9 26 Q4 23 3 17 Z", fill: "#f4d21f", ...outline("#9c8200") }],
        ["path", { d: "M9 12 Q13 9 17 10", fill: "none", stroke: "#fff", "stroke-width": 1.4, opacity: 0.7, "stroke-linecap": "round" }],
    ],
    orange: [
        ["circle", { cx: 16, cy: 18, r: 11.5, fill: "#f08a00", ...outline("#9a4f00") }],
        ["path", { d: "M16 7 Q19 2 25 4 Q22 9 16 7 Z", fill: LEAF }],
        ["circle", { cx: 12, cy: 14, r: 2.2, fill: "#fff", opacity: 0.45 }],
    ],
    plum: [
        ["ellipse", { cx: 16, cy: 18, rx: 10, ry: 11.5, fill: "#6b2f8f", ...outline("#3b1452") }],
        ["path", { d: "M16 7 Q15 10 16 14", fill: "none", stroke: "#3b1452", "stroke-width": 1 }],
        ["path", { d: "M16 7 Q18 2 23 3 Q21 7 16 7 Z", fill: LEAF }],
        ["ellipse", { cx: 12, cy: 15, rx: 2, ry: 3.5, fill: "#fff", opacity: 0.35 }],
    ],
    bell: [
        ["path", { d: "M16 3 Q9 3 8.5 12 Q8 19 4 24 H28 Q24 19 23.5 12 Q23 3 16 3 Z", fill: "#e7a91b", ...outline("#8a5d00") }],
        ["rect", { x: 3, y: 23.5, width: 26, height: 3, rx: 1.5, fill: "#c98d08", ...outline("#8a5d00") }],
        ["circle", { cx: 16, cy: 28.5, r: 2.6, fill: "#8a5d00" }],
        ["path", { d: "M12 8 Q11 12 11 18", fill: "none", stroke: "#fff", "stroke-width": 1.4, opacity: 0.55, "stroke-linecap": "round" }],
    ],
    bar: [
        ["rect", { x: 2, y: 9, width: 28, height: 14, rx: 2.5, fill: "#1b1b1b", stroke: "#d4af37", "stroke-width": 1.4 }],
        ["text", { x: 16, y: 20.2, "text-anchor": "middle", "font-size": 10, "font-weight": 800, "font-family": "Arial, Helvetica, sans-serif", fill: "#f4f1e8" }, "BAR"],
    ],
    seven: [["path", { d: "M6 5 H27 V9 L16.5 29 H10 L20 10 H10 V13 H6 Z", fill: "#d0202a", ...outline("#6e0a10") }]],
    wild: [
        ["rect", { x: 1.5, y: 7, width: 29, height: 18, rx: 4, fill: "#0d6e8c", stroke: "#e8c25a", "stroke-width": 1.4 }],
        ["text", { x: 16, y: 19.6, "text-anchor": "middle", "font-size": 9, "font-weight": 800, "font-family": "Arial, Helvetica, sans-serif", fill: "#fff" }, "WILD"],
    ],
    star: [["path", { d: "M16 2 L20 12 H30.5 L22 18.5 L25.5 29.5 L16 23 L6.5 29.5 L10 18.5 L1.5 12 H12 Z", fill: "#f7b80d", ...outline("#9a5a00") }]],
};
/** The picture of slot symbol `name`; `null` for a symbol this client has no picture of. */
export function symbolPicture(name) {
    const shapes = SYMBOLS[name];
    if (!shapes)
        return null;
    return svg("svg", { class: "symbol", viewBox: "0 0 32 32", "aria-hidden": "true", "data-picture": name }, ...shapes.map(([tag, attrs, text]) => (text === undefined ? svg(tag, attrs) : svg(tag, attrs, text))));
}
