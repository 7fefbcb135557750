//! Translation in the inbox: a buyer's message shown translated beside the
//! original (into the seller's language, kept with the message), and a
//! reply written in the seller's language turned into the buyer's before
//! sending (both texts kept: the reply's `original`). The provider is DeepL
//! with its key in the OS keyring; without a key, or offline, these
//! commands answer an error that says so and the inbox works untranslated.

use crate::{ApiError, ApiResult};
use mercator_channels::http::RetryPolicy;
use mercator_channels::translate::{DeepL, Translator};
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::Store;
use mercator_vault::{Secret, Vault};
use serde::Serialize;
use ts_rs::TS;

/// Where the key lives in the keyring.
pub const VAULT_ACCOUNT: &str = "translation.deepl";
/// Settings key of a DeepL endpoint other than DeepL's own (tests, a proxy).
pub const ENDPOINT_SETTING: &str = "translation.endpoint";

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TranslationStatusDto {
    /// A key is in the keyring.
    pub configured: bool,
    pub provider: String,
    pub endpoint: Option<String>,
    /// Characters used and allowed this period, when asked and reachable.
    pub used: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TranslatedDto {
    pub text: String,
    /// The language it is in now (BCP 47).
    pub lang: String,
    /// The language the provider found the source in (base code).
    pub detected: String,
}

async fn key(vault: &Vault) -> ApiResult<Option<Secret>> {
    let vault = vault.clone();
    match tokio::task::spawn_blocking(move || vault.get(VAULT_ACCOUNT)).await {
        Ok(Ok(k)) => Ok(Some(k)),
        Ok(Err(mercator_vault::VaultError::NoEntry(_))) => Ok(None),
        Ok(Err(e)) => Err(ApiError::from(e)),
        Err(e) => Err(ApiError::new(ErrorCode::Internal).arg("detail", e.to_string())),
    }
}

/// The provider, when a key is set.
pub async fn provider(store: &Store, vault: &Vault) -> ApiResult<DeepL> {
    let Some(k) = key(vault).await? else {
        return Err(missing("translation-key"));
    };
    let endpoint = store.setting(ENDPOINT_SETTING).await?;
    DeepL::new(k, endpoint.as_deref(), RetryPolicy::default()).map_err(|e| ApiError(ErrorPayload::from(&e)))
}

fn missing(what: &'static str) -> ApiError {
    ApiError(ErrorPayload::from(&mercator_channels::ChannelError::Missing { what, subject: String::new() }))
}

/// Stores a DeepL key in the keyring (and, for tests or a proxy, another
/// endpoint in the settings); checked against the provider first.
pub async fn set_key(
    store: &Store,
    vault: &Vault,
    key: &str,
    endpoint: Option<&str>,
) -> ApiResult<TranslationStatusDto> {
    let k = Secret::new(key.trim());
    let ep = endpoint.map(str::trim).filter(|e| !e.is_empty());
    let d = DeepL::new(Secret::new(key.trim()), ep, RetryPolicy::default())
        .map_err(|e| ApiError(ErrorPayload::from(&e)))?;
    let (used, limit) = d.usage().await.map_err(|e| ApiError(ErrorPayload::from(&e)))?;
    let vault2 = vault.clone();
    tokio::task::spawn_blocking(move || vault2.set(VAULT_ACCOUNT, &k))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e.to_string()))??;
    store.set_setting(ENDPOINT_SETTING, ep.unwrap_or_default()).await?;
    Ok(TranslationStatusDto {
        configured: true,
        provider: "deepl".into(),
        endpoint: ep.map(str::to_string),
        used: Some(used),
        limit: Some(limit),
    })
}

pub async fn remove_key(store: &Store, vault: &Vault) -> ApiResult<()> {
    let vault = vault.clone();
    let _ = tokio::task::spawn_blocking(move || vault.delete(VAULT_ACCOUNT)).await;
    store.set_setting(ENDPOINT_SETTING, "").await?;
    Ok(())
}

pub async fn status(store: &Store, vault: &Vault) -> ApiResult<TranslationStatusDto> {
    let configured = key(vault).await?.is_some();
    let endpoint = store.setting(ENDPOINT_SETTING).await?.filter(|e| !e.is_empty());
    Ok(TranslationStatusDto { configured, provider: "deepl".into(), endpoint, used: None, limit: None })
}

fn channel(e: &mercator_channels::ChannelError) -> ApiError {
    ApiError(ErrorPayload::from(e))
}

/// A message translated into `lang` (the seller's language), kept with it.
pub async fn translate_message_with(
    store: &Store,
    t: &impl Translator,
    message_id: &str,
    lang: &str,
) -> ApiResult<TranslatedDto> {
    let m = store.message_text(message_id).await?;
    if let (Some(text), Some(l)) = (&m.translation, &m.translation_lang) {
        if l == lang {
            return Ok(TranslatedDto { text: text.clone(), lang: l.clone(), detected: String::new() });
        }
    }
    if m.body.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::ReplyEmpty));
    }
    let got = t.translate(std::slice::from_ref(&m.body), lang, None).await.map_err(|e| channel(&e))?;
    let first =
        got.into_iter().next().ok_or_else(|| ApiError::new(ErrorCode::Internal).arg("detail", "no translation"))?;
    store.set_translation(message_id, &first.text, lang).await?;
    Ok(TranslatedDto { text: first.text, lang: lang.to_string(), detected: first.detected })
}

pub async fn translate_message(store: &Store, vault: &Vault, message_id: &str, lang: &str) -> ApiResult<TranslatedDto> {
    let d = provider(store, vault).await?;
    translate_message_with(store, &d, message_id, lang).await
}

/// A reply draft turned into the buyer's language `to`.
pub async fn translate_draft_with(
    t: &impl Translator,
    text: &str,
    to: &str,
    from: Option<&str>,
) -> ApiResult<TranslatedDto> {
    if text.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::ReplyEmpty));
    }
    if text.chars().count() > 20_000 {
        return Err(ApiError::new(ErrorCode::ReplyTooLong).arg("max", "20000"));
    }
    let got = t.translate(&[text.to_string()], to, from).await.map_err(|e| channel(&e))?;
    let first =
        got.into_iter().next().ok_or_else(|| ApiError::new(ErrorCode::Internal).arg("detail", "no translation"))?;
    Ok(TranslatedDto { text: first.text, lang: to.to_string(), detected: first.detected })
}

pub async fn translate_draft(
    store: &Store,
    vault: &Vault,
    text: &str,
    to: &str,
    from: Option<&str>,
) -> ApiResult<TranslatedDto> {
    let d = provider(store, vault).await?;
    translate_draft_with(&d, text, to, from).await
}
