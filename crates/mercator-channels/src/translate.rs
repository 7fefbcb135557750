//! Translation of buyer messages and replies: a provider interface and one
//! provider, DeepL's HTTP API v2 (`POST /v2/translate`, key in the
//! `Authorization: DeepL-Auth-Key` header; keys ending `:fx` use the Free
//! endpoint). Without a key, or offline, nothing here is called and the
//! inbox works untranslated.

use crate::http::{Http, RetryPolicy};
use crate::model::ChannelError;
use mercator_vault::Secret;
use serde_json::{json, Value};

/// Texts per request DeepL takes.
pub const MAX_TEXTS: usize = 50;
/// The largest request body DeepL takes (bytes).
pub const MAX_BODY: usize = 128 * 1024;

/// One translated text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub text: String,
    /// The language the provider found the source in (BCP 47 base, lower case: `de`, `zh`).
    pub detected: String,
}

/// What a translation provider does.
pub trait Translator {
    /// Translates each text into `target` (BCP 47, e.g. `de-DE`, `zh-CN`),
    /// from `source` when known; answers in the texts' order.
    fn translate(
        &self,
        texts: &[String],
        target: &str,
        source: Option<&str>,
    ) -> impl std::future::Future<Output = Result<Vec<Translation>, ChannelError>> + Send;
}

/// DeepL's target code for a BCP 47 tag (`en-GB` → `EN-GB`, `zh-TW` →
/// `ZH-HANT`, `pt` → `PT-PT`); None for a language DeepL does not offer.
pub fn deepl_target(tag: &str) -> Option<String> {
    let lower = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = lower.split('-');
    let lang = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let region = rest.iter().find(|p| p.len() == 2).copied().unwrap_or("");
    let script = rest.iter().find(|p| p.len() == 4).copied().unwrap_or("");
    Some(match lang {
        "en" => if matches!(region, "gb" | "au" | "nz" | "ie" | "in" | "sg" | "my" | "za") { "EN-GB" } else { "EN-US" }
            .into(),
        "pt" => if region == "br" { "PT-BR" } else { "PT-PT" }.into(),
        "zh" => if script == "hant" || matches!(region, "tw" | "hk" | "mo") { "ZH-HANT" } else { "ZH-HANS" }.into(),
        "es" if !region.is_empty() && region != "es" => "ES-419".into(),
        "nb" | "no" => "NB".into(),
        "ar" | "bg" | "cs" | "da" | "de" | "el" | "es" | "et" | "fi" | "fr" | "he" | "hu" | "id" | "it" | "ja"
        | "ko" | "lt" | "lv" | "nl" | "pl" | "ro" | "ru" | "sk" | "sl" | "sv" | "th" | "tr" | "uk" | "vi" => {
            lang.to_ascii_uppercase()
        }
        _ => return None,
    })
}

/// DeepL's source code for a BCP 47 tag (the base language only).
pub fn deepl_source(tag: &str) -> Option<String> {
    deepl_target(tag).map(|t| t.split('-').next().unwrap_or_default().to_string())
}

pub struct DeepL {
    endpoint: String,
    key: Secret,
    http: Http,
}

impl DeepL {
    pub const FREE: &'static str = "https://api-free.deepl.com";
    pub const PRO: &'static str = "https://api.deepl.com";

    /// A client for `key`; `endpoint` None: DeepL's own (Free for `:fx` keys).
    pub fn new(key: Secret, endpoint: Option<&str>, policy: RetryPolicy) -> Result<DeepL, ChannelError> {
        if key.expose().trim().is_empty() {
            return Err(ChannelError::Missing { what: "translation-key", subject: String::new() });
        }
        let endpoint = match endpoint.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => e.trim_end_matches('/').to_string(),
            None if key.expose().trim().ends_with(":fx") => Self::FREE.into(),
            None => Self::PRO.into(),
        };
        // the key travels in a header to this address
        crate::http::check_endpoint("translation-endpoint", &endpoint)?;
        Ok(DeepL { endpoint, key, http: Http::new(policy)? })
    }

    /// The characters used and allowed this billing period.
    pub async fn usage(&self) -> Result<(i64, i64), ChannelError> {
        let url = format!("{}/v2/usage", self.endpoint);
        let auth = format!("DeepL-Auth-Key {}", self.key.expose().trim());
        let a = self.http.send(|c| c.get(&url).header("authorization", &auth)).await?;
        let v: Value = check(&a)?;
        let n = |p: &str| v.get(p).and_then(Value::as_i64).unwrap_or(0);
        Ok((n("character_count"), n("character_limit")))
    }
}

fn check(a: &crate::http::Answer) -> Result<Value, ChannelError> {
    let message = || {
        let v: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
        let m = v.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
        if m.is_empty() {
            a.describe()
        } else {
            format!("{}: {m}", a.status)
        }
    };
    match a.status {
        200..=299 => a.json(),
        401 | 403 => Err(ChannelError::Auth(message())),
        429 | 529 => Err(ChannelError::RateLimited(message())),
        // the quota of the billing period is used up
        456 => Err(ChannelError::Missing { what: "translation-quota", subject: String::new() }),
        s if s >= 500 => Err(ChannelError::Unavailable(message())),
        _ => Err(ChannelError::Rejected(message())),
    }
}

impl Translator for DeepL {
    async fn translate(
        &self,
        texts: &[String],
        target: &str,
        source: Option<&str>,
    ) -> Result<Vec<Translation>, ChannelError> {
        let target_code = deepl_target(target).ok_or_else(|| ChannelError::Missing {
            what: "translation-language",
            subject: target.chars().take(20).collect(),
        })?;
        let source_code = source.and_then(deepl_source);
        let mut out = Vec::with_capacity(texts.len());
        // at most 50 texts and 128 KiB a request
        let mut start = 0;
        while start < texts.len() {
            let mut end = start;
            let mut size = 200;
            while end < texts.len() && end - start < MAX_TEXTS && size + texts[end].len() * 6 / 5 + 8 < MAX_BODY {
                size += texts[end].len() * 6 / 5 + 8;
                end += 1;
            }
            if end == start {
                return Err(ChannelError::Rejected(format!(
                    "a text of {} bytes is larger than DeepL takes",
                    texts[start].len()
                )));
            }
            let mut body = json!({ "text": &texts[start..end], "target_lang": target_code });
            if let Some(s) = &source_code {
                body["source_lang"] = json!(s);
            }
            let url = format!("{}/v2/translate", self.endpoint);
            let auth = format!("DeepL-Auth-Key {}", self.key.expose().trim());
            let a = self.http.send(|c| c.post(&url).header("authorization", &auth).json(&body)).await?;
            let v = check(&a)?;
            let got: Vec<Translation> = v
                .get("translations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| Translation {
                    text: t.get("text").and_then(Value::as_str).unwrap_or_default().to_string(),
                    detected: t
                        .get("detected_source_language")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_ascii_lowercase(),
                })
                .collect();
            if got.len() != end - start {
                return Err(ChannelError::BadResponse(format!("{} translations for {} texts", got.len(), end - start)));
            }
            out.extend(got);
            start = end;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcp47_tags_map_to_deepl_codes() {
        for (tag, code) in [
            ("en-US", Some("EN-US")),
            ("en-SG", Some("EN-GB")),
            ("zh-CN", Some("ZH-HANS")),
            ("zh-TW", Some("ZH-HANT")),
            ("zh-Hant-HK", Some("ZH-HANT")),
            ("pt-BR", Some("PT-BR")),
            ("pt", Some("PT-PT")),
            ("es-MX", Some("ES-419")),
            ("de_DE", Some("DE")),
            ("ms-MY", None),
            ("fil-PH", None),
            ("", None),
        ] {
            assert_eq!(deepl_target(tag).as_deref(), code, "{tag}");
        }
        assert_eq!(deepl_source("zh-TW").as_deref(), Some("ZH"));
    }

    #[test]
    fn keys_choose_their_endpoint_and_an_empty_key_is_refused() {
        let p = RetryPolicy::fast;
        assert_eq!(DeepL::new(Secret::new("abc:fx"), None, p()).unwrap().endpoint, DeepL::FREE);
        assert_eq!(DeepL::new(Secret::new("abc"), None, p()).unwrap().endpoint, DeepL::PRO);
        assert!(DeepL::new(Secret::new(" "), None, p()).is_err());
        assert!(
            DeepL::new(Secret::new("abc"), Some("http://deepl.example"), p()).is_err(),
            "the key never goes in the clear"
        );
    }
}
