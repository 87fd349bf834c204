// What every screen of the web client is given: the signed-in account, the
// socket (the SDK's CroupierClient), a way to redraw the balance after
// money moved, and a way to sign out. Screens return a cleanup that runs when the page changes.
import { CroupierError } from "../../typescript/src/client.js";
import { ApiError } from "./api.js";
/**
 * A refusal as a line a person reads: the server's message, which says
 * limits in the table's money ("Bets are 1.00 EUR to 500.00 EUR"). The
 * stable code goes to the browser's log, and after the message where
 * `code` is asked for (the operator console).
 */
export function refusal(e, { code = false } = {}) {
    const [message, c] = e instanceof CroupierError ? [e.message.replace(/^[a-z_]+: /, ""), e.code]
        : e instanceof ApiError ? [e.message, e.code]
            : [String(e), ""];
    if (c)
        console.info(`croupier: refused ${c}: ${message}`);
    const line = message.charAt(0).toUpperCase() + message.slice(1);
    return code && c ? `${line} (${c})` : line;
}
/** A stake the wallet refused, in the player's words (its code goes to the log): nothing was taken. */
export function stakeRefused(code) {
    console.info(`croupier: stake refused ${code}`);
    return code === "insufficient_funds" ? "Your stake was refused: your balance is too low. Nothing was taken." : "The wallet refused your stake. Nothing was taken.";
}
