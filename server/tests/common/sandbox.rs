//! For tests against a sandbox provider (payments, identity): the webhook
//! attempts it lists, a webhook posted as the provider posts one, and the
//! clock webhooks are signed with.

use serde_json::{Value, json};

use super::TestApp;

/// Every webhook attempt the sandbox at `base` made (its API key `key`).
pub async fn deliveries(base: &str, key: &str) -> Vec<Value> {
    let answer = reqwest::Client::new().get(format!("{base}/v1/deliveries")).bearer_auth(key).send().await;
    answer.unwrap().json::<Value>().await.unwrap()["deliveries"].as_array().unwrap().clone()
}

/// Posts `body` to the server's `path` with `signature` as the sandbox's
/// signature header; the status and answer.
pub async fn webhook(app: &TestApp, path: &str, signature: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = app.http.post(app.url(path)).body(body.to_owned());
    if let Some(s) = signature {
        req = req.header("Sandbox-Signature", s);
    }
    let res = req.header("content-type", "application/json").send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// Unix seconds now.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The payment sandbox's API key and webhook secret in these tests.
pub const PAY_KEY: &str = "sk_test_key";
/// See [`PAY_KEY`].
pub const PAY_SECRET: &str = "whsec_test_secret";

/// A server with the payment sandbox as its provider (players sent back to
/// `https://casino.test/wallet`), `tweak`ed further, and the sandbox's base
/// URL.
pub async fn with_payments(
    kind: super::Db,
    tweak: impl FnOnce(&mut croupier_server::settings::Settings) + Send + 'static,
) -> (TestApp, String) {
    use croupier_server::payments::sandbox_server::{self, SandboxConfig};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sandbox = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let api_url = sandbox.clone();
    let app = TestApp::spawn_with(kind, move |s| {
        s.rate_limit.enabled = false;
        s.payments.provider = "sandbox".into();
        s.payments.api_url = api_url;
        s.payments.api_key.0 = PAY_KEY.into();
        s.payments.webhook_secret.0 = PAY_SECRET.into();
        s.payments.return_url = "https://casino.test/wallet".into();
        tweak(s);
    })
    .await;
    let config = SandboxConfig {
        api_key: PAY_KEY.into(),
        webhook_secret: PAY_SECRET.as_bytes().to_vec(),
        webhook_url: app.url("/v1/payments/sandbox/webhook"),
    };
    actix_web::rt::spawn(sandbox_server::serve(config, listener).unwrap());
    (app, sandbox)
}

/// Starts a deposit and pays it with `card` on the sandbox's page; the id.
pub async fn deposit(app: &TestApp, token: &str, amount: i64, card: &str) -> i64 {
    let (s, started) =
        app.post("/v1/wallet/deposits", &json!({ "amount": amount, "currency": "EUR" }), Some(token)).await;
    assert_eq!(s, 201, "{started}");
    assert_eq!(started["payment"]["status"], "created");
    let id = started["payment"]["id"].as_i64().unwrap();
    let page = started["redirect_url"].as_str().unwrap();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let html = browser.get(page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("Pay {}.{:02} EUR", amount / 100, amount % 100)), "{html}");
    let paid = browser.post(page).form(&[("card", card)]).send().await.unwrap();
    assert_eq!(paid.status().as_u16(), 303);
    let back = paid.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("https://casino.test/wallet?payment=pay-{id}&status=")), "{back}");
    id
}

/// Waits (20 s at most) until payment `id` of `token`'s player is `status`.
pub async fn until_payment(app: &TestApp, token: &str, id: i64, status: &str) -> Value {
    for _ in 0..400 {
        let (_, body) = app.get("/v1/wallet/payments", Some(token)).await;
        let payment = body["payments"].as_array().unwrap().iter().find(|p| p["id"] == id).cloned().unwrap();
        if payment["status"] == status {
            return payment;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("payment {id} never became {status}");
}
