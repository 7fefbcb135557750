//! Shopee seller chat (Open Platform v2 `sellerchat.*`): conversations
//! newest first, their messages, a text sent to a buyer, read state.
//! Shopee opens the module only to approved apps: a shop whose app lacks it
//! answers every call with a permission error, which is
//! `ChannelError::Missing { what: "chat-permission" }` here (a state to
//! show, not a failure to retry). Ids are kept as text end to end: buyer
//! ids exceed 2^53.

use super::{number_text, s, Shopee};
use crate::model::ChannelError;
use serde_json::{json, Value};

pub(super) const PREFIX: &str = "/api/v2/sellerchat/";
const CONVERSATIONS: &str = "/api/v2/sellerchat/get_conversation_list";
const MESSAGES: &str = "/api/v2/sellerchat/get_message";
const SEND: &str = "/api/v2/sellerchat/send_message";
const READ: &str = "/api/v2/sellerchat/read_conversation";

/// The longest text Shopee's chat takes.
pub const MAX_TEXT: usize = 600;

/// One conversation of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatConversation {
    pub id: String,
    /// The buyer's user id (the `to_id` a reply goes to).
    pub buyer_id: String,
    pub buyer_name: String,
    pub unread: i64,
    /// Its newest message's time, nanoseconds since 1970.
    pub last_nanos: i64,
    pub latest_message_id: String,
}

/// One page of conversations; `next` continues below its oldest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationPage {
    pub conversations: Vec<ChatConversation>,
    pub next: Option<String>,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub id: String,
    pub conversation_id: String,
    /// Sent by the shop (the seller or its auto-reply), not the buyer.
    pub from_shop: bool,
    /// `text`, `image`, `sticker`, `order`, `item` ...
    pub kind: String,
    /// The text; for other kinds what can be shown of them (a link, an order number).
    pub text: String,
    /// Seconds since 1970.
    pub created_s: i64,
    /// An order the message is about (an order card, or the order it was sent from).
    pub order_sn: Option<String>,
    /// Shopee's status (`normal`, `auto_reply`, `offwork_autoreply` ...).
    pub status: String,
}

/// One page of a conversation's messages, newest first; `next` continues older.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessagePage {
    pub messages: Vec<ChatMessage>,
    pub next: Option<String>,
}

fn id_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(t)) => t.clone(),
        other => number_text(other),
    }
}

fn int(v: Option<&Value>) -> i64 {
    id_text(v).parse().unwrap_or(0)
}

pub fn conversation_of(v: &Value) -> ChatConversation {
    ChatConversation {
        id: id_text(v.get("conversation_id")),
        buyer_id: id_text(v.get("to_id")),
        buyer_name: s(v, "/to_name"),
        unread: int(v.get("unread_count")),
        last_nanos: int(v.get("last_message_timestamp")),
        latest_message_id: id_text(v.get("latest_message_id")),
    }
}

pub fn message_of(v: &Value, shop_id: i64) -> ChatMessage {
    let kind = s(v, "/message_type");
    let c = v.get("content").cloned().unwrap_or(Value::Null);
    let text = match kind.as_str() {
        "text" => s(&c, "/text"),
        "order" => s(&c, "/order_sn"),
        "image" | "video" => s(&c, "/url"),
        _ => s(&c, "/text"),
    };
    let order = [s(&c, "/order_sn"), s(v, "/source_content/order_sn")].into_iter().find(|o| !o.is_empty());
    ChatMessage {
        id: id_text(v.get("message_id")),
        conversation_id: id_text(v.get("conversation_id")),
        from_shop: int(v.get("from_shop_id")) == shop_id,
        kind,
        text,
        created_s: int(v.get("created_timestamp")),
        order_sn: order,
        status: s(v, "/status"),
    }
}

impl Shopee {
    /// Conversations, newest first, 25 a page.
    pub async fn chat_conversations(&self, next: Option<&str>) -> Result<ConversationPage, ChannelError> {
        let mut q =
            vec![("direction", "latest".to_string()), ("type", "all".to_string()), ("page_size", "25".to_string())];
        if let Some(n) = next {
            q[0].1 = "older".into();
            q.push(("next_timestamp_nano", n.to_string()));
        }
        let v = self.call(true, CONVERSATIONS, &q, None).await?;
        let conversations: Vec<ChatConversation> = v
            .pointer("/response/conversations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(conversation_of)
            .filter(|c| !c.id.is_empty())
            .collect();
        let more = v.pointer("/response/page_result/more").and_then(Value::as_bool).unwrap_or(false);
        let cursor = id_text(v.pointer("/response/page_result/next_cursor/next_message_time_nano"));
        let next = (more && !cursor.is_empty() && !conversations.is_empty()).then_some(cursor);
        Ok(ConversationPage { conversations, next })
    }

    /// A conversation's messages, newest first, 25 a page.
    pub async fn chat_messages(
        &self,
        conversation_id: &str,
        offset: Option<&str>,
    ) -> Result<MessagePage, ChannelError> {
        let q = vec![
            ("conversation_id", conversation_id.to_string()),
            ("offset", offset.unwrap_or_default().to_string()),
            ("page_size", "25".to_string()),
        ];
        let v = self.call(true, MESSAGES, &q, None).await?;
        let shop = self.account.shop_id;
        let messages = v
            .pointer("/response/messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|m| message_of(m, shop))
            .filter(|m| !m.id.is_empty())
            .collect();
        let next = Some(s(&v, "/response/page_result/next_offset")).filter(|n| !n.is_empty());
        Ok(MessagePage { messages, next })
    }

    /// Sends a text to the buyer `buyer_id`, once (no retry once it may have
    /// arrived). Returns Shopee's message id.
    pub async fn send_chat(&self, buyer_id: &str, text: &str) -> Result<String, ChannelError> {
        let n = text.chars().count();
        if n == 0 || n > MAX_TEXT {
            return Err(ChannelError::Rejected(format!("a chat text of {n} characters; Shopee takes 1 to {MAX_TEXT}")));
        }
        if buyer_id.is_empty() || !buyer_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChannelError::Missing { what: "order-id", subject: buyer_id.chars().take(40).collect() });
        }
        // the id as a bare JSON number, written as text (never through a float)
        let body = format!(r#"{{"to_id":{buyer_id},"message_type":"text","content":{{"text":{}}}}}"#, json!(text));
        let v = self.call_mode(false, SEND, &[], Some(&body), true).await?;
        Ok(id_text(v.pointer("/response/message_id")))
    }

    /// Marks a conversation read up to a message.
    pub async fn chat_read(&self, conversation_id: &str, last_message_id: &str) -> Result<(), ChannelError> {
        if !conversation_id.bytes().all(|b| b.is_ascii_digit()) || conversation_id.is_empty() {
            return Err(ChannelError::Missing {
                what: "order-id",
                subject: conversation_id.chars().take(40).collect(),
            });
        }
        let body =
            format!(r#"{{"conversation_id":{conversation_id},"last_read_message_id":{}}}"#, json!(last_message_id));
        self.call(false, READ, &[], Some(&body)).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_beyond_2_53_stay_exact_and_order_cards_are_found() {
        let v: Value = serde_json::from_str(
            r#"{"message_id":"7000000000000000001","message_type":"order","from_id":4224948255757271305,"from_shop_id":0,
                "conversation_id":"160000000000000001","created_timestamp":1615260187,"content":{"order_sn":"2412051ABCDEF"},"status":"normal"}"#,
        )
        .unwrap();
        let m = message_of(&v, 14_701_711);
        assert_eq!(
            (m.id.as_str(), m.from_shop, m.order_sn.as_deref()),
            ("7000000000000000001", false, Some("2412051ABCDEF"))
        );
        let c: Value = serde_json::from_str(
            r#"{"conversation_id":"160000000000000001","to_id":4224948255757271305,"to_name":"lim_88","unread_count":2,
                "last_message_timestamp":1765100000123456789,"latest_message_id":"7000000000000000001"}"#,
        )
        .unwrap();
        let c = conversation_of(&c);
        assert_eq!(c.buyer_id, "4224948255757271305");
        assert_eq!(c.last_nanos, 1_765_100_000_123_456_789);
    }
}
