// Generated from schema/protocol.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. Messages over /v1/ws (docs/protocol.md).

/**
 * A client's request.
 *
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ClientMsg".
 */
export type ClientMsg =
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * The access token.
       */
      token: string;
      type: "auth";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      type: "ping";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Table id.
       */
      table: string;
      type: "join";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Table id.
       */
      table: string;
      type: "leave";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Preferred seat.
       */
      seat?: number | null;
      /**
       * Table id.
       */
      table: string;
      type: "sit";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Table id.
       */
      table: string;
      type: "stand";
    }
  | {
      /**
       * The game's action JSON.
       */
      action: {
        [k: string]: unknown | undefined;
      };
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Session id (or `table`).
       */
      session?: string | null;
      /**
       * Table id (or `session`).
       */
      table?: string | null;
      type: "act";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Table id.
       */
      table: string;
      /**
       * The message.
       */
      text: string;
      type: "chat";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * The last `seq` the client saw.
       */
      last_seq: number;
      /**
       * Session id (or `table`).
       */
      session?: string | null;
      /**
       * Table id (or `session`).
       */
      table?: string | null;
      type: "resume";
    }
  | {
      /**
       * Game id, e.g. `slots`.
       */
      game: string;
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      type: "session.open";
    }
  | {
      /**
       * Echoed as `re`.
       */
      id?: number | null;
      /**
       * Session id.
       */
      session: string;
      type: "session.close";
    };
/**
 * A server message.
 *
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "ServerMsg".
 */
export type ServerMsg =
  | {
      /**
       * `auth` must arrive within this many milliseconds.
       */
      auth_deadline_ms: number;
      /**
       * The longest chat line the server takes, in characters
       * (`play.chat_max_chars`); a longer one is refused.
       */
      chat_max_chars: number;
      /**
       * A connection silent this long is pinged; answer (or talk) or
       * be dropped.
       */
      heartbeat_ms: number;
      /**
       * The protocol version ([`crate::PROTOCOL_VERSION`]).
       */
      protocol: number;
      /**
       * Server software and version.
       */
      server: string;
      type: "hello";
    }
  | {
      /**
       * The player's id.
       */
      player: number;
      /**
       * The request's `id`.
       */
      re?: number | null;
      type: "authed";
      /**
       * The player's username.
       */
      username: string;
    }
  | {
      /**
       * The request's `id`.
       */
      re?: number | null;
      type: "pong";
    }
  | {
      /**
       * The request's `id`.
       */
      re?: number | null;
      type: "ok";
    }
  | {
      /**
       * Stable code, e.g. `insufficient_funds`.
       */
      code: string;
      /**
       * For people.
       */
      message: string;
      /**
       * The request's `id`, when the failure answers one.
       */
      re?: number | null;
      type: "error";
    }
  | {
      /**
       * Stable code: `wallet_unconfirmed`.
       */
      code: string;
      /**
       * For people.
       */
      message: string;
      /**
       * The request's `id`.
       */
      re?: number | null;
      type: "pending";
    }
  | {
      /**
       * The table.
       */
      info: TableInfo;
      /**
       * The request's `id`.
       */
      re?: number | null;
      /**
       * The table's current `seq`; events follow from `seq + 1`.
       */
      seq: number;
      type: "joined";
      /**
       * The game's view for this player.
       */
      view: {
        [k: string]: unknown | undefined;
      };
    }
  | {
      /**
       * The game's event.
       */
      event: {
        [k: string]: unknown | undefined;
      };
      /**
       * Per-table sequence number.
       */
      seq: number;
      /**
       * Table or session id.
       */
      table: string;
      type: "event";
    }
  | {
      /**
       * The seq this stands in for.
       */
      seq: number;
      /**
       * Table or session id.
       */
      table: string;
      type: "skip";
    }
  | {
      /**
       * The request's `id`.
       */
      re?: number | null;
      /**
       * The table's current `seq`.
       */
      seq: number;
      /**
       * Table id.
       */
      table: string;
      type: "resync";
      /**
       * The game's view for this player.
       */
      view: {
        [k: string]: unknown | undefined;
      };
    }
  | {
      /**
       * Who said it.
       */
      from: string;
      /**
       * Per-table sequence number.
       */
      seq: number;
      /**
       * Table id.
       */
      table: string;
      /**
       * What they said.
       */
      text: string;
      type: "chat";
    }
  | {
      /**
       * The request's `id`.
       */
      re?: number | null;
      /**
       * The session's current `seq`; events follow from `seq + 1`.
       */
      seq: number;
      /**
       * Session id (used as `table` in its events).
       */
      session: string;
      type: "session";
      /**
       * The game's view.
       */
      view: {
        [k: string]: unknown | undefined;
      };
    }
  | {
      /**
       * Available to stake, minor units.
       */
      available: number;
      /**
       * The currency, e.g. `EUR`.
       */
      currency: string;
      /**
       * Held in rounds not yet settled, minor units.
       */
      held: number;
      type: "balance";
    }
  | {
      /**
       * Seconds since.
       */
      elapsed_secs: number;
      /**
       * Per currency played in the session.
       */
      play: SessionPlay[];
      /**
       * Unix milliseconds the play session began.
       */
      session_started_at: number;
      /**
       * Unix milliseconds the player's session time limit stops play;
       * `null`: they have none.
       */
      stops_at?: number | null;
      type: "reality_check";
    }
  | {
      /**
       * Seconds it lasted.
       */
      elapsed_secs: number;
      /**
       * Unix milliseconds from which a new session may play.
       */
      resume_at: number;
      /**
       * Unix milliseconds the play session began.
       */
      session_started_at: number;
      type: "session_limit";
    }
  | {
      /**
       * Stable code, e.g. `replaced` (a newer connection of the same player).
       */
      code: string;
      /**
       * For people.
       */
      message: string;
      type: "closing";
    };

/**
 * A table as listed in `joined`.
 *
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "TableInfo".
 */
export interface TableInfo {
  /**
   * Game id.
   */
  game: string;
  /**
   * Players seated.
   */
  seated: number;
  /**
   * Seats in all.
   */
  seats: number;
  /**
   * Table id.
   */
  table: string;
}
/**
 * What one currency's play came to over a play session, in a
 * `reality_check`.
 *
 * This interface was referenced by `Protocol`'s JSON-Schema
 * via the `definition` "SessionPlay".
 */
export interface SessionPlay {
  /**
   * The currency, e.g. `EUR`.
   */
  currency: string;
  /**
   * Won less lost on rounds settled, minor units (negative: a loss).
   */
  net: number;
  /**
   * Stakes placed (less stakes voided), minor units.
   */
  wagered: number;
}
