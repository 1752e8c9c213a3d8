//! Value types that several stages share. They sit below every stage, so
//! any stage may use them and they use none.

mod quality;
mod review;
mod timeline;
mod zone;

pub use quality::Quality;
pub use review::{ActionKind, Curation, EntryReview, Hidden, Note, ReviewAction};
pub use timeline::{
    Check, CheckResult, Citation, Entry, KeyTime, KeyTimeSlot, KeyTimes, Phase, Timeline,
    Verification,
};
pub use zone::Zone;
