//! Fluent localisation for the backend. The `.ftl` files in `locales/` are the
//! single source of strings for Rust and for the UI (which bundles the same
//! files through Vite); both languages are compiled in.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use mercator_core::ErrorPayload;
use unic_langid::LanguageIdentifier;

/// Supported interface languages, in the order shown in Settings.
pub const LANGUAGES: &[&str] = &["zh-CN", "en-US"];
pub const FALLBACK: &str = "en-US";

/// `(language, file name, contents)` of every locale file.
pub const SOURCES: &[(&str, &str, &str)] = &[
    ("en-US", "app.ftl", include_str!("../../../locales/en-US/app.ftl")),
    ("en-US", "errors.ftl", include_str!("../../../locales/en-US/errors.ftl")),
    ("zh-CN", "app.ftl", include_str!("../../../locales/zh-CN/app.ftl")),
    ("zh-CN", "errors.ftl", include_str!("../../../locales/zh-CN/errors.ftl")),
];

/// Maps any BCP 47 tag to a supported UI language (`zh-Hans-CN`, `zh_TW` -> zh-CN, else en-US).
pub fn negotiate(tag: &str) -> &'static str {
    let lower = tag.to_ascii_lowercase();
    if lower.starts_with("zh") {
        "zh-CN"
    } else {
        FALLBACK
    }
}

pub fn is_supported(lang: &str) -> bool {
    LANGUAGES.contains(&lang)
}

/// Builds the bundle for `lang` (falls back to en-US for unknown tags).
pub fn bundle(lang: &str) -> FluentBundle<FluentResource> {
    let lang = if is_supported(lang) { lang } else { FALLBACK };
    let id: LanguageIdentifier = lang.parse().expect("static language tags parse");
    let mut b = FluentBundle::new(vec![id]);
    // Plain text for terminals and logs; the UI keeps isolation marks.
    b.set_use_isolating(false);
    for (l, file, src) in SOURCES {
        if *l == lang {
            let res = FluentResource::try_new((*src).to_string())
                .unwrap_or_else(|(_, e)| panic!("{l}/{file} does not parse: {e:?}"));
            b.add_resource(res).unwrap_or_else(|e| panic!("{l}/{file}: duplicate ids {e:?}"));
        }
    }
    b
}

/// Formats message `id` in `lang` with string args. A missing id yields the id
/// itself (and tests make sure none is missing).
pub fn message(lang: &str, id: &str, args: &[(&str, String)]) -> String {
    let b = bundle(lang);
    let Some(msg) = b.get_message(id) else {
        return id.to_string();
    };
    let Some(pattern) = msg.value() else {
        return id.to_string();
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(v.clone()));
    }
    let mut errors = vec![];
    b.format_pattern(pattern, Some(&fargs), &mut errors).into_owned()
}

/// The user-facing text of an error payload in `lang`.
pub fn error_message(lang: &str, err: &ErrorPayload) -> String {
    let args: Vec<(&str, String)> = err.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    message(lang, &err.fluent_id(), &args)
}

/// Message ids (and `id.attribute`s) defined in one language.
pub fn message_ids(lang: &str) -> std::collections::BTreeSet<String> {
    use fluent_bundle::FluentResource;
    let mut ids = std::collections::BTreeSet::new();
    for (l, _, src) in SOURCES {
        if *l != lang {
            continue;
        }
        let res = FluentResource::try_new((*src).to_string()).expect("parses");
        for entry in res.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.insert(m.id.name.to_string());
                for a in &m.attributes {
                    ids.insert(format!("{}.{}", m.id.name, a.id.name));
                }
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests;
