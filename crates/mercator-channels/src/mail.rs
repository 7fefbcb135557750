//! Buyer mail as it arrives (Amazon's relayed buyer messages, store
//! contact forms): MIME in every charset buyers write, read into one
//! [`Mail`] whose texts are safe to show. Hostile input by design: the size
//! is checked before parsing, HTML is cleaned to a short list of harmless
//! tags (no script, style, event handler, form, `javascript:` or `data:`
//! URL, and no image at all: remote images are counted for a "blocked
//! images" notice, never loaded), links are taken out of the HTML (the
//! shown mail has none to click) and listed with their real targets,
//! attachments are kept as bytes, never opened here.

use mail_parser::{MessageParser, MimeHeaders};
use mercator_core::inbox::{message_ids, order_refs, OrderRef};
use time::OffsetDateTime;

/// The largest message read (the rest is refused with a clear error).
pub const MAX_MAIL_BYTES: usize = 30 << 20;

/// One address of a header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    pub name: String,
    pub address: String,
}

/// An attachment as the message describes it, with its contents (kept
/// with the message, opened by the OS only on the user's request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub name: String,
    pub content_type: String,
    pub size: usize,
    /// The decoded bytes (`size` of them).
    pub contents: Vec<u8>,
}

/// A link in a message: where it really goes, and what the message shows
/// for it (the two differ in a phishing mail).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// The target, `http(s)` only (parsed and normalised).
    pub url: String,
    /// The text the message shows for it (the URL itself in plain text).
    pub text: String,
}

/// The most links listed per message (a mail of a thousand links lists the first ones).
pub const MAX_LINKS: usize = 50;

/// A parsed buyer mail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mail {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    /// Where answers go when not to the sender.
    pub reply_to: Vec<Mailbox>,
    pub subject: String,
    pub date: Option<OffsetDateTime>,
    /// The message as plain text (from its HTML when it has no text part).
    pub text: String,
    /// Its HTML, cleaned (see the module docs); `None` for text-only mail.
    pub html: Option<String>,
    /// Images the HTML wanted to load (none is loaded).
    pub blocked_images: usize,
    pub attachments: Vec<AttachmentInfo>,
    /// Links, in the order they appear (HTML links, else URLs in the text).
    pub links: Vec<Link>,
    /// Order numbers found in the subject and the text, subject first.
    pub orders: Vec<OrderRef>,
    /// Sent by a program (`Auto-Submitted` other than `no`, RFC 3834): an
    /// auto-reply starts or stops no clock.
    pub auto: bool,
}

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("message of {size} bytes is larger than {max}")]
    TooLarge { size: usize, max: usize },
    #[error("not a mail message")]
    NotMail,
}

fn mailboxes(a: Option<&mail_parser::Address<'_>>) -> Vec<Mailbox> {
    a.map(|a| {
        a.iter()
            .map(|m| Mailbox {
                name: m.name.as_deref().unwrap_or_default().trim().to_string(),
                address: m.address.as_deref().unwrap_or_default().trim().to_string(),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn ids(v: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    // the parser gives the ids without brackets; rebuild the header form for the one id reader
    let list: Vec<String> = match (v.as_text_list(), v.as_text()) {
        (Some(l), _) => l.iter().map(|s| format!("<{s}>")).collect(),
        (None, Some(t)) => vec![format!("<{t}>")],
        _ => vec![],
    };
    message_ids(&list.join(" "))
}

/// Cleans a message's HTML for display: a short allow-list of text tags,
/// links only to `https` and `mailto` (with `rel="noopener noreferrer"`),
/// no images. Returns the HTML and how many images it asked for.
pub fn clean_html(html: &str) -> (String, usize) {
    let (cleaned, images, _) = clean_html_links(html);
    (cleaned, images)
}

/// [`clean_html`], and the links it took out: every `<a>` of the result
/// has no `href` (a click in the shown mail goes nowhere); the targets come
/// back beside it, with the text each link shows.
pub fn clean_html_links(html: &str) -> (String, usize, Vec<Link>) {
    let lower = html.to_ascii_lowercase();
    let images = lower.matches("<img").count() + lower.matches("background=").count();
    let tags: std::collections::HashSet<&str> = [
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "div",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    // each <a> keeps a numbered title in place of its href; the targets are collected in order
    let targets = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Option<String>>::new()));
    let collect = targets.clone();
    let cleaned = ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(std::collections::HashSet::new())
        .tag_attributes([("a", ["href"].into_iter().collect())].into_iter().collect())
        .url_schemes(["https", "http", "mailto"].into_iter().collect())
        .link_rel(None)
        .attribute_filter(move |element, attribute, value| {
            if element == "a" && attribute == "href" {
                let mut t = collect.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                t.push(web_url(value));
                return Some(format!("#{}", t.len() - 1).into());
            }
            Some(value.into())
        })
        .clean(html)
        .to_string();
    let targets = targets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    // the serialised result names each kept link `href="#N"`: its text follows, up to `</a>`
    let mut links: Vec<Link> = vec![];
    let mut out = String::with_capacity(cleaned.len());
    let mut rest = cleaned.as_str();
    while let Some(at) = rest.find("<a href=\"#") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "<a href=\"#".len()..];
        let Some(q) = after.find('"') else { break };
        let n: Option<usize> = after[..q].parse().ok();
        let tail = &after[q + 1..];
        let Some(gt) = tail.find('>') else { break };
        let body = &tail[gt + 1..];
        let end = body.find("</a>").unwrap_or(body.len());
        if let Some(url) = n.and_then(|n| targets.get(n).cloned().flatten()) {
            // one entry per target and text: the same target under a misleading text is listed again
            let text = text_of(&body[..end]);
            if links.len() < MAX_LINKS && !links.iter().any(|l| l.url == url && l.text == text) {
                links.push(Link { url, text });
            }
        }
        out.push_str("<a>");
        rest = &tail[gt + 1..];
    }
    out.push_str(rest);
    (out, images, links)
}

/// A link target as a normalised `http(s)` URL (None for anything else).
fn web_url(raw: &str) -> Option<String> {
    let u = url::Url::parse(raw.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// The visible text of an HTML fragment (tags dropped, entities read).
fn text_of(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect()
}

/// The `http(s)` URLs written in a plain text.
pub fn text_links(text: &str) -> Vec<Link> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut links: Vec<Link> = vec![];
    for l in finder.links(text) {
        // Chinese and Japanese run on after a URL without a space ("…?x=1，或者"):
        // the path ends at its first character beyond ASCII, the host at its first
        // CJK character or punctuation (a host of other letters, bücher.de, is kept)
        let raw = l.as_str();
        let host_at = raw.find("://").map_or(0, |i| i + 3);
        let host_end = raw[host_at..].find(['/', '?', '#']).map_or(raw.len(), |i| host_at + i);
        let cjk = |c: char| matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF);
        let end = match raw[host_at..host_end].find(cjk) {
            Some(i) => host_at + i,
            None => raw[host_end..].find(|c: char| !c.is_ascii()).map_or(raw.len(), |i| host_end + i),
        };
        let raw = raw[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        if let Some(url) = web_url(raw) {
            if links.len() < MAX_LINKS && !links.iter().any(|k| k.url == url) {
                links.push(Link { url, text: raw.to_string() });
            }
        }
    }
    links
}

/// Reads one raw message (RFC 5322, any MIME structure and charset).
pub fn parse_mail(raw: &[u8]) -> Result<Mail, MailError> {
    if raw.len() > MAX_MAIL_BYTES {
        return Err(MailError::TooLarge { size: raw.len(), max: MAX_MAIL_BYTES });
    }
    let m = MessageParser::default().parse(raw).ok_or(MailError::NotMail)?;
    let subject = m.subject().unwrap_or_default().trim().to_string();
    let text = m.body_text(0).map(|t| t.trim().to_string()).unwrap_or_default();
    // a plain-text mail is also listed as its own HTML body: only real HTML is kept as such
    let html = m.html_bodies().find(|p| p.is_text_html()).and_then(|p| p.text_contents()).map(clean_html_links);
    let (html, blocked_images, links) = match html {
        Some((h, n, links)) => (Some(h), n, links),
        None => (None, 0, vec![]),
    };
    // MIME too broken to find a body in (and no attachment that would explain
    // an empty text): the raw body, so the buyer is still read
    let files =
        m.attachments().any(|a| a.attachment_name().is_some() || a.content_type().is_some_and(|c| c.ctype() != "text"));
    let text = if text.is_empty() && html.is_none() && !files {
        let at = raw.windows(4).position(|w| w == b"\r\n\r\n").map_or(0, |i| i + 4);
        let body = &raw[at.min(raw.len())..];
        let body = &body[..body.len().min(1 << 20)];
        let lossy = String::from_utf8_lossy(body).into_owned();
        // a multipart never closed: its first part, read as a message of its own (its
        // transfer encoding and charset applied, on its bytes), up to the next boundary
        let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
        let part = body[start..].strip_prefix(b"--").and_then(|rest| {
            let nl = rest.iter().position(|b| *b == b'\n')?;
            let boundary = rest[..nl].trim_ascii();
            if boundary.is_empty() {
                return None;
            }
            let part = &rest[nl + 1..];
            let mut next = b"\n--".to_vec();
            next.extend_from_slice(boundary);
            let end = part.windows(next.len()).position(|w| w == next.as_slice()).unwrap_or(part.len());
            let inner = MessageParser::default().parse(&part[..end])?;
            inner.body_text(0).map(|t| t.trim().to_string())
        });
        part.unwrap_or_else(|| lossy.trim().to_string())
    } else {
        text
    };
    let attachments = m
        .attachments()
        .map(|a| AttachmentInfo {
            name: a.attachment_name().unwrap_or("attachment").to_string(),
            content_type: a.content_type().map_or_else(
                || "application/octet-stream".into(),
                |c| match c.subtype() {
                    Some(s) => format!("{}/{s}", c.ctype()),
                    None => c.ctype().to_string(),
                },
            ),
            size: a.len(),
            contents: a.contents().to_vec(),
        })
        .collect();
    let links = if links.is_empty() { text_links(&text) } else { links };
    let mut orders = order_refs(&subject);
    for r in order_refs(&text) {
        if !orders.contains(&r) {
            orders.push(r);
        }
    }
    Ok(Mail {
        message_id: m.message_id().map(str::to_string),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        from: mailboxes(m.from()),
        to: mailboxes(m.to()),
        reply_to: mailboxes(m.reply_to()),
        subject,
        date: m.date().and_then(|d| OffsetDateTime::from_unix_timestamp(d.to_timestamp()).ok()),
        text,
        html,
        blocked_images,
        attachments,
        links,
        orders,
        auto: m
            .header("Auto-Submitted")
            .and_then(|h| h.as_text())
            .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no")),
    })
}
