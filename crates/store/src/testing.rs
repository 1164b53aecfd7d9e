//! Fresh databases for tests: a new SQLite file by default, or a new database on the
//! PostgreSQL server named by `TAIZHANG_TEST_PG` — so that one suite runs on both.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor};

use crate::{Result, StoreError};

/// A database that exists for one test; a SQLite file is removed when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    file: Option<PathBuf>,
    /// The PostgreSQL server and database name, dropped with this.
    postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            // Drop runs outside any runtime (or inside one that must not block): a thread of
            // its own connects and drops the database, ending connections still open.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let mut conn = AnyConnection::connect(&server).await.ok()?;
                    conn.execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await.ok()?;
                    conn.close().await.ok()
                })
            });
            let _ = dropped.join();
        }
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

static SERIAL: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("tz_test_{}_{}_{nanos}", std::process::id(), SERIAL.fetch_add(1, Ordering::Relaxed))
}

/// Whether tests run against PostgreSQL (`TAIZHANG_TEST_PG` holds a server URL).
pub fn postgres_url() -> Option<String> {
    std::env::var("TAIZHANG_TEST_PG").ok().filter(|u| !u.trim().is_empty())
}

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> Result<TestDatabase> {
    let name = unique_name();
    match postgres_url() {
        Some(server) => {
            sqlx::any::install_default_drivers();
            let mut conn = AnyConnection::connect(&server)
                .await
                .map_err(|e| StoreError::Config(format!("TAIZHANG_TEST_PG 无法连接：{e}")))?;
            conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
            conn.close().await?;
            let (base, query) = server.split_once('?').map_or((server.as_str(), None), |(b, q)| (b, Some(q)));
            let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
            let url = match query {
                Some(q) => format!("{base}/{name}?{q}"),
                None => format!("{base}/{name}"),
            };
            Ok(TestDatabase { url, file: None, postgres: Some((server, name)) })
        }
        None => {
            let file = std::env::temp_dir().join(format!("{name}.db"));
            Ok(TestDatabase { url: format!("sqlite://{}", file.display()), file: Some(file), postgres: None })
        }
    }
}
