//! The JSON Schemas of everything a client sends or reads over `/v1/ws`:
//! the protocol's messages and, per game, its actions, events, views,
//! config and round outcome. Drawn from the Rust types themselves
//! (schemars follows their serde attributes), written to
//! `clients/typescript/schema/` by `scripts/generate-types`, which turns
//! them into the TypeScript SDK's types; `tests/types.rs` fails when the
//! committed files are stale.

use croupier_sdk::Game;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Value, json};

/// One schema document: its file stem and the schema.
pub struct Document {
    /// File stem: `protocol` or the game's id (the TypeScript module's
    /// name too).
    pub name: &'static str,
    /// A draft-07 schema whose `definitions` hold every type.
    pub schema: Value,
    /// A game's root types by role (`action`, `event`, `view`, `config`,
    /// `outcome`): each a `$ref` into `definitions` (or, for an unnamed
    /// type such as `Option<u32>`, the schema itself), so a client can find
    /// them whatever the game calls its types. Empty for the protocol.
    pub roots: serde_json::Map<String, Value>,
}

/// Collects root types and everything they name into one document.
struct Collect(SchemaGenerator, serde_json::Map<String, Value>);

impl Collect {
    fn new() -> Self {
        Self(SchemaSettings::draft07().into_generator(), serde_json::Map::new())
    }

    fn add<T: JsonSchema>(mut self) -> Self {
        self.0.subschema_for::<T>();
        self
    }

    /// [`Collect::add`], remembering the type as the root `role`.
    fn root<T: JsonSchema>(mut self, role: &str) -> Self {
        let schema = self.0.subschema_for::<T>();
        self.1.insert(role.to_owned(), schema.to_value());
        self
    }

    fn finish(mut self, name: &'static str, title: &str, description: &str) -> Document {
        let definitions: serde_json::Map<String, Value> = self.0.take_definitions(true);
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": title,
            "description": description,
            "definitions": definitions,
        });
        Document { name, schema, roots: self.1 }
    }
}

/// A game's document: its action, event, view, config and outcome types
/// and everything they name.
fn game<G: Game>(title: &str, description: &str) -> Document
where
    G::Action: JsonSchema,
    G::Event: JsonSchema,
    G::View: JsonSchema,
    G::Config: JsonSchema,
    G::Outcome: JsonSchema,
{
    Collect::new()
        .root::<G::Action>("action")
        .root::<G::Event>("event")
        .root::<G::View>("view")
        .root::<G::Config>("config")
        .root::<G::Outcome>("outcome")
        .finish(G::ID, title, description)
}

/// Every document, in a fixed order.
pub fn documents() -> Vec<Document> {
    vec![
        Collect::new().add::<croupier_protocol::ClientMsg>().add::<croupier_protocol::ServerMsg>().finish(
            "protocol",
            "Protocol",
            "Messages over /v1/ws (docs/protocol.md).",
        ),
        game::<croupier_roulette::Roulette>("Roulette", "European roulette."),
        game::<croupier_blackjack::Blackjack>("Blackjack", "Blackjack."),
        game::<croupier_slots::Slots>("Slots", "Video slots."),
        game::<croupier_sdk::example::CoinFlip>("Coin flip", "The SDK's example game: call heads or tails."),
    ]
}

/// A document as its committed file holds it: pretty JSON and a newline.
pub fn file_text(document: &Document) -> String {
    let mut text = serde_json::to_string_pretty(&document.schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The document of game `id`, built once (`GET /v1/games/{id}/schema`).
pub fn of_game(id: &str) -> Option<&'static Document> {
    static DOCUMENTS: std::sync::OnceLock<Vec<Document>> = std::sync::OnceLock::new();
    DOCUMENTS.get_or_init(documents).iter().find(|d| d.name == id && d.name != "protocol")
}
