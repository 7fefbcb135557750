//! The support inbox's rules, pure: which order a buyer's message is
//! about, how mail threads hang together, when a reply is due, and what a
//! reply to a marketplace buyer must not contain. Connectors, the store and
//! the engine's mail and chat loops build on these.

use regex::Regex;
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};

/// An order number found in a message, by the shape the channel gives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderRef {
    /// Amazon's 3-7-7 digits (`303-1234567-7654321`).
    Amazon(String),
    /// Shopify's `#1001` (the number without `#`).
    Shopify(String),
    /// A store's plain order number after a word for "order" (WooCommerce
    /// `Order #123`, `Bestellung 123`, `订单号：123`).
    Number(String),
}

impl OrderRef {
    /// The number as the channel writes it (Shopify's with its `#`).
    pub fn text(&self) -> String {
        match self {
            OrderRef::Amazon(n) | OrderRef::Number(n) => n.clone(),
            OrderRef::Shopify(n) => format!("#{n}"),
        }
    }
}

static AMAZON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^0-9-])(\d{3}-\d{7}-\d{7})(?:$|[^0-9-])").unwrap());
static SHOPIFY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[^&\w])#(\d{3,10})(?:$|\D)").unwrap());
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:order|bestellung|commande|pedido|ordine|zamówienie|订单|訂單|注文)\s*(?:no\.?|nr\.?|number|nummer|num[eé]ro|n[º°o]\.?|编号|号|番号)?\s*[:：]?\s*#?\s*(\d{2,12})(?:$|\D)",
    )
    .unwrap()
});

/// Order numbers in `text` (a subject or a body), in the order they appear,
/// each once. A 3-7-7 number is Amazon's, `#1001` Shopify's, a number after
/// a word for "order" a store's.
pub fn order_refs(text: &str) -> Vec<OrderRef> {
    let mut found: Vec<(usize, OrderRef)> = vec![];
    for c in AMAZON.captures_iter(text) {
        if let Some(m) = c.get(1) {
            found.push((m.start(), OrderRef::Amazon(m.as_str().to_string())));
        }
    }
    for c in SHOPIFY.captures_iter(text) {
        if let Some(m) = c.get(1) {
            found.push((m.start(), OrderRef::Shopify(m.as_str().to_string())));
        }
    }
    for c in NUMBERED.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let n = m.as_str().to_string();
            // `Order #1001` is Shopify's shape already found; a 3-7-7's first group is not a number
            let taken = found.iter().any(|(at, r)| match r {
                OrderRef::Shopify(s) => *s == n,
                OrderRef::Amazon(a) => m.start() >= *at && m.start() < at + a.len(),
                OrderRef::Number(_) => false,
            });
            if !taken {
                found.push((m.start(), OrderRef::Number(n)));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<OrderRef> = vec![];
    for (_, r) in found {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The message ids in a `Message-ID`, `In-Reply-To` or `References` header
/// (`<a@b> <c@d>`), in header order, each without its angle brackets.
pub fn message_ids(header: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let Some(len) = rest[open + 1..].find('>') else { break };
        let id = rest[open + 1..open + 1 + len].trim();
        if !id.is_empty() && !id.contains(char::is_whitespace) && !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
        rest = &rest[open + 1 + len + 1..];
    }
    out
}

/// The messages a mail answers, nearest first: `In-Reply-To`, then
/// `References` from the last (the parent) to the first (the thread's root).
/// The thread is the first of these already known.
pub fn parents(in_reply_to: &str, references: &str) -> Vec<String> {
    let mut out = message_ids(in_reply_to);
    for id in message_ids(references).into_iter().rev() {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

static REPLY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|rif|tr|回复|回覆|答复|转发|轉寄|转寄|返信|転送)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*")
        .unwrap()
});

/// A subject without its reply and forward prefixes, in the languages
/// buyers write (`Re: AW: 回复：Where is my order?` -> `Where is my order?`),
/// whitespace collapsed: threads mail whose client dropped the headers.
pub fn thread_subject(subject: &str) -> String {
    let mut s = subject.trim();
    // bounded: a hostile subject of a million prefixes is cut after 100
    for _ in 0..100 {
        match REPLY_PREFIX.find(s) {
            Some(m) if m.start() == 0 && m.end() > 0 => s = &s[m.end()..],
            _ => break,
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How long a channel gives a seller to answer a buyer, or `None` where it
/// sets no clock: Amazon 24 h and Shopee 12 h on the calendar clock
/// (weekends and holidays included), TikTok Shop 24 h in the US and 12 h
/// elsewhere, eBay none for messages; the seller's own setting for an own
/// store or mailbox (`own_hours`).
pub fn reply_window(channel_kind: &str, market: &str, own_hours: Option<i64>) -> Option<Duration> {
    match channel_kind {
        "amazon" => Some(Duration::hours(24)),
        "shopee" => Some(Duration::hours(12)),
        "tiktok" if market.eq_ignore_ascii_case("US") => Some(Duration::hours(24)),
        "tiktok" => Some(Duration::hours(12)),
        "ebay" => None,
        _ => own_hours.filter(|h| *h > 0).map(Duration::hours),
    }
}

/// Where a conversation stands against its reply clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyState {
    /// Closed by the seller without an answer ("no reply needed").
    Closed,
    /// The last buyer message has been answered.
    Answered,
    /// Waiting for a reply, on a channel without a clock.
    Waiting,
    /// Waiting; due at this time.
    Due(OffsetDateTime),
    /// Waiting; due within the last quarter of the window.
    DueSoon(OffsetDateTime),
    /// Not answered in time; it was due at this time.
    Overdue(OffsetDateTime),
}

impl ReplyState {
    /// The state's name for the UI (`reply-state-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            ReplyState::Closed => "closed",
            ReplyState::Answered => "answered",
            ReplyState::Waiting => "waiting",
            ReplyState::Due(_) => "due",
            ReplyState::DueSoon(_) => "due-soon",
            ReplyState::Overdue(_) => "overdue",
        }
    }

    /// Needs the seller: waiting, due, due soon or overdue.
    pub fn needs_reply(&self) -> bool {
        !matches!(self, ReplyState::Closed | ReplyState::Answered)
    }
}

/// The reply clock of a conversation at `now`. `last_buyer_at` is the
/// buyer's latest message, `last_reply_at` the seller's latest real reply
/// (an auto-reply does not stop a marketplace's clock: pass only replies a
/// person sent), `closed_at` when the seller marked it "no reply needed".
pub fn reply_state(
    last_buyer_at: OffsetDateTime,
    last_reply_at: Option<OffsetDateTime>,
    closed_at: Option<OffsetDateTime>,
    window: Option<Duration>,
    now: OffsetDateTime,
) -> ReplyState {
    if last_reply_at.is_some_and(|r| r >= last_buyer_at) {
        return ReplyState::Answered;
    }
    if closed_at.is_some_and(|c| c >= last_buyer_at) {
        return ReplyState::Closed;
    }
    let Some(window) = window else { return ReplyState::Waiting };
    let due = last_buyer_at + window;
    if now >= due {
        ReplyState::Overdue(due)
    } else if due - now <= window / 4 {
        ReplyState::DueSoon(due)
    } else {
        ReplyState::Due(due)
    }
}

/// Something a reply to a marketplace buyer must not carry (the channels
/// penalise it): the text found and the rule (`reply-lint-<code>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintIssue {
    pub code: &'static str,
    pub text: String,
}

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>()]+|\b[a-z0-9][a-z0-9-]{0,62}\.(?:com|net|org|shop|store|io|co|de|uk|fr|jp|cn|com\.cn|co\.jp|co\.uk|me|link|ly)\b(?:/[^\s<>()]*)?").unwrap()
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").unwrap());
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\(?\d[\d\s().-]{6,22}\d").unwrap());
static MARKETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)coupon|discount code|promo code|special offer|visit our (?:store|shop|website)|our website|positive review|5[- ]star review|leave (?:us )?a review|gutschein|rabattcode|bewertung|code promo|avis positif|优惠券|折扣码|好评|五星|返现|クーポン|高評価",
    )
    .unwrap()
});

/// What in `text` a marketplace would not accept in a reply to its buyer:
/// links and web addresses, e-mail addresses, phone numbers, and marketing
/// or review requests. Order numbers and tracking numbers are not phone
/// numbers. Each finding once, in the order found.
pub fn lint_reply(text: &str) -> Vec<LintIssue> {
    let mut out: Vec<LintIssue> = vec![];
    let mut push = |code: &'static str, t: &str| {
        let t = t.trim().to_string();
        if !out.iter().any(|i| i.code == code && i.text == t) {
            out.push(LintIssue { code, text: t });
        }
    };
    let emails: Vec<(usize, usize)> = EMAIL.find_iter(text).map(|m| (m.start(), m.end())).collect();
    for m in EMAIL.find_iter(text) {
        push("email", m.as_str());
    }
    for m in LINK.find_iter(text) {
        // the domain of an e-mail address is not a link of its own
        if !emails.iter().any(|(a, b)| m.start() >= *a && m.end() <= *b) {
            push("link", m.as_str());
        }
    }
    let orders: Vec<String> = order_refs(text).iter().map(OrderRef::text).collect();
    for m in PHONE.find_iter(text) {
        let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
        let is_order = orders.iter().any(|o| m.as_str().contains(o.trim_start_matches('#')));
        let inside_email = emails.iter().any(|(a, b)| m.start() >= *a && m.end() <= *b);
        // part of a longer token (a tracking number such as 1Z999AA10123456784) is not a phone
        let glued = text[..m.start()].chars().next_back().is_some_and(char::is_alphanumeric)
            || text[m.end()..].chars().next().is_some_and(char::is_alphanumeric);
        if (8..=15).contains(&digits) && !is_order && !inside_email && !glued {
            push("phone", m.as_str());
        }
    }
    for m in MARKETING.find_iter(text) {
        push("marketing", m.as_str());
    }
    out
}

/// The variables a reply template may use (`{buyer_name}` ...).
pub const TEMPLATE_VARIABLES: &[&str] = &[
    "buyer_name",
    "order_number",
    "items",
    "tracking_number",
    "carrier",
    "tracking_link",
    "estimated_delivery",
    "return_address",
];

/// A canned reply in one language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    pub name: String,
    /// BCP 47 (`de-DE`).
    pub lang: String,
    pub body: String,
}

/// The template to answer in `lang`: the same tag, else the same language
/// (`de-AT` for `de-DE`), else English, else the first.
pub fn pick_template<'a>(templates: &'a [Template], lang: &str) -> Option<&'a Template> {
    let primary = |t: &str| t.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    templates
        .iter()
        .find(|t| t.lang.eq_ignore_ascii_case(lang))
        .or_else(|| templates.iter().find(|t| primary(&t.lang) == primary(lang)))
        .or_else(|| templates.iter().find(|t| primary(&t.lang) == "en"))
        .or_else(|| templates.first())
}

/// Fills a template's `{variable}`s from `values` (`{{` and `}}` are
/// braces). An unknown variable, a value this conversation lacks, or an
/// unclosed brace is an error naming it: a reply never goes out with a hole.
pub fn render_template(
    body: &str,
    values: &std::collections::BTreeMap<&str, String>,
) -> Result<String, crate::ErrorPayload> {
    use crate::{ErrorCode, ErrorPayload};
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().is_some_and(|(_, n)| *n == '}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let rest = &body[at + 1..];
                let Some(end) = rest.find('}') else {
                    return Err(
                        ErrorPayload::new(ErrorCode::TemplateUnclosed).arg("at", body[..at].chars().count() + 1)
                    );
                };
                let name = rest[..end].trim();
                if !TEMPLATE_VARIABLES.contains(&name) {
                    return Err(ErrorPayload::new(ErrorCode::TemplateUnknownVariable)
                        .arg("name", name)
                        .arg("known", TEMPLATE_VARIABLES.join(", ")));
                }
                match values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                    Some(v) => out.push_str(v),
                    None => return Err(ErrorPayload::new(ErrorCode::TemplateMissingValue).arg("name", name)),
                }
                // skip to the closing brace
                while let Some((i, _)) = chars.peek() {
                    if *i > at + end + 1 {
                        break;
                    }
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Checks a template's syntax without a conversation: every `{variable}`
/// known and every brace closed (the values come when it is used).
pub fn check_template(body: &str) -> Result<(), crate::ErrorPayload> {
    let all = TEMPLATE_VARIABLES.iter().map(|v| (*v, "x".to_string())).collect();
    render_template(body, &all).map(|_| ())
}

/// The language to answer a buyer in: the language detected in what they
/// wrote when the text says so reliably, else the market's (`market_lang`,
/// e.g. `de-DE`): short texts ("Hello") are not evidence.
pub fn reply_language(text: &str, market_lang: &str) -> String {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let cjk = text.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF));
    if letters < if cjk { 4 } else { 20 } {
        return market_lang.to_string();
    }
    let Some(info) = whatlang::detect(text) else { return market_lang.to_string() };
    if !info.is_reliable() {
        return market_lang.to_string();
    }
    let primary = |t: &str| t.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    let tag = match info.lang().code() {
        "cmn" => "zh-CN",
        "jpn" => "ja-JP",
        "kor" => "ko-KR",
        "eng" => "en-US",
        "deu" => "de-DE",
        "fra" => "fr-FR",
        "spa" => "es-ES",
        "ita" => "it-IT",
        "por" => "pt-BR",
        "nld" => "nl-NL",
        "pol" => "pl-PL",
        "swe" => "sv-SE",
        "tur" => "tr-TR",
        "rus" => "ru-RU",
        "tha" => "th-TH",
        "vie" => "vi-VN",
        "ind" => "id-ID",
        "msa" | "zlm" => "ms-MY",
        "ara" => "ar-SA",
        _ => return market_lang.to_string(),
    };
    // the market's own tag when it is the same language (de-AT stays de-AT), or
    // one a detector cannot tell from it on a short text (Indonesian and Malay)
    let close = |a: &str, b: &str| matches!((a, b), ("id", "ms") | ("ms", "id"));
    if primary(tag) == primary(market_lang) || close(&primary(tag), &primary(market_lang)) {
        market_lang.to_string()
    } else {
        tag.to_string()
    }
}

// ---- attachments and links: untrusted names and targets ----

/// A buyer's file name made safe to write in the profile and to show: no
/// folder parts, no control or bidirectional-override characters (which
/// make `invoice\u{202e}fdp.exe` look like `invoiceexe.pdf`), no name
/// Windows reserves, not hidden, at most 120 characters, its extension kept.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut clean: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(*c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        })
        .map(|c| if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    clean = clean.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).to_string();
    let stem = clean.split('.').next().unwrap_or_default().trim_end().to_uppercase();
    let device = |p: &str| {
        stem.strip_prefix(p).is_some_and(|n| {
            n.chars().count() == 1 && n.chars().all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
        })
    };
    let reserved =
        matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") || device("COM") || device("LPT");
    if reserved {
        clean = format!("_{clean}");
    }
    if clean.is_empty() {
        clean = "attachment".into();
    }
    if clean.chars().count() > 120 {
        let ext: String = clean.rsplit_once('.').map(|(_, e)| e.chars().take(10).collect()).unwrap_or_default();
        let keep: String = clean.chars().take(108).collect();
        clean = if ext.is_empty() { keep } else { format!("{keep}.{ext}") };
    }
    clean
}

/// Whether a file of this name and type could run code when opened:
/// anything but a picture, a sound or video, or a common document known
/// not to carry macros (an allow-list: archives, installers, scripts,
/// shortcuts, macro and legacy Office files, web pages, unknown types all
/// count). Mercator hands only the others to the OS to open; these it only
/// shows in their folder.
pub fn runs_code(name: &str, content_type: &str) -> bool {
    const HARMLESS: &[&str] = &[
        "pdf", "png", "jpg", "jpeg", "gif", "webp", "bmp", "heic", "heif", "tif", "tiff", "avif", "txt", "csv", "tsv",
        "docx", "xlsx", "pptx", "odt", "ods", "odp", "mp4", "mov", "webm", "m4v", "mp3", "m4a", "wav", "ogg",
    ];
    // a type that says code, whatever the name says
    const CODE_TYPES: &[&str] = &[
        "application/x-",
        "application/javascript",
        "text/javascript",
        "application/java",
        "application/hta",
        "text/html",
        "application/xhtml",
        "image/svg",
        "application/vnd.microsoft.portable-executable",
        "text/x-",
        "application/vnd.ms-office.",
        "application/vnd.ms-excel.sheet.macro",
        "application/vnd.ms-word.document.macro",
        "application/vnd.ms-powerpoint.presentation.macro",
    ];
    let name = safe_file_name(name).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e.trim()).unwrap_or_default();
    let ctype = content_type.trim().to_ascii_lowercase();
    !HARMLESS.contains(&ext) || CODE_TYPES.iter().any(|t| ctype.starts_with(t))
}

/// The host a link's text names, where the text looks like an address
/// (`https://sellercentral.amazon.de/`, `www.amazon.de`): a link whose text
/// names another host than its target is told as such.
pub fn host_named_by(text: &str) -> Option<String> {
    let t = text.trim().trim_end_matches(['/', '.', ',', ')']);
    let rest = t.split_once("://").map_or(t, |(_, r)| r);
    let host = rest.split(['/', '?', '#', ' ']).next().unwrap_or_default().to_ascii_lowercase();
    let host = host.rsplit('@').next().unwrap_or_default().split(':').next().unwrap_or_default().to_string();
    let labels: Vec<&str> = host.split('.').collect();
    let looks = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|l| l.chars().all(char::is_alphabetic) && l.len() >= 2);
    looks.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Every state and lint code has its message in both locales (ids `reply-state-<code>`, `reply-lint-<code>`).
    #[test]
    fn every_code_has_a_message_in_both_locales() {
        let states = [
            ReplyState::Closed,
            ReplyState::Answered,
            ReplyState::Waiting,
            ReplyState::Due(OffsetDateTime::UNIX_EPOCH),
            ReplyState::DueSoon(OffsetDateTime::UNIX_EPOCH),
            ReplyState::Overdue(OffsetDateTime::UNIX_EPOCH),
        ];
        let lints = ["link", "email", "phone", "marketing"];
        for locale in ["en-US", "zh-CN"] {
            let path = format!("{}/../../locales/{locale}/app.ftl", env!("CARGO_MANIFEST_DIR"));
            let ftl = std::fs::read_to_string(path).unwrap();
            for s in &states {
                assert!(ftl.contains(&format!("\nreply-state-{} =", s.code())), "{locale}: {}", s.code());
            }
            for l in lints {
                assert!(ftl.contains(&format!("\nreply-lint-{l} =")), "{locale}: {l}");
            }
        }
        // and lint_reply uses only these codes
        let all = lint_reply("x https://a.example a@b.example +49 30 12345678 coupon");
        assert!(all.iter().all(|i| lints.contains(&i.code)), "{all:?}");
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn templates_fill_every_variable_or_say_which_is_missing() {
        use std::collections::BTreeMap;
        let mut v = BTreeMap::new();
        v.insert("buyer_name", "Anna".to_string());
        v.insert("order_number", "303-1234567-7654321".to_string());
        v.insert("tracking_number", "1Z999AA10123456784".to_string());
        let t = "Hallo {buyer_name}, Ihre Bestellung {order_number} ist unterwegs ({ tracking_number }). {{Danke}}";
        assert_eq!(
            render_template(t, &v).unwrap(),
            "Hallo Anna, Ihre Bestellung 303-1234567-7654321 ist unterwegs (1Z999AA10123456784). {Danke}"
        );
        let e = render_template("{estimated_delivery}", &v).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["name"].as_str()), ("template-missing-value", "estimated_delivery"));
        v.insert("carrier", "  ".into());
        assert_eq!(render_template("{carrier}", &v).unwrap_err().code, "template-missing-value", "blank is missing");
        let e = render_template("Hi {coupon_code}", &v).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["name"].as_str()), ("template-unknown-variable", "coupon_code"));
        let e = render_template("你好 {buyer_name", &v).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["at"].as_str()), ("template-unclosed", "4"));
        assert_eq!(render_template("您好 {buyer_name}，谢谢", &v).unwrap(), "您好 Anna，谢谢");
        // a value is text, not a template: braces in it are kept as they are
        v.insert("items", "Mug {blue}".into());
        assert_eq!(render_template("{items}", &v).unwrap(), "Mug {blue}");
        let ts = [
            Template { name: "shipped".into(), lang: "en-US".into(), body: "Shipped".into() },
            Template { name: "shipped".into(), lang: "de-AT".into(), body: "Versandt".into() },
            Template { name: "shipped".into(), lang: "zh-CN".into(), body: "已发货".into() },
        ];
        assert_eq!(pick_template(&ts, "de-DE").unwrap().body, "Versandt");
        assert_eq!(pick_template(&ts, "zh-CN").unwrap().body, "已发货");
        assert_eq!(pick_template(&ts, "ja-JP").unwrap().body, "Shipped");
        assert!(pick_template(&[], "ja-JP").is_none());
    }

    #[test]
    fn the_reply_language_is_the_buyers_when_the_text_says_so_else_the_markets() {
        assert_eq!(reply_language("Hello", "de-DE"), "de-DE", "too short to tell");
        assert_eq!(reply_language("", "ja-JP"), "ja-JP");
        assert_eq!(
            reply_language("Wo bleibt meine Bestellung? Ich warte schon seit zwei Wochen darauf.", "en-US"),
            "de-DE"
        );
        assert_eq!(
            reply_language("Wo bleibt meine Bestellung? Ich warte schon seit zwei Wochen darauf.", "de-AT"),
            "de-AT"
        );
        assert_eq!(reply_language("我的订单还没有到，请帮忙查一下物流信息", "en-US"), "zh-CN");
        assert_eq!(reply_language("注文した商品がまだ届いていません。確認してください。", "en-US"), "ja-JP");
        let english = "Hello, where is my order? I have been waiting for two weeks now and the tracking \
                       page has not changed since it left the warehouse. Could you please check it for me?";
        assert_eq!(reply_language(english, "de-DE"), "en-US");
    }

    #[test]
    fn order_numbers_of_every_shape_once_in_order() {
        let r = order_refs("Re: Your Amazon.de order 303-1234567-7654321 / #1004 and Bestellung Nr. 4711");
        assert_eq!(
            r,
            [
                OrderRef::Amazon("303-1234567-7654321".into()),
                OrderRef::Shopify("1004".into()),
                OrderRef::Number("4711".into())
            ]
        );
        assert_eq!(order_refs("订单号：20231105 还没到"), [OrderRef::Number("20231105".into())]);
        assert_eq!(order_refs("注文番号: 12345"), [OrderRef::Number("12345".into())]);
        assert_eq!(order_refs("Order #1001"), [OrderRef::Shopify("1001".into())], "once, as Shopify's");
        // not an order: longer digit runs, HTML entities, phone-like groups
        assert!(order_refs("1303-1234567-76543210 &#1234; call 555-1234567-12345678").is_empty());
        assert_eq!(order_refs("303-1234567-7654321 again 303-1234567-7654321").len(), 1);
    }

    #[test]
    fn threads_follow_headers_nearest_first_and_subjects_lose_their_prefixes() {
        assert_eq!(
            message_ids(" <a@x.example>\r\n\t<b@y.example> <a@x.example> <broken"),
            ["a@x.example", "b@y.example"]
        );
        assert_eq!(parents("<p@x>", "<root@x> <mid@x> <p@x>"), ["p@x", "mid@x", "root@x"]);
        assert!(parents("", "").is_empty());
        assert_eq!(thread_subject("Re: AW: 回复：RE[2]: Where   is my order?"), "Where is my order?");
        assert_eq!(thread_subject("Fwd: 転送: 返信：注文について"), "注文について");
        assert_eq!(thread_subject("Renewal of my order"), "Renewal of my order", "only whole prefixes");
        let hostile = "Re: ".repeat(200_000) + "x";
        assert!(thread_subject(&hostile).starts_with("Re:"), "bounded, not a million passes");
    }

    #[test]
    fn reply_clocks_per_channel_with_weekends_counted() {
        assert_eq!(reply_window("amazon", "DE", None), Some(Duration::hours(24)));
        assert_eq!(reply_window("shopee", "ID", Some(48)), Some(Duration::hours(12)), "the channel's rule wins");
        assert_eq!(reply_window("tiktok", "us", None), Some(Duration::hours(24)));
        assert_eq!(reply_window("tiktok", "TH", None), Some(Duration::hours(12)));
        assert_eq!(reply_window("ebay", "US", Some(24)), None);
        assert_eq!(reply_window("email", "", Some(36)), Some(Duration::hours(36)));
        assert_eq!(reply_window("woocommerce", "DE", None), None);
        // a Friday evening message on Amazon is due Saturday evening, not Monday
        let friday = datetime!(2026-12-04 18:00 UTC);
        let w = reply_window("amazon", "DE", None);
        assert_eq!(reply_state(friday, None, None, w, friday), ReplyState::Due(datetime!(2026-12-05 18:00 UTC)));
        assert!(matches!(reply_state(friday, None, None, w, datetime!(2026-12-05 13:00 UTC)), ReplyState::DueSoon(_)));
        assert_eq!(
            reply_state(friday, None, None, w, datetime!(2026-12-07 09:00 UTC)),
            ReplyState::Overdue(datetime!(2026-12-05 18:00 UTC))
        );
        // answered, or closed, after the buyer's latest message; a newer buyer message reopens it
        let later = datetime!(2026-12-04 19:00 UTC);
        assert_eq!(reply_state(friday, Some(later), None, w, later), ReplyState::Answered);
        assert_eq!(reply_state(friday, None, Some(later), w, later), ReplyState::Closed);
        assert!(reply_state(later, Some(friday), Some(friday), w, later).needs_reply());
        assert_eq!(reply_state(friday, None, None, None, later), ReplyState::Waiting);
    }

    #[test]
    fn replies_to_marketplace_buyers_carry_no_links_addresses_phones_or_marketing() {
        let codes = |t: &str| lint_reply(t).into_iter().map(|i| i.code).collect::<Vec<_>>();
        assert!(codes("Your order 303-1234567-7654321 ships today; tracking 1Z999AA10123456784.").is_empty());
        assert!(codes("Tracking: 9400 1000 0000 0000 0000 00 (USPS)").is_empty(), "22 digits are not a phone");
        assert!(codes("您的订单 #1004 已发货，感谢您的耐心。").is_empty());
        assert_eq!(codes("See https://shop.example/help or www.example.com"), ["link", "link"]);
        assert_eq!(codes("visit example.de/faq"), ["link"]);
        assert_eq!(codes("write to help@shop.example.com"), ["email"]);
        assert_eq!(codes("Call +49 (30) 1234-5678"), ["phone"]);
        assert_eq!(codes("请给我们五星好评，送您优惠券"), ["marketing", "marketing", "marketing"]);
        assert_eq!(codes("Here is a coupon for your next order"), ["marketing"]);
        let i = lint_reply("mail me: a.b@c.io, a.b@c.io");
        assert_eq!(i.len(), 1, "each finding once: {i:?}");
        // hostile size: a megabyte is linted in one pass, each finding reported once
        assert!(lint_reply(&"ship soon ".repeat(100_000)).is_empty());
        let big = "1.".repeat(500_000);
        let found = lint_reply(&big);
        assert!(
            found.iter().all(|i| i.code == "phone") && found.len() < 20,
            "a few distinct findings: {}",
            found.len()
        );
    }

    #[test]
    fn an_indonesian_buyer_is_answered_in_indonesian_whatever_the_detector_says() {
        for text in
            ["Halo kak, kapan pesanan 241201000000SG saya dikirim?", "Terima kasih, barang sudah sampai dengan selamat"]
        {
            assert_eq!(reply_language(text, "id-ID"), "id-ID", "{text}");
        }
        assert_eq!(reply_language("Terima kasih, barang sudah sampai dengan selamat", "ms-MY"), "ms-MY");
    }

    #[test]
    fn file_names_from_buyers_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Windows\\evil.dll"), "evil.dll");
        // a right-to-left override hides ".exe": removed, the real extension shows
        assert_eq!(safe_file_name("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert!(runs_code("invoice\u{202e}fdp.exe", "application/pdf"));
        assert_eq!(safe_file_name("CON.txt"), "_CON.txt");
        assert_eq!(safe_file_name("com1"), "_com1");
        assert_eq!(safe_file_name("NUL .txt"), "_NUL .txt");
        assert_eq!(safe_file_name("conout$"), "_conout$");
        assert_eq!(safe_file_name("LPT¹.log"), "_LPT¹.log");
        assert_eq!(safe_file_name("COM10.txt"), "COM10.txt");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("a\u{0}b\r\n.pdf"), "ab.pdf");
        assert_eq!(safe_file_name("   "), "attachment");
        assert_eq!(safe_file_name("report. "), "report");
        assert_eq!(safe_file_name("照片 1.jpg"), "照片 1.jpg");
        let long = format!("{}.pdf", "长".repeat(300));
        let safe = safe_file_name(&long);
        assert_eq!(safe.chars().count(), 112);
        assert_eq!(safe.rsplit_once('.').map(|(_, e)| e), Some("pdf"));
    }

    #[test]
    fn files_that_run_code_are_told_by_name_and_type() {
        for n in [
            "setup.EXE",
            "x.js",
            "a.lnk",
            "b.desktop",
            "c.AppImage",
            "d.html",
            "e.svg",
            "f.xlsm",
            "g.sh",
            "h.scr",
            "archive.zip",
            "a.terminal",
            "b.doc",
            "c.iqy",
            "d.fileloc",
            "e.mobileconfig",
            "无扩展名",
            "label.zpl",
            "report.pdf.exe",
            "x.pdf .exe",
        ] {
            assert!(runs_code(n, "application/octet-stream"), "{n}");
        }
        assert!(runs_code("photo.png", "text/html; charset=utf-8"), "an HTML part named like an image");
        assert!(runs_code("data.xlsx", "application/vnd.ms-excel.sheet.macroEnabled.12"), "a macro workbook renamed");
        for n in ["photo.JPG", "invoice.pdf", "list.xlsx", "notes.txt", "照片.png", "clip.mp4", "report.pdf."] {
            assert!(!runs_code(n, "application/pdf"), "{n}");
        }
    }

    #[test]
    fn the_host_a_link_text_names() {
        assert_eq!(host_named_by("https://sellercentral.amazon.de/orders").as_deref(), Some("sellercentral.amazon.de"));
        assert_eq!(host_named_by("www.Amazon.de").as_deref(), Some("www.amazon.de"));
        assert_eq!(host_named_by("https://user@evil.test:8080/x").as_deref(), Some("evil.test"));
        assert_eq!(host_named_by("Click here"), None);
        assert_eq!(host_named_by("Version 1.2"), None);
    }
}
