//! `factline serve` (docs/serve.md): the review service. A tokio + axum
//! server over one database: the page (`page`), the JSON API (`api`) and
//! the checks every request passes (`guard`). tokio lives only here; the
//! batch commands never start a runtime. SQLite is used from blocking
//! threads: one writer for review actions, and a connection per read
//! (WAL lets them read while the writer or an `ingest` writes).

mod api;
mod guard;
mod page;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::error::{Error, Result};
use crate::model::Timeline;
use crate::reconstruct::{self, TimelineConfig};
use crate::review::{self, Reviewed};
use crate::store::Store;

/// Largest request body: review actions are a few fields.
const BODY_LIMIT: usize = 64 * 1024;

/// What `factline serve` was asked for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The secret every request must carry, when set.
    pub token: Option<String>,
    /// Who actions through this service are recorded as.
    pub reviewer: String,
    /// The database.
    pub db: PathBuf,
    /// How the timeline is built.
    pub timeline: TimelineConfig,
}

impl Settings {
    /// Checks the address and the token rule: anything but loopback is
    /// reachable by others, so it is refused without a token.
    pub fn new(
        bind: &str,
        token: Option<String>,
        reviewer: String,
        db: PathBuf,
        timeline: TimelineConfig,
    ) -> Result<Settings> {
        let addr: SocketAddr = bind.parse().map_err(|_| {
            Error::Usage(format!(
                "--bind {bind:?}: give an address and port, e.g. 127.0.0.1:7300"
            ))
        })?;
        let token = token.filter(|t| !t.is_empty());
        if !addr.ip().is_loopback() && token.is_none() {
            return Err(Error::Usage(format!(
                "refusing to serve on {addr} without --token: other machines could read the evidence \
                 and change the review; pass --token SECRET, or bind to 127.0.0.1"
            )));
        }
        if reviewer.trim().is_empty() {
            return Err(Error::Usage("--reviewer must not be empty".into()));
        }
        Ok(Settings {
            addr,
            token,
            reviewer,
            db,
            timeline,
        })
    }
}

/// The timeline as last built, and the evidence it was built from.
struct Built {
    timeline: Timeline,
    stamp: (i64, i64),
}

/// Shared by every request.
struct Shared {
    settings: Settings,
    /// The only connection that writes (review actions, saved timelines).
    writer: Mutex<Store>,
    built: Mutex<Built>,
}

type State = Arc<Shared>;

impl Shared {
    /// A connection for one read.
    fn reader(&self) -> Result<Store> {
        Store::open_existing(&self.settings.db)
    }

    /// The built timeline with the current review applied.
    fn reviewed(&self, store: &Store) -> Result<Reviewed> {
        let timeline = lock(&self.built).timeline.clone();
        review::apply(store, timeline, self.settings.timeline.names)
    }

    /// Rebuilds the timeline from the evidence stored now.
    fn rebuild(&self) -> Result<()> {
        let mut store = lock(&self.writer);
        *lock(&self.built) = build(&mut store, &self.settings.timeline)?;
        Ok(())
    }
}

/// Builds and saves the timeline, noting which evidence it saw.
fn build(store: &mut Store, config: &TimelineConfig) -> Result<Built> {
    let timeline = reconstruct::build(store, config)?;
    reconstruct::save(store, &timeline, config)?;
    Ok(Built {
        timeline,
        stamp: store.sources_stamp()?,
    })
}

/// A poisoned lock only means another request panicked while holding it;
/// the data behind it (a connection, a built timeline) is still whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The service's routes over `settings.db`, the timeline built once.
pub fn router(settings: Settings) -> Result<Router> {
    let mut writer = Store::open_existing(&settings.db)?;
    let built = build(&mut writer, &settings.timeline)?;
    let shared = Arc::new(Shared {
        settings,
        writer: Mutex::new(writer),
        built: Mutex::new(built),
    });
    Ok(Router::new()
        .route("/", get(page::index))
        .route("/assets/page.js", get(page::script))
        .route("/assets/page.css", get(page::style))
        .route("/api/timeline", get(api::timeline))
        .route("/api/entries/{key}/evidence", get(api::evidence))
        .route("/api/events", get(api::events))
        .route("/api/review", get(api::trail).post(api::act))
        .route("/api/rebuild", post(api::rebuild))
        .route("/api/status", get(api::status))
        .route("/api/audit", get(api::audit))
        .route("/api/sources", get(api::sources))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::check,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared))
}

/// Serves until interrupted.
pub fn run(settings: Settings) -> Result<()> {
    let addr = settings.addr;
    let with_token = settings.token.is_some();
    let app = router(settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("<tokio runtime>", e))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {addr}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Error::io("<listener>", e))?;
        let hint = if with_token { "?token=…" } else { "" };
        eprintln!("factline: serving the review on http://{bound}/{hint} (Ctrl-C stops)");
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::io("<server>", e))
    })
}
