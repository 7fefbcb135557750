//! A sheet as read from a file: headers and rows of text cells, held
//! compactly (every cell's text in one buffer), and the CSV/TSV reader that
//! fills it from any `Read + Seek` without holding the file twice.
//!
//! Hostile files: every limit in [`Limits`] is checked while reading, before
//! the memory it would take is allocated, so a tiny file that claims a huge
//! sheet or a huge file of one cell is refused with a message naming the
//! limit, never an abort.

use crate::{ErrorCode, ErrorPayload};
use std::io::{Read, Seek, SeekFrom};

/// What a file may hold. Far above any seller's real catalog, far below
/// what a crafted file needs to exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file on disk.
    pub max_file_bytes: u64,
    /// Decompressed size of one part of an XLSX (sheet, shared strings).
    pub max_part_bytes: u64,
    /// Data rows (not counting the header).
    pub max_rows: usize,
    /// Columns of the header or of any row.
    pub max_columns: usize,
    /// Characters in one cell (Excel's own cell limit is 32,767).
    pub max_cell_chars: usize,
    /// Text of all cells together, in bytes.
    pub max_text_bytes: usize,
    /// Cells of all rows together.
    pub max_cells: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_file_bytes: 1 << 30,
        max_part_bytes: 1 << 30,
        max_rows: 1_000_000,
        max_columns: 1_000,
        max_cell_chars: 32_767,
        max_text_bytes: 1 << 31,
        max_cells: 50_000_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

fn mb(bytes: u64) -> String {
    // whole MB, rounded up, so "1025 MB > 1024 MB" never reads "1024 > 1024"
    bytes.div_ceil(1 << 20).to_string()
}

pub(crate) fn too_big(size: u64, max: u64) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::ImportTooBig).arg("size", mb(size)).arg("max", mb(max))
}

fn too_many_rows(max: usize) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::ImportTooManyRows).arg("max", max)
}

fn too_many_columns(line: u64, max: usize) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::ImportTooManyColumns).arg("line", line).arg("max", max)
}

fn cell_too_long(line: u64, column: usize, max: usize) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::ImportCellTooLong).arg("line", line).arg("column", column_name(column)).arg("max", max)
}

/// Spreadsheet column name of a 0-based index: 0 -> A, 25 -> Z, 26 -> AA.
pub fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowMeta {
    line: u64,
    first: u32,
    len: u32,
}

/// A decoded, parsed sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// `UTF-8`, `UTF-8 (BOM)`, `GB18030` or `XLSX`.
    pub encoding: &'static str,
    pub delimiter: char,
    pub headers: Vec<String>,
    /// CSV rows must have a cell for every header (a shorter one is a file
    /// cut off, or a broken line); sheets leave empty trailing cells out.
    pub full_rows: bool,
    text: String,
    /// Start of each cell in `text`; a cell ends where the next one starts.
    starts: Vec<u32>,
    rows: Vec<RowMeta>,
    limits: Limits,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// 1-based line (CSV) or row number (XLSX) where the row starts.
    pub line: u64,
    starts: &'a [u32],
    end: usize,
    text: &'a str,
}

impl<'a> Row<'a> {
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        let start = *self.starts.get(i)? as usize;
        let end = self.starts.get(i + 1).map_or(self.end, |e| *e as usize);
        self.text.get(start..end)
    }

    pub fn cells(&self) -> impl Iterator<Item = &'a str> + 'a {
        let row = *self;
        (0..row.len()).filter_map(move |i| row.get(i))
    }
}

impl Table {
    pub fn new(encoding: &'static str, delimiter: char, headers: Vec<String>, full_rows: bool) -> Table {
        Table::with_limits(encoding, delimiter, headers, full_rows, Limits::DEFAULT)
    }

    pub fn with_limits(
        encoding: &'static str,
        delimiter: char,
        headers: Vec<String>,
        full_rows: bool,
        limits: Limits,
    ) -> Table {
        Table { encoding, delimiter, headers, full_rows, text: String::new(), starts: vec![], rows: vec![], limits }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        let m = self.rows.get(i)?;
        let first = m.first as usize;
        let last = first + m.len as usize;
        let end = self.starts.get(last).map_or(self.text.len(), |e| *e as usize);
        Some(Row { line: m.line, starts: &self.starts[first..last], end, text: &self.text })
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        (0..self.rows.len()).filter_map(|i| self.row(i))
    }

    /// Bytes of memory the table's cells take (for benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.starts.capacity() * 4 + self.rows.capacity() * std::mem::size_of::<RowMeta>()
    }

    /// Appends a row, checking the limits. Rows whose cells are all blank
    /// are skipped.
    pub fn push_row<S: AsRef<str>>(&mut self, line: u64, cells: &[S]) -> Result<(), ErrorPayload> {
        if cells.iter().all(|c| c.as_ref().trim().is_empty()) {
            return Ok(());
        }
        let l = self.limits;
        if self.rows.len() >= l.max_rows {
            return Err(too_many_rows(l.max_rows));
        }
        if cells.len() > l.max_columns {
            return Err(too_many_columns(line, l.max_columns));
        }
        if self.starts.len() + cells.len() > l.max_cells {
            return Err(too_many_rows(self.rows.len()));
        }
        let bytes: usize = cells.iter().map(|c| c.as_ref().len()).sum();
        if self.text.len() + bytes > l.max_text_bytes {
            return Err(too_big(self.text.len() as u64 + bytes as u64, l.max_text_bytes as u64));
        }
        for (i, c) in cells.iter().enumerate() {
            let c = c.as_ref();
            // bytes bound chars from above: count only when it could matter
            if c.len() > l.max_cell_chars && c.chars().count() > l.max_cell_chars {
                return Err(cell_too_long(line, i, l.max_cell_chars));
            }
        }
        let first = self.starts.len() as u32;
        for c in cells {
            self.starts.push(self.text.len() as u32);
            self.text.push_str(c.as_ref());
        }
        self.rows.push(RowMeta { line, first, len: cells.len() as u32 });
        Ok(())
    }

    /// A table from rows given whole (tests, in-memory sources).
    pub fn from_rows(headers: Vec<String>, rows: &[(u64, Vec<String>)]) -> Result<Table, ErrorPayload> {
        let mut t = Table::new("UTF-8", ',', headers, true);
        for (line, cells) in rows {
            t.push_row(*line, cells)?;
        }
        Ok(t)
    }
}

/// What the first pass over a CSV's bytes found.
struct Scan {
    bytes: u64,
    utf8: bool,
    bom: bool,
    quotes_odd: bool,
}

/// Reads the whole file once in small chunks: is it UTF-8, does it start
/// with a BOM, is it binary, are its quotes balanced. Nothing is kept.
fn scan<R: Read>(src: &mut R, limits: &Limits) -> Result<Scan, ErrorPayload> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut carry: Vec<u8> = Vec::with_capacity(4);
    let (mut total, mut utf8, mut quotes, mut blank) = (0u64, true, 0u64, true);
    let mut head = [0u8; 3];
    loop {
        let n = read_some(src, &mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if total < 8192 && chunk[..n.min((8192 - total) as usize)].contains(&0) {
            return Err(ErrorPayload::new(ErrorCode::ImportNotText));
        }
        for (i, b) in chunk.iter().take(3usize.saturating_sub(total as usize)).enumerate() {
            head[total as usize + i] = *b;
        }
        total += n as u64;
        if total > limits.max_file_bytes {
            return Err(too_big(total, limits.max_file_bytes));
        }
        quotes += bytecount(chunk, b'"');
        if blank {
            blank = chunk.iter().all(u8::is_ascii_whitespace);
        }
        if utf8 {
            // a multi-byte character may straddle two chunks
            let mut joined;
            let data: &[u8] = if carry.is_empty() {
                chunk
            } else {
                joined = std::mem::take(&mut carry);
                joined.extend_from_slice(chunk);
                &joined
            };
            match std::str::from_utf8(data) {
                Ok(_) => carry.clear(),
                Err(e) if e.error_len().is_none() => carry = data[e.valid_up_to()..].to_vec(),
                Err(_) => utf8 = false,
            }
        }
    }
    if blank {
        return Err(ErrorPayload::new(ErrorCode::ImportEmpty));
    }
    if !carry.is_empty() {
        utf8 = false;
    }
    Ok(Scan { bytes: total, utf8, bom: head == *b"\xEF\xBB\xBF", quotes_odd: quotes % 2 == 1 })
}

fn bytecount(hay: &[u8], needle: u8) -> u64 {
    hay.iter().filter(|&&b| b == needle).count() as u64
}

fn read_some<R: Read>(src: &mut R, buf: &mut [u8]) -> Result<usize, ErrorPayload> {
    loop {
        match src.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ErrorPayload::new(ErrorCode::ImportUnreadable)),
        }
    }
}

/// Turns the file's bytes into UTF-8 chunk by chunk (GB18030 decoded as it
/// goes), never holding more than a chunk.
struct Utf8Chunks<R> {
    src: R,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    out: Vec<u8>,
    done: bool,
}

impl<R: Read> Utf8Chunks<R> {
    fn new(src: R, gb18030: bool) -> Self {
        Utf8Chunks {
            src,
            decoder: gb18030.then(|| encoding_rs::GB18030.new_decoder_without_bom_handling()),
            raw: vec![0u8; 64 * 1024],
            out: Vec::with_capacity(160 * 1024),
            done: false,
        }
    }

    /// The next chunk of UTF-8 (empty at the end).
    fn next(&mut self) -> Result<&[u8], ErrorPayload> {
        if self.done {
            return Ok(&[]);
        }
        let n = read_some(&mut self.src, &mut self.raw)?;
        let last = n == 0;
        match &mut self.decoder {
            None => {
                self.done = last;
                Ok(&self.raw[..n])
            }
            Some(d) => {
                self.out.clear();
                let need = d.max_utf8_buffer_length_without_replacement(n).unwrap_or(n * 3 + 16);
                self.out.resize(need, 0);
                let (res, _, written) = d.decode_to_utf8_without_replacement(&self.raw[..n], &mut self.out, last);
                if let encoding_rs::DecoderResult::Malformed(..) = res {
                    return Err(ErrorPayload::new(ErrorCode::ImportNotText));
                }
                self.out.truncate(written);
                self.done = last;
                Ok(&self.out)
            }
        }
    }
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

/// Reads a CSV/TSV (UTF-8 with or without BOM, or GB18030/GBK as Excel on
/// Chinese Windows writes it; comma, semicolon or tab; quoted multi-line
/// fields) in two streaming passes: a scan, then the parse into a
/// [`Table`]. Memory is the table's text and little more.
pub fn read_csv<R: Read + Seek>(mut src: R, limits: &Limits) -> Result<Table, ErrorPayload> {
    let seek_err = |_| ErrorPayload::new(ErrorCode::ImportUnreadable);
    let s = scan(&mut src, limits)?;
    src.seek(SeekFrom::Start(0)).map_err(seek_err)?;
    let encoding = match (s.utf8, s.bom) {
        (true, true) => "UTF-8 (BOM)",
        (true, false) => "UTF-8",
        (false, _) => "GB18030",
    };
    // the delimiter from the first lines
    let delimiter = {
        let mut raw = vec![0u8; 64 * 1024];
        let mut n = 0;
        while n < raw.len() {
            match read_some(&mut src, &mut raw[n..])? {
                0 => break,
                k => n += k,
            }
        }
        // the sample may end inside a character: decoded leniently
        let text = if s.utf8 {
            String::from_utf8_lossy(&raw[..n]).into_owned()
        } else {
            encoding_rs::GB18030.decode_without_bom_handling(&raw[..n]).0.into_owned()
        };
        sniff_delimiter(text.trim_start_matches('\u{feff}'))
    };
    src.seek(SeekFrom::Start(0)).map_err(seek_err)?;
    let mut chunks = Utf8Chunks::new(src, !s.utf8);
    let mut rdr = csv_core::ReaderBuilder::new().delimiter(delimiter as u8).build();
    let max_cell_bytes = limits.max_cell_chars.saturating_mul(4);
    let mut out = vec![0u8; 4096];
    let mut ends = vec![0usize; 32];
    let (mut nout, mut nend) = (0usize, 0usize);
    let mut line = 1u64;
    let mut start: Option<u64> = None;
    let mut table: Option<Table> = None;
    loop {
        let input = chunks.next()?;
        let at_end = input.is_empty();
        let mut inp = input;
        loop {
            let (res, nin, o, e) = rdr.read_record(inp, &mut out[nout..], &mut ends[nend..]);
            for &b in &inp[..nin] {
                if start.is_none() && b != b'\r' && b != b'\n' && b != b'\xEF' && b != b'\xBB' && b != b'\xBF' {
                    start = Some(line);
                }
                if b == b'\n' {
                    line += 1;
                }
            }
            inp = &inp[nin..];
            nout += o;
            nend += e;
            match res {
                csv_core::ReadRecordResult::InputEmpty => break,
                csv_core::ReadRecordResult::OutputFull => {
                    let field = nout - if nend == 0 { 0 } else { ends[nend - 1] };
                    if field > max_cell_bytes {
                        return Err(cell_too_long(start.unwrap_or(line), nend, limits.max_cell_chars));
                    }
                    let grown = out.len() * 2;
                    out.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if nend >= limits.max_columns {
                        return Err(too_many_columns(start.unwrap_or(line), limits.max_columns));
                    }
                    let grown = (ends.len() * 2).min(limits.max_columns + 1);
                    ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    let row_line = start.take().unwrap_or(line);
                    let data = &out[..nout];
                    let mut cells: Vec<&str> = Vec::with_capacity(nend);
                    let mut from = 0;
                    for &end in &ends[..nend] {
                        let cell = std::str::from_utf8(&data[from..end])
                            .map_err(|_| ErrorPayload::new(ErrorCode::ImportNotText))?;
                        cells.push(cell);
                        from = end;
                    }
                    match &mut table {
                        None => {
                            if cells.len() > limits.max_columns {
                                return Err(too_many_columns(row_line, limits.max_columns));
                            }
                            let headers = cells.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string());
                            let mut t = Table::with_limits(encoding, delimiter, headers.collect(), true, *limits);
                            // the cells' text is at most the file's (GB18030 grows by half in UTF-8)
                            let room = if s.utf8 { s.bytes } else { s.bytes + s.bytes / 2 };
                            t.text.reserve(usize::try_from(room).unwrap_or(0).min(limits.max_text_bytes));
                            table = Some(t);
                        }
                        Some(t) => t.push_row(row_line, &cells)?,
                    }
                    nout = 0;
                    nend = 0;
                }
                csv_core::ReadRecordResult::End => {
                    let t = table.ok_or_else(|| ErrorPayload::new(ErrorCode::ImportEmpty))?;
                    // A quote left open at the end swallows the rest of the
                    // file: the reader accepts it, the balance check does not.
                    if s.quotes_odd {
                        let last = t.rows.last().map_or(1, |r| r.line);
                        return Err(ErrorPayload::new(ErrorCode::ImportMalformed).arg("line", last));
                    }
                    return Ok(t);
                }
            }
            if inp.is_empty() && !at_end {
                break;
            }
        }
    }
}
