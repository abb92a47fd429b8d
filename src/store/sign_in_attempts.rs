//! The sign-in rate limit, counted in the database: at most `limit`
//! attempts per client address in any sixty seconds, whichever node
//! they reach (a limiter in each process's memory would let every node
//! add its own allowance).

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::sign_in_attempts;
use crate::store::Error;

/// The window the limit counts attempts in.
const WINDOW_SECONDS: i64 = 60;

/// Counts an attempt of `client` at `now`, unless it already made `limit`
/// attempts in the window: then nothing is counted and the answer is how
/// long until its oldest attempt leaves the window. Call in a write
/// transaction, so that two nodes do not both admit the last attempt.
pub fn admit(
    conn: &mut Conn,
    client: &str,
    limit: u32,
    now: NaiveDateTime,
) -> Result<Option<Duration>, Error> {
    let window = Duration::seconds(WINDOW_SECONDS);
    // Every client's expired attempts, so that the table holds one minute
    // of attempts at most (the `at` index makes it a range).
    diesel::delete(sign_in_attempts::table.filter(sign_in_attempts::at.le(now - window)))
        .execute(conn)?;
    let (made, oldest): (i64, Option<NaiveDateTime>) = sign_in_attempts::table
        .filter(sign_in_attempts::client.eq(client))
        .select((count_star(), min(sign_in_attempts::at)))
        .get_result(conn)?;
    if made >= i64::from(limit) {
        let wait = oldest.map_or(window, |oldest| oldest + window - now);
        return Ok(Some(wait.max(Duration::milliseconds(1))));
    }
    diesel::insert_into(sign_in_attempts::table)
        .values((
            sign_in_attempts::client.eq(client),
            sign_in_attempts::at.eq(now),
        ))
        .execute(conn)?;
    Ok(None)
}
