//! `newsdesk audit export`: the audit log as NDJSON, oldest first, one
//! entry per line in the shape `GET /api/v1/audit` answers with.

use std::io::Write;

use crate::api::audit::{AuditEntry, time_bound};
use crate::db::Conn;
use crate::error::FieldErrors;
use crate::store::audit::{self, AuditFilter};

/// Entries read per query, so that a long log is never held whole.
const BATCH: i64 = 1_000;

/// Writes the entries at or after `from` and at or before `to` (RFC 3339
/// times) to `out`; returns how many.
pub fn export(
    conn: &mut Conn,
    out: &mut dyn Write,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<u64, String> {
    let mut errors = FieldErrors::new();
    let filter = AuditFilter {
        from: time_bound(&mut errors, "--from", from),
        to: time_bound(&mut errors, "--to", to),
        ..AuditFilter::default()
    };
    if let Err(error) = errors.finish() {
        let problem = error.problem();
        let messages: Vec<String> = problem
            .errors
            .iter()
            .map(|error| format!("{} {}", error.field, error.message))
            .collect();
        return Err(messages.join("; "));
    }
    let mut written = 0;
    let mut last = 0;
    loop {
        let batch = audit::after(conn, &filter, last, BATCH).map_err(|err| err.to_string())?;
        let Some(final_entry) = batch.last() else {
            break;
        };
        last = final_entry.row.id;
        for record in batch {
            let line =
                serde_json::to_string(&AuditEntry::from(record)).map_err(|err| err.to_string())?;
            writeln!(out, "{line}").map_err(|err| format!("cannot write: {err}"))?;
            written += 1;
        }
    }
    Ok(written)
}
