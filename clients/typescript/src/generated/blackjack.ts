// Generated from schema/blackjack.json by scripts/generate.mjs (run scripts/generate-types
// at the repository root); do not edit. Blackjack.

/**
 * What a player can do.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Action".
 */
export type Action =
  | {
      /**
       * Stake, minor units.
       */
      amount: number;
      type: "bet";
    }
  | {
      /**
       * Whether to take it.
       */
      take: boolean;
      type: "insurance";
    }
  | {
      type: "hit";
    }
  | {
      type: "stand";
    }
  | {
      type: "double";
    }
  | {
      type: "split";
    }
  | {
      type: "surrender";
    };
/**
 * An ISO 4217-style currency code, e.g. EUR.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Currency".
 */
export type Currency = string;
/**
 * Whether a player may give up half their bet after the dealer has checked
 * for blackjack.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Surrender".
 */
export type Surrender = "off" | "late";
/**
 * Broadcast events.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Event".
 */
export type Event =
  | {
      /**
       * Milliseconds left.
       */
      closes_in_ms: number;
      /**
       * Round.
       */
      round: RoundId;
      type: "betting_open";
    }
  | {
      type: "shuffled";
    }
  | {
      /**
       * The wallet's code.
       */
      code: string;
      type: "stake_refused";
    }
  | {
      /**
       * Amount.
       */
      amount: number;
      /**
       * Seat.
       */
      seat: number;
      type: "bet_accepted";
    }
  | {
      /**
       * The dealer's up card.
       */
      dealer_up: number;
      /**
       * (seat, cards) for every hand in play.
       */
      seats: [number, number[]][];
      type: "dealt";
    }
  | {
      type: "insurance_offered";
    }
  | {
      /**
       * Milliseconds on the clock.
       */
      clock_ms: number;
      /**
       * Hand.
       */
      hand: number;
      /**
       * Seat.
       */
      seat: number;
      type: "turn";
    }
  | {
      /**
       * Every hand of the seat.
       */
      hands: Hand[];
      /**
       * Seat.
       */
      seat: number;
      type: "hand_updated";
    }
  | {
      /**
       * Cards.
       */
      cards: number[];
      type: "dealer_played";
    }
  | (Outcome & {
      type: "settled";
    });
/**
 * A round, numbered by the game from 1 upwards within one table or session.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "RoundId".
 */
export type RoundId = number;
/**
 * How a hand stands.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Status".
 */
export type Status = "playing" | "stood" | "bust" | "blackjack" | "surrendered";
/**
 * A player, as the server numbers them.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "PlayerId".
 */
export type PlayerId = number;
/**
 * Insurance at a seat.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Insurance".
 */
export type Insurance =
  | {
      state: "none";
    }
  | {
      state: "undecided";
    }
  | {
      state: "declined";
    }
  | {
      /**
       * Half the bet, minor units.
       */
      amount: number;
      /**
       * Whether the wallet holds it.
       */
      confirmed: boolean;
      state: "taken";
    };
/**
 * Where the round is.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Phase".
 */
export type Phase =
  | {
      phase: "idle";
    }
  | {
      phase: "betting";
    }
  | {
      phase: "closing";
    }
  | {
      /**
       * The decision time ran out; waiting for stakes in flight.
       */
      closed: boolean;
      phase: "insurance";
    }
  | {
      /**
       * The hand of that seat.
       */
      hand: number;
      phase: "turn";
      /**
       * The seat.
       */
      seat: number;
    }
  | {
      phase: "result";
    };

/**
 * Table rules (amounts in minor units of `currency`).
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
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
   * Dealer hits soft 17 (H17) instead of standing (S17). Default false.
   */
  dealer_hits_soft_17?: boolean;
  /**
   * Packs in the shoe, 1–8. Default 6.
   */
  decks?: number;
  /**
   * Doubling allowed on a hand made by a split. Default true.
   */
  double_after_split?: boolean;
  /**
   * Insurance offered when the dealer shows an ace. Default true.
   */
  insurance?: boolean;
  /**
   * Largest bet: a seat's one bet a round. A double or a split adds one
   * more stake of that bet, so a hand holds at most twice it and a seat
   * at most `2 * max_hands` times it, with insurance of half the bet.
   * Default 50,000.
   */
  max_bet?: number;
  /**
   * Most hands one seat may split into, 1–4. Default 4.
   */
  max_hands?: number;
  /**
   * Smallest bet: a seat's one bet a round. Default 100.
   */
  min_bet?: number;
  /**
   * Reshuffle before a round once this share of the shoe (per mille) has
   * been dealt, 100–900. Default 750.
   */
  penetration_per_mille?: number;
  /**
   * Aces may be split again. Default false (split aces get one card each).
   */
  resplit_aces?: boolean;
  /**
   * Result display before the next round, milliseconds. Default 4,000.
   */
  result_ms?: number;
  /**
   * Seats, 1–7. Default 7.
   */
  seats?: number;
  /**
   * Surrender rule. Default off.
   */
  surrender?: Surrender & string;
  /**
   * Turn clock (and insurance decision), milliseconds; a player who runs
   * out stands (declines insurance). Default 10,000.
   */
  turn_ms?: number;
}
/**
 * One hand of a seat.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Hand".
 */
export interface Hand {
  /**
   * Cards, in order.
   */
  cards: number[];
  /**
   * Made by a split.
   */
  split: boolean;
  /**
   * Made by splitting aces.
   */
  split_aces: boolean;
  /**
   * Stake on this hand, minor units (doubled included).
   */
  stake: number;
  /**
   * Where it stands.
   */
  status: Status;
}
/**
 * A round's outcome, for the round record.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "Outcome".
 */
export interface Outcome {
  /**
   * The dealer's cards.
   */
  dealer: number[];
  /**
   * Every hand.
   */
  hands: HandResult[];
  /**
   * Insurance taken: (player, amount, return).
   */
  insurance: [PlayerId, number, number][];
}
/**
 * How a hand ended.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "HandResult".
 */
export interface HandResult {
  /**
   * Cards.
   */
  cards: number[];
  /**
   * Return, stake included.
   */
  payout: number;
  /**
   * Player.
   */
  player: PlayerId;
  /**
   * Seat.
   */
  seat: number;
  /**
   * Stake.
   */
  stake: number;
  /**
   * Status at the end.
   */
  status: Status;
}
/**
 * A seat as anyone sees it (players' cards are dealt face up).
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "SeatView".
 */
export interface SeatView {
  /**
   * This round's bet, if placed.
   */
  bet?: number | null;
  /**
   * Hands.
   */
  hands: Hand[];
  /**
   * Insurance.
   */
  insurance: Insurance;
  /**
   * Who.
   */
  player: PlayerId;
  /**
   * Seat number.
   */
  seat: number;
}
/**
 * What a viewer sees. The dealer's hole card is `None` until revealed.
 *
 * This interface was referenced by `Blackjack`'s JSON-Schema
 * via the `definition` "View".
 */
export interface View {
  /**
   * The currency of every amount at this table.
   */
  currency: Currency;
  /**
   * The dealer's cards; the hole card hidden until revealed.
   */
  dealer: (number | null)[];
  /**
   * Table limits.
   */
  max_bet: number;
  /**
   * Table limits.
   */
  min_bet: number;
  /**
   * The viewer's seat.
   */
  my_seat?: number | null;
  /**
   * Where the round is.
   */
  phase: Phase;
  /**
   * Round number.
   */
  round: number;
  /**
   * Occupied seats.
   */
  seats: SeatView[];
  /**
   * Cards left in the shoe (never their order).
   */
  shoe_remaining: number;
}
