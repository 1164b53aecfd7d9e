//! The server started in-process on port 0 with a fresh database, spoken to over real HTTP.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use taizhang_store::Store;
use taizhang_store::testing::{TestDatabase, fresh_database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct TestApp {
    address: std::net::SocketAddr,
    _db: TestDatabase,
}

async fn spawn_app() -> TestApp {
    let db = fresh_database().await.expect("fresh database");
    let store = Store::open(&db.url).await.expect("open");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(taizhang_web::serve(store, listener));
    TestApp { address, _db: db }
}

/// A minimal HTTP/1.1 GET: status code and body.
async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(app.address).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status line");
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn healthz_reports_the_database_it_answers_from() {
    let app = spawn_app().await;
    let (status, body) = get(&app, "/healthz").await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["status"], "ok");
    let expected = if taizhang_store::testing::postgres_url().is_some() { "postgres" } else { "sqlite" };
    assert_eq!(json["database"], expected);
    assert_eq!(json["units"], 0);
}

#[tokio::test]
async fn the_openapi_document_describes_the_served_paths() {
    let app = spawn_app().await;
    let (status, body) = get(&app, "/api/openapi.json").await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{doc}");
    for path in ["/healthz", "/api/openapi.json"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    let (status, _) = get(&app, "/no/such/page").await;
    assert_eq!(status, 404);
}
