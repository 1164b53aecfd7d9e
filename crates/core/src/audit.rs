//! The tamper-evident audit trail's arithmetic: each event hashed with the one before it
//! (SHA-256), and each ledger row's content digested, so that `audit verify` can recompute
//! both and name the first place they disagree.

use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event of the trail: who did what to which record, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    /// What was done, in a stable word: "draft.save", "entry.approve", "import", "user.create",
    /// "signin", "signin.fail" …
    pub action: String,
    /// The record it was done to: "round:3/erqi-zjj/ZD2018-001", "user:zjj_reporter" …
    pub subject: String,
    /// What changed, in words people read (figures before → after, counts, reasons).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fields joined with a separator no text field holds (U+001F), a missing one as U+2205, so
/// that no two different field lists digest alike.
fn digest_fields<'a>(fields: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut h = Sha256::new();
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(f.unwrap_or("\u{2205}").as_bytes());
    }
    hex(&h.finalize())
}

impl AuditEvent {
    /// The hash this event must carry: over the previous hash and every field.
    pub fn expected_hash(&self) -> String {
        let seq = self.seq.to_string();
        digest_fields([
            Some(self.prev_hash.as_str()),
            Some(seq.as_str()),
            Some(self.at.as_str()),
            Some(self.actor.as_str()),
            Some(self.action.as_str()),
            Some(self.subject.as_str()),
            Some(self.detail.as_str()),
        ])
    }
}

/// A ledger row's digest: its table, key and content as stored (numbers as their text).
pub fn row_digest(table: &str, fields: &[Option<String>]) -> String {
    digest_fields(std::iter::once(Some(table)).chain(fields.iter().map(Option::as_deref)))
}

/// Where a chain first breaks: the event whose link or hash is wrong, in words.
pub fn chain_break(events: &[AuditEvent], mut prev: String) -> Option<String> {
    for e in events {
        if e.prev_hash != prev {
            return Some(format!("审计记录 #{} 的前序哈希与 #{} 不符（记录被删除或插入）", e.seq, e.seq - 1));
        }
        if e.hash != e.expected_hash() {
            return Some(format!(
                "审计记录 #{}（{} {} {}）的内容与其哈希不符（记录被改动）",
                e.seq, e.at, e.actor, e.action
            ));
        }
        prev = e.hash.clone();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    seq,
                    at: format!("2018-06-0{seq}T08:00:00Z"),
                    actor: "zjj_reporter".into(),
                    action: "draft.save".into(),
                    subject: format!("round:1/erqi-zjj/ZD2018-00{seq}"),
                    detail: "年初至报告期累计 → 60000".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.expected_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn a_chain_verifies_until_an_event_is_changed_or_removed() {
        let events = chain(4);
        assert_eq!(chain_break(&events, GENESIS.into()), None);
        let mut changed = events.clone();
        changed[2].detail = "年初至报告期累计 → 600000".into();
        assert!(chain_break(&changed, GENESIS.into()).unwrap().contains("#3"));
        let mut removed = events.clone();
        removed.remove(1);
        assert!(chain_break(&removed, GENESIS.into()).unwrap().contains("#3 的前序哈希"));
    }

    #[test]
    fn a_row_digest_changes_with_any_field_and_tells_missing_from_empty() {
        let row = |ytd: &str, note: Option<&str>| {
            row_digest("project_progress", &[Some("7".into()), Some(ytd.into()), note.map(str::to_string)])
        };
        assert_eq!(row("600000000", None), row("600000000", None));
        assert_ne!(row("600000000", None), row("6000000000", None));
        assert_ne!(row("1", None), row("1", Some("")));
        assert_eq!(row("1", None).len(), 64);
    }
}
