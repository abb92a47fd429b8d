//! Preview links: each article's preview generation, which its preview
//! tokens carry. Revoking the links moves it, so every token issued
//! before stops opening the article.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::articles;

/// The article's current preview generation.
pub fn generation(conn: &mut Conn, article_id: i32) -> QueryResult<i32> {
    articles::table
        .find(article_id)
        .select(articles::preview_generation)
        .first(conn)
}

/// Revokes every preview token of the article; call in a write transaction.
pub fn revoke(conn: &mut Conn, article_id: i32) -> QueryResult<()> {
    diesel::update(articles::table.find(article_id))
        .set(articles::preview_generation.eq(articles::preview_generation + 1))
        .execute(conn)?;
    Ok(())
}
