//! Back-pressure: how much parsed data may wait for the writer, and the
//! channel that carries it.

use std::sync::mpsc::{Receiver, RecvError, Sender};
use std::sync::{Condvar, Mutex};

use super::Message;

/// Stores one source from its worker's messages.
/// Bounds the parsed events waiting for the writer in sources after the
/// one it is writing. The source being written never waits, so the writer
/// never waits on a worker that waits on it.
pub(super) struct Budget {
    pub(super) limit: usize,
    pub(super) state: Mutex<Ahead>,
    changed: Condvar,
}

#[derive(Default)]
pub(super) struct Ahead {
    pub(super) bytes: usize,
    pub(super) writing: usize,
}

impl Budget {
    pub(super) fn new(limit: usize) -> Budget {
        Budget {
            limit,
            state: Mutex::default(),
            changed: Condvar::new(),
        }
    }

    pub(super) fn reserve(&self, source: usize, bytes: usize) {
        let Ok(mut ahead) = self.state.lock() else {
            return;
        };
        while bytes > 0
            && source != ahead.writing
            && ahead.bytes > 0
            && ahead.bytes + bytes > self.limit
        {
            ahead = match self.changed.wait(ahead) {
                Ok(ahead) => ahead,
                Err(_) => return,
            };
        }
        ahead.bytes += bytes;
    }

    pub(super) fn release(&self, bytes: usize) {
        if let Ok(mut ahead) = self.state.lock() {
            ahead.bytes = ahead.bytes.saturating_sub(bytes);
        }
        self.changed.notify_all();
    }

    pub(super) fn writing(&self, source: usize) {
        if let Ok(mut ahead) = self.state.lock() {
            ahead.writing = source;
        }
        self.changed.notify_all();
    }
}

/// Roughly what a message holds in memory.
fn weight(message: &Message) -> usize {
    match message {
        Message::Events(batch) => batch.len() * 512,
        Message::Lines(block) => block.data.len() + 64,
        _ => 0,
    }
}

/// A worker's side of its source's channel to the writer.
pub(super) struct Outbox<'b> {
    pub(super) tx: Sender<Message>,
    pub(super) budget: &'b Budget,
    pub(super) source: usize,
}

impl Outbox<'_> {
    /// Sends, once there is room; a closed channel means the writer stopped
    /// on an error it reports itself, so that is ignored.
    pub(super) fn send(&self, message: Message) {
        self.budget.reserve(self.source, weight(&message));
        let _ = self.tx.send(message);
    }
}

/// The writer's side of a source's channel.
pub(super) struct Inbox<'b> {
    pub(super) rx: Receiver<Message>,
    pub(super) budget: &'b Budget,
}

impl Inbox<'_> {
    pub(super) fn recv(&self) -> std::result::Result<Message, RecvError> {
        let message = self.rx.recv()?;
        self.budget.release(weight(&message));
        Ok(message)
    }
}
