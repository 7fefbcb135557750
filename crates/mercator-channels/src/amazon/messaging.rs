//! Amazon Messaging API v1: the messages Amazon lets a seller send about an
//! order (`getMessagingActionsForOrder` says which), the buyer's language
//! (`GetAttributes`) and the sends themselves. Amazon does not allow free
//! replies here: those go by email (the relay address).
//!
//! Each send is a write without an idempotency key and without any way to
//! read back what was sent: it goes out once ([`Amazon::call_once`]); an
//! answer that leaves open whether Amazon took it is
//! [`ChannelError::Uncertain`], and the caller must not send it again on its
//! own.

use super::{percent, Amazon};
use crate::model::ChannelError;
use serde_json::Value;

/// A message kind of the Messaging API, by the name Amazon gives its action
/// (the last path segment of its `href`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessagingKind {
    pub name: &'static str,
    /// The longest text Amazon accepts (characters); 0: the kind carries no text.
    pub max_text: usize,
    /// Carries a document, uploaded through the Uploads API first.
    pub needs_document: bool,
}

/// Every kind the 2026-08 model has, in the order a seller is shown them.
pub const KINDS: &[MessagingKind] = &[
    MessagingKind { name: "confirmDeliveryDetails", max_text: 2000, needs_document: false },
    MessagingKind { name: "unexpectedProblem", max_text: 2000, needs_document: false },
    MessagingKind { name: "confirmOrderDetails", max_text: 2000, needs_document: false },
    MessagingKind { name: "confirmCustomizationDetails", max_text: 800, needs_document: false },
    MessagingKind { name: "confirmServiceDetails", max_text: 2000, needs_document: false },
    MessagingKind { name: "digitalAccessKey", max_text: 400, needs_document: false },
    MessagingKind { name: "warranty", max_text: 0, needs_document: false },
    MessagingKind { name: "invoice", max_text: 0, needs_document: true },
    MessagingKind { name: "legalDisclosure", max_text: 0, needs_document: true },
];

/// The kind named `name`, when the model has it.
pub fn kind(name: &str) -> Option<&'static MessagingKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// What a send carries: a text for the text kinds, the coverage for a
/// warranty, the document for an invoice or a legal disclosure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessagingSend {
    pub text: String,
    /// Warranty coverage (RFC 3339), both or neither.
    pub coverage: Option<(String, String)>,
    pub document: Option<MessagingDocument>,
}

/// A file sent with a message (uploaded through the Uploads API first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessagingDocument {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The action names of a `getMessagingActionsForOrder` answer that this
/// model knows (Amazon lists `attributes` and removed kinds too), in
/// [`KINDS`] order.
pub fn actions_of(body: &Value) -> Vec<&'static str> {
    let listed: Vec<String> = body
        .pointer("/_links/actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            a.get("name").and_then(Value::as_str).map(str::to_string).or_else(|| {
                // a link without a name: its last path segment
                let href = a.get("href").and_then(Value::as_str)?;
                let path = href.split('?').next()?;
                path.rsplit('/').next().map(str::to_string)
            })
        })
        .collect();
    KINDS.iter().filter(|k| listed.iter().any(|l| l == k.name)).map(|k| k.name).collect()
}

/// An Amazon order id as the Messaging API takes it (3-7-7 digits); anything
/// else is refused before a request is made.
fn order_id_ok(order_id: &str) -> bool {
    let parts: Vec<&str> = order_id.split('-').collect();
    parts.len() == 3
        && [3, 7, 7].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
}

impl Amazon {
    fn messaging_url(&self, order_id: &str, tail: &str) -> Result<String, ChannelError> {
        if !order_id_ok(order_id) {
            return Err(ChannelError::Missing { what: "order-id", subject: order_id.chars().take(40).collect() });
        }
        Ok(format!("{}/messaging/v1/orders/{}{tail}", self.account.endpoint.trim_end_matches('/'), percent(order_id)))
    }

    /// The message kinds Amazon allows for this order now.
    pub async fn messaging_actions(&self, order_id: &str) -> Result<Vec<&'static str>, ChannelError> {
        let url = self.messaging_url(order_id, "")?;
        let mp = self.account.marketplace_id.as_str();
        let a = self.call(|c, _| c.get(&url).query(&[("marketplaceIds", mp)])).await?;
        Ok(actions_of(&a.json::<Value>()?))
    }

    /// The buyer's preferred language (e.g. `de-DE`), when Amazon says.
    pub async fn buyer_locale(&self, order_id: &str) -> Result<Option<String>, ChannelError> {
        let url = self.messaging_url(order_id, "/attributes")?;
        let mp = self.account.marketplace_id.as_str();
        let a = self.call(|c, _| c.get(&url).query(&[("marketplaceIds", mp)])).await?;
        let body: Value = a.json()?;
        Ok(body.pointer("/buyer/locale").and_then(Value::as_str).filter(|l| !l.is_empty()).map(str::to_string))
    }

    /// Uploads a document for a message of `kind` about the order (Uploads
    /// API 2020-11-01: a destination for that message's resource, then the
    /// file to the storage URL it names, checked by its MD5). Returns the
    /// destination's id, which the message then names.
    pub async fn upload_document(
        &self,
        order_id: &str,
        kind: &str,
        doc: &MessagingDocument,
    ) -> Result<String, ChannelError> {
        use base64::Engine as _;
        use md5::Digest as _;
        // the resource is the message's own path, without its leading slash
        self.messaging_url(order_id, "")?;
        let resource = format!("messaging/v1/orders/{}/messages/{kind}", percent(order_id));
        let url =
            format!("{}/uploads/2020-11-01/uploadDestinations/{resource}", self.account.endpoint.trim_end_matches('/'));
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&doc.bytes));
        let mp = self.account.marketplace_id.as_str();
        let a = self
            .call(|c, _| {
                c.post(&url).query(&[
                    ("marketplaceIds", mp),
                    ("contentMD5", md5.as_str()),
                    ("contentType", &doc.content_type),
                ])
            })
            .await?;
        let body: Value = a.json()?;
        let dest = body.get("payload").ok_or_else(|| ChannelError::BadResponse("no upload destination".into()))?;
        let id = dest["uploadDestinationId"].as_str().filter(|s| !s.is_empty());
        let target = dest["url"].as_str().and_then(|u| reqwest::Url::parse(u).ok());
        let (Some(id), Some(target)) = (id, target) else {
            return Err(ChannelError::BadResponse("an upload destination without its id or URL".into()));
        };
        // storage, not the SP-API: https only; plain http only when the SP-API endpoint
        // itself is on this machine (the tests' fake), and then only to this machine
        let loopback = |u: &reqwest::Url| u.host_str().is_some_and(crate::mailbox::is_loopback);
        let local_endpoint = reqwest::Url::parse(&self.account.endpoint).is_ok_and(|u| loopback(&u));
        if target.scheme() != "https" && !(target.scheme() == "http" && local_endpoint && loopback(&target)) {
            return Err(ChannelError::BadResponse("an upload destination that is not https".into()));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in dest["headers"].as_object().into_iter().flatten() {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes());
            let value = v.as_str().and_then(|v| reqwest::header::HeaderValue::from_str(v).ok());
            // never anything that would carry a credential to the storage host
            if let (Ok(name), Some(value)) = (name, value) {
                // nor framing or hop-by-hop headers, which are the client's to set
                let framing = matches!(
                    name.as_str(),
                    "content-length"
                        | "transfer-encoding"
                        | "expect"
                        | "connection"
                        | "keep-alive"
                        | "upgrade"
                        | "te"
                        | "trailer"
                ) || name.as_str().starts_with("proxy-");
                if !framing && !matches!(name.as_str(), "authorization" | "x-amz-access-token" | "cookie" | "host") {
                    headers.insert(name, value);
                }
            }
        }
        if !headers.contains_key("content-md5") {
            headers.insert(
                "content-md5",
                reqwest::header::HeaderValue::from_str(&md5).map_err(|e| ChannelError::BadResponse(e.to_string()))?,
            );
        }
        // the Content-Type the destination was made for
        if let Ok(v) = reqwest::header::HeaderValue::from_str(&doc.content_type) {
            headers.insert(reqwest::header::CONTENT_TYPE, v);
        }
        // one attempt (the outbox retries, counted), with time for the whole file even on a
        // slow line: a minute plus a second for every 64 KiB
        let limit = std::time::Duration::from_secs(60 + (doc.bytes.len() as u64 >> 16));
        let put = self
            .http
            .client()
            .put(target)
            .headers(headers)
            .timeout(limit)
            .body(doc.bytes.clone())
            .send()
            .await
            .map_err(|e| {
            let what = if e.is_connect() { "cannot reach the upload storage" } else { "the upload was cut off" };
            ChannelError::Unavailable(what.into())
        })?;
        let status = put.status();
        if !status.is_success() {
            let text: String = put.text().await.unwrap_or_default().chars().take(200).collect();
            return Err(if status.is_server_error() {
                ChannelError::Unavailable(format!("upload storage answered {status}"))
            } else {
                ChannelError::Rejected(format!("upload refused ({status}): {text}"))
            });
        }
        Ok(id.to_string())
    }

    /// Sends a message of a document kind naming a file uploaded for it
    /// ([`Self::upload_document`]), once.
    pub async fn send_document_message(
        &self,
        order_id: &str,
        kind_name: &str,
        upload_id: &str,
        file_name: &str,
    ) -> Result<(), ChannelError> {
        let k = kind(kind_name)
            .filter(|k| k.needs_document)
            .ok_or(ChannelError::Missing { what: "message-kind", subject: kind_name.chars().take(40).collect() })?;
        let body = serde_json::json!({ "attachments": [{ "uploadDestinationId": upload_id, "fileName": file_name }] });
        let url = self.messaging_url(order_id, &format!("/messages/{}", k.name))?;
        let mp = self.account.marketplace_id.as_str();
        self.call_once(|c, _| c.post(&url).query(&[("marketplaceIds", mp)]).json(&body)).await.map(|_| ())
    }

    /// Sends one message of `kind` about the order, once.
    pub async fn send_messaging(&self, order_id: &str, kind_name: &str, m: &MessagingSend) -> Result<(), ChannelError> {
        let k = kind(kind_name)
            .ok_or(ChannelError::Missing { what: "message-kind", subject: kind_name.chars().take(40).collect() })?;
        let body = if k.needs_document {
            let Some(doc) = &m.document else {
                return Err(ChannelError::Missing { what: "message-document", subject: k.name.into() });
            };
            let id = self.upload_document(order_id, k.name, doc).await?;
            return self.send_document_message(order_id, k.name, &id, &doc.file_name).await;
        } else if k.max_text > 0 {
            let n = m.text.chars().count();
            if n == 0 || n > k.max_text {
                return Err(ChannelError::Rejected(format!(
                    "text of {n} characters; {} allows 1 to {}",
                    k.name, k.max_text
                )));
            }
            serde_json::json!({ "text": m.text })
        } else {
            match &m.coverage {
                Some((from, to)) => serde_json::json!({ "coverageStartDate": from, "coverageEndDate": to }),
                None => serde_json::json!({}),
            }
        };
        let url = self.messaging_url(order_id, &format!("/messages/{}", k.name))?;
        let mp = self.account.marketplace_id.as_str();
        self.call_once(|c, _| c.post(&url).query(&[("marketplaceIds", mp)]).json(&body)).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_known_to_the_model_in_display_order() {
        let body = serde_json::json!({"_links": {"actions": [
            {"href": "/messaging/v1/orders/1/messages/warranty?marketplaceIds=X", "name": "warranty"},
            {"href": "/messaging/v1/orders/1/messages/negativeFeedbackRemoval?marketplaceIds=X", "name": "negativeFeedbackRemoval"},
            {"href": "/messaging/v1/orders/1/attributes?marketplaceIds=X", "name": "attributes"},
            {"href": "/messaging/v1/orders/1/messages/confirmDeliveryDetails?marketplaceIds=X"}
        ], "self": {"href": "/x"}}});
        assert_eq!(actions_of(&body), vec!["confirmDeliveryDetails", "warranty"]);
        assert!(actions_of(&serde_json::json!({})).is_empty());
    }

    #[test]
    fn order_ids_other_than_3_7_7_digits_are_refused() {
        assert!(order_id_ok("302-1234567-7654321"));
        for bad in [
            "302-1234567-765432",
            "302-1234567-7654321/../x",
            "../../x",
            "",
            "abc-defghij-klmnopq",
            "302-1234567-７654321",
        ] {
            assert!(!order_id_ok(bad), "{bad}");
        }
    }
}
