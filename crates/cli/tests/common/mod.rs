//! Running the `taizhang` binary against fresh databases, shared by the CLI test files.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses part of it

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

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

/// Starts the server on `db` and returns it with its address.
pub fn serve(db: &TestDatabase) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taizhang"))
        .args(["--db", &db.url, "serve", "--listen", "127.0.0.1:0"])
        .env_remove("TAIZHANG_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("taizhang 已启动：http://").map(str::to_string))
        .expect("listening line");
    // Keep reading its output so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, address)
}

/// One HTTP/1.1 exchange on a new connection: (status, headers, body); `None` when the
/// server is gone before it answered.
pub fn exchange(address: &str, method: &str, path: &str, headers: &str, body: &str) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head.to_string(), body.to_string()))
}

/// Signs in as the admin: the cookie and CSRF headers every write carries.
pub fn admin_headers(address: &str) -> String {
    let (status, head, body) =
        exchange(address, "POST", "/api/v1/session", "", r#"{"username":"admin","password":"admin-password-1"}"#)
            .unwrap();
    assert_eq!(status, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: tz_session=")
                .then(|| l[12..].split(';').next().unwrap().to_string())
        })
        .unwrap();
    let csrf = serde_json::from_str::<serde_json::Value>(&body).unwrap()["csrf"].as_str().unwrap().to_string();
    format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n")
}
