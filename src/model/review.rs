//! Reviewers' curation of a timeline (docs/output.md#review): the stored
//! actions, and what applying them leaves on each entry.

/// What a reviewer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Take an entry out of the draft, with a reason.
    Hide,
    /// Undo a hide.
    Restore,
    /// Replace the summary and/or the phase (the original is kept).
    Edit,
    /// Attach a remark.
    Note,
    /// Put a stored event into the timeline.
    Pin,
    /// Add an entry only people know about.
    Add,
}

impl ActionKind {
    /// Every kind, in contract order.
    pub const ALL: [ActionKind; 6] = [
        ActionKind::Hide,
        ActionKind::Restore,
        ActionKind::Edit,
        ActionKind::Note,
        ActionKind::Pin,
        ActionKind::Add,
    ];

    /// Contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Hide => "hide",
            ActionKind::Restore => "restore",
            ActionKind::Edit => "edit",
            ActionKind::Note => "note",
            ActionKind::Pin => "pin",
            ActionKind::Add => "add",
        }
    }

    /// Reads a contract name back.
    pub fn parse(name: &str) -> Option<ActionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One stored review action: an audit trail row, never overwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewAction {
    /// Row id; the trail's order.
    pub id: i64,
    /// When, UTC microseconds.
    pub at: i64,
    /// Who.
    pub reviewer: String,
    /// What.
    pub kind: ActionKind,
    /// The entry it applies to (for `add` and `pin`, the entry it creates).
    pub key: String,
    /// The entry's version it was made on (its count of earlier actions).
    pub version: i64,
    /// New summary (`edit`), or the added entry's text (`add`).
    pub summary: Option<String>,
    /// New phase (`edit`, `add`, `pin`).
    pub phase: Option<String>,
    /// The added entry's time, UTC microseconds.
    pub time: Option<i64>,
    /// A note's text.
    pub text: Option<String>,
    /// Why (`hide`; optional elsewhere).
    pub reason: Option<String>,
    /// The pinned event (`source_id:seq`).
    pub event: Option<String>,
    /// The actor an added entry shows (the reviewer's role).
    pub actor: Option<String>,
}

/// A remark on an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// The remark.
    pub text: String,
    /// Who.
    pub reviewer: String,
    /// When, UTC microseconds.
    pub at: i64,
}

/// What reviewers changed on one entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntryReview {
    /// Actions on the entry so far; a new action names it to be accepted.
    pub version: i64,
    /// Added by a reviewer (not reconstructed).
    pub added: bool,
    /// Pinned from the events.
    pub pinned: bool,
    /// Summary and phase before the first edit, when edited.
    pub original: Option<(String, String)>,
    /// Remarks.
    pub notes: Vec<Note>,
    /// Every reviewer who acted on it, in order of first action.
    pub reviewers: Vec<String>,
}

/// An entry a reviewer took out of the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Hidden {
    /// The entry's key.
    pub key: String,
    /// Its summary.
    pub summary: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub reviewer: String,
    /// When, UTC microseconds.
    pub at: i64,
}

/// The review of a timeline, beside it: `keys[i]` and `reviews[i]` belong
/// to `entries[i]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curation {
    /// Each entry's stable key.
    pub keys: Vec<String>,
    /// Each entry's review (None when nobody acted on it).
    pub reviews: Vec<Option<EntryReview>>,
    /// Hidden entries.
    pub hidden: Vec<Hidden>,
    /// Actions whose entry is no longer in the timeline.
    pub orphaned: Vec<ReviewAction>,
}
