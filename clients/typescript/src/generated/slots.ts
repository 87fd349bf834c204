// Generated from schema/slots.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. Video slots.

/**
 * What the player can do.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Action".
 */
export type Action = {
  /**
   * Bet per line.
   */
  line_bet: number;
  type: "spin";
};
/**
 * An ISO 4217-style currency code, e.g. EUR.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Currency".
 */
export type Currency = string;
/**
 * What a symbol does.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Kind".
 */
export type Kind = "regular" | "wild" | "scatter";
/**
 * Events to the player.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Event".
 */
export type Event =
  | (Outcome & {
      type: "spun";
    })
  | {
      /**
       * The wallet's code.
       */
      code: string;
      type: "stake_refused";
    };

/**
 * The whole machine.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Config".
 */
export interface Config {
  /**
   * Session currency.
   */
  currency?: Currency;
  /**
   * The free-spin feature.
   */
  free_spins?: FreeSpins;
  /**
   * Paylines: the row (0 top, 2 bottom) on each reel.
   */
  lines?: [number, number, number, number, number][];
  /**
   * Largest bet per line, minor units.
   */
  max_line_bet?: number;
  /**
   * Smallest bet per line, minor units.
   */
  min_line_bet?: number;
  /**
   * One strip per reel.
   */
  reels?: Stop[][];
  /**
   * Symbols and pays.
   */
  symbols?: Symbol[];
}
/**
 * The free-spin feature.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "FreeSpins".
 */
export interface FreeSpins {
  /**
   * Free spins awarded per trigger.
   */
  award: number;
  /**
   * Most free spins one feature may award in all (retriggers stop adding
   * spins at the cap).
   */
  cap: number;
  /**
   * Scatters needed to trigger (or retrigger).
   */
  min_scatters: number;
  /**
   * Wins in free spins are multiplied by this.
   */
  multiplier: number;
}
/**
 * One stop of a reel strip: its symbol and how likely the reel stops here.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Stop".
 */
export interface Stop {
  /**
   * Index into `symbols`.
   */
  symbol: number;
  /**
   * Integer weight of stopping here (the window then shows this stop and
   * the next two).
   */
  weight: number;
}
/**
 * A symbol and its pays.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Symbol".
 */
export interface Symbol {
  /**
   * What it does.
   */
  kind: Kind;
  /**
   * Display name.
   */
  name: string;
  /**
   * `pays[n - 1]` for `n` of a kind: times the line bet on a line, or times
   * the total bet for scatters (counted anywhere).
   *
   * @minItems 5
   * @maxItems 5
   */
  pays: [number, number, number, number, number];
}
/**
 * A round: the paid spin and the free spins it led to.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "Outcome".
 */
export interface Outcome {
  /**
   * Free spins, in order.
   */
  free_spins: SpinResult[];
  /**
   * The paid spin.
   */
  spin: SpinResult;
  /**
   * Total bet, minor units of the session's currency.
   */
  stake: number;
  /**
   * Everything won, stake included in the sense of a payout (0 on a
   * loss), minor units.
   */
  total_win: number;
}
/**
 * What one spin showed and won.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "SpinResult".
 */
export interface SpinResult {
  /**
   * Free spins this spin awarded.
   */
  free_spins_awarded: number;
  /**
   * Winning lines.
   */
  lines: LineWin[];
  /**
   * Scatters in the window.
   */
  scatters: number;
  /**
   * Where each reel stopped.
   *
   * @minItems 5
   * @maxItems 5
   */
  stops: [number, number, number, number, number];
  /**
   * Total win in minor units (multiplier included).
   */
  win: number;
  /**
   * The window.
   *
   * @minItems 5
   * @maxItems 5
   */
  window: [
    [number, number, number],
    [number, number, number],
    [number, number, number],
    [number, number, number],
    [number, number, number]
  ];
}
/**
 * A winning line.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "LineWin".
 */
export interface LineWin {
  /**
   * How many in the run.
   */
  count: number;
  /**
   * Line index (0-based, as in the config).
   */
  line: number;
  /**
   * Pay in line bets.
   */
  pays: number;
  /**
   * The paying symbol.
   */
  symbol: number;
}
/**
 * What the player sees.
 *
 * This interface was referenced by `Slots`'s JSON-Schema
 * via the `definition` "View".
 */
export interface View {
  /**
   * Whether a spin waits for its stake.
   */
  busy: boolean;
  /**
   * The currency of every amount in this session (absent only while the
   * machine is not loaded).
   */
  currency?: Currency | null;
  /**
   * The last round.
   */
  last?: Outcome | null;
  /**
   * Paylines.
   */
  lines: number;
  /**
   * Limits per line.
   */
  max_line_bet: number;
  /**
   * Limits per line.
   */
  min_line_bet: number;
  /**
   * Rounds played.
   */
  rounds: number;
}
