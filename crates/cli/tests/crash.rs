//! kill -9 at random moments — of an import, and of the server under bursts of writes — then
//! the database is whole: SQLite's integrity check and the audit chain pass, an import is there
//! entirely or not at all, and every write the server acknowledged is there.
//!
//! The moments are drawn from the clock and printed, so a failure can be replayed
//! (`TAIZHANG_CRASH_SEED=…`).

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

use common::{TestDatabase, admin_headers, exchange, ok, serve, taizhang};

/// A small, seeded generator: the moments to kill at.
struct Moments(u64);

impl Moments {
    fn from_env_or_clock() -> Self {
        let seed = std::env::var("TAIZHANG_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos().into()
        });
        println!("TAIZHANG_CRASH_SEED={seed}");
        Moments(seed)
    }

    /// A duration in [from, to) milliseconds.
    fn between(&mut self, from: u64, to: u64) -> Duration {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        Duration::from_millis(from + (self.0 >> 33) % (to - from))
    }
}

fn spawn(db: &TestDatabase, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_taizhang"))
        .args(["--db", &db.url])
        .args(args)
        .env_remove("TAIZHANG_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `kill -9`: no handler runs, no buffer is flushed, no transaction is finished.
fn kill_hard(child: &mut Child) {
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

/// The database after a crash: the file is sound, the chain and every sealed row agree.
fn assert_whole(db: &TestDatabase, after: &str) {
    let out = taizhang(db, &["audit", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "after {after}: {text}");
    assert!(text.contains("一致"), "after {after}: {text}");
    if db.url.starts_with("sqlite") {
        assert!(text.contains("数据库文件完整性检查通过"), "after {after}: {text}");
    }
}

#[test]
fn an_import_killed_at_any_moment_is_there_whole_or_not_at_all() {
    let mut moments = Moments::from_env_or_clock();
    // A city of 2,000 projects and 24,000 monthly rows, exported to workbooks …
    let source = common::fresh();
    ok(taizhang(
        &source,
        &["gen", "--districts", "2", "--projects-per-district", "1000", "--years", "1", "--seed", "3"],
    ));
    let dir = tempfile::tempdir().unwrap();
    let file = |kind: &str| dir.path().join(format!("{kind}.xlsx")).to_str().unwrap().to_string();
    for kind in ["units", "projects", "progress"] {
        ok(taizhang(&source, &["export", kind, "--out", &file(kind), "--year", "2017"]));
    }
    // … imported into new ledgers, each progress import killed at its own moment.
    let rows = |db: &TestDatabase| {
        let out = ok(taizhang(db, &["export", "progress", "--out", &file("back"), "--year", "2017"]));
        assert!(out.contains("已导出"), "{out}");
        let bytes = std::fs::read(file("back")).unwrap();
        taizhang_office::read_table(&bytes, "back.xlsx", taizhang_office::Kind::Progress, None)
            .map_or(0, |t| t.rows.len())
    };
    let (mut cut, mut done) = (0, 0);
    for attempt in 0..6 {
        let db = common::initialised();
        ok(taizhang(&db, &["import", "units", &file("units")]));
        ok(taizhang(&db, &["import", "projects", &file("projects")]));
        let mut child = spawn(&db, &["import", "progress", &file("progress")]);
        let moment = moments.between(20, 1000);
        std::thread::sleep(moment);
        let finished = child.try_wait().unwrap().is_some();
        kill_hard(&mut child);
        let after = format!("kill {attempt} at {moment:?}{}", if finished { " (already done)" } else { "" });
        assert_whole(&db, &after);
        let n = rows(&db);
        println!("{after}: {n} rows");
        assert!(n == 0 || n == 24_000, "after {after}: {n} rows — half an import");
        if n == 0 {
            cut += 1;
            // The ledger the kill left takes the same import whole.
            ok(taizhang(&db, &["import", "progress", &file("progress")]));
            assert_eq!(rows(&db), 24_000);
            assert_whole(&db, &format!("the import after {after}"));
        } else {
            done += 1;
        }
    }
    println!("{cut} imports cut off, {done} done before their kill");
}

#[test]
fn every_write_the_server_acknowledged_survives_its_kill() {
    let mut moments = Moments::from_env_or_clock();
    let db = common::demo();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    for round in 0..3 {
        let (mut server, address) = serve(&db);
        let headers = admin_headers(&address);
        let stop = Arc::new(AtomicBool::new(false));
        // Four clients raise problems as fast as the server takes them; each one answered 200
        // is acknowledged and must be there after the kill.
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (address, headers, stop, acknowledged) =
                    (address.clone(), headers.clone(), stop.clone(), acknowledged.clone());
                std::thread::spawn(move || {
                    for i in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let text = format!("压力测试 第{round}轮 客户{w} 第{i}条");
                        let body =
                            serde_json::json!({"project": "ZD2018-001", "description": text, "deadline": "2099-12-31"});
                        match exchange(&address, "POST", "/api/v1/problems", &headers, &body.to_string()) {
                            Some((200, _, _)) => acknowledged.lock().unwrap().push(text),
                            Some((status, _, body)) => panic!("{status} {body}"),
                            None => break, // the server is gone: this write was never answered
                        }
                    }
                })
            })
            .collect();
        let moment = moments.between(200, 1500);
        std::thread::sleep(moment);
        kill_hard(&mut server);
        stop.store(true, Ordering::Relaxed);
        writers.into_iter().for_each(|w| w.join().unwrap());
        assert_whole(&db, &format!("server kill {round} at {moment:?}"));
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 10, "the bursts wrote: {}", acknowledged.len());
    println!("{} acknowledged writes over 3 kills", acknowledged.len());
    let listed = ok(taizhang(&db, &["problem", "list"]));
    let missing: Vec<&String> = acknowledged.iter().filter(|t| !listed.contains(t.as_str())).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes lost, e.g. {:?}",
        missing.len(),
        acknowledged.len(),
        missing.first()
    );
}
