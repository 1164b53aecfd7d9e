//! What a few dashboards computed, kept for the ledger version it was computed at: read again
//! before anyone writes, a page costs a lookup; a commit moves the version on and every entry
//! is stale at once (on every server, the version being in the database). A handful of entries,
//! so that memory stays bounded whatever the city.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use taizhang_core::lights::Warning;
use taizhang_core::period::Period;
use taizhang_core::project::Date;

/// How many computations are kept.
const KEPT: usize = 4;

/// Which computation, of which scope and period, on which day, at which version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemoKey {
    pub what: &'static str,
    pub version: i64,
    pub scope: String,
    pub period: Period,
    pub today: Date,
}

#[derive(Debug, Default)]
pub(crate) struct Memo {
    warnings: Mutex<VecDeque<(MemoKey, Arc<Vec<Warning>>)>>,
}

impl Memo {
    pub(crate) fn warnings(&self, key: &MemoKey) -> Option<Arc<Vec<Warning>>> {
        let kept = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|(k, _)| k == key).map(|(_, w)| w.clone())
    }

    pub(crate) fn keep_warnings(&self, key: MemoKey, warnings: Arc<Vec<Warning>>) {
        let mut kept = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        // What an older version computed is of no more use.
        kept.retain(|(k, _)| k.version >= key.version);
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back((key, warnings));
    }
}
