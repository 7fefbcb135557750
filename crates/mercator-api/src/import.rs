//! Catalog import from a spreadsheet file, read by the backend from its
//! path (the webview never carries the file's bytes). The file is parsed
//! once, off the async runtime, under [`Limits`]; the parsed table stays
//! open (one file at a time) so that re-mapping columns and the import
//! itself validate the same parse without reading the file again.

use crate::{ApiError, ApiResult, ImportPreview, ImportResult, ImportRowError, ImportSample, MoneyDto};
use mercator_core::import::{
    guess_mapping, read_file, unmapped_with_data, Field, ImportRow, Limits, RowError, Table, Validator,
};
use mercator_core::{Currency, ErrorCode};
use mercator_store::Store;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The file open for import, per profile.
#[derive(Default)]
pub struct ImportFiles {
    open: Mutex<Option<(String, Arc<OpenFile>)>>,
}

struct OpenFile {
    name: String,
    table: Table,
    /// An import of this file is writing (a second one is refused).
    importing: std::sync::atomic::AtomicBool,
}

/// Marks a file as being imported for as long as it lives.
struct Importing<'a>(&'a std::sync::atomic::AtomicBool);

impl<'a> Importing<'a> {
    fn start(flag: &'a std::sync::atomic::AtomicBool) -> ApiResult<Self> {
        if flag.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Err(ApiError::new(ErrorCode::ImportRunning));
        }
        Ok(Importing(flag))
    }
}

impl Drop for Importing<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

impl ImportFiles {
    fn get(&self, id: &str) -> ApiResult<Arc<OpenFile>> {
        let open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*open {
            Some((open_id, f)) if open_id == id => Ok(f.clone()),
            _ => Err(ApiError::new(ErrorCode::ImportFileGone)),
        }
    }

    /// Forgets the open file (its memory goes with it).
    pub fn close(&self) {
        *self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Forgets the file `id` if it is still the open one (not a file the
    /// user opened meanwhile).
    fn close_if(&self, id: &str) {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if open.as_ref().is_some_and(|(open_id, _)| open_id == id) {
            *open = None;
        }
    }
}

/// Key of a file layout: a hash of its header row.
pub fn layout_key(headers: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let joined = headers.iter().map(|h| h.trim().to_lowercase()).collect::<Vec<_>>().join("\u{1f}");
    Sha256::digest(joined.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal).arg("detail", e.to_string())
}

/// Opens `path` for import: reads and parses it once (in a blocking task,
/// under the default limits) and previews it.
pub async fn open_file(store: &Store, files: &ImportFiles, path: &Path) -> ApiResult<ImportPreview> {
    open_file_with(store, files, path, Limits::DEFAULT).await
}

pub async fn open_file_with(
    store: &Store,
    files: &ImportFiles,
    path: &Path,
    limits: Limits,
) -> ApiResult<ImportPreview> {
    // the previous file's table is released before the next is read
    files.close();
    let owned = path.to_path_buf();
    let table =
        tokio::task::spawn_blocking(move || read_file(&owned, &limits)).await.map_err(internal)?.map_err(ApiError)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let id = mercator_core::new_id();
    *files.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
        Some((id.clone(), Arc::new(OpenFile { name, table, importing: Default::default() })));
    preview(store, files, &id, None).await
}

/// The mapping to use: the user's (remembered for this layout) when given,
/// else the one remembered for this layout, else a guess from the headers.
async fn mapping_for(
    store: &Store,
    table: &Table,
    mapping: Option<Vec<Option<String>>>,
) -> ApiResult<Vec<Option<Field>>> {
    let key = layout_key(&table.headers);
    let chosen = match mapping {
        Some(m) => {
            if m.len() != table.headers.len() {
                return Err(ApiError::new(ErrorCode::ImportMappingWidth)
                    .arg("count", m.len())
                    .arg("columns", table.headers.len()));
            }
            store.save_import_layout(&key, &table.headers, &m).await?;
            Some(m)
        }
        None => store.import_layout(&key).await?,
    };
    Ok(match chosen {
        Some(m) => m.iter().map(|k| k.as_deref().and_then(Field::from_key)).collect(),
        None => guess_mapping(&table.headers),
    })
}

async fn base_currency(store: &Store) -> ApiResult<Currency> {
    Ok(store.shop().await?.and_then(|s| s.base_currency.parse().ok()).unwrap_or(Currency::CNY))
}

/// Every row validated against the catalog, in a blocking task; keeps
/// what `keep` says of the valid rows.
async fn validate_all<T: Send + 'static>(
    store: &Store,
    file: Arc<OpenFile>,
    mapping: Vec<Option<Field>>,
    existing: Arc<HashSet<String>>,
    mut keep: impl FnMut(usize, ImportRow, &mut T) + Send + 'static,
    mut acc: T,
) -> ApiResult<(T, Vec<RowError>, usize)> {
    let base = base_currency(store).await?;
    tokio::task::spawn_blocking(move || {
        let mut v = Validator::new(&file.table, &mapping, base).map_err(ApiError)?;
        let mut bad = vec![];
        let mut valid = 0;
        for (i, row) in file.table.rows().enumerate() {
            match v.row(&row, &existing) {
                Ok(r) => {
                    valid += 1;
                    keep(i, r, &mut acc);
                }
                Err(e) => bad.push(e),
            }
        }
        Ok((acc, bad, valid))
    })
    .await
    .map_err(internal)?
}

/// What importing the open file with `mapping` would do; writes nothing
/// (but remembers a mapping chosen by hand for this layout).
pub async fn preview(
    store: &Store,
    files: &ImportFiles,
    file_id: &str,
    mapping: Option<Vec<Option<String>>>,
) -> ApiResult<ImportPreview> {
    let file = files.get(file_id)?;
    let mapping = mapping_for(store, &file.table, mapping).await?;
    let unmapped: Vec<i64> = {
        let (f, m) = (file.clone(), mapping.clone());
        tokio::task::spawn_blocking(move || unmapped_with_data(&f.table, &m))
            .await
            .map_err(internal)?
            .into_iter()
            .map(|i| i as i64)
            .collect()
    };
    #[derive(Default)]
    struct Seen {
        updates: i64,
        sample: Vec<ImportRow>,
    }
    let keys: Vec<Option<String>> = mapping.iter().map(|m| m.as_ref().map(Field::key)).collect();
    let has_cost = mapping.iter().flatten().any(|f| f.slot() == "cost");
    // no SKU or title column yet: the preview says so, and the user maps them
    let problem = Validator::new(&file.table, &mapping, Currency::CNY).err();
    let (seen, bad, valid) = if problem.is_some() {
        (Seen::default(), vec![], 0)
    } else {
        validate_all(
            store,
            file.clone(),
            mapping,
            Arc::new(store.all_skus().await?),
            |_, r, s: &mut Seen| {
                s.updates += i64::from(r.update);
                if s.sample.len() < 10 {
                    s.sample.push(r);
                }
            },
            Seen::default(),
        )
        .await?
    };
    let t = &file.table;
    Ok(ImportPreview {
        file_id: file_id.to_string(),
        file_name: file.name.clone(),
        encoding: t.encoding.to_string(),
        delimiter: t.delimiter.to_string(),
        headers: t.headers.clone(),
        mapping: keys,
        unmapped,
        has_cost,
        problem,
        total: t.len() as i64,
        valid: valid as i64,
        updates: seen.updates,
        errors: bad.into_iter().take(500).map(|e| ImportRowError { line: e.line as i64, errors: e.errors }).collect(),
        sample: seen
            .sample
            .into_iter()
            .map(|r| ImportSample {
                line: r.line as i64,
                sku: r.sku,
                title: r.titles.first().map(|t| t.1.clone()).unwrap_or_default(),
                cost: MoneyDto::of(r.cost),
                update: r.update,
            })
            .collect(),
    })
}

/// Imports the open file. With `valid_only` false, any row with a problem
/// refuses the whole import (nothing is written); with true, only valid rows
/// are imported. Either way it is one transaction, and cancelling rolls it
/// back. The rows are validated once to decide, and again a chunk at a time
/// as they are written (only the file and one chunk are in memory); the
/// file is closed once imported, and stays open (to re-map, to try again)
/// when the import is refused, fails or is cancelled.
pub async fn run(
    store: &Store,
    files: &ImportFiles,
    file_id: &str,
    mapping: Option<Vec<Option<String>>>,
    valid_only: bool,
    progress: &mercator_store::catalog::Progress<'_>,
) -> ApiResult<ImportResult> {
    let file = files.get(file_id)?;
    let mapping = mapping_for(store, &file.table, mapping).await?;
    let importing = Importing::start(&file.importing)?;
    let existing = Arc::new(store.all_skus().await?);
    // the first pass keeps where the valid rows are, not the rows: the
    // writer asks for them a chunk at a time (validated again from the file)
    let (valid, bad, _) = validate_all(
        store,
        file.clone(),
        mapping.clone(),
        existing.clone(),
        |i, _, v: &mut Vec<usize>| v.push(i),
        Vec::new(),
    )
    .await?;
    if !bad.is_empty() && !valid_only {
        return Err(ApiError::new(ErrorCode::ImportHasErrors).arg("count", bad.len()));
    }
    let rows = mercator_core::import::ValidRows {
        table: &file.table,
        mapping: &mapping,
        default_currency: base_currency(store).await?,
        existing: &existing,
        valid,
    };
    let outcome = if rows.valid.is_empty() { Default::default() } else { store.import_from(&rows, progress).await? };
    drop(rows);
    drop(importing);
    // imported: the file is closed (unless the user has opened another meanwhile)
    files.close_if(file_id);
    Ok(ImportResult {
        imported: outcome.created as i64,
        updated: outcome.updated as i64,
        unchanged: outcome.unchanged as i64,
        skipped: bad.len() as i64,
        undo_op: outcome.update_op,
    })
}
