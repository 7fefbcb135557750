//! Catalog search over the FTS5 trigram index (`catalog_fts`: one `body`
//! per product with its SKUs, GTINs and every title, `detail = 'none'`).
//!
//! A query is split on whitespace; every term must match (AND), as a
//! case-insensitive substring. A term with a run of three or more characters
//! between wildcards is looked up through the trigram index
//! (`body LIKE '%term%'`, which FTS5 answers from the index and then checks
//! against the stored text). A two-character term (common in Chinese: 耳机,
//! 水壶) matches the products holding any trigram that starts with it, found
//! in the index's vocabulary (`catalog_vocab`; every body ends with a line
//! break, so each pair of characters starts some trigram). One-character
//! terms are checked by scanning the stored text. `%` and `_` typed by the user are
//! matched literally (an escaped LIKE confirms what the index found). User
//! text is always bound as a parameter, never spliced into SQL.
//!
//! The inbox's search (`inbox::Store::conversations_where`) reads its own
//! index (`inbox_fts`) differently: its rarest term finds candidates and
//! every term is checked case-folded in every script, in Rust.

use sqlx::SqliteConnection;

/// One search term as SQL conditions on `catalog_fts.body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// `%term%` for the trigram index (user wildcards left as wildcards, so
    /// it may over-match); None when the term has no 3-character run.
    pub indexed: Option<String>,
    /// Escaped `%term%` (ESCAPE '\\') for an exact check; None when the
    /// indexed pattern is already exact.
    pub exact: Option<String>,
    /// For a two-character term: the vocabulary range [lo, hi) of the
    /// trigrams that start with it (case-folded as the index folds).
    pub pair: Option<(String, String)>,
}

/// Which trigram index a search reads: its FTS5 table, vocabulary, and the
/// key table mapping index rows (`seq`) to record ids.
#[derive(Debug, Clone, Copy)]
pub struct SearchIndex {
    pub fts: &'static str,
    pub vocab: &'static str,
    pub keys: &'static str,
    pub id: &'static str,
}

impl SearchIndex {
    /// Products: SKUs, GTINs, titles.
    pub const CATALOG: SearchIndex =
        SearchIndex { fts: "catalog_fts", vocab: "catalog_vocab", keys: "search_keys", id: "product_id" };
}

/// A parsed search: its terms, all of which must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub terms: Vec<Term>,
}

fn has_wildcard(term: &str) -> bool {
    term.contains(['%', '_', '\\'])
}

/// The vocabulary range of trigrams starting with a two-character term.
fn pair_range(term: &str) -> Option<(String, String)> {
    let chars: Vec<char> = term.chars().collect();
    if chars.len() != 2 || has_wildcard(term) || term.contains('"') {
        return None;
    }
    let lo: String = term.to_lowercase();
    let mut lo_chars: Vec<char> = lo.chars().collect();
    if lo_chars.len() != 2 {
        return None; // folding changed its length (rare letters): scan instead
    }
    let last = lo_chars[1] as u32;
    let next = (last + 1..=0x10FFFF).find_map(char::from_u32)?;
    lo_chars[1] = next;
    Some((lo, lo_chars.into_iter().collect()))
}

impl SearchQuery {
    pub fn parse(input: &str) -> Option<SearchQuery> {
        let terms: Vec<Term> = input
            .split_whitespace()
            .take(16)
            .map(|term| {
                let long_run = term.split(['%', '_']).any(|piece| piece.chars().count() >= 3);
                let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                let indexed = long_run.then(|| format!("%{term}%"));
                let exact = (!long_run || has_wildcard(term)).then(|| format!("%{escaped}%"));
                Term { indexed, exact, pair: pair_range(term) }
            })
            .collect();
        (!terms.is_empty()).then_some(SearchQuery { terms })
    }

    /// SQL selecting matching product ids (`id`) in index order (`seq`), and
    /// its bind values in order.
    pub fn hits_sql(&self) -> (String, Vec<String>) {
        self.hits_sql_in(&SearchIndex::CATALOG)
    }

    /// SQL selecting the ids (`id`) of `index`'s records that match, in index
    /// order (`seq`), and its bind values in order.
    pub fn hits_sql_in(&self, index: &SearchIndex) -> (String, Vec<String>) {
        let SearchIndex { fts, keys, id, .. } = *index;
        let (conds, binds) = self.conditions(index);
        let sql = format!(
            "SELECT k.{id} AS id, k.seq AS seq FROM {fts} JOIN {keys} k ON k.seq = {fts}.rowid WHERE {}",
            conds.join(" AND ")
        );
        (sql, binds)
    }

    /// The conditions on `index`'s FTS table (by its name) every match
    /// meets, and their bind values in order: for queries that read the
    /// FTS table itself (e.g. newest rowid first, a page at a time).
    pub fn conditions(&self, index: &SearchIndex) -> (Vec<String>, Vec<String>) {
        let SearchIndex { fts, vocab, .. } = *index;
        let mut conds = vec![];
        let mut binds = vec![];
        for t in &self.terms {
            if let Some((lo, hi)) = &t.pair {
                // No such trigram: a phrase of non-characters, which matches
                // nothing (and the exact check would catch it if it did).
                conds.push(format!(
                    "{fts} MATCH COALESCE((SELECT group_concat('\"' || replace(term, '\"', '\"\"') || '\"', ' OR ') \
                     FROM {vocab} WHERE term >= ? AND term < ?), '\"' || char(64976, 64976, 64976) || '\"')",
                ));
                binds.extend([lo.clone(), hi.clone()]);
            }
            if let Some(p) = &t.indexed {
                conds.push(format!("{fts}.body LIKE ?"));
                binds.push(p.clone());
            }
            if let Some(p) = &t.exact {
                // An expression, not the bare column: SQLite evaluates it
                // itself instead of handing it to FTS5.
                conds.push(format!("({fts}.body || '') LIKE ? ESCAPE '\\'"));
                binds.push(p.clone());
            }
        }
        (conds, binds)
    }
}

/// Stops per-row index maintenance for the rest of the current transaction;
/// call [`rebuild`] before committing.
pub async fn defer(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE search_control SET deferred = 1 WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// Indexes products that have no index row yet (added while deferred), and
/// re-enables per-row maintenance. Cheaper than [`rebuild`] when a large
/// catalog only gained new products.
pub async fn index_new(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(max(seq), 0) FROM search_keys").fetch_one(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO search_keys (product_id) SELECT id FROM products p \
         WHERE NOT EXISTS (SELECT 1 FROM search_keys k WHERE k.product_id = p.id) ORDER BY id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source WHERE seq > ?")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    resume(conn).await
}

/// Re-enables per-row index maintenance after [`defer`].
async fn resume(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE search_control SET deferred = 0 WHERE id = 1").execute(&mut *conn).await?;
    Ok(())
}

/// Re-indexes products whose SKUs, GTINs or titles changed while deferred.
pub async fn reindex(conn: &mut SqliteConnection, product_ids: &[String]) -> Result<(), sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(product_ids).unwrap_or_default();
    sqlx::query(
        "DELETE FROM catalog_fts WHERE rowid IN \
         (SELECT seq FROM search_keys WHERE product_id IN (SELECT value FROM json_each(?)))",
    )
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source \
         WHERE product_id IN (SELECT value FROM json_each(?))",
    )
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds the whole index in one pass and re-enables per-row maintenance.
pub async fn rebuild(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM catalog_fts").execute(&mut *conn).await?;
    sqlx::query("INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products ORDER BY id")
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO catalog_fts (rowid, body) SELECT seq, body FROM catalog_search_source")
        .execute(&mut *conn)
        .await?;
    resume(conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(indexed: Option<&str>, exact: Option<&str>) -> Term {
        Term { indexed: indexed.map(str::to_string), exact: exact.map(str::to_string), pair: None }
    }

    fn pair(t: Term, lo: &str, hi: &str) -> Term {
        Term { pair: Some((lo.into(), hi.into())), ..t }
    }

    #[test]
    fn terms_use_the_index_when_they_can_and_wildcards_are_literal() {
        assert_eq!(SearchQuery::parse("   "), None);
        let q = SearchQuery::parse("KIT-000 耳机 x").unwrap();
        assert_eq!(
            q.terms,
            vec![
                term(Some("%KIT-000%"), None),
                pair(term(None, Some("%耳机%")), "耳机", "耳朻"),
                term(None, Some("%x%"))
            ]
        );
        // FTS syntax is just text; % and _ are confirmed literally
        let q = SearchQuery::parse("\"hi\" OR 50%_off KIT_01").unwrap();
        assert_eq!(
            q.terms,
            vec![
                term(Some("%\"hi\"%"), None),
                pair(term(None, Some("%OR%")), "or", "os"),
                term(Some("%50%_off%"), Some("%50\\%\\_off%")),
                term(Some("%KIT_01%"), Some("%KIT\\_01%")),
            ]
        );
        // no 3-character run between wildcards: scan only
        assert_eq!(SearchQuery::parse("5%").unwrap().terms, vec![term(None, Some("%5\\%%"))]);
        assert_eq!(SearchQuery::parse("ab_cd").unwrap().terms, vec![term(None, Some("%ab\\_cd%"))]);
    }
}
