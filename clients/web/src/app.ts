// What every screen of the web client is given: the signed-in account, the
// socket (the SDK's CroupierClient), a way to redraw the balance after
// money moved, and a way to sign out. Screens return a cleanup that runs when the page changes.
import { type CroupierClient, CroupierError } from "../../typescript/src/client.js";
import { ApiError } from "./api.js";
import type { Me } from "./api.js";

export interface Ctx {
  me: Me;
  client: CroupierClient;
  /** Fetches and redraws the balance in the header. */
  refreshBalance: () => void;
  /** Closes the socket, forgets the tokens and shows the sign-in screen with `message`. */
  signOut: (message: string) => Promise<void>;
}

/** Draws a screen into `main`; the returned function (if any) runs when the screen is left. */
export type Screen = (main: HTMLElement, ctx: Ctx, arg: string) => void | (() => void) | Promise<void | (() => void)>;

/**
 * A refusal as a line a person reads: the server's message, which says
 * limits in the table's money ("Bets are 1.00 EUR to 500.00 EUR"). The
 * stable code goes to the browser's log, and after the message where
 * `code` is asked for (the operator console).
 */
export function refusal(e: unknown, { code = false } = {}): string {
  const [message, c] =
    e instanceof CroupierError ? [e.message.replace(/^[a-z_]+: /, ""), e.code]
    : e instanceof ApiError ? [e.message, e.code]
    : [String(e), ""];
  if (c) console.info(`croupier: refused ${c}: ${message}`);
  const line = message.charAt(0).toUpperCase() + message.slice(1);
  return code && c ? `${line} (${c})` : line;
}

/** A stake the wallet refused, in the player's words (its code goes to the log): nothing was taken. */
export function stakeRefused(code: string): string {
  console.info(`croupier: stake refused ${code}`);
  return code === "insufficient_funds" ? "Your stake was refused: your balance is too low. Nothing was taken." : "The wallet refused your stake. Nothing was taken.";
}
