//! Catalog search over the FTS5 trigram index (`catalog_fts`).
//!
//! A query is split on whitespace; every term must match (AND). Terms of three
//! or more characters use the trigram index (`MATCH`); shorter ones (common in
//! Chinese: 耳机, 水壶) fall back to a substring `LIKE` over the indexed text.
//! User text is always bound as a parameter and quoted as an FTS5 phrase, so
//! FTS syntax in it (`"`, `*`, `OR`, `NEAR`) is matched literally.

use sqlx::SqliteConnection;

/// A parsed search: FTS5 phrases for long terms, LIKE patterns for short ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub fts: Option<String>,
    pub like: Vec<String>,
}

impl SearchQuery {
    pub fn parse(input: &str) -> Option<SearchQuery> {
        let mut phrases = vec![];
        let mut like = vec![];
        for term in input.split_whitespace().take(16) {
            if term.chars().count() >= 3 {
                phrases.push(format!("\"{}\"", term.replace('"', "\"\"")));
            } else {
                let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                like.push(format!("%{escaped}%"));
            }
        }
        if phrases.is_empty() && like.is_empty() {
            return None;
        }
        Some(SearchQuery { fts: (!phrases.is_empty()).then(|| phrases.join(" AND ")), like })
    }

    /// SQL selecting matching product ids, and its bind values in order.
    pub fn hits_sql(&self) -> (String, Vec<String>) {
        let mut conds = vec![];
        let mut binds = vec![];
        if let Some(f) = &self.fts {
            conds.push("catalog_fts MATCH ?".to_string());
            binds.push(f.clone());
        }
        for l in &self.like {
            conds.push(
                "(catalog_fts.skus LIKE ? ESCAPE '\\' OR catalog_fts.gtins LIKE ? ESCAPE '\\' \
                 OR catalog_fts.titles LIKE ? ESCAPE '\\')"
                    .into(),
            );
            binds.extend([l.clone(), l.clone(), l.clone()]);
        }
        let sql = format!(
            "SELECT k.product_id AS id, k.seq AS seq FROM catalog_fts JOIN search_keys k ON k.seq = catalog_fts.rowid WHERE {}",
            conds.join(" AND ")
        );
        (sql, binds)
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
    let (before,): (i64,) =
        sqlx::query_as("SELECT COALESCE(max(seq), 0) FROM search_keys").fetch_one(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO search_keys (product_id) SELECT id FROM products p \
         WHERE NOT EXISTS (SELECT 1 FROM search_keys k WHERE k.product_id = p.id) ORDER BY id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO catalog_fts (rowid, skus, gtins, titles) \
         SELECT seq, skus, gtins, titles FROM catalog_search_source WHERE seq > ?",
    )
    .bind(before)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE search_control SET deferred = 0 WHERE id = 1").execute(&mut *conn).await?;
    Ok(())
}

/// Rebuilds the whole index in one pass and re-enables per-row maintenance.
pub async fn rebuild(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM catalog_fts").execute(&mut *conn).await?;
    sqlx::query("INSERT OR IGNORE INTO search_keys (product_id) SELECT id FROM products ORDER BY id")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO catalog_fts (rowid, skus, gtins, titles) SELECT seq, skus, gtins, titles FROM catalog_search_source",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE search_control SET deferred = 0 WHERE id = 1").execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms_into_phrases_and_short_patterns() {
        assert_eq!(SearchQuery::parse("   "), None);
        let q = SearchQuery::parse("KIT-000 耳机 x").unwrap();
        assert_eq!(q.fts.as_deref(), Some("\"KIT-000\""));
        assert_eq!(q.like, vec!["%耳机%".to_string(), "%x%".to_string()]);
        let q = SearchQuery::parse("say \"hi\" OR 50%_off").unwrap();
        assert_eq!(q.fts.as_deref(), Some("\"say\" AND \"\"\"hi\"\"\" AND \"50%_off\""));
        assert_eq!(q.like, vec!["%OR%".to_string()]);
        let q = SearchQuery::parse("5%").unwrap();
        assert_eq!(q.like, vec!["%5\\%%".to_string()]);
    }
}
