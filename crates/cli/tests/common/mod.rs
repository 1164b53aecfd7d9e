//! Running the `taizhang` binary against fresh databases, shared by the CLI test files.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses part of it

use std::process::{Command, Output};

pub use taizhang_store::testing::TestDatabase;

/// `taizhang --db <db> args…`, with the environment's database and password unset.
pub fn taizhang(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taizhang"))
        .args(["--db", &db.url])
        .args(args)
        .env_remove("TAIZHANG_DB")
        .env_remove("TAIZHANG_ADMIN_PASSWORD")
        .output()
        .expect("run taizhang")
}

/// The standard output of a command that must succeed.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh empty database (SQLite, or PostgreSQL when TAIZHANG_TEST_PG is set).
pub fn fresh() -> TestDatabase {
    tokio::runtime::Runtime::new().unwrap().block_on(taizhang_store::testing::fresh_database()).unwrap()
}

/// A fresh database with the Erqi demo loaded.
pub fn demo() -> TestDatabase {
    let db = fresh();
    ok(taizhang(&db, &["demo", "--admin-password", "admin-password-1"]));
    db
}

/// A fresh database with the catalogue and an admin, and nothing else.
pub fn initialised() -> TestDatabase {
    let db = fresh();
    ok(taizhang(&db, &["init", "--admin-password", "admin-password-1"]));
    db
}
