//! Helpers for game authors' tests: applying an input while checking the
//! SDK's contract that a rejected input changes nothing and draws nothing.

use croupier_rng::Draw;

use crate::game::{Effects, Game, Input, PlayerId, Rejected};

/// Counts the draws made through it.
pub(crate) struct Counting<'a> {
    pub inner: &'a mut dyn Draw,
    pub draws: usize,
}

impl Draw for Counting<'_> {
    fn below(&mut self, n: u32) -> u32 {
        self.draws += 1;
        self.inner.below(n)
    }
}

/// A rejection, with what the contract checks found.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// What the game said.
    pub rejected: Rejected,
    /// Whether the state differed afterwards (a contract breach).
    pub state_changed: bool,
    /// Draws made before rejecting (must be 0).
    pub draws_made: usize,
}

impl Rejection {
    /// Whether the game kept the contract.
    pub fn is_clean(&self) -> bool {
        !self.state_changed && self.draws_made == 0
    }
}

/// Applies `input`; on rejection, reports whether the state changed or the
/// RNG was used. Compares states by their serialised form (checkpoints are
/// what must not change).
///
/// # Errors
/// The [`Rejection`] when the game refused the input.
pub fn try_apply<G: Game>(
    state: &mut G::State,
    input: Input<G::Action>,
    rng: &mut dyn Draw,
) -> Result<Effects<G>, Rejection> {
    let before = serde_json::to_value(&*state).ok();
    let mut counting = Counting { inner: rng, draws: 0 };
    let mut effects = Vec::new();
    match G::apply(state, input, &mut counting, &mut effects) {
        Ok(()) => Ok(effects),
        Err(rejected) => {
            let after = serde_json::to_value(&*state).ok();
            Err(Rejection { rejected, state_changed: before != after || before.is_none(), draws_made: counting.draws })
        }
    }
}

/// The actions [`Game::offered_actions`] offers `player` now, as a new vector.
pub fn offered<G: Game>(state: &G::State, player: PlayerId) -> Vec<G::Action> {
    let mut out = Vec::new();
    G::offered_actions(state, player, &mut out);
    out
}

/// Asserts that `input` is rejected without changing `state` or drawing, and
/// returns the rejection.
///
/// # Panics
/// If the input is accepted, or the game breaks the contract.
pub fn assert_rejected_unchanged<G: Game>(state: &G::State, input: Input<G::Action>, rng: &mut dyn Draw) -> Rejected {
    let mut copy = state.clone();
    match try_apply::<G>(&mut copy, input.clone(), rng) {
        Ok(effects) => panic!("{input:?} was accepted, with effects {effects:?}"),
        Err(r) => {
            assert!(!r.state_changed, "{input:?} was rejected ({}) but changed the state", r.rejected);
            assert_eq!(r.draws_made, 0, "{input:?} was rejected ({}) after drawing", r.rejected);
            r.rejected
        }
    }
}

/// Follows a game's money effects and the wallet's answers, and reports the
/// first breach of the money contract: a stake reserved twice under one op, a
/// round settled or voided twice or while a stake is still in flight, a
/// settlement of a round that holds nothing, a payout to someone with no stake
/// in the round, a negative payout, an answer for an unknown op, or a round
/// that ends holding stakes it never settled or voided (or with one still in
/// flight); and, made [`Auditor::capped`], a player whose stakes in one round
/// add up to more than the game's [`Game::max_round_stake`].
///
/// Use it in property tests that drive a game with random inputs.
#[derive(Debug, Default)]
pub struct Auditor {
    /// The most one player may stake in one round, if checked.
    cap: Option<i64>,
    pending: std::collections::BTreeMap<crate::OpId, (crate::RoundId, crate::PlayerId, i64)>,
    held: std::collections::BTreeMap<crate::RoundId, Vec<(crate::PlayerId, i64)>>,
    closed: std::collections::BTreeSet<crate::RoundId>,
    /// Stakes confirmed by the wallet, minor units.
    pub staked: i128,
    /// Paid out at settlement, stake included.
    pub paid: i128,
    /// Refunded by voids.
    pub refunded: i128,
    /// Rounds settled or voided.
    pub rounds_closed: u64,
}

impl Auditor {
    /// An auditor that also checks `G::max_round_stake(config)`: every
    /// stake a player has in a round, held or in flight, added up.
    pub fn capped<G: Game>(config: &G::Config) -> Self {
        Self { cap: Some(G::max_round_stake(config)), ..Self::default() }
    }

    /// What `player` has staked in `round`, held or in flight.
    fn stake_of(&self, round: crate::RoundId, player: crate::PlayerId) -> i128 {
        let held = self.held(round).iter().filter(|(p, _)| *p == player).map(|(_, a)| i128::from(*a));
        let flying =
            self.pending.values().filter(|(r, p, _)| *r == round && *p == player).map(|(.., a)| i128::from(*a));
        held.chain(flying).sum()
    }

    /// Checks one input's effects.
    ///
    /// # Errors
    /// A description of the breach.
    pub fn observe<E, O>(&mut self, effects: &[crate::Effect<E, O>]) -> Result<(), String> {
        use crate::Effect;
        for effect in effects {
            match effect {
                Effect::Reserve { op, round, player, amount } => {
                    if amount.minor <= 0 {
                        return Err(format!("non-positive stake {amount} for op {op:?}"));
                    }
                    if self.closed.contains(round) {
                        return Err(format!("stake reserved in closed round {round:?}"));
                    }
                    if self.pending.insert(*op, (*round, *player, amount.minor)).is_some() {
                        return Err(format!("op {op:?} reserved twice"));
                    }
                    let total = self.stake_of(*round, *player);
                    if let Some(cap) = self.cap.filter(|&cap| total > i128::from(cap)) {
                        return Err(format!(
                            "{player:?} has {total} staked in {round:?}, over the game's max_round_stake {cap}"
                        ));
                    }
                }
                Effect::Settle { round, payouts } => {
                    let held = self.close(*round)?;
                    for p in payouts {
                        if p.amount.minor < 0 {
                            return Err(format!("negative payout {p:?}"));
                        }
                        if !held.iter().any(|(who, _)| *who == p.player) {
                            return Err(format!("payout to {:?}, who has no stake in {round:?}", p.player));
                        }
                        self.paid += i128::from(p.amount.minor);
                    }
                }
                Effect::Void { round } => {
                    let held = self.close(*round)?;
                    self.refunded += held.iter().map(|(_, a)| i128::from(*a)).sum::<i128>();
                }
                Effect::RoundEnded { round, .. } => {
                    if self.held.contains_key(round) {
                        return Err(format!("round {round:?} ended holding stakes it never settled or voided"));
                    }
                    if self.pending.values().any(|(r, ..)| r == round) {
                        return Err(format!("round {round:?} ended while a stake is still in flight"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn close(&mut self, round: crate::RoundId) -> Result<Vec<(crate::PlayerId, i64)>, String> {
        if !self.closed.insert(round) {
            return Err(format!("round {round:?} settled or voided twice"));
        }
        if self.pending.values().any(|(r, ..)| *r == round) {
            return Err(format!("round {round:?} closed while a stake is still in flight"));
        }
        self.rounds_closed += 1;
        self.held.remove(&round).ok_or_else(|| format!("round {round:?} closed but holds no stake"))
    }

    /// Records the wallet's answer to `op`, after the game accepted it.
    ///
    /// # Errors
    /// When `op` was never reserved or was already answered.
    pub fn answered(&mut self, op: crate::OpId, result: &crate::WalletResult) -> Result<(), String> {
        let (round, player, amount) =
            self.pending.remove(&op).ok_or_else(|| format!("answer for unknown op {op:?}"))?;
        if *result == crate::WalletResult::Reserved {
            self.held.entry(round).or_default().push((player, amount));
            self.staked += i128::from(amount);
        }
        Ok(())
    }

    /// The stakes held in `round` so far, by player.
    pub fn held(&self, round: crate::RoundId) -> &[(crate::PlayerId, i64)] {
        self.held.get(&round).map_or(&[], Vec::as_slice)
    }

    /// Ops reserved and not yet answered.
    pub fn pending_ops(&self) -> Vec<crate::OpId> {
        self.pending.keys().copied().collect()
    }

    /// Money still held in rounds not yet closed.
    pub fn open_stakes(&self) -> i128 {
        self.held.values().flatten().map(|(_, a)| i128::from(*a)).sum()
    }
}
