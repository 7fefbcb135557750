//! HTTP with retries: 429 and 5xx answers and network failures (timeouts,
//! resets) are retried with exponential back-off and jitter, waiting at
//! least what the channel asks (`Retry-After`, or one token of an
//! `x-amzn-RateLimit-Limit` bucket). Other answers return to the caller.

use crate::model::ChannelError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all (the first plus retries).
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            base: Duration::from_millis(500),
            max: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Quick retries for tests against local servers.
    pub fn fast() -> Self {
        RetryPolicy {
            attempts: 6,
            base: Duration::from_millis(5),
            max: Duration::from_millis(100),
            timeout: Duration::from_millis(1500),
        }
    }
}

/// What an answer was, after the retries.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, every number with a fraction or exponent (or too
    /// long for an i64) read as its exact text: amounts never pass through
    /// an f64, not even inside the parser. Read them with
    /// [`crate::model::json_number_text`].
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ChannelError> {
        serde_json::from_slice(&exact_numbers(&self.body))
            // where, not what: serde's text quotes the offending value, which
            // may be a token or a buyer's name
            .map_err(|e| ChannelError::BadResponse(format!("invalid JSON at line {} column {}", e.line(), e.column())))
    }

    /// A short, secret-free description of a failed answer: the channel's
    /// own error messages when the body is JSON (not the whole body, which
    /// may echo an order with a buyer's address), else the start of the
    /// text; URLs, tokens and e-mail addresses in it are redacted.
    pub fn describe(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let said = serde_json::from_str::<serde_json::Value>(&text).ok().map(|v| error_messages(&v));
        let snippet: String = match said {
            Some(m) if !m.is_empty() => m,
            Some(_) => String::new(),
            None => text.chars().take(200).collect(),
        };
        redact(&format!("HTTP {}: {}", self.status, snippet.trim()))
    }
}

/// JSON text with every number that serde_json would read as an f64
/// (a fraction, an exponent, more digits than an i64 holds) turned into a
/// string holding its exact text. Integers that fit stay numbers. Text
/// inside strings is left alone; malformed JSON stays malformed.
pub fn exact_numbers(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut copied, mut in_str, mut esc) = (0usize, 0usize, false, false);
    while i < body.len() {
        let b = body[i];
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_str = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while i < body.len() && matches!(body[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                i += 1;
            }
            let token = &body[start..i];
            let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
            if token.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) || digits > 18 {
                let o = out.get_or_insert_with(|| Vec::with_capacity(body.len() + 64));
                o.extend_from_slice(&body[copied..start]);
                o.push(b'"');
                o.extend_from_slice(token);
                o.push(b'"');
                copied = i;
            }
            continue;
        }
        i += 1;
    }
    match out {
        None => std::borrow::Cow::Borrowed(body),
        Some(mut o) => {
            o.extend_from_slice(&body[copied..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

/// A shared client: connection pooling, retries, jitter.
pub struct Http {
    client: reqwest::Client,
    pub policy: RetryPolicy,
    seed: AtomicU64,
    /// Total time spent waiting on rate limits (for the sync log and benchmarks).
    pub waited_ms: AtomicU64,
}

impl Http {
    pub fn new(policy: RetryPolicy) -> Result<Self, ChannelError> {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            // a redirect to another host (or down to http) would carry our
            // token headers there: it is answered as it is, not followed
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let first = attempt.previous().first().cloned();
                let same = first.is_some_and(|f| {
                    f.host_str() == attempt.url().host_str()
                        && f.port_or_known_default() == attempt.url().port_or_known_default()
                        && (f.scheme() == attempt.url().scheme() || attempt.url().scheme() == "https")
                });
                if same && attempt.previous().len() < 5 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .user_agent(concat!("Mercator/", env!("CARGO_PKG_VERSION"), " (Language=Rust)"))
            .build()
            .map_err(|e| ChannelError::Config(e.to_string()))?;
        let seed =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(7, |d| d.as_nanos() as u64);
        Ok(Http { client, policy, seed: AtomicU64::new(seed | 1), waited_ms: AtomicU64::new(0) })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn jitter(&self, upto: Duration) -> Duration {
        // xorshift: enough randomness to spread retries apart
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        let ms = upto.as_millis().max(1) as u64;
        Duration::from_millis(x % ms)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.policy.base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.policy.max);
        capped / 2 + self.jitter(capped / 2 + Duration::from_millis(1))
    }

    /// Sends the request `build` makes (called again for each attempt) and
    /// retries transient failures. Returns the last answer for anything that
    /// is not transient (including 4xx); errors only when retries ran out.
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ChannelError> {
        self.send_with(build, false).await
    }

    /// Sends a write that is not idempotent (an order note that e-mails the
    /// buyer, a shipment confirmation) at most once in effect: it is
    /// repeated only when it certainly did not arrive (no connection) or was
    /// certainly refused (429). A timeout, a 5xx or an answer cut off may
    /// have been applied: that is [`ChannelError::Uncertain`], and the
    /// caller looks at the channel before writing again
    /// ([`crate::checked_write`]).
    pub async fn send_once(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ChannelError> {
        self.send_with(build, true).await
    }

    async fn send_with(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        once: bool,
    ) -> Result<Answer, ChannelError> {
        let mut last = String::new();
        let mut rate_limited = false;
        let mut unreachable = false;
        for attempt in 0..self.policy.attempts {
            match build(&self.client).send().await {
                Ok(resp) => {
                    unreachable = false;
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = match resp.bytes().await {
                        Ok(b) => b.to_vec(),
                        Err(e) => {
                            // cut off mid-body: like a timeout
                            last = format!("reading the answer: {}", without_url(&e));
                            if once {
                                return Err(ChannelError::Uncertain(last));
                            }
                            tokio::time::sleep(self.backoff(attempt)).await;
                            continue;
                        }
                    };
                    let answer = Answer { status, headers, body };
                    if status == 429 || status >= 500 {
                        rate_limited = status == 429;
                        last = answer.describe();
                        if once && status != 429 {
                            return Err(ChannelError::Uncertain(last));
                        }
                        let mut wait = self.backoff(attempt);
                        if let Some(s) = answer.header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
                            wait = wait.max(Duration::from_secs(s.min(300)));
                        }
                        if let Some(rate) = answer
                            .header("x-amzn-ratelimit-limit")
                            .and_then(|v| v.trim().parse::<rust_decimal::Decimal>().ok())
                        {
                            if rate > rust_decimal::Decimal::ZERO {
                                // one token of the bucket; rates are requests per second
                                let ms =
                                    (rust_decimal::Decimal::from(1000) / rate).min(rust_decimal::Decimal::from(60_000));
                                let per = Duration::from_millis(u64::try_from(ms.ceil()).unwrap_or(1000));
                                wait = wait.max(per.min(self.policy.max));
                            }
                        }
                        if attempt + 1 < self.policy.attempts {
                            self.waited_ms
                                .fetch_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
                            tokio::time::sleep(wait).await;
                        }
                        continue;
                    }
                    return Ok(answer);
                }
                Err(e) => {
                    rate_limited = false;
                    let refused_again = unreachable && e.is_connect() && !e.is_timeout();
                    unreachable = e.is_connect() && !e.is_timeout();
                    last = if e.is_timeout() { "timed out".to_string() } else { without_url(&e) };
                    let never_sent = e.is_connect() && !e.is_timeout();
                    if once && !never_sent {
                        // it may have arrived: only the channel can say
                        return Err(ChannelError::Uncertain(last));
                    }
                    if refused_again {
                        // twice no connection at all: offline, not worth the whole back-off
                        break;
                    }
                    if attempt + 1 < self.policy.attempts {
                        tokio::time::sleep(self.backoff(attempt)).await;
                    }
                }
            }
        }
        Err(if rate_limited {
            ChannelError::RateLimited(last)
        } else if unreachable {
            ChannelError::Offline(last)
        } else {
            ChannelError::Unavailable(last)
        })
    }
}

/// The messages an error body carries, in the shapes channels use:
/// `{"errors":[{"code","message"}]}` (Amazon, Shopify), `{"code","message"}`
/// (WooCommerce), `{"error","message"}` (Shopee, LWA `error_description`).
fn error_messages(v: &serde_json::Value) -> String {
    let mut out: Vec<String> = vec![];
    let text = |x: &serde_json::Value, k: &str| x.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
    if let Some(list) = v.get("errors").and_then(serde_json::Value::as_array) {
        for e in list.iter().take(5) {
            match (text(e, "code"), text(e, "message")) {
                (Some(c), Some(m)) => out.push(format!("{c}: {m}")),
                (None, Some(m)) => out.push(m),
                (Some(c), None) => out.push(c),
                _ => {}
            }
        }
    }
    for (c, m) in [("code", "message"), ("error", "message"), ("error", "error_description"), ("error", "msg")] {
        if out.is_empty() {
            match (text(v, c), text(v, m)) {
                (Some(c), Some(m)) => out.push(format!("{c}: {m}")),
                (Some(c), None) if !c.is_empty() => out.push(c),
                (None, Some(m)) => out.push(m),
                _ => {}
            }
        }
    }
    out.join("; ").chars().take(300).collect()
}

pub use crate::redact::redact;

/// A channel's address as the account form gives it: an `https` URL, or
/// plain `http` to a loopback host only (the local fakes the tests run).
/// `127.0.0.1.evil.com` is not loopback, whatever its text starts with.
pub fn check_endpoint(field: &str, url: &str) -> Result<(), ChannelError> {
    let insecure = || ChannelError::Insecure(field.to_string());
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| insecure())?;
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        "http" => match parsed.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Domain("localhost")) => Ok(()),
            _ => Err(insecure()),
        },
        _ => Err(insecure()),
    }
}

/// A reqwest error without its URL (query strings can carry tokens).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_connect() {
        // the innermost cause says what happened ("Connection refused", a DNS failure)
        let mut cause: &dyn std::error::Error = e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        return cause.to_string();
    }
    let e = e.to_string();
    let e = match e.find(" for url (") {
        Some(i) => e[..i].to_string(),
        None => e,
    };
    redact(&e)
}
