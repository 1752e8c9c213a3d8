//! Reviewers' actions (docs/database.md#review_actions): appended, never
//! changed, and read back in the order they were made.

use rusqlite::{params, params_from_iter};

use super::Store;
use crate::error::Result;
use crate::model::{ActionKind, ReviewAction};

const COLUMNS: &str =
    "id, at, reviewer, action, key, version, summary, phase, time, text, reason, event, actor";

fn action_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewAction> {
    let kind: String = r.get(3)?;
    Ok(ReviewAction {
        id: r.get(0)?,
        at: r.get(1)?,
        reviewer: r.get(2)?,
        // Only this module writes the column, from `ActionKind::as_str`.
        kind: ActionKind::parse(&kind).unwrap_or(ActionKind::Note),
        key: r.get(4)?,
        version: r.get(5)?,
        summary: r.get(6)?,
        phase: r.get(7)?,
        time: r.get(8)?,
        text: r.get(9)?,
        reason: r.get(10)?,
        event: r.get(11)?,
        actor: r.get(12)?,
    })
}

impl Store {
    /// Every review action, oldest first.
    pub fn review_actions(&self) -> Result<Vec<ReviewAction>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM review_actions ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], action_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>();
        rows.map_err(|e| self.err(e))
    }

    /// Appends `action` (its `id` and `version` are set here) when the
    /// entry, known by any of `keys`, is still at `expected` version;
    /// otherwise returns the version it is at. Checking and appending in
    /// one transaction keeps two reviewers from both acting on one version.
    pub fn append_review_action(
        &mut self,
        mut action: ReviewAction,
        keys: &[String],
        expected: Option<i64>,
    ) -> Result<std::result::Result<ReviewAction, i64>> {
        let marks = vec!["?"; keys.len().max(1)].join(", ");
        self.in_transaction(|tx| {
            let current: i64 = tx.query_row(
                &format!("SELECT count(*) FROM review_actions WHERE key IN ({marks})"),
                params_from_iter(keys.iter()),
                |r| r.get(0),
            )?;
            if expected.is_some_and(|v| v != current) {
                return Ok(Err(current));
            }
            action.version = current;
            tx.execute(
                "INSERT INTO review_actions (at, reviewer, action, key, version, summary, phase, time, text, \
                 reason, event, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    action.at,
                    action.reviewer,
                    action.kind.as_str(),
                    action.key,
                    action.version,
                    action.summary,
                    action.phase,
                    action.time,
                    action.text,
                    action.reason,
                    action.event,
                    action.actor
                ],
            )?;
            action.id = tx.last_insert_rowid();
            Ok(Ok(action))
        })
    }

    /// How many sources are stored and the newest one's id: a change
    /// means evidence was ingested since it was last read.
    pub fn sources_stamp(&self) -> Result<(i64, i64)> {
        self.conn
            .query_row(
                "SELECT count(*), coalesce(max(id), 0) FROM sources",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))
    }
}
