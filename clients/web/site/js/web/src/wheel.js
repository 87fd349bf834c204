// The roulette wheel as a picture: the 37 pockets of a European wheel in
// their order round it, the ball track, and the ball at rest in the pocket
// of the round's number once the table has spun (never before: the picture
// knows only what the `spun` event said). While bets are closed the ball
// circles the track; that circling says nothing of where it will land.
import { svg } from "./svg.js";
/** The pockets clockwise from zero, as on a European wheel. */
export const POCKETS = [0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10, 5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7, 28, 12, 35, 3, 26];
const STEP = 360 / POCKETS.length;
const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
const FILL = (n) => (n === 0 ? "#13804d" : RED.has(n) ? "#c0282d" : "#1c1c1c");
/** The point at `radius` and `degrees` clockwise from the top. */
function at(radius, degrees) {
    const a = ((degrees - 90) * Math.PI) / 180;
    return `${(radius * Math.cos(a)).toFixed(3)} ${(radius * Math.sin(a)).toFixed(3)}`;
}
/** The ring segment between radii `inner` and `outer`, from `from` to `to` degrees. */
function segment(inner, outer, from, to) {
    return `M${at(outer, from)} A${outer} ${outer} 0 0 1 ${at(outer, to)} L${at(inner, to)} A${inner} ${inner} 0 0 0 ${at(inner, from)} Z`;
}
/** The angle of a pocket's middle, clockwise from the top. */
export const pocketAngle = (n) => POCKETS.indexOf(n) * STEP;
export function wheel() {
    const pockets = POCKETS.map((n, i) => {
        const mid = i * STEP;
        return svg("g", { class: "pocket", "data-pocket": n }, svg("path", { d: segment(27, 40, mid - STEP / 2, mid + STEP / 2), fill: FILL(n), stroke: "#d4af37", "stroke-width": 0.3 }), svg("text", { transform: `translate(${at(35.5, mid)}) rotate(${mid.toFixed(2)})`, "text-anchor": "middle", "dominant-baseline": "central", "font-size": 3.6, "font-weight": 700, fill: "#f4f1e8" }, String(n)));
    });
    const ball = svg("circle", { class: "wheel-ball", cx: 0, cy: -30, r: 2.4, fill: "#fbfbf6", stroke: "#555", "stroke-width": 0.4 });
    const orbit = svg("g", { class: "wheel-orbit" }, ball);
    const el = svg("svg", { class: "wheel", viewBox: "-50 -50 100 100", role: "img", "aria-label": "Roulette wheel" }, svg("circle", { r: 49, fill: "#5b3416", stroke: "#2e1a0a", "stroke-width": 1 }), svg("circle", { class: "track", r: 44.5, fill: "none", stroke: "#7a4a22", "stroke-width": 8 }), ...pockets, svg("circle", { r: 27, fill: "#6b4220", stroke: "#d4af37", "stroke-width": 0.6 }), svg("circle", { r: 11, fill: "#d4af37" }), svg("path", { d: "M0 -20 V20 M-20 0 H20", stroke: "#d4af37", "stroke-width": 2.2, "stroke-linecap": "round" }), orbit);
    const mark = (n) => pockets.forEach((p) => p.classList.toggle("won", p.dataset.pocket === String(n)));
    return {
        el,
        idle(rolling) {
            mark(null);
            el.removeAttribute("data-number");
            el.classList.toggle("rolling", rolling);
            // On the track, out of every pocket.
            ball.setAttribute("cy", "-44.5");
            orbit.setAttribute("transform", "rotate(0)");
            ball.style.visibility = rolling ? "visible" : "hidden";
            el.setAttribute("aria-label", rolling ? "Roulette wheel: the ball is rolling" : "Roulette wheel");
        },
        show(n) {
            mark(n);
            el.dataset.number = String(n);
            el.classList.remove("rolling");
            ball.setAttribute("cy", "-30");
            orbit.setAttribute("transform", `rotate(${pocketAngle(n)})`);
            ball.style.visibility = "visible";
            el.setAttribute("aria-label", `Roulette wheel: the ball is in ${n}`);
        },
    };
}
