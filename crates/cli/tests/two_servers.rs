//! Two server processes on one database (SQLite file, or PostgreSQL when `TAIZHANG_TEST_PG` is
//! set): nothing either keeps in its own memory lets the other serve something stale or run a
//! scheduled job twice — a session begun on one is good on the other and ends on both, a write
//! through one is on the other's next dashboard, and each job's lease is held by one of them.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

mod common;

use common::{admin_headers, exchange, serve};

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The 督办 orders the dashboard lights, red, yellow and green together.
fn orders_lit(address: &str, headers: &str) -> u64 {
    let (status, _, body) = exchange(address, "GET", "/api/v1/dashboard?period=2018-06", headers, "").unwrap();
    assert_eq!(status, 200, "{body}");
    let kinds = json(&body)["lights"].as_array().unwrap().clone();
    let orders = kinds.iter().find(|k| k["kind"] == "督办").unwrap();
    ["red", "yellow", "green"].iter().map(|l| orders[l].as_u64().unwrap()).sum()
}

/// Whether the server says it ran the job's last round.
fn holds(address: &str, headers: &str, job: &str) -> Option<bool> {
    let (status, _, body) = exchange(address, "GET", "/metrics", headers, "").unwrap();
    assert_eq!(status, 200, "{body}");
    let line = format!("taizhang_job_lease_held{{job=\"{job}\"}} ");
    body.lines().find_map(|l| l.strip_prefix(&line)).map(|v| v.trim() == "1")
}

#[test]
fn two_servers_share_sessions_see_each_others_writes_and_run_each_job_once() {
    let db = common::demo();
    let (mut one, at_one) = serve(&db);
    let (mut other, at_other) = serve(&db);

    // Signed in on one, the session is good on the other.
    let admin = admin_headers(&at_one);
    let before = orders_lit(&at_other, &admin);

    // The other server has kept its dashboard; a write through the first moves the figures'
    // version in the database, and the other's next read computes afresh.
    let order = r#"{"unit":"erqi-zjj","title":"两台服务器督办","deadline":"2099-12-31"}"#;
    let (status, _, body) = exchange(&at_one, "POST", "/api/v1/orders", &admin, order).unwrap();
    assert!(status == 200 || status == 201, "{status} {body}");
    assert_eq!(orders_lit(&at_other, &admin), before + 1, "the order issued on one is lit on the other");

    // A project's write through the first (a 倒排工期 node long past its date) moves its unit's
    // figures only; the other server, which kept every unit's, lights the project red next.
    let reds = |address: &str| -> u64 {
        let (status, _, body) = exchange(address, "GET", "/api/v1/dashboard?period=2018-06", &admin, "").unwrap();
        assert_eq!(status, 200, "{body}");
        json(&body)["red_count"].as_u64().unwrap()
    };
    let reds_before = reds(&at_other);
    let (status, _, body) = exchange(&at_other, "GET", "/api/v1/warnings?period=2018-06", &admin, "").unwrap();
    assert_eq!(status, 200, "{body}");
    let not_red: Vec<String> = json(&body)
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "重点项目" && w["light"] != "red")
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect();
    // The first whose 立项 does not come after the node's date takes it.
    let node = r#"[{"node":"主体完工","planned":"2018-03-01","note":""}]"#;
    let lit = not_red.iter().find(|code| {
        let path = format!("/api/v1/projects/{code}/nodes");
        exchange(&at_one, "PUT", &path, &admin, node).unwrap().0 == 200
    });
    assert!(lit.is_some(), "some project takes the node: {not_red:?}");
    assert_eq!(reds(&at_other), reds_before + 1, "{lit:?}'s late node, saved on one, is red on the other");

    // Both started their scheduled jobs at once; one of them holds each lease.
    let mut waited = 0;
    for job in ["remind", "escalate"] {
        let (a, b) = loop {
            match (holds(&at_one, &admin, job), holds(&at_other, &admin, job)) {
                (Some(a), Some(b)) => break (a, b),
                _ if waited < 100 => {
                    waited += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                asked => panic!("{job}: both servers should have asked for the lease by now: {asked:?}"),
            }
        };
        assert!(a ^ b, "{job}: one server runs it, the other skips (one: {a}, other: {b})");
    }

    // Signed out on the other server, the session ends on the first too.
    let (status, _, _) = exchange(&at_other, "DELETE", "/api/v1/session", &admin, "").unwrap();
    assert_eq!(status, 204);
    let (status, _, _) = exchange(&at_one, "GET", "/api/v1/dashboard?period=2018-06", &admin, "").unwrap();
    assert_eq!(status, 401, "a session ended on one server is ended on both");

    for server in [&mut one, &mut other] {
        server.kill().unwrap();
        server.wait().unwrap();
    }
}
