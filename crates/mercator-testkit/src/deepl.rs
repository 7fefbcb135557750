//! A fake of DeepL's API v2 on loopback: `POST /v2/translate` (auth header,
//! at most 50 texts, 128 KiB, the documented target codes), `GET /v2/usage`,
//! with its documented faults: 403 for a wrong key, 456 when the quota is
//! used up, 429 too many requests. Its "translation" is the text marked with
//! the target code (`[DE] Hello`), so a test can see what went where.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub const KEY: &str = "0f1e2d3c-test-deepl-key:fx";
const TARGETS: &[&str] = &[
    "AR", "BG", "CS", "DA", "DE", "EL", "EN-GB", "EN-US", "ES", "ES-419", "ET", "FI", "FR", "HE", "HU", "ID", "IT",
    "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT-BR", "PT-PT", "RO", "RU", "SK", "SL", "SV", "TH", "TR", "UK", "VI",
    "ZH-HANS", "ZH-HANT",
];

#[derive(Default)]
struct Inner {
    /// Characters translated so far, and the limit (0: none).
    used: i64,
    limit: i64,
    /// The next this many requests answer 429.
    busy: u32,
    requests: u64,
}

#[derive(Clone)]
pub struct DeepLFake {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl DeepLFake {
    pub async fn start() -> DeepLFake {
        let inner = Arc::new(Mutex::new(Inner { limit: 500_000, ..Inner::default() }));
        let app = Router::new()
            .route("/v2/translate", post(translate))
            .route("/v2/usage", get(usage))
            .with_state(inner.clone());
        DeepLFake { addr: crate::serve(app).await, inner }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The characters left this period.
    pub fn set_remaining(&self, chars: i64) {
        self.with(|i| i.limit = i.used + chars);
    }

    /// The next `n` requests are answered 429.
    pub fn busy(&self, n: u32) {
        self.with(|i| i.busy = n);
    }

    pub fn requests(&self) -> u64 {
        self.with(|i| i.requests)
    }
}

fn error(status: u16, message: &str) -> Response {
    (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), axum::Json(json!({ "message": message })))
        .into_response()
}

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("DeepL-Auth-Key {KEY}"))
}

fn detect(text: &str) -> &'static str {
    if text.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)) {
        "JA"
    } else if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        "ZH"
    } else if text.chars().any(|c| "äöüßÄÖÜ".contains(c)) {
        "DE"
    } else {
        "EN"
    }
}

async fn translate(State(s): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    i.requests += 1;
    if !authorized(&headers) {
        return error(403, "Authorization failure, check auth_key");
    }
    if i.busy > 0 {
        i.busy -= 1;
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    if body.len() > 128 * 1024 {
        return error(413, "Request Entity Too Large");
    }
    let Ok(b) = serde_json::from_slice::<Value>(&body) else { return error(400, "Invalid request body") };
    let target = b.get("target_lang").and_then(Value::as_str).unwrap_or_default().to_ascii_uppercase();
    if !TARGETS.contains(&target.as_str()) {
        return error(400, "Value for 'target_lang' not supported.");
    }
    let Some(texts) = b.get("text").and_then(Value::as_array).filter(|t| !t.is_empty() && t.len() <= 50) else {
        return error(400, "Parameter 'text' not specified or too many texts.");
    };
    let texts: Vec<String> = texts.iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect();
    let chars: i64 = texts.iter().map(|t| i64::try_from(t.chars().count()).unwrap_or(i64::MAX)).sum();
    if i.used + chars > i.limit {
        return error(456, "Quota for this billing period has been exceeded.");
    }
    i.used += chars;
    let source = b.get("source_lang").and_then(Value::as_str).map(str::to_ascii_uppercase);
    let translations: Vec<Value> = texts
        .iter()
        .map(|t| json!({ "detected_source_language": source.clone().unwrap_or_else(|| detect(t).to_string()), "text": format!("[{target}] {t}") }))
        .collect();
    axum::Json(json!({ "translations": translations })).into_response()
}

async fn usage(State(s): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !authorized(&headers) {
        return error(403, "Authorization failure, check auth_key");
    }
    axum::Json(json!({ "character_count": i.used, "character_limit": i.limit })).into_response()
}
