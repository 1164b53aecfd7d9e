//! A batch of records of one kind, as an import brings them, and what writing it changed.

use crate::indicator::{Indicator, IndicatorValue, Target};
use crate::org::OrgUnit;
use crate::plan::KeyTask;
use crate::project::MonthlyProgress;
use crate::world::ProjectRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    Units(Vec<OrgUnit>),
    Values(Vec<IndicatorValue>),
    Targets(Vec<Target>),
    /// Projects with the plans the file gives (progress is its own kind).
    Projects(Vec<ProjectRecord>),
    Progress(Vec<MonthlyProgress>),
    Tasks(Vec<KeyTask>),
    /// Indicators of the catalogue, added or changed by code.
    Indicators(Vec<Indicator>),
    Honours(Vec<crate::honour::Honour>),
}

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::Units(v) => v.len(),
            Batch::Values(v) => v.len(),
            Batch::Targets(v) => v.len(),
            Batch::Projects(v) => v.len(),
            Batch::Progress(v) => v.len(),
            Batch::Tasks(v) => v.len(),
            Batch::Indicators(v) => v.len(),
            Batch::Honours(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the records of `other`, a batch of the same kind (another kind is left out).
    pub fn append(&mut self, other: Batch) {
        match (self, other) {
            (Batch::Units(a), Batch::Units(b)) => a.extend(b),
            (Batch::Values(a), Batch::Values(b)) => a.extend(b),
            (Batch::Targets(a), Batch::Targets(b)) => a.extend(b),
            (Batch::Projects(a), Batch::Projects(b)) => a.extend(b),
            (Batch::Progress(a), Batch::Progress(b)) => a.extend(b),
            (Batch::Tasks(a), Batch::Tasks(b)) => a.extend(b),
            (Batch::Indicators(a), Batch::Indicators(b)) => a.extend(b),
            (Batch::Honours(a), Batch::Honours(b)) => a.extend(b),
            (mine, other) => debug_assert!(other.is_empty(), "{mine:?} cannot take another kind"),
        }
    }
}

/// How many records a write adds, changes and leaves as they were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeSummary {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl ChangeSummary {
    /// Counts one record against what is stored (`None`: not stored yet).
    pub fn count<T: PartialEq>(&mut self, stored: Option<&T>, incoming: &T) -> bool {
        match stored {
            None => {
                self.new += 1;
                true
            }
            Some(s) if s == incoming => {
                self.unchanged += 1;
                false
            }
            Some(_) => {
                self.changed += 1;
                true
            }
        }
    }
}

impl std::fmt::Display for ChangeSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "新增{}条，变更{}条，未变{}条", self.new, self.changed, self.unchanged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_new_changed_and_unchanged() {
        let mut s = ChangeSummary::default();
        assert!(s.count(None, &1));
        assert!(!s.count(Some(&2), &2));
        assert!(s.count(Some(&2), &3));
        assert_eq!(s, ChangeSummary { new: 1, changed: 1, unchanged: 1 });
        assert_eq!(s.to_string(), "新增1条，变更1条，未变1条");
    }
}
