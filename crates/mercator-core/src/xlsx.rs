//! XLSX in and out. Reading streams the first worksheet into a [`Table`]
//! (the same a CSV gives, with spreadsheet row numbers as line numbers):
//! only cells that hold a value take memory, whatever range the sheet
//! claims, and every part is decompressed through a counter that stops at
//! [`Limits::max_part_bytes`] (a zip bomb is refused, not inflated).
//! Numbers are read as the text the file stores, never through a float.
//! Writing stores every cell as text, so nothing a cell holds can become a
//! formula when the file is opened.

use crate::table::{too_big, Limits, Table};
use crate::{ErrorCode, ErrorPayload};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Read, Seek};

/// True when `bytes` look like a ZIP container (XLSX is one).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// True for the OLE2 container of old `.xls` files and of password-protected workbooks.
pub fn is_ole2(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
}

fn unreadable() -> ErrorPayload {
    ErrorPayload::new(ErrorCode::XlsxUnreadable)
}

/// Which limit a part ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    Size,
    Run,
    /// `<!` (a comment, CDATA, a DOCTYPE): Excel never writes them, and the
    /// parser would buffer one whole.
    Markup,
}

/// A part of the workbook, decompressed as it is read and counted: past
/// `max` bytes, or a run of `max_run` bytes without a `<` (one text or tag
/// larger than any cell can be), reading fails before the parser buffers it.
struct Part<R> {
    inner: R,
    read: u64,
    max: u64,
    /// Bytes of the current tag (from its `<`) or text (from the last `>`).
    run: usize,
    max_run: usize,
    in_tag: bool,
    /// Inside a quoted attribute value of the current tag.
    quote: Option<u8>,
    /// The previous byte was the `<` that opened the current tag.
    just_opened: bool,
    hit: Option<Hit>,
}

impl<R: Read> Read for Part<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            self.hit = Some(Hit::Size);
            return Err(std::io::Error::other("part too large"));
        }
        // every event the XML parser buffers whole (a tag with its
        // attributes, a run of text) is bounded here, before it is buffered
        for &b in &buf[..n] {
            if self.just_opened && b == b'!' {
                self.hit = Some(Hit::Markup);
                return Err(std::io::Error::other("markup"));
            }
            self.just_opened = false;
            match (self.in_tag, self.quote, b) {
                (true, Some(q), _) if b == q => self.quote = None,
                (true, None, b'"' | b'\'') => self.quote = Some(b),
                (true, None, b'>') => {
                    self.in_tag = false;
                    self.run = 0;
                    continue;
                }
                (false, _, b'<') => {
                    self.in_tag = true;
                    self.just_opened = true;
                    self.run = 0;
                    continue;
                }
                _ => {}
            }
            self.run += 1;
            if self.run > self.max_run {
                self.hit = Some(Hit::Run);
                return Err(std::io::Error::other("run too long"));
            }
        }
        Ok(n)
    }
}

/// Streams one part through `each` event; maps limit hits to their messages.
fn parse_part<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limits: &Limits,
    mut each: impl FnMut(Event<'_>) -> Result<bool, ErrorPayload>,
) -> Result<(), ErrorPayload> {
    let file = zip.by_name(name).map_err(|_| unreadable())?;
    // a cell of the longest allowed text, fully escaped (&#x10FFFF; per char)
    let max_run = limits.max_cell_chars.saturating_mul(10).max(64 * 1024);
    let part = Part {
        inner: file,
        read: 0,
        max: limits.max_part_bytes,
        run: 0,
        max_run,
        in_tag: false,
        quote: None,
        just_opened: false,
        hit: None,
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, part));
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        let Ok(ev) = xml.read_event_into(&mut buf) else {
            {
                let part = xml.get_ref().get_ref();
                return Err(match part.hit {
                    Some(Hit::Size) => ErrorPayload::new(ErrorCode::ImportPartTooBig)
                        .arg("part", name)
                        .arg("max", limits.max_part_bytes.div_ceil(1 << 20)),
                    Some(Hit::Run) => ErrorPayload::new(ErrorCode::ImportCellTooLong)
                        .arg("line", "?")
                        .arg("column", "?")
                        .arg("max", limits.max_cell_chars),
                    Some(Hit::Markup) | None => unreadable(),
                });
            }
        };
        if matches!(ev, Event::Eof) {
            return Ok(());
        }
        if !each(ev)? {
            return Ok(());
        }
    }
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.unescape_value().ok().map(std::borrow::Cow::into_owned))
}

/// OOXML escapes characters XML cannot hold as `_xHHHH_` (`_x000D_` is a CR).
fn ooxml_unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hex = tail.get(2..6).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match (hex, tail.get(6..7)) {
            (Some(h), Some("_")) => {
                let c = u32::from_str_radix(h, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                out.push(c);
                rest = &tail[7..];
            }
            _ => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The first worksheet's part and the shared strings' part, from the
/// workbook and its relationships.
fn locate<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(String, Option<String>), ErrorPayload> {
    let small = Limits { max_part_bytes: limits.max_part_bytes.min(64 << 20), ..*limits };
    let mut first_sheet: Option<String> = None;
    if zip.by_name("xl/workbook.xml").is_ok() {
        parse_part(zip, "xl/workbook.xml", &small, |ev| {
            if let Event::Start(e) | Event::Empty(e) = &ev {
                if e.local_name().as_ref() == b"sheet" {
                    first_sheet = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"id" && a.key.prefix().is_some())
                        .and_then(|a| a.unescape_value().ok().map(std::borrow::Cow::into_owned));
                    return Ok(false);
                }
            }
            Ok(true)
        })?;
    }
    let mut sheets: Vec<(Option<String>, String)> = vec![];
    let mut strings: Option<String> = None;
    if zip.by_name("xl/_rels/workbook.xml.rels").is_ok() {
        parse_part(zip, "xl/_rels/workbook.xml.rels", &small, |ev| {
            if let Event::Start(e) | Event::Empty(e) = &ev {
                if e.local_name().as_ref() == b"Relationship" {
                    let target = attr(e, b"Target").unwrap_or_default();
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    let kind = attr(e, b"Type").unwrap_or_default();
                    if kind.ends_with("/sharedStrings") {
                        strings = Some(path);
                    } else if kind.ends_with("/worksheet") {
                        sheets.push((attr(e, b"Id"), path));
                    }
                }
            }
            Ok(true)
        })?;
    }
    let sheet = sheets
        .iter()
        .find(|(id, _)| first_sheet.is_some() && *id == first_sheet)
        .or(sheets.first())
        .map(|(_, p)| p.clone());
    let sheet = sheet.unwrap_or_else(|| "xl/worksheets/sheet1.xml".to_string());
    if zip.by_name(&sheet).is_err() {
        return Err(unreadable());
    }
    let strings = strings.or_else(|| zip.by_name("xl/sharedStrings.xml").ok().map(|_| "xl/sharedStrings.xml".into()));
    Ok((sheet, strings.filter(|s| zip.by_name(s).is_ok())))
}

/// Shared strings, all in one buffer.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }
}

fn shared_strings<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limits: &Limits,
) -> Result<Strings, ErrorPayload> {
    let mut s = Strings::default();
    let (mut in_si, mut in_t, mut phonetic) = (false, false, 0usize);
    parse_part(zip, name, limits, |ev| {
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"si" => in_si = true,
                b"t" => in_t = in_si,
                b"rPh" => phonetic += 1,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == b"si" => {
                if s.ends.len() >= limits.max_cells {
                    return Err(unreadable());
                }
                s.ends.push(s.text.len());
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"si" => {
                    in_si = false;
                    if s.ends.len() >= limits.max_cells {
                        return Err(unreadable());
                    }
                    s.ends.push(s.text.len());
                }
                b"t" => in_t = false,
                b"rPh" => phonetic = phonetic.saturating_sub(1),
                _ => {}
            },
            // the reading aid (furigana) of Japanese text is not the text
            Event::Text(t) if in_t && phonetic == 0 => {
                let t = t.unescape().map_err(|_| unreadable())?;
                s.text.push_str(&ooxml_unescape(&t));
                let start = s.ends.last().copied().unwrap_or(0);
                if s.text.len() - start > limits.max_cell_chars.saturating_mul(4) {
                    return Err(ErrorPayload::new(ErrorCode::ImportCellTooLong)
                        .arg("line", "?")
                        .arg("column", "?")
                        .arg("max", limits.max_cell_chars));
                }
            }
            Event::CData(_) => return Err(unreadable()),
            _ => {}
        }
        if s.text.len() > limits.max_text_bytes {
            return Err(too_big(s.text.len() as u64, limits.max_text_bytes as u64));
        }
        Ok(true)
    })?;
    Ok(s)
}

/// 0-based column of a cell reference (`B7` -> 1), or None when malformed.
fn column_of(reference: &str) -> Option<usize> {
    let letters: &str = &reference[..reference.bytes().take_while(u8::is_ascii_alphabetic).count()];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    Some(letters.bytes().fold(0usize, |n, b| n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)) - 1)
}

/// A number cell as the text a person typed: Excel stores doubles with up
/// to 17 significant digits (`19.989999999999998`) but shows 15, so the
/// stored text is rounded to 15 significant digits, exactly, in decimal.
pub fn excel_number(raw: &str) -> String {
    let raw = raw.trim();
    let parsed = if raw.contains(['e', 'E']) {
        rust_decimal::Decimal::from_scientific(raw).ok()
    } else {
        raw.parse::<rust_decimal::Decimal>().ok()
    };
    match parsed.and_then(|d| d.round_sf(15)) {
        Some(d) => d.normalize().to_string(),
        None => raw.to_string(),
    }
}

/// Reads the first worksheet of an XLSX as a table (the first row with a
/// value is the header).
pub fn read_xlsx<R: Read + Seek>(src: R, limits: &Limits) -> Result<Table, ErrorPayload> {
    let mut zip = zip::ZipArchive::new(src).map_err(|_| unreadable())?;
    if zip.len() > 10_000 {
        return Err(unreadable());
    }
    let (sheet, strings) = locate(&mut zip, limits)?;
    let strings = match strings {
        Some(name) => shared_strings(&mut zip, &name, limits)?,
        None => Strings::default(),
    };
    let mut table: Option<Table> = None;
    // the row being read: its number and (column, text) of the cells with a value
    let mut row_no = 0u64;
    let mut cells: Vec<(usize, String)> = vec![];
    let mut col = 0usize;
    let mut kind = String::new();
    let mut value = String::new();
    let (mut in_v, mut in_is_t, mut in_cell, mut phonetic) = (false, false, false, 0usize);
    let mut dense: Vec<String> = vec![];
    let mut row_bytes = 0usize;
    let max_cols = limits.max_columns;
    let mut finish_row = |row_no: u64, cells: &mut Vec<(usize, String)>, table: &mut Option<Table>| {
        if cells.is_empty() {
            return Ok(());
        }
        let width = cells.iter().map(|c| c.0).max().unwrap_or(0) + 1;
        dense.clear();
        dense.resize(width, String::new());
        for (c, v) in cells.drain(..) {
            dense[c] = v;
        }
        match table {
            None => {
                if dense.iter().all(|c| c.trim().is_empty()) {
                    return Ok(());
                }
                let headers = dense.iter().map(|h| h.trim().to_string()).collect();
                *table = Some(Table::with_limits("XLSX", ',', headers, false, *limits));
                Ok(())
            }
            Some(t) => t.push_row(row_no, &dense),
        }
    };
    parse_part(&mut zip, &sheet, limits, |ev| {
        match ev {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                finish_row(row_no, &mut cells, &mut table)?;
                row_bytes = 0;
                row_no = attr(&e, b"r").and_then(|r| r.parse().ok()).unwrap_or(row_no.saturating_add(1));
                col = 0;
            }
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                col = attr(&e, b"r").as_deref().and_then(column_of).unwrap_or(col);
                kind = attr(&e, b"t").unwrap_or_default();
                value.clear();
                in_cell = true;
            }
            Event::Empty(e) if e.local_name().as_ref() == b"c" => {
                // a formatted cell without a value takes nothing
                col = attr(&e, b"r").as_deref().and_then(column_of).unwrap_or(col) + 1;
            }
            Event::Start(e) => match e.local_name().as_ref() {
                b"v" if in_cell => in_v = true,
                b"t" if in_cell => in_is_t = true,
                b"rPh" => phonetic += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"v" => in_v = false,
                b"t" => in_is_t = false,
                b"rPh" => phonetic = phonetic.saturating_sub(1),
                b"c" if in_cell => {
                    in_cell = false;
                    let text = match kind.as_str() {
                        "s" => {
                            let i: usize = value.trim().parse().map_err(|_| unreadable())?;
                            strings.get(i).ok_or_else(unreadable)?.to_string()
                        }
                        "inlineStr" | "str" => ooxml_unescape(&value).into_owned(),
                        "b" => (if value.trim() == "1" { "TRUE" } else { "FALSE" }).to_string(),
                        "e" | "d" => value.clone(),
                        _ => excel_number(&value),
                    };
                    // cells of a row come left to right, each once: a row
                    // repeating a column is refused, not collected
                    if cells.last().is_some_and(|(last, _)| col <= *last) {
                        return Err(unreadable());
                    }
                    if !text.is_empty() {
                        row_bytes += text.len();
                        if row_bytes > limits.max_text_bytes {
                            return Err(too_big(row_bytes as u64, limits.max_text_bytes as u64));
                        }
                        if col >= max_cols {
                            return Err(ErrorPayload::new(ErrorCode::ImportTooManyColumns)
                                .arg("line", row_no)
                                .arg("max", max_cols));
                        }
                        if text.len() > limits.max_cell_chars && text.chars().count() > limits.max_cell_chars {
                            return Err(ErrorPayload::new(ErrorCode::ImportCellTooLong)
                                .arg("line", row_no)
                                .arg("column", crate::table::column_name(col))
                                .arg("max", limits.max_cell_chars));
                        }
                        cells.push((col, text));
                    }
                    col += 1;
                }
                b"sheetData" => {
                    finish_row(row_no, &mut cells, &mut table)?;
                    return Ok(false);
                }
                _ => {}
            },
            Event::Text(t) if (in_v || (in_is_t && phonetic == 0)) && in_cell => {
                value.push_str(&t.unescape().map_err(|_| unreadable())?);
                if value.len() > limits.max_cell_chars.saturating_mul(4) {
                    return Err(ErrorPayload::new(ErrorCode::ImportCellTooLong)
                        .arg("line", row_no)
                        .arg("column", crate::table::column_name(col))
                        .arg("max", limits.max_cell_chars));
                }
            }
            Event::CData(_) => return Err(unreadable()),
            _ => {}
        }
        Ok(true)
    })?;
    finish_row(row_no, &mut cells, &mut table)?;
    table.ok_or_else(|| ErrorPayload::new(ErrorCode::ImportEmpty))
}

/// Reads an XLSX held in memory.
pub fn parse_xlsx(bytes: &[u8]) -> Result<Table, ErrorPayload> {
    read_xlsx(std::io::Cursor::new(bytes), &Limits::DEFAULT)
}

/// A one-sheet workbook; every cell is a string cell.
pub fn write_xlsx(sheet: &str, headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, ErrorPayload> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ErrorPayload::new(ErrorCode::ExportFailed).arg("detail", e);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_text_and_never_writes_formulas() {
        let headers = vec!["sku".to_string(), "title:zh-CN".into(), "gtin".into()];
        let rows = vec![
            vec!["KIT-1".to_string(), "硅胶锅铲\n第二行".into(), "4006381333931".into()],
            vec!["=HYPERLINK(\"http://x\")".to_string(), "+1 -2 @SUM".into(), String::new()],
        ];
        let bytes = write_xlsx("Catalog", &headers, &rows).unwrap();
        assert!(is_xlsx(&bytes));
        let t = parse_xlsx(&bytes).unwrap();
        assert_eq!(t.headers, headers);
        let first = t.row(0).unwrap();
        assert_eq!((first.line, first.cells().collect::<Vec<_>>()), (2, rows[0].iter().map(String::as_str).collect()));
        assert_eq!(t.row(1).unwrap().get(0), Some(rows[1][0].as_str()), "stored as the text typed, not a formula");
        // the sheet XML holds no formula element
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(parse_xlsx(b"PK\x03\x04garbage").unwrap_err().code, "xlsx-unreadable");
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(excel_number("19.989999999999998"), "19.99");
        assert_eq!(excel_number("4006381333931"), "4006381333931");
        assert_eq!(excel_number("0.30000000000000004"), "0.3");
        assert_eq!(excel_number("1.5E-3"), "0.0015");
        assert_eq!(excel_number("100"), "100");
        assert_eq!(excel_number("not a number"), "not a number");
        assert_eq!(ooxml_unescape("a_x000D_b_x005F_x"), "a\rb_x");
        assert_eq!(column_of("XFD1048576"), Some(16383));
        assert_eq!(column_of("A1"), Some(0));
    }
}
