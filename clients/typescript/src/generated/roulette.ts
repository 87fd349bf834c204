// Generated from schema/roulette.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. European roulette.

/**
 * What a player can do.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Action".
 */
export type Action = {
  /**
   * How much.
   */
  amount: number;
  /**
   * Where.
   */
  spot: Spot;
  type: "bet";
};
/**
 * Where a bet is placed. Number groups are given as the numbers they cover,
 * in any order.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Spot".
 */
export type Spot =
  | {
      /**
       * The number.
       */
      number: number;
      type: "straight";
    }
  | {
      /**
       * The numbers.
       *
       * @minItems 2
       * @maxItems 2
       */
      numbers: [number, number];
      type: "split";
    }
  | {
      /**
       * The numbers.
       *
       * @minItems 3
       * @maxItems 3
       */
      numbers: [number, number, number];
      type: "street";
    }
  | {
      /**
       * The numbers.
       *
       * @minItems 4
       * @maxItems 4
       */
      numbers: [number, number, number, number];
      type: "corner";
    }
  | {
      /**
       * The numbers.
       *
       * @minItems 6
       * @maxItems 6
       */
      numbers: [number, number, number, number, number, number];
      type: "six_line";
    }
  | {
      /**
       * Which column.
       */
      column: number;
      type: "column";
    }
  | {
      /**
       * Which dozen.
       */
      dozen: number;
      type: "dozen";
    }
  | {
      type: "red";
    }
  | {
      type: "black";
    }
  | {
      type: "odd";
    }
  | {
      type: "even";
    }
  | {
      type: "low";
    }
  | {
      type: "high";
    };
/**
 * A wallet operation the game asked for, numbered by the game; the server
 * derives the idempotency key from (table, op).
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "OpId".
 */
export type OpId = number;
/**
 * A player, as the server numbers them.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "PlayerId".
 */
export type PlayerId = number;
/**
 * An ISO 4217-style currency code, e.g. EUR.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Currency".
 */
export type Currency = string;
/**
 * Broadcast events.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Event".
 */
export type Event =
  | {
      /**
       * Milliseconds until no more bets.
       */
      closes_in_ms: number;
      /**
       * The round.
       */
      round: RoundId;
      type: "betting_open";
    }
  | {
      /**
       * Stake, minor units.
       */
      amount: number;
      /**
       * Whose.
       */
      player: PlayerId;
      /**
       * Where.
       */
      spot: Spot;
      type: "bet_accepted";
    }
  | {
      /**
       * Stake, minor units.
       */
      amount: number;
      /**
       * The wallet's code, e.g. `insufficient_funds`.
       */
      code: string;
      /**
       * Where.
       */
      spot: Spot;
      type: "bet_refused";
    }
  | {
      /**
       * The round.
       */
      round: RoundId;
      type: "no_more_bets";
    }
  | {
      /**
       * The winning number.
       */
      number: number;
      /**
       * What each winner is paid, stake included (one line per player).
       */
      payouts: Win[];
      /**
       * The round.
       */
      round: RoundId;
      type: "spun";
    };
/**
 * A round, numbered by the game from 1 upwards within one table or session.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "RoundId".
 */
export type RoundId = number;
/**
 * Where the round is.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Phase".
 */
export type Phase = "idle" | "betting" | "closing" | "result";

/**
 * A bet on the table.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Bet".
 */
export interface Bet {
  /**
   * Stake, minor units of the table's currency.
   */
  amount: number;
  /**
   * Whether the wallet has confirmed the stake.
   */
  confirmed: boolean;
  /**
   * The reserve operation.
   */
  op: OpId;
  /**
   * Whose.
   */
  player: PlayerId;
  /**
   * Where.
   */
  spot: Spot;
}
/**
 * Table rules and limits (amounts in minor units of `currency`).
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Config".
 */
export interface Config {
  /**
   * Betting window, milliseconds. Default 15,000.
   */
  betting_ms?: number;
  /**
   * Table currency. Default EUR.
   */
  currency?: Currency;
  /**
   * Largest stake one player may have on one spot in one round, every
   * chip on it added up (a spot is the numbers it covers). Default
   * 50,000.
   */
  max_bet?: number;
  /**
   * Most bets one player may place in one round. Default 50.
   */
  max_bets_per_player?: number;
  /**
   * Largest total one player may stake in one round. Default 200,000.
   */
  max_total_per_player?: number;
  /**
   * Smallest bet: each chip placed. Default 100.
   */
  min_bet?: number;
  /**
   * Result display before the next round, milliseconds. Default 5,000.
   */
  result_ms?: number;
  /**
   * Players at the table at once. Default 8.
   */
  seats?: number;
}
/**
 * What a winner is paid at a spin, stake included.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Win".
 */
export interface Win {
  /**
   * Minor units of the table's currency.
   */
  amount: number;
  /**
   * Who.
   */
  player: PlayerId;
}
/**
 * A round's outcome, for the round record.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "Outcome".
 */
export interface Outcome {
  /**
   * Every confirmed bet and what it returned.
   */
  bets: SettledBet[];
  /**
   * The winning number.
   */
  number: number;
}
/**
 * A bet after the spin.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "SettledBet".
 */
export interface SettledBet {
  /**
   * Stake, minor units.
   */
  amount: number;
  /**
   * Return, stake included (zero if lost), minor units.
   */
  payout: number;
  /**
   * Whose.
   */
  player: PlayerId;
  /**
   * Where.
   */
  spot: Spot;
}
/**
 * What one viewer sees.
 *
 * This interface was referenced by `Roulette`'s JSON-Schema
 * via the `definition` "View".
 */
export interface View {
  /**
   * The currency of every amount at this table.
   */
  currency: Currency;
  /**
   * Latest winning numbers, newest first.
   */
  history: number[];
  /**
   * The most one player may have on one spot in a round.
   */
  max_bet: number;
  /**
   * The smallest chip.
   */
  min_bet: number;
  /**
   * The viewer's own bets this round (none for a spectator).
   */
  my_bets: Bet[];
  /**
   * Where the round is.
   */
  phase: Phase;
  /**
   * Current round number.
   */
  round: number;
  /**
   * Confirmed stakes on the table this round, all players.
   */
  table_total: number;
}
