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

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ChannelError> {
        serde_json::from_slice(&self.body).map_err(|e| ChannelError::BadResponse(format!("invalid JSON: {e}")))
    }

    /// A short, secret-free description of a failed answer.
    pub fn describe(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let snippet: String = text.chars().take(300).collect();
        format!("HTTP {}: {}", self.status, snippet.trim())
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
            .user_agent(concat!("Mercator/", env!("CARGO_PKG_VERSION"), " (Language=Rust)"))
            .build()
            .map_err(|e| ChannelError::Config(e.to_string()))?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7);
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
                            self.waited_ms.fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
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
    match e.find(" for url (") {
        Some(i) => e[..i].to_string(),
        None => e,
    }
}
