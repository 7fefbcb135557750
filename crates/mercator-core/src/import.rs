//! Catalog spreadsheets: decoding (UTF-8 with or without BOM, GB18030/GBK as
//! Excel on Chinese Windows writes), delimiter sniffing (comma, semicolon,
//! tab), quoted multi-line fields, column mapping, per-row validation with
//! line numbers, and export that is safe to open in Excel (no formula
//! injection). Pure: bytes in, rows and reports out.

use crate::catalog::{
    validate_attribute_name, validate_bullets, validate_country, validate_dimension, validate_gtin, validate_hs_code,
    validate_keywords, validate_language, validate_sku, validate_title,
};
use crate::money::{Currency, Money};
use crate::{ErrorCode, ErrorPayload};
use rust_decimal::Decimal;
use std::collections::HashSet;

/// A decoded, parsed sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub encoding: &'static str,
    pub delimiter: char,
    pub headers: Vec<String>,
    /// (1-based line number where the record starts, cells)
    pub rows: Vec<(u64, Vec<String>)>,
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Sku,
    Gtin,
    Brand,
    Category,
    Cost,
    Currency,
    Title(String),
    Description(String),
    /// Bullet points, one per line in the cell.
    Bullets(String),
    Keywords(String),
    /// SKU of the product's first variant: rows sharing it are variants of one product.
    Parent,
    /// `name=value; name=value`
    Attributes,
    Stock,
    WeightG,
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
            Field::Currency => "currency".into(),
            Field::Title(l) => format!("title:{l}"),
            Field::Description(l) => format!("description:{l}"),
            Field::Bullets(l) => format!("bullets:{l}"),
            Field::Keywords(l) => format!("keywords:{l}"),
            Field::Parent => "parent".into(),
            Field::Attributes => "attributes".into(),
            Field::Stock => "stock".into(),
            Field::WeightG => "weight_g".into(),
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
            "weight_g" => Field::WeightG,
            "hs_code" => Field::HsCode,
            "origin" => Field::Origin,
            k => match k.split_once(':') {
                Some(("title", l)) => Field::Title(validate_language(l).ok()?),
                Some(("description", l)) => Field::Description(validate_language(l).ok()?),
                Some(("bullets", l)) => Field::Bullets(validate_language(l).ok()?),
                Some(("keywords", l)) => Field::Keywords(validate_language(l).ok()?),
                _ => return None,
            },
        })
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

/// Decodes bytes as UTF-8 (BOM stripped) or, failing that, GB18030 (a superset
/// of GBK/GB2312). Binary files are refused.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), ErrorPayload> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ErrorPayload::new(ErrorCode::ImportEmpty));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(ErrorPayload::new(ErrorCode::ImportNotText));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "UTF-8 (BOM)"))
            .map_err(|_| ErrorPayload::new(ErrorCode::ImportNotText));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(ErrorPayload::new(ErrorCode::ImportNotText));
    }
    Ok((text.into_owned(), "GB18030"))
}

/// The delimiter that splits the first lines most consistently.
pub fn sniff_delimiter(text: &str) -> char {
    let sample: Vec<&str> = text.lines().take(10).collect();
    let mut best = (',', 0usize);
    for d in [',', ';', '\t'] {
        let counts: Vec<usize> = sample.iter().map(|l| count_outside_quotes(l, d)).collect();
        let first = counts.first().copied().unwrap_or(0);
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let score = consistent * 1000 + first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut inside = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                inside = !inside;
            }
            c == d && !inside
        })
        .count()
}

/// Decodes and parses a CSV/TSV file.
pub fn parse_table(bytes: &[u8]) -> Result<Table, ErrorPayload> {
    let (text, encoding) = decode(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|h| h.trim().to_string()).collect(),
        Some(Err(e)) => return Err(malformed(&e)),
        None => return Err(ErrorPayload::new(ErrorCode::ImportEmpty)),
    };
    let mut rows = vec![];
    let mut lines = LineCounter::default();
    for rec in records {
        let rec = rec.map_err(|e| malformed(&e))?;
        let line = rec.position().map(|p| lines.line_at(&text, p.byte() as usize)).unwrap_or(0);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((line, rec.iter().map(str::to_string).collect()));
    }
    // A quote left open at the end swallows the rest of the file: the csv
    // reader accepts it, so check that the last record ends the text cleanly.
    if text.matches('"').count() % 2 == 1 {
        let line = rows.last().map(|r| r.0).unwrap_or(1);
        return Err(ErrorPayload::new(ErrorCode::ImportMalformed).arg("line", line));
    }
    Ok(Table { encoding, delimiter, headers, rows })
}

/// Line numbers for increasing byte offsets, counted incrementally (linear
/// over the file, not per record from the start).
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    /// 1-based line of the first character at or after `offset` that is not a
    /// line break (a record may be reported as starting on the `\n` of `\r\n`).
    fn line_at(&mut self, text: &str, offset: usize) -> u64 {
        let bytes = text.as_bytes();
        let mut start = offset.min(bytes.len());
        while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
            start += 1;
        }
        if start < self.offset {
            // not expected (offsets only grow); recount from the start
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.offset..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = start;
        self.newlines + 1
    }
}

fn malformed(e: &csv::Error) -> ErrorPayload {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    ErrorPayload::new(ErrorCode::ImportMalformed).arg("line", line)
}

/// Guesses what each column holds from its header (English, German and
/// Chinese names, and our own export headers).
pub fn guess_mapping(headers: &[String]) -> Vec<Option<Field>> {
    headers
        .iter()
        .map(|h| {
            let n = h.trim().to_lowercase();
            if let Some(f) = Field::from_key(&n.replace(" ", "")) {
                // our export headers, e.g. title:zh-cn -> normalise the tag case
                return Some(normalise_field(f));
            }
            let lang_of = |s: &str| -> Option<String> {
                let open = s.find(['(', '[', '_', '-', ' '])?;
                let tag = s[open..].trim_matches(|c: char| "()[]_- :".contains(c));
                validate_language(&normalise_tag(tag)).ok()
            };
            Some(match n.as_str() {
                "sku" | "seller sku" | "seller-sku" | "货号" | "商品编码" | "artikelnummer" => Field::Sku,
                "gtin" | "ean" | "upc" | "jan" | "barcode" | "条码" | "条形码" => Field::Gtin,
                "brand" | "品牌" | "marke" => Field::Brand,
                "category" | "类目" | "分类" | "kategorie" => Field::Category,
                "cost" | "unit cost" | "purchase cost" | "采购价" | "采购成本" | "成本" | "einkaufspreis" => {
                    Field::Cost
                }
                "currency" | "币种" | "货币" | "währung" => Field::Currency,
                "title" | "标题" | "中文标题" => {
                    Field::Title(if n == "title" { "en-US".into() } else { "zh-CN".into() })
                }
                "英文标题" => Field::Title("en-US".into()),
                "德文标题" => Field::Title("de-DE".into()),
                "titel" => Field::Title("de-DE".into()),
                "parent sku" | "parent_sku" | "父sku" | "父体" | "eltern-sku" => Field::Parent,
                "库存" | "bestand" | "quantity" | "qty" => Field::Stock,
                "属性" | "variation" | "variante" => Field::Attributes,
                "hs code" | "海关编码" | "zolltarifnummer" => Field::HsCode,
                "country of origin" | "原产地" | "ursprungsland" => Field::Origin,
                "weight (g)" | "重量(g)" | "重量" | "gewicht (g)" => Field::WeightG,
                "description" => Field::Description("en-US".into()),
                "描述" => Field::Description("zh-CN".into()),
                s if s.starts_with("title") => Field::Title(lang_of(s)?),
                s if s.starts_with("description") => Field::Description(lang_of(s)?),
                _ => return None,
            })
        })
        .collect()
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
        Field::Keywords(l) => Field::Keywords(normalise_tag(&l)),
        other => other,
    }
}

/// Undoes [`guard`]: one leading `'` before = + - @ tab CR or another `'`.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}

/// Parses a decimal amount, accepting a decimal comma only when unambiguous.
pub fn parse_amount(value: &str, currency: Currency) -> Result<Money, ErrorPayload> {
    let bad = || {
        ErrorPayload::new(ErrorCode::MoneyInvalid)
            .arg("value", value)
            .arg("currency", currency)
            .arg("decimals", currency.exponent())
    };
    let t = value.trim();
    let normalized = match (t.matches(',').count(), t.contains('.')) {
        (0, _) => t.to_string(),
        (1, false) => {
            let frac = t.rsplit(',').next().unwrap_or_default();
            if frac.is_empty() || frac.len() > currency.exponent() as usize {
                return Err(bad());
            }
            t.replace(',', ".")
        }
        _ => return Err(bad()),
    };
    let d: Decimal = normalized.parse().map_err(|_| bad())?;
    if d.is_sign_negative() {
        return Err(bad());
    }
    Money::from_decimal(d, currency).map_err(|_| bad())
}

/// (column index, language) of every column whose field `lang_of` accepts.
fn lang_columns(mapping: &[Option<Field>], lang_of: impl Fn(&Field) -> Option<&String>) -> Vec<(usize, String)> {
    mapping.iter().enumerate().filter_map(|(i, m)| m.as_ref().and_then(&lang_of).map(|l| (i, l.clone()))).collect()
}

/// Validates every row; `existing` holds SKUs already in the catalog (rows
/// naming one become updates, see [`ImportRow::update`]).
pub fn validate(
    table: &Table,
    mapping: &[Option<Field>],
    default_currency: Currency,
    existing: &HashSet<String>,
) -> Result<(Vec<ImportRow>, Vec<RowError>), ErrorPayload> {
    let col = |f: &Field| mapping.iter().position(|m| m.as_ref() == Some(f));
    let sku_col = col(&Field::Sku).ok_or_else(|| ErrorPayload::new(ErrorCode::ImportNoSku))?;
    let title_cols = lang_columns(mapping, |f| match f {
        Field::Title(l) => Some(l),
        _ => None,
    });
    if title_cols.is_empty() {
        return Err(ErrorPayload::new(ErrorCode::ImportNoTitle));
    }
    let desc_cols = lang_columns(mapping, |f| match f {
        Field::Description(l) => Some(l),
        _ => None,
    });
    let mut seen: HashSet<String> = HashSet::new();
    let (mut ok, mut bad) = (vec![], vec![]);
    for (line, cells) in &table.rows {
        let cell =
            |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| unguard(c.trim()).to_string()).unwrap_or_default();
        let mut errors = vec![];
        let mut update = false;
        let sku = match validate_sku(&cell(Some(sku_col))) {
            Ok(s) => {
                update = existing.contains(&s);
                if !seen.insert(s.clone()) {
                    errors.push(ErrorPayload::new(ErrorCode::ImportDuplicateSku).arg("sku", &s));
                }
                s
            }
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let gtin = validate_gtin(&cell(col(&Field::Gtin))).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let currency = match cell(col(&Field::Currency)).as_str() {
            "" => default_currency,
            c => c.parse().unwrap_or_else(|_| {
                errors.push(
                    ErrorPayload::new(ErrorCode::MoneyInvalid).arg("value", c).arg("currency", c).arg("decimals", 2),
                );
                default_currency
            }),
        };
        let cost_text = cell(col(&Field::Cost));
        let cost = if cost_text.is_empty() {
            Money::zero(currency)
        } else {
            parse_amount(&cost_text, currency).unwrap_or_else(|e| {
                errors.push(e);
                Money::zero(currency)
            })
        };
        let mut titles = vec![];
        for (i, lang) in &title_cols {
            let t = cell(Some(*i));
            if !t.is_empty() {
                match validate_title(&t) {
                    Ok(t) => titles.push((lang.clone(), t)),
                    Err(e) => errors.push(e),
                }
            }
        }
        let parent = cell(col(&Field::Parent));
        // further variants of a product may leave the product's texts empty
        let is_variant_row = !parent.is_empty() && parent != sku;
        if titles.is_empty() && errors.is_empty() && !is_variant_row && !update {
            errors.push(ErrorPayload::new(ErrorCode::TitleEmpty));
        }
        let descriptions = desc_cols
            .iter()
            .filter_map(|(i, l)| {
                let d = cells.get(*i).map(|c| unguard(c.trim_end()).to_string()).unwrap_or_default();
                (!d.is_empty()).then(|| (l.clone(), d))
            })
            .collect();
        let per_lang = |pick: fn(&Field) -> Option<&String>| -> Vec<(String, String)> {
            mapping
                .iter()
                .enumerate()
                .filter_map(|(i, m)| Some((i, pick(m.as_ref()?)?.clone())))
                .filter_map(|(i, l)| {
                    let v = cells.get(i).map(|c| unguard(c.trim_end()).to_string()).unwrap_or_default();
                    (!v.trim().is_empty()).then_some((l, v))
                })
                .collect()
        };
        let bullets: Vec<(String, Vec<String>)> = per_lang(|f| match f {
            Field::Bullets(l) => Some(l),
            _ => None,
        })
        .into_iter()
        .filter_map(|(l, v)| {
            let lines: Vec<String> = v.lines().map(str::to_string).collect();
            match validate_bullets(&lines) {
                Ok(b) => Some((l, b)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        })
        .collect();
        let keywords: Vec<(String, String)> = per_lang(|f| match f {
            Field::Keywords(l) => Some(l),
            _ => None,
        })
        .into_iter()
        .filter_map(|(l, v)| match validate_keywords(&v) {
            Ok(k) => Some((l, k)),
            Err(e) => {
                errors.push(e);
                None
            }
        })
        .collect();
        let mut attributes = vec![];
        for part in cell(col(&Field::Attributes)).split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((k, v)) => match validate_attribute_name(k) {
                    Ok(k) => attributes.push((k, v.trim().to_string())),
                    Err(e) => errors.push(e),
                },
                None => errors.push(ErrorPayload::new(ErrorCode::AttributeName).arg("value", part)),
            }
        }
        let stock = match cell(col(&Field::Stock)).as_str() {
            "" => 0,
            s => s.parse::<i64>().ok().filter(|n| *n >= 0).unwrap_or_else(|| {
                errors.push(ErrorPayload::new(ErrorCode::StockInvalid).arg("value", s));
                0
            }),
        };
        let weight_g = match cell(col(&Field::WeightG)).as_str() {
            "" => 0,
            s => validate_dimension("weight_g", s).unwrap_or_else(|e| {
                errors.push(e);
                0
            }),
        };
        let hs_code = validate_hs_code(&cell(col(&Field::HsCode))).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let origin = validate_country(&cell(col(&Field::Origin))).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let filled: Vec<String> = [
            Field::Gtin,
            Field::Brand,
            Field::Category,
            Field::Cost,
            Field::Stock,
            Field::WeightG,
            Field::HsCode,
            Field::Origin,
            Field::Attributes,
        ]
        .iter()
        .filter(|f| !cell(col(f)).is_empty())
        .map(Field::key)
        .collect();
        if errors.is_empty() {
            ok.push(ImportRow {
                update,
                filled,
                line: *line,
                sku,
                gtin,
                brand: cell(col(&Field::Brand)),
                category: cell(col(&Field::Category)),
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
            });
        } else {
            bad.push(RowError { line: *line, errors });
        }
    }
    Ok((ok, bad))
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
