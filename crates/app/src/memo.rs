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
        let gone = self.take_out(|k| k.version < version);
        drop_later(gone);
    }

    pub(crate) fn keep<T: Any + Send + Sync>(&self, key: MemoKey, value: Arc<T>) {
        // What an older version computed is of no more use.
        let mut gone = self.take_out(|k| k.version < key.version || *k == key);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT {
            gone.extend(kept.pop_front());
        }
        kept.push_back((key, value));
        drop(kept);
        drop_later(gone);
    }

    /// Removes the entries whose key `out` says, and gives them back.
    fn take_out(&self, out: impl Fn(&MemoKey) -> bool) -> Vec<(MemoKey, Kept)> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let (gone, stay): (Vec<_>, Vec<_>) = std::mem::take(&mut *kept).into_iter().partition(|(k, _)| out(k));
        *kept = stay.into();
        gone
    }
}

/// Frees what was kept off the request's path: a province's dashboard is tens of thousands of
/// values, and whichever request finds it stale should not wait for their freeing.
fn drop_later(gone: Vec<(MemoKey, Kept)>) {
    if gone.is_empty() {
        return;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn_blocking(move || drop(gone))),
        Err(_) => drop(gone),
    }
}
