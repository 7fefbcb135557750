//! The one place every error text of the connectors passes through before
//! it can leave them (sync log, outbox, UI, logs): URLs cut to their host,
//! secret-looking `key=value` pairs, bearer tokens and e-mail addresses masked.

/// Text that may leave the connector (error details stored in the sync log
/// and outbox, shown in the UI, written to logs) with what must not:
/// URLs cut to scheme and host (query strings carry Shopee's
/// `access_token` and `sign`), `key=value` pairs of secret-looking keys
/// masked, bearer tokens and e-mail addresses masked. The one place every
/// error text of the connectors passes through.
pub fn redact(text: &str) -> String {
    const SECRET_KEYS: &[&str] = &[
        "access_token",
        "refresh_token",
        "client_secret",
        "consumer_secret",
        "consumer_key",
        "partner_key",
        "api_key",
        "apikey",
        "secret",
        "sign",
        "signature",
        "token",
        "password",
        "key",
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // a URL: keep scheme://host[:port]
        if let Some(i) = rest.find("http://").into_iter().chain(rest.find("https://")).min() {
            out.push_str(&mask_pairs(&rest[..i], SECRET_KEYS));
            let url = &rest[i..];
            let end = url.find(|c: char| c.is_whitespace() || "\"'<>)]}".contains(c)).unwrap_or(url.len());
            let scheme_end = url.find("://").map_or(0, |k| k + 3);
            let host_end = url[scheme_end..end].find(['/', '?', '#']).map_or(end, |k| scheme_end + k);
            // user:password@ before the host goes too
            let host = &url[scheme_end..host_end];
            let host = host.rsplit('@').next().unwrap_or(host);
            out.push_str(&url[..scheme_end]);
            out.push_str(host);
            if host_end < end {
                out.push_str("/…");
            }
            rest = &url[end..];
        } else {
            out.push_str(&mask_pairs(rest, SECRET_KEYS));
            break;
        }
    }
    mask_words(&out)
}

fn mask_pairs(text: &str, keys: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        // the earliest `key=`, `key:` or `key":` that is a whole key ("sign=" but not "design=")
        let mut found: Option<(usize, usize)> = None;
        for k in keys {
            let mut from = 0;
            while let Some(i) = lower[from..].find(k).map(|i| i + from) {
                from = i + 1;
                let before = lower[..i].chars().last();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                // the key, an optional closing quote, spaces, then = or :
                let rest = &lower[i + k.len()..];
                let after_quote = rest.strip_prefix('"').unwrap_or(rest);
                let trimmed = after_quote.trim_start_matches(' ');
                if !(trimmed.starts_with('=') || trimmed.starts_with(':')) {
                    continue;
                }
                let start = i + k.len() + (rest.len() - trimmed.len()) + 1;
                if found.is_none_or(|(f, _)| i < f) {
                    found = Some((i, start));
                }
                break;
            }
        }
        let Some((_, start)) = found else {
            out.push_str(rest);
            return out;
        };
        let value = rest[start..].trim_start_matches([' ', '"', '\'']);
        let skip = rest[start..].len() - value.len();
        let end = value.find(|c: char| c.is_whitespace() || "&,;\"'}".contains(c)).unwrap_or(value.len());
        out.push_str(&rest[..start + skip]);
        if end > 0 {
            out.push_str("***");
        }
        rest = &value[end..];
    }
}

/// Bearer tokens and e-mail addresses, word by word.
fn mask_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut bearer = false;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let at = word.find('@');
        if bearer && !word.is_empty() {
            out.push_str("***");
            bearer = false;
        } else if at.is_some_and(|a| a > 0 && word[a + 1..].contains('.')) {
            out.push_str("***@***");
        } else {
            out.push_str(word);
        }
        if word.eq_ignore_ascii_case("bearer") {
            bearer = true;
        }
    }
    out
}
