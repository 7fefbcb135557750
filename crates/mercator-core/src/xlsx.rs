//! XLSX in and out, in memory. Reading takes the first worksheet as a table
//! (the same [`Table`] a CSV gives, with spreadsheet row numbers as line
//! numbers); writing stores every cell as text, so nothing a cell holds can
//! become a formula when the file is opened.

use crate::import::Table;
use crate::{ErrorCode, ErrorPayload};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// True when `bytes` look like a ZIP container (XLSX is one).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Excel stores every number as a float; integers (GTINs, stock) are
        // shown without ".0", other numbers with Excel's shortest form.
        Data::Float(f) => {
            let s = f.to_string();
            s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

pub fn parse_xlsx(bytes: &[u8]) -> Result<Table, ErrorPayload> {
    let bad = |detail: String| ErrorPayload::new(ErrorCode::XlsxUnreadable).arg("detail", detail);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let range =
        book.worksheet_range_at(0).ok_or_else(|| bad("no worksheet".into()))?.map_err(|e| bad(e.to_string()))?;
    let start_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let mut rows = range.rows();
    let headers: Vec<String> = match rows.next() {
        Some(h) => h.iter().map(|c| cell_text(c).trim().to_string()).collect(),
        None => return Err(ErrorPayload::new(ErrorCode::ImportEmpty)),
    };
    let mut out = vec![];
    for (i, r) in rows.enumerate() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.push((start_row + i as u64 + 2, cells));
    }
    Ok(Table { encoding: "XLSX", delimiter: ',', headers, rows: out })
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
            vec!["=HYPERLINK(\"http://x\")".to_string(), "+1 -2 @SUM".into(), "".into()],
        ];
        let bytes = write_xlsx("Catalog", &headers, &rows).unwrap();
        assert!(is_xlsx(&bytes));
        let t = parse_xlsx(&bytes).unwrap();
        assert_eq!(t.headers, headers);
        assert_eq!(t.rows[0], (2, rows[0].clone()));
        assert_eq!(t.rows[1].1[0], rows[1][0], "stored as the text typed, not a formula");
        // the sheet XML holds no formula element
        let mut zip = std::io::Cursor::new(&bytes);
        let mut book: Xlsx<_> = Xlsx::new(&mut zip).unwrap();
        let formulas = book.worksheet_formula("Catalog").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(parse_xlsx(b"PK\x03\x04garbage").unwrap_err().code, "xlsx-unreadable");
    }
}
