// What every screen of the web client is given: the signed-in account, the
// socket (the SDK's CroupierClient), and a way to redraw the balance after
// money moved. Screens return a cleanup that runs when the page changes.
import { CroupierError } from "../../typescript/src/client.js";
import { ApiError } from "./api.js";
/** A refusal as a line a player reads: the message and its stable code. */
export function refusal(e) {
    if (e instanceof CroupierError)
        return `${e.message.replace(/^[a-z_]+: /, "")} (${e.code})`;
    if (e instanceof ApiError)
        return `${e.message} (${e.code})`;
    return String(e);
}
