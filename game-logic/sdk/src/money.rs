//! Money: integer minor units with a currency, and checked arithmetic.
//!
//! Never floating point. Every operation that can overflow or mix currencies
//! returns a [`MoneyError`] instead of wrapping or panicking.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An ISO 4217-style currency code: three ASCII capital letters (`EUR`), or
/// an operator's play-money code of the same shape (`CHP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a three-capital-letter code.
    ///
    /// # Errors
    /// [`MoneyError::BadCurrency`] for anything else.
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(MoneyError::BadCurrency(code.chars().take(8).collect())),
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // invariant: `new` admits only ASCII capitals, which are valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl core::fmt::Display for Currency {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// In a JSON Schema: three capital letters.
impl schemars::JsonSchema for Currency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Z]{3}$",
            "description": "An ISO 4217-style currency code, e.g. EUR."
        })
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, MoneyError> {
        Self::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

/// An amount of money: `minor` units (cents) of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Money {
    /// Amount in minor units (e.g. cents). May be negative for a net result.
    pub minor: i64,
    /// Its currency.
    pub currency: Currency,
}

/// Why a money operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// The two amounts are in different currencies.
    #[error("currency mismatch: {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    /// The result does not fit an `i64`.
    #[error("amount overflow")]
    Overflow,
    /// Not a currency code.
    #[error("not a currency code: {0:?} (three capital letters, e.g. EUR)")]
    BadCurrency(String),
}

impl Money {
    /// `minor` units of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero of `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// The amount as a player reads it, in major units with two decimals:
    /// `Money::new(50_000, Currency::EUR).shown()` is `500.00 EUR`. Every
    /// currency is taken to count hundredths, as the web client shows them.
    /// For a refusal's message; the wire always carries minor units.
    pub fn shown(self) -> String {
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        format!("{sign}{}.{:02} {}", abs / 100, abs % 100, self.currency)
    }

    fn same(self, other: Money) -> Result<Currency, MoneyError> {
        if self.currency == other.currency {
            Ok(self.currency)
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    /// Currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        let c = self.same(other)?;
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, c))
    }

    /// `self - other`.
    ///
    /// # Errors
    /// Currency mismatch or overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let c = self.same(other)?;
        let minor = self.minor.checked_sub(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, c))
    }

    /// `self * factor` (e.g. a stake times a payout multiple).
    ///
    /// # Errors
    /// Overflow.
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// `self * num / den`, rounded down (e.g. blackjack's 3:2 is `* 3 / 2`).
    /// Computed in 128 bits, so only the result can overflow.
    ///
    /// # Errors
    /// Overflow, or a zero denominator (reported as overflow).
    pub fn checked_mul_ratio(self, num: i64, den: i64) -> Result<Money, MoneyError> {
        let wide = i128::from(self.minor)
            .checked_mul(i128::from(num))
            .and_then(|v| v.checked_div_euclid(i128::from(den)))
            .ok_or(MoneyError::Overflow)?;
        let minor = i64::try_from(wide).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// Whether the amount is strictly positive.
    pub const fn is_positive(self) -> bool {
        self.minor > 0
    }
}

/// Reads an amount a game sends or takes on the wire: an integer of minor
/// units of its table's currency (every game's actions, events, views and
/// outcomes carry money so). Also reads the `{"minor", "currency"}` form that
/// earlier versions wrote into round records and checkpoints, so those still
/// load and replay. For `#[serde(deserialize_with = "...")]`.
///
/// # Errors
/// Neither form.
pub fn minor_units<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        Minor(i64),
        Money(Money),
    }
    Ok(match Form::deserialize(d)? {
        Form::Minor(minor) => minor,
        Form::Money(money) => money.minor,
    })
}

impl core::fmt::Display for Money {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.minor, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_in_major_units() {
        let eur = |minor| Money::new(minor, Currency::EUR).shown();
        assert_eq!(eur(50_000), "500.00 EUR");
        assert_eq!(eur(105), "1.05 EUR");
        assert_eq!(eur(7), "0.07 EUR");
        assert_eq!(eur(-250), "-2.50 EUR");
        assert_eq!(eur(i64::MIN), "-92233720368547758.08 EUR");
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Money::new(150, Currency::EUR);
        assert_eq!(a.checked_add(a).unwrap().minor, 300);
        assert_eq!(a.checked_sub(Money::new(200, Currency::EUR)).unwrap().minor, -50);
        assert_eq!(
            a.checked_add(Money::new(1, Currency::USD)),
            Err(MoneyError::CurrencyMismatch(Currency::EUR, Currency::USD))
        );
        assert_eq!(
            Money::new(i64::MAX, Currency::EUR).checked_add(Money::new(1, Currency::EUR)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(a.checked_mul(36).unwrap().minor, 5400);
        assert_eq!(Money::new(i64::MAX, Currency::EUR).checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(Money::new(25, Currency::EUR).checked_mul_ratio(3, 2).unwrap().minor, 37);
        assert_eq!(a.checked_mul_ratio(1, 0), Err(MoneyError::Overflow));
    }

    #[test]
    fn currency_codes_are_validated() {
        assert!(Currency::new("EUR").is_ok());
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(Currency::new(bad).is_err(), "{bad}");
        }
        let m: Money = serde_json::from_str(r#"{"minor":5,"currency":"USD"}"#).unwrap();
        assert_eq!(m, Money::new(5, Currency::USD));
        assert!(serde_json::from_str::<Money>(r#"{"minor":5,"currency":"usd"}"#).is_err());
    }

    #[test]
    fn minor_units_read_integers_and_the_earlier_money_objects() {
        #[derive(Deserialize)]
        struct Amount {
            #[serde(deserialize_with = "minor_units")]
            amount: i64,
        }
        let read = |text: &str| serde_json::from_str::<Amount>(text).map(|a| a.amount);
        assert_eq!(read(r#"{"amount": 250}"#).unwrap(), 250);
        assert_eq!(read(r#"{"amount": {"minor": -7, "currency": "EUR"}}"#).unwrap(), -7);
        for bad in [r#"{"amount": 2.5}"#, r#"{"amount": "250"}"#, r#"{"amount": {"minor": 1}}"#, r#"{"amount": null}"#]
        {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
