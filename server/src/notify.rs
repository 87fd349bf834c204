//! Notifications to a player outside the game: mail, today only for a
//! password reset. [`Mailer`] is the seam — a server embedding Croupier can
//! hand its own to `app::Setup` (a provider's API, a queue) — and [`Smtp`]
//! is the one built in: SMTP through `lettre`, plain, STARTTLS or TLS as
//! `mail.smtp_url` says.
//!
//! A mail is sent off the request's path, with a deadline, so a slow or
//! dead mail server never holds an answer up; a failure is logged without
//! the address or the body (both are personal or secret).

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use thiserror::Error;

/// `[mail]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// Where mail goes: `smtp://host:port` (plain, for a relay on the same
    /// network), `smtp://host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465` (TLS); empty = no mail, and the routes
    /// that send some answer `503 mail_unavailable`.
    pub smtp_url: String,
    /// The sender, `Name <address>`.
    pub from: String,
    /// The link a reset mail carries, `{token}` standing for the token.
    pub reset_link: String,
    /// A mail not handed over in this many milliseconds is given up.
    pub timeout_ms: u64,
}

impl MailSettings {
    /// What is wrong with these settings, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.from.parse::<Mailbox>().is_err() {
            return Some("mail.from must be a mailbox like `Croupier <no-reply@example.com>`".into());
        }
        if !self.reset_link.contains("{token}") {
            return Some("mail.reset_link must hold {token}".into());
        }
        if !(100..=120_000).contains(&self.timeout_ms) {
            return Some("mail.timeout_ms must be 100 to 120000".into());
        }
        if !self.smtp_url.is_empty() && AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.smtp_url).is_err() {
            return Some("mail.smtp_url must be smtp://host[:port][?tls=required|opportunistic] or smtps://…".into());
        }
        None
    }
}

/// One plain-text mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mail({:?}, recipient and body redacted)", self.subject)
    }
}

/// Why a mail was not sent. Never carries the address or the body.
#[derive(Debug, Error)]
pub enum MailError {
    /// The recipient is no address.
    #[error("the recipient is not a mail address")]
    BadRecipient,
    /// The mail server refused or did not answer.
    #[error("the mail server: {0}")]
    Transport(String),
    /// Not handed over in time.
    #[error("the mail server did not take the mail within {0} ms")]
    Timeout(u64),
}

/// Sends mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands `mail` over for delivery.
    ///
    /// # Errors
    /// [`MailError`].
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}

/// Mail over SMTP.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout_ms: u64,
}

impl Smtp {
    /// A sender for `settings`; `None` when `mail.smtp_url` is empty.
    ///
    /// # Errors
    /// A malformed URL or sender.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Option<Self>> {
        if settings.smtp_url.is_empty() {
            return Ok(None);
        }
        let from = settings.from.parse().map_err(|e| anyhow::anyhow!("mail.from: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| anyhow::anyhow!("mail.smtp_url: {e}"))?
            .timeout(Some(Duration::from_millis(settings.timeout_ms)))
            .build();
        Ok(Some(Self { transport, from, timeout_ms: settings.timeout_ms }))
    }
}

#[async_trait]
impl Mailer for Smtp {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::BadRecipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|_| MailError::BadRecipient)?;
        let sent = tokio::time::timeout(Duration::from_millis(self.timeout_ms), self.transport.send(message)).await;
        match sent {
            Ok(Ok(_)) => Ok(()),
            // The server's answer can echo the recipient: keep only its kind.
            Ok(Err(e)) => Err(MailError::Transport(smtp_failure(&e))),
            Err(_) => Err(MailError::Timeout(self.timeout_ms)),
        }
    }
}

/// What went wrong, without anything the server echoed.
fn smtp_failure(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) => format!("it answered {code}"),
        None if e.is_timeout() => "it did not answer in time".into(),
        None if e.is_tls() => "the TLS handshake failed".into(),
        None => "it could not be reached".into(),
    }
}
