//! The command line as the user types it (docs/cli.md). Nothing outside this
//! module and `config` reads raw arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Builds a cited, UTC post-mortem timeline from incident evidence.
#[derive(Debug, Parser)]
#[command(name = "factline", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Common {
    /// The SQLite database holding the evidence.
    #[arg(long, default_value = "factline.db")]
    pub db: PathBuf,
    /// Write results to FILE instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Zone for timestamps that carry none (IANA name, UTC, or +05:30);
    /// also how naive --from/--to times are read.
    #[arg(long)]
    pub tz: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest evidence, then print the Markdown timeline.
    Draft {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        ingest: IngestArgs,
        #[command(flatten)]
        timeline: TimelineArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TimelineFormat::Md)]
        format: TimelineFormat,
    },
    /// Read evidence files, folders and archives into the database.
    Ingest {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        ingest: IngestArgs,
    },
    /// Reconstruct and render the timeline from stored events.
    Timeline {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        timeline: TimelineArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TimelineFormat::Md)]
        format: TimelineFormat,
    },
    /// Every stored event, one per line, in UTC order.
    Events {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EventsFormat::Jsonl)]
        format: EventsFormat,
        /// Only events at or after this time (RFC 3339, or naive in --tz).
        #[arg(long)]
        from: Option<String>,
        /// Only events at or before this time.
        #[arg(long)]
        to: Option<String>,
        /// Only events from sources whose path matches GLOB.
        #[arg(long)]
        source: Option<String>,
    },
    /// Verification status of every timeline entry and source.
    Audit {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Exit 1 when any entry is reported or unverified, or evidence changed.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        timeline: TimelineArgs,
    },
    /// Re-hash every stored source; exit 1 naming each changed or missing file.
    Verify {
        #[command(flatten)]
        common: Common,
    },
    /// Each stored source with its parser, counts, time range and zone.
    Sources {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// The review service: a local page and JSON API where reviewers
    /// check and curate the timeline (docs/serve.md).
    Serve {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        timeline: TimelineArgs,
        /// Address to listen on; anything but loopback needs --token.
        #[arg(long, default_value = "127.0.0.1:7300")]
        bind: String,
        /// Secret every request must carry (header `Authorization: Bearer`,
        /// or the cookie set by opening `/?token=TOKEN`).
        #[arg(long)]
        token: Option<String>,
        /// Who the actions taken through this service are recorded as.
        #[arg(long, default_value = "reviewer")]
        reviewer: String,
    },
    /// Review actions from the command line (docs/serve.md).
    Review {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        timeline: TimelineArgs,
        /// Who the action is recorded as.
        #[arg(long, default_value = "reviewer")]
        reviewer: String,
        /// The action.
        #[command(subcommand)]
        action: ReviewCommand,
    },
    /// The parsers factline knows.
    Formats {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Extra user-defined format files.
        #[arg(long)]
        formats_dir: Option<PathBuf>,
    },
}

/// `factline review` actions.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The entries with their keys and reviews, then the action trail.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Take an entry out of the draft.
    Hide {
        /// The entry's key.
        key: String,
        /// Why it does not belong.
        #[arg(long)]
        reason: String,
        /// Refuse if the entry is no longer at this version.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Put a hidden entry back.
    Restore {
        /// The entry's key.
        key: String,
        /// Refuse if the entry is no longer at this version.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Change an entry's summary or phase (the original is kept).
    Edit {
        /// The entry's key.
        key: String,
        /// New summary.
        #[arg(long)]
        summary: Option<String>,
        /// New phase.
        #[arg(long)]
        phase: Option<String>,
        /// Refuse if the entry is no longer at this version.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Attach a note to an entry.
    Note {
        /// The entry's key.
        key: String,
        /// The note.
        text: String,
        /// Refuse if the entry is no longer at this version.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Put a stored event into the timeline (its `id` as the service's
    /// events listing gives it, `SOURCE_ID:SEQ@MICROS`).
    Pin {
        /// The event's id.
        event: String,
        /// Phase of the new entry.
        #[arg(long)]
        phase: Option<String>,
    },
    /// Add an entry only people know about (verification `reported`).
    Add {
        /// When (RFC 3339, or naive in --zone).
        #[arg(long)]
        time: String,
        /// Zone of a naive --time.
        #[arg(long)]
        zone: Option<String>,
        /// What happened.
        #[arg(long)]
        text: String,
        /// Phase.
        #[arg(long)]
        phase: Option<String>,
    },
}

/// INGEST OPTIONS (docs/cli.md).
#[derive(Debug, Args, Clone, Default)]
pub struct IngestArgs {
    /// Evidence files, folders and zip archives.
    #[arg(required = true)]
    pub evidence: Vec<PathBuf>,
    /// Zone for sources whose path matches GLOB (repeatable).
    #[arg(long = "source-tz", value_name = "GLOB=ZONE")]
    pub source_tz: Vec<String>,
    /// Year for timestamps that carry none.
    #[arg(long)]
    pub year: Option<i32>,
    /// Clock correction for matching sources, e.g. `hosts/db-1/*=-47s`.
    #[arg(
        long = "offset",
        value_name = "GLOB=DURATION",
        allow_hyphen_values = true
    )]
    pub offset: Vec<String>,
    /// Use parser ID for matching sources instead of detection.
    #[arg(long = "parser", value_name = "GLOB=ID")]
    pub parser: Vec<String>,
    /// Extra user-defined format files.
    #[arg(long)]
    pub formats_dir: Option<PathBuf>,
    /// Clock offsets estimated from facts several sources record: apply,
    /// only report, or ignore them.
    #[arg(long, value_enum, default_value_t = SkewArg::Auto)]
    pub skew: SkewArg,
}

/// `--skew`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum SkewArg {
    /// Apply a confident estimate of at least 1 s.
    #[default]
    Auto,
    /// Estimate and report, change no time.
    Report,
    /// Do not estimate.
    Off,
}

/// TIMELINE OPTIONS.
#[derive(Debug, Args, Clone, Default)]
pub struct TimelineArgs {
    /// Start of the incident window (RFC 3339, or naive in --tz).
    #[arg(long)]
    pub from: Option<String>,
    /// End of the incident window.
    #[arg(long)]
    pub to: Option<String>,
    /// Show people's names instead of roles and placeholders.
    #[arg(long)]
    pub names: bool,
    /// Add a labelled local-time column in this zone.
    #[arg(long)]
    pub local_tz: Option<String>,
    /// Most entries to keep.
    #[arg(long, default_value_t = 60)]
    pub max_entries: usize,
    /// Extra phase rules (JSON, as `src/phase_rules.json`), tried first.
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

/// Timeline renderings.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TimelineFormat {
    /// Markdown Timeline section.
    Md,
    /// JSON (the timeline contract).
    Json,
    /// One row per entry.
    Csv,
    /// A self-contained page.
    Html,
}

/// Event listings.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EventsFormat {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// Text for people or JSON for tools.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TextOrJson {
    /// For people.
    Text,
    /// For tools.
    Json,
}
