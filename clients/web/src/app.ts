// What every screen of the web client is given: the signed-in account, the
// socket (the SDK's CroupierClient), and a way to redraw the balance after
// money moved. Screens return a cleanup that runs when the page changes.
import { type CroupierClient, CroupierError } from "../../typescript/src/client.js";
import { ApiError } from "./api.js";
import type { Me } from "./api.js";

export interface Ctx {
  me: Me;
  client: CroupierClient;
  /** Fetches and redraws the balance in the header. */
  refreshBalance: () => void;
}

/** Draws a screen into `main`; the returned function (if any) runs when the screen is left. */
export type Screen = (main: HTMLElement, ctx: Ctx, arg: string) => void | (() => void) | Promise<void | (() => void)>;

/** A refusal as a line a player reads: the message and its stable code. */
export function refusal(e: unknown): string {
  if (e instanceof CroupierError) return `${e.message.replace(/^[a-z_]+: /, "")} (${e.code})`;
  if (e instanceof ApiError) return `${e.message} (${e.code})`;
  return String(e);
}
