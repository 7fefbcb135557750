//! Catalog spreadsheets: reading (see [`table`]: CSV/TSV in UTF-8 with or
//! without BOM or GB18030, XLSX through [`crate::xlsx`], all under
//! [`Limits`]), column mapping from the header spellings sellers' exports
//! use (units and currencies in brackets, languages by code or by name in
//! English, German and Chinese, numbered bullets, variant attributes),
//! per-row validation with line numbers and the editor's own limits, and
//! export that is safe to open in Excel (no formula injection).

use crate::table;

pub use table::{column_name, read_csv, sniff_delimiter, Limits, Row, Table};

use crate::catalog::{
    validate_attribute_name, validate_attribute_value, validate_brand, validate_bullets, validate_category,
    validate_country, validate_description, validate_dimension, validate_gtin, validate_hs_code, validate_keywords,
    validate_language, validate_sku, validate_title, MAX_BULLETS, MAX_DIMENSION,
};
use crate::decimal::{parse_decimal, DecimalRules};
use crate::money::{Currency, Money};
use crate::{ErrorCode, ErrorPayload};
use rust_decimal::Decimal;
use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::Path;

/// Reads a CSV/TSV or XLSX file from its path, by its content (not its
/// name), under `limits`: the size is checked before a byte is read.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Table, ErrorPayload> {
    let unreadable = |_| ErrorPayload::new(ErrorCode::ImportUnreadable);
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > limits.max_file_bytes {
        return Err(table::too_big(size, limits.max_file_bytes));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    read_any(std::io::BufReader::with_capacity(64 * 1024, file), limits)
}

/// Reads CSV/TSV or XLSX from any seekable source.
pub fn read_any<R: Read + Seek>(mut src: R, limits: &Limits) -> Result<Table, ErrorPayload> {
    let mut head = [0u8; 8];
    let mut n = 0;
    while n < head.len() {
        match src.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ErrorPayload::new(ErrorCode::ImportUnreadable)),
        }
    }
    src.seek(std::io::SeekFrom::Start(0)).map_err(|_| ErrorPayload::new(ErrorCode::ImportUnreadable))?;
    if crate::xlsx::is_ole2(&head[..n]) {
        return Err(ErrorPayload::new(ErrorCode::ImportOldXls));
    }
    if crate::xlsx::is_xlsx(&head[..n]) {
        return crate::xlsx::read_xlsx(src, limits);
    }
    read_csv(src, limits)
}

/// Decodes and parses CSV/TSV bytes held in memory.
pub fn parse_table(bytes: &[u8]) -> Result<Table, ErrorPayload> {
    read_csv(std::io::Cursor::new(bytes), &Limits::DEFAULT)
}

/// The unit of a weight column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightUnit {
    G,
    Kg,
    Lb,
    Oz,
}

impl WeightUnit {
    pub fn code(self) -> &'static str {
        match self {
            WeightUnit::G => "g",
            WeightUnit::Kg => "kg",
            WeightUnit::Lb => "lb",
            WeightUnit::Oz => "oz",
        }
    }

    /// Grams in one unit, exactly (the pound and ounce as defined in 1959).
    fn grams(self) -> Decimal {
        match self {
            WeightUnit::G => Decimal::ONE,
            WeightUnit::Kg => Decimal::from(1000),
            WeightUnit::Lb => Decimal::new(45_359_237, 5),
            WeightUnit::Oz => Decimal::new(28_349_523_125, 9),
        }
    }

    fn from_code(s: &str) -> Option<WeightUnit> {
        Some(match s {
            "g" | "gr" | "gram" | "grams" | "gramm" | "克" => WeightUnit::G,
            "kg" | "kgs" | "kilo" | "kilogram" | "kilograms" | "kilogramm" | "千克" | "公斤" => WeightUnit::Kg,
            "lb" | "lbs" | "pound" | "pounds" | "pfund" | "磅" => WeightUnit::Lb,
            "oz" | "ounce" | "ounces" | "unze" | "盎司" => WeightUnit::Oz,
            _ => return None,
        })
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Sku,
    Gtin,
    Brand,
    Category,
    /// Cost in the row's currency (its currency cell, or the shop's).
    Cost,
    /// Cost in the currency its header names ("Cost (CNY)").
    CostIn(Currency),
    Currency,
    Title(String),
    Description(String),
    /// Bullet points, one per line in the cell.
    Bullets(String),
    /// Bullet point number n (1-5) of a language, one per column ("Bullet 1").
    Bullet(String, u8),
    Keywords(String),
    /// SKU of the product's first variant: rows sharing it are variants of one product.
    Parent,
    /// `name=value; name=value`
    Attributes,
    /// One variant attribute, its value in the cell ("Color", "Size").
    Attribute(String),
    Stock,
    Weight(WeightUnit),
    HsCode,
    Origin,
}

impl Field {
    /// Stable name used in mappings and export headers (`title:zh-CN`).
    pub fn key(&self) -> String {
        match self {
            Field::Sku => "sku".into(),
            Field::Gtin => "gtin".into(),
            Field::Brand => "brand".into(),
            Field::Category => "category".into(),
            Field::Cost => "cost".into(),
            Field::CostIn(c) => format!("cost:{c}"),
            Field::Currency => "currency".into(),
            Field::Title(l) => format!("title:{l}"),
            Field::Description(l) => format!("description:{l}"),
            Field::Bullets(l) => format!("bullets:{l}"),
            Field::Bullet(l, n) => format!("bullet{n}:{l}"),
            Field::Keywords(l) => format!("keywords:{l}"),
            Field::Parent => "parent".into(),
            Field::Attributes => "attributes".into(),
            Field::Attribute(name) => format!("attr:{name}"),
            Field::Stock => "stock".into(),
            Field::Weight(u) => format!("weight_{}", u.code()),
            Field::HsCode => "hs_code".into(),
            Field::Origin => "origin".into(),
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Some(match key {
            "sku" => Field::Sku,
            "gtin" => Field::Gtin,
            "brand" => Field::Brand,
            "category" => Field::Category,
            "cost" => Field::Cost,
            "currency" => Field::Currency,
            "parent" => Field::Parent,
            "attributes" => Field::Attributes,
            "stock" => Field::Stock,
            "weight_g" => Field::Weight(WeightUnit::G),
            "weight_kg" => Field::Weight(WeightUnit::Kg),
            "weight_lb" => Field::Weight(WeightUnit::Lb),
            "weight_oz" => Field::Weight(WeightUnit::Oz),
            "hs_code" => Field::HsCode,
            "origin" => Field::Origin,
            k => match k.split_once(':') {
                Some(("cost", c)) => Field::CostIn(c.parse().ok()?),
                Some(("attr", name)) => Field::Attribute(validate_attribute_name(name).ok()?),
                Some(("title", l)) => Field::Title(validate_language(l).ok()?),
                Some(("description", l)) => Field::Description(validate_language(l).ok()?),
                Some(("bullets", l)) => Field::Bullets(validate_language(l).ok()?),
                Some(("keywords", l)) => Field::Keywords(validate_language(l).ok()?),
                Some((b, l)) if b.starts_with("bullet") => {
                    let n: u8 = b["bullet".len()..].parse().ok()?;
                    if !(1..=MAX_BULLETS as u8).contains(&n) {
                        return None;
                    }
                    Field::Bullet(validate_language(l).ok()?, n)
                }
                _ => return None,
            },
        })
    }

    /// What the field fills: two columns for one slot (a weight in kg and
    /// one in lb, cost and cost in CNY) are one column too many.
    pub fn slot(&self) -> String {
        match self {
            Field::Cost | Field::CostIn(_) => "cost".into(),
            Field::Weight(_) => "weight".into(),
            other => other.key(),
        }
    }

    /// The language of a text field.
    pub fn lang(&self) -> Option<&str> {
        match self {
            Field::Title(l) | Field::Description(l) | Field::Bullets(l) | Field::Bullet(l, _) | Field::Keywords(l) => {
                Some(l)
            }
            _ => None,
        }
    }
}

/// A language named by code or by name (English, German, Chinese) in a
/// header, as the tag the catalog uses.
fn language_of(word: &str) -> Option<String> {
    let w = word.trim().trim_matches(|c: char| "()[]（）【】_-:：/ ".contains(c)).to_lowercase();
    let tag = match w.as_str() {
        "en" | "english" | "englisch" | "英文" | "英语" | "us" => "en-US",
        "uk" | "gb" => "en-GB",
        "de" | "german" | "deutsch" | "德文" | "德语" => "de-DE",
        "fr" | "french" | "französisch" | "franzoesisch" | "法文" | "法语" => "fr-FR",
        "it" | "italian" | "italienisch" | "意大利文" | "意大利语" => "it-IT",
        "es" | "spanish" | "spanisch" | "西班牙文" | "西班牙语" => "es-ES",
        "ja" | "jp" | "japanese" | "japanisch" | "日文" | "日语" => "ja-JP",
        "zh" | "cn" | "chinese" | "chinesisch" | "中文" | "汉语" | "简体中文" => "zh-CN",
        "nl" | "dutch" | "niederländisch" | "荷兰文" | "荷兰语" => "nl-NL",
        "pl" | "polish" | "polnisch" | "波兰文" | "波兰语" => "pl-PL",
        "sv" | "se" | "swedish" | "schwedisch" | "瑞典文" | "瑞典语" => "sv-SE",
        "pt" | "br" | "portuguese" | "portugiesisch" | "葡萄牙文" | "葡萄牙语" => "pt-BR",
        "ko" | "kr" | "korean" | "koreanisch" | "韩文" | "韩语" => "ko-KR",
        "th" | "thai" | "thailändisch" | "泰文" | "泰语" => "th-TH",
        "vi" | "vn" | "vietnamese" | "vietnamesisch" | "越南文" | "越南语" => "vi-VN",
        "id" | "indonesian" | "indonesisch" | "印尼文" | "印尼语" => "id-ID",
        "ms" | "my" | "malay" | "malaiisch" | "马来文" | "马来语" => "ms-MY",
        "ar" | "arabic" | "arabisch" | "阿拉伯文" | "阿拉伯语" => "ar-AE",
        "tr" | "turkish" | "türkisch" | "土耳其文" | "土耳其语" => "tr-TR",
        other => return validate_language(&normalise_tag(other)).ok(),
    };
    Some(tag.to_string())
}

/// A currency named in a header: ISO code or a common sign or name.
fn currency_of(word: &str) -> Option<Currency> {
    let w = word.trim().trim_matches(|c: char| "()[]（）【】 ".contains(c));
    match w.to_lowercase().as_str() {
        "rmb" | "元" | "人民币" => Some(Currency::CNY),
        "€" | "euro" | "欧元" => Some(Currency::EUR),
        "£" => Some(Currency::GBP),
        "us$" | "美元" => Some(Currency::USD),
        "日元" => Some(Currency::JPY),
        _ if w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic()) => w.parse().ok(),
        _ => None,
    }
}

/// What a header's main word names, with the language that word is in
/// (the default language of a text column without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sku,
    Gtin,
    Brand,
    Category,
    Cost,
    Currency,
    Title,
    Description,
    Bullets,
    Bullet(u8),
    Keywords,
    Parent,
    Attributes,
    Attribute(&'static str),
    Stock,
    Weight,
    HsCode,
    Origin,
}

fn kind_of(base: &str) -> Option<(Kind, &'static str)> {
    let b = base.trim();
    // numbered bullets: "bullet 1", "bullet point 2", "要点3", "aufzählungspunkt 4"
    let digits = b.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < b.len() {
        let (word, n) = b.split_at(b.len() - digits);
        let word = word.trim_end_matches([' ', '_', '-', '#', '.']);
        let lang = match word {
            "bullet"
            | "bullet point"
            | "bulletpoint"
            | "bullet_point"
            | "key feature"
            | "key product feature"
            | "feature" => "en-US",
            "aufzählungspunkt" | "stichpunkt" | "merkmal" => "de-DE",
            "要点" | "卖点" | "五点描述" | "五点" | "描述要点" | "产品要点" => "zh-CN",
            _ => return None,
        };
        let n: u8 = n.parse().ok()?;
        return (1..=MAX_BULLETS as u8).contains(&n).then_some((Kind::Bullet(n), lang));
    }
    Some(match b {
        "sku" | "seller sku" | "seller-sku" | "sellersku" | "msku" | "item sku" | "artikelnummer" | "händler-sku" => {
            (Kind::Sku, "en-US")
        }
        "货号" | "商品编码" | "sku编码" | "商家编码" | "产品编码" => (Kind::Sku, "zh-CN"),
        "gtin" | "ean" | "upc" | "jan" | "barcode" | "ean/upc" | "条码" | "条形码" | "strichcode" => {
            (Kind::Gtin, "en-US")
        }
        "brand" | "brand name" | "marke" | "品牌" => (Kind::Brand, "en-US"),
        "category" | "kategorie" | "类目" | "分类" | "品类" => (Kind::Category, "en-US"),
        "cost" | "unit cost" | "purchase cost" | "purchase price" | "cost price" | "buying price" | "einkaufspreis"
        | "ek" | "ek-preis" | "kosten" | "einstandspreis" | "采购价" | "采购成本" | "成本" | "成本价" | "进价"
        | "进货价" => (Kind::Cost, "en-US"),
        "currency" | "währung" | "币种" | "货币" => (Kind::Currency, "en-US"),
        "title" | "product name" | "item name" | "name" | "product title" => (Kind::Title, "en-US"),
        "titel" | "produktname" | "artikelname" | "bezeichnung" | "produkttitel" => (Kind::Title, "de-DE"),
        "标题" | "商品名称" | "产品名称" | "名称" | "商品标题" | "产品标题" | "品名" => {
            (Kind::Title, "zh-CN")
        }
        "description" | "product description" | "item description" => (Kind::Description, "en-US"),
        "beschreibung" | "produktbeschreibung" | "artikelbeschreibung" => (Kind::Description, "de-DE"),
        "描述" | "商品描述" | "产品描述" | "详情" | "商品详情" | "产品详情" => {
            (Kind::Description, "zh-CN")
        }
        "bullets" | "bullet points" | "key features" | "features" => (Kind::Bullets, "en-US"),
        "aufzählungspunkte" | "stichpunkte" | "merkmale" => (Kind::Bullets, "de-DE"),
        "要点" | "卖点" | "五点描述" | "产品要点" => (Kind::Bullets, "zh-CN"),
        "keywords" | "search terms" | "search keywords" | "generic keywords" | "tags" => (Kind::Keywords, "en-US"),
        "suchbegriffe" | "schlüsselwörter" | "schlagwörter" | "stichwörter" => (Kind::Keywords, "de-DE"),
        "关键词" | "关键字" | "搜索词" | "搜索关键词" => (Kind::Keywords, "zh-CN"),
        "parent" | "parent sku" | "parent_sku" | "parent-sku" | "父sku" | "父体" | "母体" | "父体sku"
        | "eltern-sku" => (Kind::Parent, "en-US"),
        "variation" | "variante" | "attributes" | "属性" | "变体属性" | "规格" => (Kind::Attributes, "en-US"),
        "color" | "colour" | "farbe" | "颜色" | "色" => (Kind::Attribute("colour"), "en-US"),
        "size" | "größe" | "groesse" | "尺码" | "尺寸" | "大小" => (Kind::Attribute("size"), "en-US"),
        "material" | "材质" | "材料" => (Kind::Attribute("material"), "en-US"),
        "style" | "stil" | "款式" | "风格" => (Kind::Attribute("style"), "en-US"),
        "pattern" | "muster" | "图案" => (Kind::Attribute("pattern"), "en-US"),
        "length" | "länge" | "长度" => (Kind::Attribute("length"), "en-US"),
        "capacity" | "kapazität" | "容量" => (Kind::Attribute("capacity"), "en-US"),
        "pack" | "pack size" | "packung" | "件装" | "包装数量" => (Kind::Attribute("pack"), "en-US"),
        "stock" | "quantity" | "qty" | "inventory" | "bestand" | "menge" | "库存" | "数量" => {
            (Kind::Stock, "en-US")
        }
        "weight" | "item weight" | "shipping weight" | "gewicht" | "重量" | "毛重" | "净重" => {
            (Kind::Weight, "en-US")
        }
        "hs code" | "hs" | "hs_code" | "hs-code" | "customs code" | "海关编码" | "hs编码" | "zolltarifnummer" => {
            (Kind::HsCode, "en-US")
        }
        "country of origin" | "origin" | "ursprungsland" | "herkunftsland" | "原产地" | "原产国" => {
            (Kind::Origin, "en-US")
        }
        _ => return None,
    })
}

/// Splits a header into its main word and what qualifies it: "Cost (CNY)",
/// "Titel [de]", "标题（德语）", "title_de", "Weight kg", "德语标题".
fn split_header(h: &str) -> Vec<(String, Option<String>)> {
    let n: String = h
        .trim()
        .trim_end_matches(['*', ':', '：'])
        .chars()
        .map(|c| match c {
            '（' | '【' | '[' => '(',
            '）' | '】' | ']' => ')',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = vec![(n.clone(), None)];
    if let Some(open) = n.find('(') {
        let base = n[..open].trim().to_string();
        let qual = n[open + 1..].trim_end_matches(')').trim().to_string();
        out.insert(0, (base, Some(qual)));
        return out;
    }
    // a qualifier after the last separator: "title_de", "title de-de", "weight kg"
    for sep in [' ', '_', '-', '/'] {
        if let Some(i) = n.rfind(sep) {
            let (base, qual) = (n[..i].trim(), n[i + 1..].trim());
            if !base.is_empty() && !qual.is_empty() {
                out.push((base.to_string(), Some(qual.to_string())));
            }
        }
    }
    // "title de-de": the tag itself holds a dash
    if let Some(i) = n.find(' ') {
        out.push((n[..i].to_string(), Some(n[i + 1..].to_string())));
    }
    // Chinese puts the language first: 德语标题, 英文描述
    for lang in
        ["简体中文", "中文", "英文", "英语", "德文", "德语", "法文", "法语", "日文", "日语", "西班牙语", "意大利语"]
    {
        if let Some(rest) = n.strip_prefix(lang) {
            out.push((rest.to_string(), Some(lang.to_string())));
        }
    }
    out
}

/// What one header names, if anything.
pub fn guess_field(header: &str) -> Option<Field> {
    let compact: String = header.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(f) = Field::from_key(&compact).or_else(|| Field::from_key(&compact.to_lowercase())) {
        // our export headers, e.g. title:zh-cn -> normalise the tag case
        return Some(normalise_field(f));
    }
    for (base, qual) in split_header(header) {
        let Some((kind, word_lang)) = kind_of(&base) else { continue };
        let lang = match &qual {
            Some(q) => language_of(q),
            None => Some(word_lang.to_string()),
        };
        let text = |f: fn(String) -> Field| lang.clone().map(f);
        let found = match kind {
            Kind::Sku => Some(Field::Sku),
            Kind::Gtin => Some(Field::Gtin),
            Kind::Brand => Some(Field::Brand),
            Kind::Category => Some(Field::Category),
            Kind::Currency => Some(Field::Currency),
            Kind::Parent => Some(Field::Parent),
            Kind::Attributes => Some(Field::Attributes),
            Kind::Attribute(name) => Some(Field::Attribute(name.to_string())),
            Kind::Stock => Some(Field::Stock),
            Kind::HsCode => Some(Field::HsCode),
            Kind::Origin => Some(Field::Origin),
            Kind::Cost => match &qual {
                None => Some(Field::Cost),
                Some(q) => currency_of(q).map(Field::CostIn),
            },
            // a weight needs its unit: 1000x off is worse than a column to map
            Kind::Weight => match &qual {
                Some(q) => WeightUnit::from_code(q.trim()).map(Field::Weight),
                None if base == "重量" => Some(Field::Weight(WeightUnit::G)),
                None => None,
            },
            Kind::Title => text(Field::Title),
            Kind::Description => text(Field::Description),
            Kind::Bullets => text(Field::Bullets),
            Kind::Keywords => text(Field::Keywords),
            Kind::Bullet(n) => lang.clone().map(|l| Field::Bullet(l, n)),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Guesses what each column holds from its header (English, German and
/// Chinese names, and our own export headers). A field named twice keeps
/// its first column; the others are left unmapped (and shown as such).
pub fn guess_mapping(headers: &[String]) -> Vec<Option<Field>> {
    let mut seen: HashSet<String> = HashSet::new();
    headers.iter().map(|h| guess_field(h).filter(|f| seen.insert(f.slot()))).collect()
}

fn normalise_tag(tag: &str) -> String {
    let mut parts = tag.split(['-', '_']);
    let first = parts.next().unwrap_or_default().to_ascii_lowercase();
    let rest: Vec<String> = parts.map(|p| if p.len() == 2 { p.to_ascii_uppercase() } else { p.to_string() }).collect();
    std::iter::once(first).chain(rest).collect::<Vec<_>>().join("-")
}

fn normalise_field(f: Field) -> Field {
    match f {
        Field::Title(l) => Field::Title(normalise_tag(&l)),
        Field::Description(l) => Field::Description(normalise_tag(&l)),
        Field::Bullets(l) => Field::Bullets(normalise_tag(&l)),
        Field::Bullet(l, n) => Field::Bullet(normalise_tag(&l), n),
        Field::Keywords(l) => Field::Keywords(normalise_tag(&l)),
        other => other,
    }
}

/// A valid row, ready to become a product with one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub sku: String,
    pub gtin: Option<String>,
    pub brand: String,
    pub category: String,
    pub cost: Money,
    pub titles: Vec<(String, String)>,
    pub descriptions: Vec<(String, String)>,
    pub bullets: Vec<(String, Vec<String>)>,
    pub keywords: Vec<(String, String)>,
    /// Empty: a product of its own.
    pub parent: String,
    pub attributes: Vec<(String, String)>,
    pub stock: i64,
    pub weight_g: i64,
    pub hs_code: String,
    pub origin: String,
    /// The SKU is already in the catalog: the row updates that variant (and
    /// its product's texts) instead of creating one.
    pub update: bool,
    /// Keys ([`Field::key`]) of the product and variant fields whose cells
    /// were filled in; an update changes only these (an empty cell keeps
    /// what the catalog holds). Texts count as filled when present.
    pub filled: Vec<String>,
}

impl ImportRow {
    /// A row with only a SKU and a cost; set the rest with struct update syntax.
    pub fn new(sku: impl Into<String>, cost: Money) -> Self {
        ImportRow {
            line: 0,
            sku: sku.into(),
            gtin: None,
            brand: String::new(),
            category: String::new(),
            cost,
            titles: vec![],
            descriptions: vec![],
            bullets: vec![],
            keywords: vec![],
            parent: String::new(),
            attributes: vec![],
            stock: 0,
            weight_g: 0,
            hs_code: String::new(),
            origin: String::new(),
            update: false,
            filled: vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub errors: Vec<ErrorPayload>,
}

/// Undoes [`guard`]: one leading `'` before = + - @ tab CR or another `'`.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}

/// Parses a decimal amount (the one decimal parser, user rules).
pub fn parse_amount(value: &str, currency: Currency) -> Result<Money, ErrorPayload> {
    Money::parse(value, currency)
}

/// A weight in `unit` as whole grams (half a gram rounds up).
pub fn parse_weight(value: &str, unit: WeightUnit) -> Result<i64, ErrorPayload> {
    let bad = || ErrorPayload::new(ErrorCode::WeightInvalid).arg("value", value.trim()).arg("unit", unit.code());
    let d = parse_decimal(value, DecimalRules::USER).map_err(|_| bad())?;
    let g = d
        .checked_mul(unit.grams())
        .ok_or_else(bad)?
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(g).ok().filter(|g| (0..=MAX_DIMENSION).contains(g)).ok_or_else(bad)
}

/// Columns whose header maps to nothing but that hold data: shown loudly,
/// since their cells will not be imported.
pub fn unmapped_with_data(table: &Table, mapping: &[Option<Field>]) -> Vec<usize> {
    (0..table.headers.len())
        .filter(|&i| mapping.get(i).is_none_or(Option::is_none))
        .filter(|&i| table.rows().any(|r| r.get(i).is_some_and(|c| !c.trim().is_empty())))
        .collect()
}

/// Validates every row; `existing` holds SKUs already in the catalog (rows
/// naming one become updates, see [`ImportRow::update`]).
pub fn validate(
    table: &Table,
    mapping: &[Option<Field>],
    default_currency: Currency,
    existing: &HashSet<String>,
) -> Result<(Vec<ImportRow>, Vec<RowError>), ErrorPayload> {
    let mut v = Validator::new(table, mapping, default_currency)?;
    let (mut ok, mut bad) = (vec![], vec![]);
    for row in table.rows() {
        match v.row(&row, existing) {
            Ok(r) => ok.push(r),
            Err(e) => bad.push(e),
        }
    }
    Ok((ok, bad))
}

/// Rows to import, produced on demand: the writer asks for a chunk at a
/// time, so a large file's validated rows need not all be in memory at once.
/// Indices run from 0 to `len()`.
pub trait RowSource: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The rows at `at`, in that order.
    fn rows(&self, at: &[usize]) -> Result<Vec<std::borrow::Cow<'_, ImportRow>>, ErrorPayload>;
}

impl RowSource for [ImportRow] {
    fn len(&self) -> usize {
        <[ImportRow]>::len(self)
    }
    fn rows(&self, at: &[usize]) -> Result<Vec<std::borrow::Cow<'_, ImportRow>>, ErrorPayload> {
        Ok(at.iter().map(|&i| std::borrow::Cow::Borrowed(&self[i])).collect())
    }
}

/// The valid rows of a table (as a first pass of [`Validator`] found them:
/// `valid` holds their positions in the table), validated again when the
/// writer asks for them: the table stays, the rows come a chunk at a time.
pub struct ValidRows<'a> {
    pub table: &'a Table,
    pub mapping: &'a [Option<Field>],
    pub default_currency: Currency,
    pub existing: &'a HashSet<String>,
    pub valid: Vec<usize>,
}

impl RowSource for ValidRows<'_> {
    fn len(&self) -> usize {
        self.valid.len()
    }
    fn rows(&self, at: &[usize]) -> Result<Vec<std::borrow::Cow<'_, ImportRow>>, ErrorPayload> {
        // a fresh validator per call: the rows asked for have distinct SKUs
        // (a repeated SKU made its later rows invalid in the first pass)
        let mut v = Validator::new(self.table, self.mapping, self.default_currency)?;
        let gone = || ErrorPayload::new(ErrorCode::Internal).arg("detail", "import row");
        at.iter()
            .map(|&i| {
                let row = self.valid.get(i).and_then(|&r| self.table.row(r)).ok_or_else(gone)?;
                v.row(&row, self.existing)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|e| e.errors.into_iter().next().unwrap_or_else(gone))
            })
            .collect()
    }
}

/// Validation of one table's rows, one at a time (import validates as it
/// writes, preview only counts).
pub struct Validator<'a> {
    headers: usize,
    full_rows: bool,
    default_currency: Currency,
    sku_col: usize,
    col: std::collections::HashMap<&'static str, usize>,
    cost: Option<(usize, Option<Currency>)>,
    titles: Vec<(usize, String)>,
    descriptions: Vec<(usize, String)>,
    bullets: Vec<(usize, String)>,
    bullet_cols: Vec<(usize, String, u8)>,
    keywords: Vec<(usize, String)>,
    attributes: Vec<(usize, &'a str)>,
    weight: Option<(usize, WeightUnit)>,
    seen: HashSet<String>,
}

impl<'a> Validator<'a> {
    pub fn new(table: &Table, mapping: &'a [Option<Field>], default_currency: Currency) -> Result<Self, ErrorPayload> {
        let mut col = std::collections::HashMap::new();
        let mut v = Validator {
            headers: table.headers.len(),
            full_rows: table.full_rows,
            default_currency,
            sku_col: 0,
            col: Default::default(),
            cost: None,
            titles: vec![],
            descriptions: vec![],
            bullets: vec![],
            bullet_cols: vec![],
            keywords: vec![],
            attributes: vec![],
            weight: None,
            seen: HashSet::new(),
        };
        for (i, f) in mapping.iter().enumerate() {
            let Some(f) = f else { continue };
            let mut once = |k: &'static str| {
                col.entry(k).or_insert(i);
            };
            match f {
                Field::Sku => once("sku"),
                Field::Gtin => once("gtin"),
                Field::Brand => once("brand"),
                Field::Category => once("category"),
                Field::Currency => once("currency"),
                Field::Parent => once("parent"),
                Field::Attributes => once("attributes"),
                Field::Stock => once("stock"),
                Field::HsCode => once("hs_code"),
                Field::Origin => once("origin"),
                Field::Cost => v.cost = v.cost.or(Some((i, None))),
                Field::CostIn(c) => v.cost = v.cost.or(Some((i, Some(*c)))),
                Field::Weight(u) => v.weight = v.weight.or(Some((i, *u))),
                Field::Title(l) => v.titles.push((i, l.clone())),
                Field::Description(l) => v.descriptions.push((i, l.clone())),
                Field::Bullets(l) => v.bullets.push((i, l.clone())),
                Field::Bullet(l, n) => v.bullet_cols.push((i, l.clone(), *n)),
                Field::Keywords(l) => v.keywords.push((i, l.clone())),
                Field::Attribute(name) => v.attributes.push((i, name.as_str())),
            }
        }
        v.sku_col = *col.get("sku").ok_or_else(|| ErrorPayload::new(ErrorCode::ImportNoSku))?;
        if v.titles.is_empty() {
            return Err(ErrorPayload::new(ErrorCode::ImportNoTitle));
        }
        v.bullet_cols.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
        v.col = col;
        Ok(v)
    }

    /// Validates one row.
    pub fn row(&mut self, row: &Row<'_>, existing: &HashSet<String>) -> Result<ImportRow, RowError> {
        let line = row.line;
        let cell =
            |i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| unguard(c.trim()).to_string()).unwrap_or_default();
        let text_cell = |i: usize| row.get(i).map(|c| unguard(c.trim_end()).to_string()).unwrap_or_default();
        let at = |k: &str| self.col.get(k).copied();
        let mut errors = vec![];
        if self.full_rows && row.len() < self.headers {
            // a broken or cut-off line: what its cells would mean is a guess
            let e = ErrorPayload::new(ErrorCode::ImportRowShort).arg("found", row.len()).arg("expected", self.headers);
            return Err(RowError { line, errors: vec![e] });
        }
        if row.len() > self.headers && row.cells().skip(self.headers).any(|c| !c.trim().is_empty()) {
            errors.push(
                ErrorPayload::new(ErrorCode::ImportRowLong).arg("found", row.len()).arg("expected", self.headers),
            );
        }
        let mut update = false;
        let sku = match validate_sku(&cell(Some(self.sku_col))) {
            Ok(s) => {
                update = existing.contains(&s);
                if !self.seen.insert(s.clone()) {
                    errors.push(ErrorPayload::new(ErrorCode::ImportDuplicateSku).arg("sku", &s));
                }
                s
            }
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let gtin = validate_gtin(&cell(at("gtin"))).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let header_currency = self.cost.and_then(|c| c.1);
        let currency = match cell(at("currency")).as_str() {
            "" => header_currency.unwrap_or(self.default_currency),
            c => match c.parse::<Currency>() {
                Ok(cur) => {
                    if let Some(h) = header_currency.filter(|h| *h != cur) {
                        errors.push(
                            ErrorPayload::new(ErrorCode::ImportCurrencyConflict).arg("header", h).arg("currency", cur),
                        );
                    }
                    cur
                }
                Err(_) => {
                    errors.push(
                        ErrorPayload::new(ErrorCode::MoneyInvalid)
                            .arg("value", c)
                            .arg("currency", c)
                            .arg("decimals", 2),
                    );
                    self.default_currency
                }
            },
        };
        let cost_text = cell(self.cost.map(|c| c.0));
        let parent = cell(at("parent"));
        let cost = if cost_text.is_empty() {
            // a new variant without a cost would price at a loss: never a silent 0
            if !update {
                errors.push(ErrorPayload::new(ErrorCode::ImportCostMissing));
            }
            Money::zero(currency)
        } else {
            parse_amount(&cost_text, currency).unwrap_or_else(|e| {
                errors.push(e);
                Money::zero(currency)
            })
        };
        let mut titles = vec![];
        for (i, lang) in &self.titles {
            let t = cell(Some(*i));
            if !t.is_empty() {
                match validate_title(&t) {
                    Ok(t) => titles.push((lang.clone(), t)),
                    Err(e) => errors.push(e),
                }
            }
        }
        // further variants of a product may leave the product's texts empty
        let is_variant_row = !parent.is_empty() && parent != sku;
        if titles.is_empty() && !is_variant_row && !update && !errors.iter().any(|e| e.code.starts_with("sku")) {
            errors.push(ErrorPayload::new(ErrorCode::TitleEmpty));
        }
        let mut descriptions = vec![];
        for (i, lang) in &self.descriptions {
            let d = text_cell(*i);
            if !d.is_empty() {
                match validate_description(&d) {
                    Ok(d) => descriptions.push((lang.clone(), d)),
                    Err(e) => errors.push(e),
                }
            }
        }
        // bullets: a multi-line cell per language, or numbered columns
        let mut bullet_lines: Vec<(String, Vec<String>)> = vec![];
        for (i, lang) in &self.bullets {
            let v = text_cell(*i);
            if !v.trim().is_empty() {
                bullet_lines.push((lang.clone(), v.lines().map(str::to_string).collect()));
            }
        }
        for (i, lang, _) in &self.bullet_cols {
            let v = text_cell(*i);
            if v.trim().is_empty() {
                continue;
            }
            match bullet_lines.iter_mut().find(|b| &b.0 == lang) {
                Some(b) => b.1.push(v),
                None => bullet_lines.push((lang.clone(), vec![v])),
            }
        }
        let mut bullets = vec![];
        for (lang, lines) in bullet_lines {
            match validate_bullets(&lines) {
                Ok(b) => bullets.push((lang, b)),
                Err(e) => errors.push(e),
            }
        }
        let mut keywords = vec![];
        for (i, lang) in &self.keywords {
            let v = text_cell(*i);
            if !v.trim().is_empty() {
                match validate_keywords(&v) {
                    Ok(k) => keywords.push((lang.clone(), k)),
                    Err(e) => errors.push(e),
                }
            }
        }
        let mut attributes: Vec<(String, String)> = vec![];
        let mut add_attribute = |k: &str, v: &str, errors: &mut Vec<ErrorPayload>| match validate_attribute_name(k) {
            Ok(k) => match validate_attribute_value(&k, v) {
                Ok(v) if v.is_empty() => {}
                Ok(v) => match attributes.iter_mut().find(|a| a.0 == k) {
                    Some(a) => a.1 = v,
                    None => attributes.push((k, v)),
                },
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(e),
        };
        for part in cell(at("attributes")).split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((k, v)) => add_attribute(k, v, &mut errors),
                None => errors.push(ErrorPayload::new(ErrorCode::AttributeName).arg("value", part)),
            }
        }
        for (i, name) in &self.attributes {
            let v = cell(Some(*i));
            if !v.is_empty() {
                add_attribute(name, &v, &mut errors);
            }
        }
        let stock = match cell(at("stock")).as_str() {
            "" => 0,
            s => s.parse::<i64>().ok().filter(|n| (0..=MAX_DIMENSION).contains(n)).unwrap_or_else(|| {
                errors.push(ErrorPayload::new(ErrorCode::StockInvalid).arg("value", s));
                0
            }),
        };
        let weight_text = cell(self.weight.map(|w| w.0));
        let weight_g = match (weight_text.as_str(), self.weight) {
            ("", _) | (_, None) => 0,
            (s, Some((_, WeightUnit::G))) => validate_dimension("weight_g", s).unwrap_or_else(|e| {
                errors.push(e);
                0
            }),
            (s, Some((_, unit))) => parse_weight(s, unit).unwrap_or_else(|e| {
                errors.push(e);
                0
            }),
        };
        let hs_code = validate_hs_code(&cell(at("hs_code"))).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let origin = validate_country(&cell(at("origin"))).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let brand = validate_brand(&cell(at("brand"))).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let category = validate_category(&cell(at("category"))).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let mut filled: Vec<String> = vec![];
        for (key, c) in [
            ("gtin", at("gtin")),
            ("brand", at("brand")),
            ("category", at("category")),
            ("cost", self.cost.map(|c| c.0)),
            ("stock", at("stock")),
            ("weight_g", self.weight.map(|w| w.0)),
            ("hs_code", at("hs_code")),
            ("origin", at("origin")),
        ] {
            if !cell(c).is_empty() {
                filled.push(key.to_string());
            }
        }
        if !attributes.is_empty() {
            filled.push("attributes".to_string());
        }
        if !errors.is_empty() {
            return Err(RowError { line, errors });
        }
        Ok(ImportRow {
            line,
            sku,
            gtin,
            brand,
            category,
            cost,
            titles,
            descriptions,
            bullets,
            keywords,
            parent,
            attributes,
            stock,
            weight_g,
            hs_code,
            origin,
            update,
            filled,
        })
    }
}

/// A cell made safe for spreadsheets: text that Excel would run as a
/// formula (= + - @, tab, CR) gets a leading apostrophe.
pub fn guard(cell: &str) -> String {
    // A leading apostrophe is escaped too, so that import can undo the guard exactly.
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Writes rows as UTF-8 CSV with a BOM (so Excel picks UTF-8), our headers,
/// and every cell guarded against formula injection.
pub fn export_csv(rows: &[ImportRow], languages: &[String]) -> String {
    let (headers, cells) = export_table(rows, languages);
    let mut w = csv::WriterBuilder::new().from_writer(vec![]);
    let _ = w.write_record(&headers);
    for r in cells {
        let _ = w.write_record(r.iter().map(|c| guard(c)));
    }
    let body = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    format!("\u{feff}{body}")
}

/// The export's header row and cells (not yet guarded), columns in the keys
/// the import maps back: everything exported can be imported unchanged.
pub fn export_table(rows: &[ImportRow], languages: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut headers: Vec<String> =
        ["parent", "sku", "gtin", "brand", "category", "cost", "currency", "stock", "attributes"]
            .map(String::from)
            .to_vec();
    for f in ["title", "description", "bullets", "keywords"] {
        headers.extend(languages.iter().map(|l| format!("{f}:{l}")));
    }
    headers.extend(["weight_g", "hs_code", "origin"].map(String::from));
    let of = |v: &[(String, String)], l: &String| v.iter().find(|t| &t.0 == l).map(|t| t.1.clone()).unwrap_or_default();
    let cells = rows
        .iter()
        .map(|r| {
            let mut rec = vec![
                r.parent.clone(),
                r.sku.clone(),
                r.gtin.clone().unwrap_or_default(),
                r.brand.clone(),
                r.category.clone(),
                r.cost.to_decimal().to_string(),
                r.cost.currency().to_string(),
                r.stock.to_string(),
                r.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "),
            ];
            rec.extend(languages.iter().map(|l| of(&r.titles, l)));
            rec.extend(languages.iter().map(|l| of(&r.descriptions, l)));
            rec.extend(
                languages
                    .iter()
                    .map(|l| r.bullets.iter().find(|b| &b.0 == l).map(|b| b.1.join("\n")).unwrap_or_default()),
            );
            rec.extend(languages.iter().map(|l| of(&r.keywords, l)));
            rec.extend([
                if r.weight_g == 0 { String::new() } else { r.weight_g.to_string() },
                r.hs_code.clone(),
                r.origin.clone(),
            ]);
            rec
        })
        .collect();
    (headers, cells)
}

#[cfg(test)]
mod tests;
