//! Who may do what, as data: each staff [`Permission`] and the roles
//! [`GRANTS`] gives it to. Every route names the permission it needs (its
//! extractor in `crate::http::extract`); the routes of one's own account
//! (`/v1/me*`, the wallet, the tables, one's rounds) need none beyond a
//! valid token. docs/api.md prints this table, and `tests/roles.rs` calls
//! every staff route as every role against it.

use crate::store::Role;

/// A staff capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Find players, read their balances, ledger lines and rounds; search
    /// rounds.
    ReadPlayers,
    /// Read any round's record, not only one's own.
    ReadAnyRound,
    /// Credit a player's wallet.
    Deposit,
    /// Open, inspect, reconfigure and close tables; void a round.
    ManageTables,
    /// Read the audit trail.
    ReadAudit,
    /// Create funded load-test accounts (where the settings allow them).
    LoadAccounts,
    /// List withdrawals waiting for review; approve or reject them.
    ReviewPayments,
    /// Read the AML review queue; escalate, note and close cases.
    ReviewAml,
}

impl Permission {
    /// Its name, as docs/api.md prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadPlayers => "read_players",
            Permission::ReadAnyRound => "read_any_round",
            Permission::Deposit => "deposit",
            Permission::ManageTables => "manage_tables",
            Permission::ReadAudit => "read_audit",
            Permission::LoadAccounts => "load_accounts",
            Permission::ReviewPayments => "review_payments",
            Permission::ReviewAml => "review_aml",
        }
    }
}

use Permission::{
    Deposit, LoadAccounts, ManageTables, ReadAnyRound, ReadAudit, ReadPlayers, ReviewAml, ReviewPayments,
};

/// What each role may do. A player may do none of it.
pub const GRANTS: &[(Role, &[Permission])] = &[
    (Role::Player, &[]),
    (Role::Support, &[ReadPlayers, ReadAnyRound]),
    (
        Role::Operator,
        &[ReadPlayers, ReadAnyRound, Deposit, ManageTables, ReadAudit, LoadAccounts, ReviewPayments, ReviewAml],
    ),
    (
        Role::Admin,
        &[ReadPlayers, ReadAnyRound, Deposit, ManageTables, ReadAudit, LoadAccounts, ReviewPayments, ReviewAml],
    ),
    (Role::Auditor, &[ReadPlayers, ReadAnyRound, ReadAudit]),
];

/// Whether `role` may do `what`.
pub fn allows(role: Role, what: Permission) -> bool {
    GRANTS.iter().any(|(r, can)| *r == role && can.contains(&what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_is_in_the_table_once() {
        for role in Role::ALL {
            assert_eq!(GRANTS.iter().filter(|(r, _)| *r == role).count(), 1, "{role:?}");
        }
        assert!(!allows(Role::Player, ReadPlayers));
        assert!(allows(Role::Auditor, ReadAudit) && !allows(Role::Auditor, Deposit));
        assert!(allows(Role::Support, ReadPlayers) && !allows(Role::Support, ReadAudit));
    }
}
