//! Scheduled backups: `serve`'s job writes a whole file under its final name and keeps the
//! newest ones — on SQLite, and on PostgreSQL when `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use taizhang_app::App;
use taizhang_app::testing::Account;
use taizhang_core::access::Role;
use taizhang_core::config::{BackupConfig, Config};

#[tokio::test]
async fn the_scheduled_backup_writes_a_restorable_file_and_keeps_the_newest() {
    let accounts: Vec<Account<'_>> = vec![("admin", Role::Admin, None)];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An older file beyond what is kept goes once the new one is written.
    for old in ["taizhang-20180101T000000Z.jsonl", "taizhang-20180102T000000Z.jsonl"] {
        std::fs::write(dir.path().join(old), "old").unwrap();
    }
    let config = Config {
        backup: BackupConfig { dir: Some(dir.path().display().to_string()), every_hours: 24, keep: 2 },
        ..Config::default()
    };
    let job = tokio::spawn(App::new(store, config).backup_every());
    let mut names = Vec::new();
    for _ in 0..250 {
        names = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        if names.len() == 2 && !names.contains(&"taizhang-20180101T000000Z.jsonl".to_string()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    job.abort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[0], "taizhang-20180102T000000Z.jsonl", "the newest two are kept: {names:?}");
    let written = std::fs::read(dir.path().join(&names[1])).unwrap();
    let target = taizhang_store::testing::fresh_database().await.unwrap();
    let restored = taizhang_store::Store::open(&target.url).await.unwrap();
    let summary = restored.restore(&mut written.as_slice()).await.unwrap();
    assert!(summary.rows > 2000, "{summary:?}");
}
