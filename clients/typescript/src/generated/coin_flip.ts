// Generated from schema/coin_flip.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. The SDK's example game: call heads or tails.

/**
 * What a player can do.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "Action".
 */
export type Action = {
  /**
   * The side called.
   */
  call: Side;
  /**
   * Stake in minor units of the table currency.
   */
  stake: number;
  type: "flip";
};
/**
 * A side of the coin.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "Side".
 */
export type Side = "heads" | "tails";
/**
 * An ISO 4217-style currency code, e.g. EUR.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "Currency".
 */
export type Currency = string;
/**
 * Broadcast events.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "Event".
 */
export type Event =
  | (Outcome & {
      type: "flipped";
    })
  | {
      /**
       * The wallet's code.
       */
      code: string;
      /**
       * Whose.
       */
      player: PlayerId;
      type: "stake_refused";
    };
/**
 * A player, as the server numbers them.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "PlayerId".
 */
export type PlayerId = number;

export interface CoinFlip {
  [k: string]: unknown | undefined;
}
/**
 * Table rules.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "Config".
 */
export interface Config {
  /**
   * Table currency.
   */
  currency?: Currency;
  /**
   * Largest stake, minor units. Default 10,000.
   */
  max_stake?: number;
  /**
   * Smallest stake, minor units. Default 100.
   */
  min_stake?: number;
  /**
   * See `win_num`.
   */
  win_den?: number;
  /**
   * A win pays `stake * win_num / win_den`, stake included. Default 195/100.
   */
  win_num?: number;
}
/**
 * A finished flip.
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "Outcome".
 */
export interface Outcome {
  /**
   * Their call.
   */
  call: Side;
  /**
   * The coin.
   */
  landed: Side;
  /**
   * The payout, stake included (zero on a loss), minor units.
   */
  payout: number;
  /**
   * Who flipped.
   */
  player: PlayerId;
  /**
   * The stake, minor units of the table's currency (every amount a game
   * sends is an integer of minor units; its view names the currency).
   */
  stake: number;
}
/**
 * What a viewer sees: everything (a coin has no hidden cards).
 *
 * This interface was referenced by `CoinFlip`'s JSON-Schema
 * via the `definition` "View".
 */
export interface View {
  /**
   * Whether a flip is waiting for its stake.
   */
  busy: boolean;
  /**
   * The currency of every amount at the table.
   */
  currency: Currency;
  /**
   * The last flip.
   */
  last?: Outcome | null;
  /**
   * Table limits.
   */
  max_stake: number;
  /**
   * Table limits.
   */
  min_stake: number;
  /**
   * Rounds played.
   */
  rounds: number;
}
