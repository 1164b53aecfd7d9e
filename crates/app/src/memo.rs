//! What a few dashboards computed, kept for the figures' version it was computed at: read again
//! before anyone writes, a page costs a lookup; a commit moves the version on and every entry
//! is stale at once (on every server, the version being in the database). Saving drafts does
//! not move it: no total, light or standing is computed from drafts. A handful of entries,
//! so that memory stays bounded whatever the city.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use taizhang_core::period::Period;
use taizhang_core::project::Date;

/// How many computations are kept.
const KEPT: usize = 16;

/// Which computation, of which scope and period, on which day, at which version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemoKey {
    pub what: &'static str,
    pub version: i64,
    pub scope: String,
    pub period: Period,
    pub today: Date,
}

impl MemoKey {
    fn name(&self) -> String {
        format!("{}|{}|{}|{}|{}", self.what, self.scope, self.period.key(), self.today, self.version)
    }
}

type Kept = Arc<dyn Any + Send + Sync>;

#[derive(Debug, Default)]
pub(crate) struct Memo {
    kept: Mutex<VecDeque<(MemoKey, Kept)>>,
    /// Requests missing the same key take turns here, so that the first computes and the
    /// others find its result, instead of all computing it at once after each write. One
    /// lock a key (a computation may ask for another key's), dropped when it is computed.
    turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Memo {
    /// The lock whose holder computes `key`.
    pub(crate) fn turn_of(&self, key: &MemoKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        turns.entry(key.name()).or_default().clone()
    }

    /// `key` computed (or failed): its lock is no longer needed by anyone arriving later.
    pub(crate) fn turn_done(&self, key: &MemoKey) {
        self.turns.lock().unwrap_or_else(|e| e.into_inner()).remove(&key.name());
    }

    /// What was kept under `key`, if it is a `T` (each `what` keeps one type).
    pub(crate) fn get<T: Any + Send + Sync>(&self, key: &MemoKey) -> Option<Arc<T>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.clone().downcast::<T>().ok())
    }

    /// Drops what versions older than `version` computed: called before computing at a newer
    /// one, so that the old and the new of a large computation are not held at once.
    pub(crate) fn forget_older(&self, version: i64) {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).retain(|(k, _)| k.version >= version);
    }

    pub(crate) fn keep<T: Any + Send + Sync>(&self, key: MemoKey, value: Arc<T>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // What an older version computed is of no more use.
        kept.retain(|(k, _)| k.version >= key.version && *k != key);
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back((key, value));
    }
}
