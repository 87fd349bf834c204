//! Provisioning over the HTTP API, before any player connects: the
//! operator's login, the run's tables (`load-GAME-N`, opened when missing,
//! reused when present) and its players — in bulk where the server allows
//! it (`POST /v1/admin/load/accounts`), else each registered, logged in and
//! funded through the ordinary routes. Shows its progress on stderr.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::player::Plan;
use crate::{Account, Options, Scenario, source};

/// Accounts asked for per bulk call.
const CHUNK: usize = 500;
/// The currency of every load account and table.
const CURRENCY: &str = "EUR";

/// The API, as the operator.
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A table the run plays at.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its id.
    pub id: String,
    /// Its minimum bet.
    pub min_bet: i64,
    /// Its seats.
    pub seats: u8,
}

impl Api {
    /// Logs the operator in.
    ///
    /// # Errors
    /// The server is unreachable or refuses the credentials.
    pub async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::new();
        let body = json!({ "username": username, "password": password });
        let res = http
            .post(format!("{base}/v1/auth/login"))
            .json(&body)
            .send()
            .await
            .with_context(|| format!("reaching {base}"))?;
        let status = res.status();
        let reply: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("the operator {username:?} cannot log in: {}", describe(&reply));
        }
        let token = reply["access_token"].as_str().context("no access token in the login reply")?.to_owned();
        Ok(Self { http, base: base.to_owned(), token })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        answer(req, path).await
    }

    async fn anonymous(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        answer(self.http.post(format!("{}{path}", self.base)).json(body), path).await
    }

    /// GET `path` with the access token in `tokens` (a login reply).
    async fn call_as(&self, tokens: &Value, path: &str) -> anyhow::Result<(u16, Value)> {
        let token = tokens["access_token"].as_str().unwrap_or_default();
        answer(self.http.get(format!("{}{path}", self.base)).bearer_auth(token), path).await
    }
}

/// Sends `req`; (status, JSON body or Null).
async fn answer(req: reqwest::RequestBuilder, path: &str) -> anyhow::Result<(u16, Value)> {
    let res = req.send().await.with_context(|| format!("calling {path}"))?;
    let status = res.status().as_u16();
    Ok((status, res.json().await.unwrap_or(Value::Null)))
}

/// `code: message` of an error body.
fn describe(body: &Value) -> String {
    format!("{}: {}", body["error"]["code"].as_str().unwrap_or("?"), body["error"]["message"].as_str().unwrap_or("?"))
}

/// How many tables each table game of the run needs (`--tables`, else one
/// per six of its players).
fn table_counts(opts: &Options, assignment: &[Scenario]) -> BTreeMap<&'static str, usize> {
    let mut per_game: BTreeMap<&'static str, usize> = BTreeMap::new();
    for s in assignment {
        if let Some(game) = s.table_game() {
            *per_game.entry(game).or_default() += 1;
        }
    }
    per_game
        .into_iter()
        .map(|(game, players)| (game, if opts.tables > 0 { opts.tables } else { players.div_ceil(6).max(1) }))
        .collect()
}

/// Tables and players for the reference fan-out server, which keeps no
/// accounts: rooms `ref-N` of six seats and players `PREFIX-N` whose token
/// is their name.
///
/// # Errors
/// A scenario other than chat and idle (the reference plays no game).
#[allow(clippy::type_complexity)]
pub fn named(
    opts: &Options,
    assignment: &[Scenario],
) -> anyhow::Result<(BTreeMap<&'static str, Vec<Table>>, Vec<Account>)> {
    if let Some(s) = assignment.iter().find(|s| !matches!(s, Scenario::Chat | Scenario::Idle)) {
        bail!("--reference plays chat and idle only, not {s:?}");
    }
    let tables = table_counts(opts, assignment)
        .into_iter()
        .map(|(game, n)| (game, (0..n).map(|i| Table { id: format!("ref-{i}"), min_bet: 1, seats: 6 }).collect()))
        .collect();
    let accounts = (0..opts.players)
        .map(|i| {
            let username = format!("{}-{i}", opts.prefix);
            Account { token: username.clone(), username, player: i64::try_from(i).unwrap_or(i64::MAX) }
        })
        .collect();
    Ok((tables, accounts))
}

/// Opens (or finds) the tables of every table game the run plays.
///
/// # Errors
/// A table cannot be opened or is of another game or currency.
pub async fn tables(
    api: &Api,
    opts: &Options,
    assignment: &[Scenario],
) -> anyhow::Result<BTreeMap<&'static str, Vec<Table>>> {
    let mut out = BTreeMap::new();
    for (game, n) in table_counts(opts, assignment) {
        let mut config = json!({ "currency": CURRENCY });
        if let Some(extra) = opts.table_config.as_ref().and_then(Value::as_object) {
            for (k, v) in extra {
                config[k] = v.clone();
            }
        }
        for i in 0..n {
            let spec = json!({ "id": format!("load-{game}-{i}"), "game": game, "config": config });
            let (status, body) = api.call(reqwest::Method::POST, "/v1/admin/tables", Some(&spec)).await?;
            if status != 201 && !(status == 409 && body["error"]["code"] == "table_exists") {
                bail!("opening table load-{game}-{i}: {}", describe(&body));
            }
        }
        let (status, list) = api.call(reqwest::Method::GET, "/v1/tables", None).await?;
        if status != 200 {
            bail!("listing tables: {}", describe(&list));
        }
        let mut tables = Vec::with_capacity(n);
        for i in 0..n {
            let id = format!("load-{game}-{i}");
            let t = list["tables"].as_array().and_then(|a| a.iter().find(|t| t["id"] == id.as_str()));
            let t = t.with_context(|| format!("table {id} is not listed"))?;
            if t["game"] != game || t["config"]["currency"] != CURRENCY {
                bail!("table {id} exists but is not a {CURRENCY} {game} table");
            }
            let min_bet = t["config"]["min_bet"].as_i64().unwrap_or(100);
            let seats = t["seats"].as_u64().and_then(|s| u8::try_from(s).ok()).unwrap_or(1);
            tables.push(Table { id, min_bet, seats });
        }
        eprintln!("croupier-load: {n} {game} tables ready");
        out.insert(game, tables);
    }
    Ok(out)
}

/// The run's players, funded: `PREFIX-0` … `PREFIX-(players-1)`.
///
/// # Errors
/// The server refuses to make or fund them.
pub async fn accounts(api: &Api, opts: &Options) -> anyhow::Result<Vec<Account>> {
    let mut out: Vec<Account> = Vec::with_capacity(opts.players);
    while out.len() < opts.players {
        let count = CHUNK.min(opts.players - out.len());
        let body = json!({ "prefix": opts.prefix, "first": out.len(), "count": count, "amount": opts.deposit, "currency": CURRENCY });
        let (status, reply) = api.call(reqwest::Method::POST, "/v1/admin/load/accounts", Some(&body)).await?;
        if status == 403 && reply["error"]["code"] == "test_accounts_disabled" && out.is_empty() {
            eprintln!("croupier-load: the server makes no bulk test accounts; registering each player");
            return register_each(api, opts).await;
        }
        if status != 200 {
            bail!("creating test accounts: {}", describe(&reply));
        }
        let made: Vec<Account> = serde_json::from_value(reply["accounts"].clone()).context("reading the accounts")?;
        out.extend(made);
        eprintln!("croupier-load: {}/{} players provisioned", out.len(), opts.players);
    }
    Ok(out)
}

/// The slow path: register, log in and fund every player.
async fn register_each(api: &Api, opts: &Options) -> anyhow::Result<Vec<Account>> {
    let mut out = Vec::with_capacity(opts.players);
    for i in 0..opts.players {
        let username = format!("{}-{i}", opts.prefix);
        let password = format!("load-{}-{i}-password", opts.prefix);
        let creds = json!({ "username": username, "password": password });
        let (status, reply) = api.anonymous("/v1/auth/register", &creds).await?;
        if status != 201 && !(status == 409 && reply["error"]["code"] == "username_taken") {
            bail!("registering {username}: {}", describe(&reply));
        }
        let (status, tokens) = api.anonymous("/v1/auth/login", &creds).await?;
        if status != 200 {
            bail!("logging {username} in: {}", describe(&tokens));
        }
        let deposit = json!({
            "username": username, "amount": opts.deposit, "currency": CURRENCY,
            "idempotency_key": format!("load:{username}:{}", opts.deposit),
        });
        let (status, reply) = api.call(reqwest::Method::POST, "/v1/admin/wallet/deposit", Some(&deposit)).await?;
        if status != 200 {
            bail!("funding {username}: {}", describe(&reply));
        }
        let (status, me) = api.call_as(&tokens, "/v1/me").await?;
        if status != 200 {
            bail!("reading {username}: {}", describe(&me));
        }
        let token = tokens["access_token"].as_str().unwrap_or_default().to_owned();
        out.push(Account { username, player: me["id"].as_i64().unwrap_or_default(), token });
        if (i + 1) % 50 == 0 || i + 1 == opts.players {
            eprintln!("croupier-load: {}/{} players provisioned", i + 1, opts.players);
        }
    }
    Ok(out)
}

/// With a stagger, how far apart the players of one table connect.
const STAGGER_STEP: Duration = Duration::from_millis(50);

/// Where each player plays: table players round-robin over their game's
/// tables, one seat each; chat players watch the roulette tables.
pub fn plans(
    opts: &Options,
    assignment: &[Scenario],
    tables: &BTreeMap<&'static str, Vec<Table>>,
    sources: usize,
) -> Vec<Plan> {
    let mut index: BTreeMap<Scenario, usize> = BTreeMap::new();
    let mut seed = opts.seed.max(1);
    assignment
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = {
                let n = index.entry(*s).or_default();
                *n += 1;
                *n - 1
            };
            let at = s.table_game().and_then(|g| tables.get(g)).filter(|t| !t.is_empty());
            let by_ramp = opts.ramp.mul_f64(i as f64 / opts.players.max(1) as f64);
            let (table, stake, delay) = match at {
                Some(ts) => {
                    let t = &ts[k % ts.len()];
                    let seat = u8::try_from((k / ts.len()) % usize::from(t.seats.max(1))).unwrap_or(0);
                    // Staggered: table t of n starts at stagger * t / n, its
                    // players following one another STAGGER_STEP apart.
                    let delay = if opts.stagger.is_zero() {
                        by_ramp
                    } else {
                        let arrival = u32::try_from(k / ts.len()).unwrap_or(u32::MAX);
                        opts.stagger.mul_f64((k % ts.len()) as f64 / ts.len() as f64) + STAGGER_STEP * arrival
                    };
                    (Some((t.id.clone(), seat)), t.min_bet, delay)
                }
                None => (None, 1, by_ramp),
            };
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let rate = match s {
                Scenario::Chat if opts.rate == 0.0 => 0.5,
                _ => opts.rate,
            };
            Plan { scenario: *s, table, stake, rate, seed, source: source(i, sources), delay }
        })
        .collect()
}
