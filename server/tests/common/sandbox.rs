//! For tests against a sandbox provider (payments, identity): the webhook
//! attempts it lists, a webhook posted as the provider posts one, and the
//! clock webhooks are signed with.

use serde_json::Value;

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
