//! The server started in-process on port 0 with a fresh database (SQLite, or PostgreSQL when
//! `TAIZHANG_TEST_PG` is set), spoken to over real HTTP as browsers and API clients do.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use taizhang_app::testing::{PASSWORD, TestDatabase, fresh_database};
use taizhang_core::access::Role;
use taizhang_core::config::Config;
use taizhang_store::Store;

struct TestApp {
    address: std::net::SocketAddr,
    store: Store,
    _db: TestDatabase,
}

/// A fresh database (empty, or the Erqi world with one account per role) and the server.
async fn spawn_app(erqi: bool) -> TestApp {
    let (store, db) = if erqi {
        let accounts = [
            ("admin", Role::Admin, None),
            ("reviewer", Role::Reviewer, Some("erqi-dcs")),
            ("leader", Role::Leader, None),
            ("zjj_leader", Role::UnitLeader, Some("erqi-zjj")),
            ("zjj_reporter", Role::UnitReporter, Some("erqi-zjj")),
            ("dhj_reporter", Role::UnitReporter, Some("erqi-dhj")),
        ];
        taizhang_app::testing::erqi(&accounts).await.expect("the Erqi fixture")
    } else {
        let db = fresh_database().await.expect("fresh database");
        (Store::open(&db.url).await.expect("open"), db)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(taizhang_web::serve(taizhang_app::App::new(store.clone(), Config::default()), listener));
    TestApp { address, store, _db: db }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// A signed-in (or not) client: its cookie and CSRF token.
#[derive(Debug, Default, Clone)]
struct Client {
    cookie: String,
    csrf: String,
}

impl TestApp {
    async fn send(&self, method: &str, path: &str, client: &Client, content_type: &str, body: &str) -> Reply {
        self.send_with(method, path, client, content_type, body.as_bytes(), &[]).await
    }

    /// A multipart form (its fields, with the client's CSRF token, and one file) posted as a
    /// browser posts it.
    async fn upload(&self, path: &str, client: &Client, fields: &[(&str, &str)], file: &[u8]) -> Reply {
        let boundary = "taizhangboundary";
        let mut body = Vec::new();
        for (name, value) in fields.iter().copied().chain([("_csrf", client.csrf.as_str())]) {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"进度.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(file);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let plain = Client { csrf: String::new(), ..client.clone() };
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send_with("POST", path, &plain, &content_type, &body, &[]).await
    }

    /// A request as a browser or API client sends it (redirects are not followed: they are
    /// what is tested), with extra headers.
    async fn send_with(
        &self,
        method: &str,
        path: &str,
        client: &Client,
        content_type: &str,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> Reply {
        let http = taizhang_app::http_client().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = http.request(method.clone(), format!("http://{}{path}", self.address));
        if !client.cookie.is_empty() {
            request = request.header("cookie", &client.cookie);
        }
        if !client.csrf.is_empty() {
            request = request.header("x-csrf-token", &client.csrf);
        }
        if !body.is_empty() || method != reqwest::Method::GET {
            request = request.header("content-type", content_type).body(body.to_vec());
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\r\n");
        Reply { status, headers, body: response.text().await.expect("body") }
    }

    async fn get(&self, path: &str, client: &Client) -> Reply {
        self.send("GET", path, client, "", "").await
    }

    async fn form(&self, path: &str, client: &Client, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        let plain = Client { csrf: String::new(), ..client.clone() };
        self.send("POST", path, &plain, "application/x-www-form-urlencoded", &body.join("&")).await
    }

    async fn json(&self, method: &str, path: &str, client: &Client, body: serde_json::Value) -> Reply {
        self.send(method, path, client, "application/json", &body.to_string()).await
    }

    /// Posts the sign-in form as a browser does: the page first, for its token and cookie.
    async fn login(&self, username: &str, password: &str) -> Reply {
        let page = self.get("/login", &Client::default()).await;
        let cookie = page
            .headers
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
            .and_then(|c| c.split(';').next())
            .expect("sign-in cookie")
            .to_string();
        let token =
            page.body.split("name=\"_login\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
        let client = Client { cookie, csrf: String::new() };
        self.form("/login", &client, &[("_login", token), ("username", username), ("password", password)]).await
    }

    /// Signs in through the page and reads the CSRF token from a page's form.
    async fn sign_in(&self, username: &str) -> Client {
        let reply = self.login(username, PASSWORD).await;
        assert_eq!(reply.status, 303, "{username}: {}", reply.body);
        let cookie = reply
            .headers
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_string();
        let page = self.get("/password", &Client { cookie: cookie.clone(), csrf: String::new() }).await;
        let csrf = page
            .body
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf")
            .to_string();
        Client { cookie, csrf }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn every_answer_carries_the_request_id_the_logs_carry() {
    let app = spawn_app(false).await;
    let headers = [("x-request-id", "from-the-proxy-7")];
    let reply = app.send_with("GET", "/healthz", &Client::default(), "", b"", &headers).await;
    assert!(reply.headers.contains("x-request-id: from-the-proxy-7"), "{}", reply.headers);
    // Without one, the server numbers the request itself.
    let reply = app.get("/healthz", &Client::default()).await;
    let id = reply.headers.lines().find_map(|l| l.to_lowercase().strip_prefix("x-request-id: ").map(str::to_string));
    assert!(id.is_some_and(|id| id.parse::<u64>().is_ok()), "{}", reply.headers);
}

#[tokio::test]
async fn healthz_reports_the_database_it_answers_from() {
    let app = spawn_app(false).await;
    let reply = app.get("/healthz", &Client::default()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let json: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(json["status"], "ok");
    let expected = if taizhang_store::testing::postgres_url().is_some() { "postgres" } else { "sqlite" };
    assert_eq!(json["database"], expected);
    assert_eq!(json["units"], 0);
}

#[tokio::test]
async fn the_openapi_document_describes_the_served_paths() {
    let app = spawn_app(false).await;
    let reply = app.get("/api/openapi.json", &Client::default()).await;
    assert_eq!(reply.status, 200);
    let doc: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{doc}");
    // Every API route the router serves, read from the router's own source, is documented
    // with its method, and every response has the description OpenAPI requires.
    let routes = api_routes(include_str!("../src/lib.rs"));
    assert!(routes.len() >= 10, "the route list could not be read: {routes:?}");
    for (path, method) in &routes {
        let operation = &doc["paths"][path.as_str()][method.as_str()];
        assert!(operation.is_object(), "{method} {path} is routed but missing from the OpenAPI document");
        for (status, response) in operation["responses"].as_object().expect("responses") {
            assert!(response["description"].is_string(), "{method} {path} {status}: no description");
        }
    }
    // Client generators name a function after each operation: no two may share an id.
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|methods| methods.as_object().into_iter().flat_map(|m| m.values()))
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "operation ids are unique");
    let missing = app.get("/no/such/page", &Client::default()).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn pages_need_a_session_and_sign_in_is_throttled() {
    let app = spawn_app(true).await;
    let anonymous = app.get("/", &Client::default()).await;
    assert_eq!(
        (anonymous.status, anonymous.headers.contains("location: /login")),
        (303, true),
        "{}",
        anonymous.headers
    );
    let api = app.get("/api/v1/projects", &Client::default()).await;
    assert_eq!(api.status, 401);
    assert!(api.body.contains("\"code\":\"unauthorised\""), "{}", api.body);

    let client = app.sign_in("leader").await;
    assert!(app.get("/", &client).await.body.contains("二七区"));
    let reply = app.login("leader", PASSWORD).await;
    assert!(
        reply.headers.to_lowercase().contains("httponly") && reply.headers.contains("SameSite=Lax"),
        "{}",
        reply.headers
    );

    // A form posted from elsewhere carries no sign-in token: refused.
    let forged = app.form("/login", &Client::default(), &[("username", "leader"), ("password", PASSWORD)]).await;
    assert!(forged.status == 403 && forged.body.contains("登录页面已过期或来源不明"), "{}", forged.status);

    for _ in 0..6 {
        assert_eq!(app.login("zjj_reporter", "wrong-guess").await.status, 401);
    }
    // Past five failures the account's sign-ins wait (a delay, not a wall: the owner gets in).
    let started = std::time::Instant::now();
    let slowed = app.login("zjj_reporter", PASSWORD).await;
    assert_eq!(slowed.status, 303, "the right password still signs in");
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "after a wait");

    // Sessions live in the database: a restarted server still knows them.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(taizhang_web::serve(taizhang_app::App::new(app.store.clone(), Config::default()), listener));
    let restarted = TestApp { address, store: app.store.clone(), _db: app._db };
    assert_eq!(restarted.get("/", &client).await.status, 200);
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    let forged =
        app.form("/admin/rounds", &admin, &[("_csrf", "forged"), ("period", "2018-06"), ("form", "projects")]).await;
    assert_eq!(forged.status, 403);
    let real =
        app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    assert_eq!(real.status, 303, "{}", real.body);
    let api = app
        .json(
            "PUT",
            "/api/v1/rounds/1/units/erqi-zjj/entries/ZD2018-001",
            &Client { csrf: String::new(), ..admin.clone() },
            serde_json::json!({"figures": {}}),
        )
        .await;
    assert_eq!(api.status, 403, "an API write needs X-CSRF-Token: {}", api.body);
}

#[tokio::test]
async fn a_month_is_filed_submitted_approved_and_accepted_through_the_api() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let rounds: serde_json::Value = serde_json::from_str(&app.get("/api/v1/rounds", &admin).await.body).unwrap();
    let round = rounds[0]["id"].as_i64().unwrap();

    let session = app
        .json(
            "POST",
            "/api/v1/session",
            &Client::default(),
            serde_json::json!({"username": "zjj_reporter", "password": PASSWORD}),
        )
        .await;
    assert_eq!(session.status, 200, "{}", session.body);
    let info: serde_json::Value = serde_json::from_str(&session.body).unwrap();
    let cookie = session
        .headers
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .starts_with("set-cookie:")
                .then(|| l[12..].split(';').next().unwrap_or_default().trim().to_string())
        })
        .unwrap();
    let reporter = Client { cookie, csrf: info["csrf"].as_str().unwrap().to_string() };

    let path = format!("/api/v1/rounds/{round}/units/erqi-zjj/entries/ZD2018-001");
    let saved = app
        .json("PUT", &path, &reporter, serde_json::json!({"figures": {"ytd_wan": "50000.25", "text": "主体施工"}}))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let entry: serde_json::Value = serde_json::from_str(&saved.body).unwrap();
    assert_eq!(
        (entry["version"].as_i64(), entry["figures"]["ytd_wan"].as_str()),
        (Some(1), Some("50000.25")),
        "amounts are exact strings"
    );
    let stale = app.json("PUT", &path, &reporter, serde_json::json!({"figures": {"ytd_wan": "1"}})).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("\"code\":\"conflict\""));
    let bad =
        app.json("PUT", &path, &reporter, serde_json::json!({"version": 1, "figures": {"ytd_wan": "12,5O0"}})).await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("12,5O0"), "{}", bad.body);

    let others = app.get(&format!("/api/v1/rounds/{round}/units/erqi-dhj/entries"), &reporter).await;
    assert_eq!(others.status, 403, "{}", others.body);
    assert!(others.body.contains("\"code\":\"forbidden\""));

    let submitted = app
        .json("POST", &format!("/api/v1/rounds/{round}/units/erqi-zjj/submit"), &reporter, serde_json::json!({}))
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let leader = app.sign_in("zjj_leader").await;
    let approve = app.form(&format!("/review/{round}/erqi-zjj/approve"), &leader, &[("_csrf", &leader.csrf)]).await;
    assert_eq!(approve.status, 303, "{}", approve.body);
    let reviewer = app.sign_in("reviewer").await;
    let queue = app.get("/review", &reviewer).await;
    assert!(queue.body.contains("待审1条") && queue.body.contains("ZD2018-001"), "{}", queue.body);

    // Returned one record with a reason: the reporter reads it on the to-do list, the form and the API.
    let reason = "形象进度未写明主体施工到第几层";
    let returned = app
        .json(
            "POST",
            &format!("/api/v1/rounds/{round}/units/erqi-zjj/return"),
            &reviewer,
            serde_json::json!({"reason": reason, "subjects": ["ZD2018-001"]}),
        )
        .await;
    assert_eq!(returned.status, 200, "{}", returned.body);
    assert!(app.get("/report", &reporter).await.body.contains(reason), "the to-do list shows why");
    let form = app.get(&format!("/report/{round}/erqi-zjj/ZD2018-001"), &reporter).await;
    assert!(form.body.contains(reason), "the form shows why");
    let listed = app.get(&format!("/api/v1/rounds/{round}/units/erqi-zjj/entries"), &reporter).await.body;
    assert!(listed.contains(&format!("\"return_reason\":\"{reason}\"")), "{listed}");
    let resubmitted = app
        .json("POST", &format!("/api/v1/rounds/{round}/units/erqi-zjj/submit"), &reporter, serde_json::json!({}))
        .await;
    assert_eq!(resubmitted.status, 200, "{}", resubmitted.body);
    app.form(&format!("/review/{round}/erqi-zjj/approve"), &leader, &[("_csrf", &leader.csrf)]).await;

    let accept = app.form(&format!("/review/{round}/erqi-zjj/accept"), &reviewer, &[("_csrf", &reviewer.csrf)]).await;
    assert_eq!(accept.status, 303);
    let page = app.get("/projects/ZD2018-001", &reviewer).await;
    assert!(
        page.body.contains("50000.25") && page.body.contains("区级已通过"),
        "the accepted figure and its trail show on the project page"
    );
    // The trail in sentences: who by unit and name, what, in Beijing time.
    assert!(page.body.contains("区住房城乡建设局 zjj_reporter 上报"), "{}", page.body);
    let trail = page.body.split("填报记录").nth(1).unwrap_or_default();
    let iso = trail.char_indices().any(|(i, c)| {
        c == 'T'
            && trail[..i].ends_with(|d: char| d.is_ascii_digit())
            && trail[i + 1..].starts_with(|d: char| d.is_ascii_digit())
    });
    assert!(page.body.contains("reviewer 区级审核通过") && !iso, "no ISO times in the trail: {trail}");
    // Closed, then reopened by the admin with a reason: the locked records go back to the unit.
    app.form("/admin/rounds/close", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")])
        .await;
    let no_reason =
        app.json("POST", &format!("/api/v1/rounds/{round}/reopen"), &admin, serde_json::json!({"reason": " "})).await;
    assert_eq!(no_reason.status, 400, "{}", no_reason.body);
    let reopened = app
        .json(
            "POST",
            &format!("/api/v1/rounds/{round}/reopen"),
            &admin,
            serde_json::json!({"reason": "统计口径调整，需补报"}),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.body);
    assert!(reopened.body.contains("\"open\":true"), "{}", reopened.body);
    let again = app.get(&format!("/api/v1/rounds/{round}/units/erqi-zjj/entries"), &reporter).await.body;
    assert!(again.contains("统计口径调整，需补报"), "{again}");
}

#[tokio::test]
async fn a_reporter_gets_403_for_another_units_records_on_pages_and_api() {
    let app = spawn_app(true).await;
    let reporter = app.sign_in("zjj_reporter").await;
    assert_eq!(app.get("/projects/ZD2017-002", &reporter).await.status, 403, "德化街 project");
    assert_eq!(app.get("/projects/ZD2018-001", &reporter).await.status, 200, "own project");
    assert_eq!(app.get("/admin", &reporter).await.status, 403);
    assert_eq!(app.get("/indicators?unit=erqi-dhj", &reporter).await.status, 403);
    let api = app.get("/api/v1/warnings?period=2018-05&unit=erqi-dhj", &reporter).await;
    assert_eq!(api.status, 403, "{}", api.body);
    let list = app.get("/projects", &reporter).await;
    assert!(
        list.body.contains("保利豫见里") && !list.body.contains("百年德化"),
        "the list holds the unit's own projects only"
    );
}

#[tokio::test]
async fn nothing_typed_by_a_user_reaches_a_page_unescaped() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    let evil = "<script>alert('x')</script>";
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let saved = app
        .form(
            "/admin/users",
            &admin,
            &[
                ("_csrf", &admin.csrf),
                ("username", "evil"),
                ("display_name", evil),
                ("role", "unit_reporter"),
                ("unit", "erqi-zjj"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let reporter = app.sign_in("evil").await;
    let round = 1;
    let filed = app
        .form(
            &format!("/report/{round}/erqi-zjj/ZD2018-001"),
            &reporter,
            &[("_csrf", &reporter.csrf), ("version", "0"), ("ytd", "100"), ("text", evil), ("problems", evil)],
        )
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let bad_number = app
        .form(
            &format!("/report/{round}/erqi-zjj/ZD2018-001"),
            &reporter,
            &[("_csrf", &reporter.csrf), ("version", "1"), ("ytd", evil)],
        )
        .await;
    assert_eq!(bad_number.status, 422);
    for (who, path) in [
        (&reporter, "/"),
        (&reporter, "/report"),
        (&reporter, &format!("/report/{round}/erqi-zjj/ZD2018-001") as &str),
        (&admin, "/admin"),
        (&admin, "/projects/ZD2018-001"),
    ] {
        let page = app.get(path, who).await;
        assert!(!page.body.contains("<script>alert"), "{path} shows raw user input");
    }
    assert!(
        app.get("/admin", &admin).await.body.contains("&lt;script&gt;")
            || app.get("/admin", &admin).await.body.contains("&#60;script&#62;")
    );
    let errors = app.get(&format!("/indicators?period={}", encode(evil)), &admin).await;
    assert_eq!(errors.status, 400);
    assert!(!errors.body.contains("<script>alert"), "error pages escape too");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app(true).await;
    app.get("/healthz", &Client::default()).await;
    app.get("/", &Client::default()).await;
    let admin = app.sign_in("admin").await;
    assert_eq!(app.get("/metrics", &Client::default()).await.status, 401, "not open to anyone");
    let metrics = app.get("/metrics", &admin).await;
    // Read back by a Prometheus text-format parser, as a scraper would.
    let scrape = prometheus_parse::Scrape::parse(metrics.body.lines().map(|l| Ok(l.to_string()))).expect("exposition");
    assert!(scrape.docs.contains_key("taizhang_http_requests_total"), "{}", metrics.body);
    let count = |route: &str, status: &str| {
        scrape
            .samples
            .iter()
            .find(|s| {
                s.metric == "taizhang_http_requests_total"
                    && s.labels.get("method") == Some("GET")
                    && s.labels.get("route") == Some(route)
                    && s.labels.get("status") == Some(status)
            })
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(n) => n.to_string(),
                ref other => format!("{other:?}"),
            })
    };
    assert_eq!(count("/healthz", "200").as_deref(), Some("1"), "{}", metrics.body);
    assert_eq!(count("/", "303").as_deref(), Some("1"), "{}", metrics.body);
}

#[tokio::test]
async fn every_list_exports_to_excel() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    for path in ["/projects?format=xlsx", "/indicators?period=2017&format=xlsx"] {
        let reply = app.get(path, &leader).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.headers.contains("spreadsheetml"), "{path}: {}", reply.headers);
    }
    // A figure is a number in its cell, its unit beside it; no link column comes along.
    use calamine::Reader as _;
    let http = taizhang_app::http_client().build().unwrap();
    let bytes = http
        .get(format!("http://{}/indicators?period=2017&unit=erqi&format=xlsx", app.address))
        .header("cookie", &leader.cookie)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header = rows.iter().position(|r| r.first().is_some_and(|c| c == "指标")).expect("a header row");
    assert_eq!(rows[header][1..3], ["数值".to_string(), "计量单位".to_string()], "{:?}", rows[header]);
    let gdp = range.rows().find(|r| r[0] == "地区生产总值").expect("GDP's row");
    assert_eq!((gdp[1].clone(), gdp[2].to_string()), (calamine::Data::Float(567.0), "亿元".to_string()));
    assert!(!rows[header].contains(&"操作".to_string()));
}

fn progress_workbook(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("进度").unwrap();
    for (c, h) in ["项目编码", "报告期", "年初至报告期累计(万元)", "形象进度"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (code, period, ytd)) in rows.iter().enumerate() {
        ws.write_string(r as u32 + 1, 0, *code).unwrap();
        ws.write_string(r as u32 + 1, 1, *period).unwrap();
        ws.write_string(r as u32 + 1, 2, *ytd).unwrap();
        ws.write_string(r as u32 + 1, 3, "主体施工").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, client: &Client, path: &str, workbook: &[u8]) -> Reply {
    app.upload(path, client, &[], workbook).await
}

#[tokio::test]
async fn a_units_excel_sheet_can_be_uploaded_instead_of_typed() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let reporter = app.sign_in("zjj_reporter").await;
    let path = "/report/1/erqi-zjj/upload";

    let bad = upload(&app, &reporter, path, &progress_workbook(&[("ZD2018-001", "2018-06", "12,5O0")])).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("进度!R2 年初至报告期累计(万元)=&#34;12,5O0&#34;")
            || bad.body.contains("进度!R2 年初至报告期累计(万元)=&quot;12,5O0&quot;"),
        "{}",
        bad.body
    );
    let other_month = upload(&app, &reporter, path, &progress_workbook(&[("ZD2018-001", "2018-05", "100")])).await;
    assert_eq!(other_month.status, 422);
    let not_ours = upload(&app, &reporter, path, &progress_workbook(&[("ZD2017-002", "2018-06", "100")])).await;
    assert!(not_ours.body.contains("不是本单位本轮应报的项目"), "{}", not_ours.body);
    let entries = app.get("/api/v1/rounds/1/units/erqi-zjj/entries", &reporter).await;
    assert_eq!(entries.body, "[]", "a rejected sheet saves nothing");

    let good = upload(&app, &reporter, path, &progress_workbook(&[("ZD2018-001", "2018年6月", "60000")])).await;
    assert_eq!(good.status, 200, "{}", good.body);
    assert!(good.body.contains("已从工作簿保存1条草稿"));
    let entries: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/rounds/1/units/erqi-zjj/entries", &reporter).await.body).unwrap();
    assert_eq!(entries[0]["figures"]["ytd_wan"], "60000");
    let forged =
        upload(&app, &Client { csrf: "forged".into(), ..reporter.clone() }, path, &progress_workbook(&[])).await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn an_admin_imports_units_from_excel_and_the_api_serves_indicators_and_projects() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["单位编码", "单位名称", "上级单位编码", "类型", "备注"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["erqi-new", "新设街道", "erqi", "street", "新设"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let reply = app.upload("/admin/import", &admin, &[("kind", "units")], &bytes).await;
    let text = reply.body;
    assert!(text.contains("新增1条"), "{text}");
    assert!(text.contains("列“备注”不是本类数据的列，已忽略"), "the extra column is pointed out: {text}");
    assert_eq!(app.store.find_unit("新设街道").await.unwrap().parent.as_deref(), Some("erqi"));

    let leader = app.sign_in("leader").await;
    let indicators: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/indicators?period=2017", &leader).await.body).unwrap();
    let gdp = indicators.as_array().unwrap().iter().find(|i| i["code"] == "GDP").unwrap();
    assert_eq!(gdp["status"].as_str(), Some("初步预计"), "{gdp}");
    let history: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/indicators/地区生产总值/history?period=2017", &leader).await.body)
            .unwrap();
    assert_eq!(history[0]["value"].as_str(), Some("56700000000"), "{history}");
    assert_eq!(history[0]["status"].as_str(), Some("初步预计"), "{history}");
    let page = app.get("/indicators/GDP", &leader).await.body;
    assert!(page.contains("数据版本") && page.contains("初步预计"), "the indicator page lists the versions");
    assert_eq!(
        (gdp["value"].as_str(), gdp["reported_growth"].as_str(), gdp["base_unit"].as_str()),
        (Some("56700000000"), Some("9"), Some("元"))
    );
    let fai_missing = indicators.as_array().unwrap().iter().all(|i| i["code"] != "RSCG" || i["value"].is_string());
    assert!(fai_missing);
    let project: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/projects/ZD2017-001?year=2017", &leader).await.body).unwrap();
    assert_eq!(project["project"]["name"], "郑州地产投资大厦");
    assert_eq!(project["progress"].as_array().unwrap().len(), 12);
    assert_eq!(project["progress"][11]["ytd_wan"], "31200");
    let reporter = app.sign_in("dhj_reporter").await;
    assert_eq!(app.get("/api/v1/projects/ZD2018-001", &reporter).await.status, 403);
}

#[tokio::test]
async fn the_project_list_filters_with_a_plain_get_form() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    let page = app.get("/projects?period=2018-05", &leader).await;
    assert!(page.body.contains("method=\"get\" action=\"/projects\""), "a filter is a GET form");
    let red = app.get("/projects?period=2018-05&light=red", &leader).await;
    assert_eq!(red.status, 200);
    assert!(
        red.body.contains("light red") && !red.body.contains("light yellow") && !red.body.contains("light green"),
        "only red rows"
    );
    let flagship = app.get("/projects?period=2018-05&flag=%E5%87%BA%E5%BD%A9%E9%A1%B9%E7%9B%AE", &leader).await;
    assert!(flagship.body.contains("保利豫见里") && flagship.body.contains("共20个项目"), "the 20 出彩项目 of 2018");
}

/// (path, method) of every `.route("/api/…"` and `/healthz` in the router's source.
fn api_routes(source: &str) -> Vec<(String, String)> {
    routes(source).into_iter().filter(|(path, _)| path.starts_with("/api/") || path == "/healthz").collect()
}

/// (path, method) of every `.route(…)` in the router's source, in order.
fn routes(source: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in source.split(".route(").skip(1) {
        let Some(rest) = chunk.trim_start().strip_prefix('"') else { continue };
        let Some((path, rest)) = rest.split_once('"') else { continue };
        // The handlers are what stands before the parenthesis that closes `.route(`.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let handlers = &rest[..end];
        for method in ["get", "post", "put", "delete", "patch"] {
            if handlers.contains(&format!("{method}(")) {
                out.push((path.to_string(), method.to_string()));
            }
        }
    }
    out
}

/// What a role gets from a route: `O` the page or data (200), `A` allowed (any answer but
/// 401/403: a write may still be refused for its content), `D` denied (403), `U` asked to
/// sign in (401 from the API, a redirect to /login from pages).
type Expect = [char; 6];
/// The columns of [`Expect`].
const WHO: [&str; 6] = ["", "admin", "reviewer", "leader", "zjj_leader", "zjj_reporter"];

enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    Upload(&'static [(&'static str, &'static str)]),
}

struct RouteCase {
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    expect: Expect,
}

const fn case(method: &'static str, route: &'static str, path: &'static str, body: Body, expect: &str) -> RouteCase {
    let b = expect.as_bytes();
    RouteCase {
        method,
        route,
        path,
        body,
        expect: [b[0] as char, b[1] as char, b[2] as char, b[3] as char, b[4] as char, b[5] as char],
    }
}

/// Every route of the router, as anonymous and as each role (columns: anonymous, admin,
/// district reviewer, district leader, 住建局 leader, 住建局 reporter). Round 1 is June 2018's
/// project round; ZD2018-001 is 住建局's project, ZD2017-002 德化街's.
#[rustfmt::skip]
fn route_cases() -> Vec<RouteCase> {
    use Body::*;
    const ENTRY: &str = r#"{"figures":{"month_wan":"10","ytd_wan":"10","since_start_wan":"10","text":"x"}}"#;
    vec![
        case("get", "/healthz", "/healthz", None, "OOOOOO"),
        case("get", "/favicon.ico", "/favicon.ico", None, "OOOOOO"),
        case("get", "/metrics", "/metrics", None, "UODDDD"),
        case("get", "/api/openapi.json", "/api/openapi.json", None, "OOOOOO"),
        case("get", "/login", "/login", None, "OOOOOO"),
        case("get", "/", "/", None, "UOOOOO"),
        case("get", "/projects", "/projects", None, "UOOOOO"),
        case("get", "/projects/{code}", "/projects/ZD2018-001", None, "UOOOOO"),
        case("get", "/projects/{code}", "/projects/ZD2017-002", None, "UOOODD"),
        case("get", "/indicators", "/indicators", None, "UOOOOO"),
        case("get", "/indicators", "/indicators?unit=erqi-dhj", None, "UOOODD"),
        case("get", "/indicators/{code}", "/indicators/GDP", None, "UOOOOO"),
        case("get", "/plan", "/plan", None, "UOOOOO"),
        case("get", "/problems", "/problems", None, "UOOOOO"),
        case("get", "/orders", "/orders", None, "UOOOOO"),
        case("get", "/annual", "/annual?year=2017", None, "UOOOOO"),
        case("get", "/annual", "/annual?year=2017&unit=erqi", None, "UOOODD"),
        case("get", "/report", "/report", None, "UOOOOO"),
        case("get", "/report/{round}/{unit}/{subject}", "/report/1/erqi-zjj/ZD2018-001", None, "UOOOOO"),
        case("get", "/report/{round}/{unit}/{subject}", "/report/1/erqi-dhj/ZD2017-002", None, "UOOODD"),
        case("get", "/review", "/review", None, "UOODOD"),
        case("get", "/reports", "/reports", None, "UOOOOO"),
        case("get", "/reports", "/reports?kind=briefing&period=2018-05&unit=erqi", None, "UOOODD"),
        case("get", "/api/v1/reports/{kind}", "/api/v1/reports/briefing?period=2018-05", None, "UOOOOO"),
        case("get", "/api/v1/reports/{kind}", "/api/v1/reports/ledger?period=2018-05&unit=erqi-dhj", None, "UOOODD"),
        case("get", "/admin", "/admin", None, "UODDDD"),
        case("get", "/password", "/password", None, "UOOOOO"),
        case("get", "/api/v1/projects", "/api/v1/projects", None, "UOOOOO"),
        case("get", "/api/v1/projects/{code}", "/api/v1/projects/ZD2017-002", None, "UOOODD"),
        case("get", "/api/v1/indicators", "/api/v1/indicators?period=2017", None, "UOOOOO"),
        case("get", "/api/v1/indicators", "/api/v1/indicators?period=2017&unit=erqi-dhj", None, "UOOODD"),
        case("get", "/api/v1/indicators/{code}/history", "/api/v1/indicators/GDP/history", None, "UOOOOO"),
        case("get", "/api/v1/indicators/{code}/history", "/api/v1/indicators/GDP/history?unit=erqi-dhj", None, "UOOODD"),
        case("get", "/api/v1/warnings", "/api/v1/warnings?period=2018-05", None, "UOOOOO"),
        case("get", "/api/v1/warnings", "/api/v1/warnings?period=2018-05&unit=erqi-dhj", None, "UOOODD"),
        case("get", "/api/v1/dashboard", "/api/v1/dashboard?period=2018-06", None, "UOOOOO"),
        case("get", "/api/v1/flags", "/api/v1/flags?year=2017", None, "UOOOOO"),
        case("get", "/api/v1/flags", "/api/v1/flags?year=2017&unit=erqi-dhj", None, "UOOODD"),
        case("get", "/api/v1/rounds", "/api/v1/rounds", None, "UOOOOO"),
        case("get", "/api/v1/imports", "/api/v1/imports", None, "UODDDD"),
        case("get", "/api/v1/rounds/{round}/units/{unit}/entries", "/api/v1/rounds/1/units/erqi-dhj/entries", None, "UOOODD"),
        case("post", "/api/v1/session", "/api/v1/session", Json(r#"{"username":"dhj_reporter","password":"password-123"}"#), "AAAAAA"),
        case("put", "/api/v1/rounds/{round}/units/{unit}/entries/{subject}", "/api/v1/rounds/1/units/erqi-zjj/entries/ZD2018-001", Json(ENTRY), "UADDAA"),
        case("put", "/api/v1/rounds/{round}/units/{unit}/entries/{subject}", "/api/v1/rounds/1/units/erqi-dhj/entries/ZD2017-002", Json(ENTRY), "UADDDD"),
        case("post", "/api/v1/rounds/{round}/units/{unit}/submit", "/api/v1/rounds/1/units/erqi-zjj/submit", Json("{}"), "UADDAA"),
        case("post", "/api/v1/rounds/{round}/units/{unit}/{action}", "/api/v1/rounds/1/units/erqi-zjj/approve", Json("{}"), "UADDAD"),
        case("post", "/api/v1/rounds/{round}/units/{unit}/{action}", "/api/v1/rounds/1/units/erqi-zjj/accept", Json("{}"), "UAADDD"),
        case("post", "/api/v1/rounds/{round}/units/{unit}/{action}", "/api/v1/rounds/1/units/erqi-zjj/remind", Json("{}"), "UADDDD"),
        case("post", "/login", "/login", Form(&[("username", "dhj_reporter"), ("password", "password-123")]), "DDDDDD"),
        case("post", "/password", "/password", Form(&[("old", "not-the-password"), ("new", "another-password-1")]), "UAAAAA"),
        case("post", "/report/{round}/{unit}/{subject}", "/report/1/erqi-zjj/ZD2018-001", Form(&[("ytd", "20")]), "UADDAA"),
        case("post", "/report/{round}/{unit}/submit", "/report/1/erqi-zjj/submit", Form(&[]), "UADDAA"),
        case("post", "/report/{round}/{unit}/upload", "/report/1/erqi-zjj/upload", Upload(&[]), "UADDAA"),
        case("get", "/report/{round}/{unit}/sheet", "/report/1/erqi-zjj/sheet", None, "UOOOOO"),
        case("get", "/report/{round}/{unit}/sheet", "/report/1/erqi-dhj/sheet", None, "UOOODD"),
        case("get", "/api/v1/rounds/{round}/units/{unit}/sheet", "/api/v1/rounds/1/units/erqi-zjj/sheet", None, "UOOOOO"),
        case("get", "/api/v1/rounds/{round}/units/{unit}/sheet", "/api/v1/rounds/1/units/erqi-dhj/sheet", None, "UOOODD"),
        case("put", "/api/v1/rounds/{round}/units/{unit}/sheet", "/api/v1/rounds/1/units/erqi-zjj/sheet", Json("not a workbook"), "UADDAA"),
        case("post", "/review/{round}/{unit}/{action}", "/review/1/erqi-zjj/return", Form(&[("reason", "补充说明")]), "UAADAD"),
        case("post", "/admin/users", "/admin/users", Form(&[("username", "rowcase"), ("display_name", "x"), ("role", "leader"), ("password", "rowcase-password")]), "UADDDD"),
        case("post", "/admin/rounds", "/admin/rounds", Form(&[("period", "2018-07"), ("form", "projects")]), "UADDDD"),
        case("post", "/admin/rounds/close", "/admin/rounds/close", Form(&[("period", "2018-07"), ("form", "projects")]), "UADDDD"),
        case("post", "/admin/rounds/{round}/remind", "/admin/rounds/1/remind", Form(&[("unit", "erqi-zjj")]), "UADDDD"),
        case("post", "/admin/rounds/reopen", "/admin/rounds/reopen", Form(&[("period", "2018-07"), ("form", "projects"), ("reason", "补报")]), "UADDDD"),
        case("post", "/api/v1/rounds/{round}/reopen", "/api/v1/rounds/1/reopen", Json(r#"{"reason":"补报"}"#), "UADDDD"),
        case("post", "/admin/import", "/admin/import", Upload(&[("kind", "units")]), "UADDDD"),
        case("post", "/admin/catalogue", "/admin/catalogue", Form(&[("code", "ROWCASE"), ("name", "行测指标"), ("unit", "亿元")]), "UADDDD"),
        case("get", "/api/v1/catalogue", "/api/v1/catalogue", None, "UOOOOO"),
        case("post", "/api/v1/catalogue", "/api/v1/catalogue", Json(r#"{"code":"ROWCASE2","name":"行测指标乙","unit":"万人"}"#), "UADDDD"),
        case("post", "/problems", "/problems", Form(&[("project", "ZD2018-001"), ("description", "行测问题"), ("deadline", "2099-12-31")]), "UAAAAA"),
        case("post", "/problems/{id}/resolve", "/problems/999/resolve", Form(&[("resolution", "已解决")]), "UAAAAA"),
        case("get", "/api/v1/problems", "/api/v1/problems", None, "UOOOOO"),
        case("get", "/api/v1/problems", "/api/v1/problems?unit=erqi-dhj", None, "UOOODD"),
        case("post", "/api/v1/problems", "/api/v1/problems", Json(r#"{"project":"ZD2018-001","description":"行测问题","deadline":"2099-12-31"}"#), "UAAAAA"),
        case("post", "/orders", "/orders", Form(&[("unit", "erqi-zjj"), ("title", "行测督办"), ("deadline", "2099-12-31")]), "UAAADD"),
        case("post", "/orders/{id}/{action}", "/orders/999/respond", Form(&[("text", "已办")]), "UAAAAA"),
        case("get", "/api/v1/orders", "/api/v1/orders", None, "UOOOOO"),
        case("get", "/api/v1/orders", "/api/v1/orders?unit=erqi-dhj", None, "UOOODD"),
        case("post", "/api/v1/orders", "/api/v1/orders", Json(r#"{"unit":"erqi-zjj","title":"行测督办","deadline":"2099-12-31"}"#), "UAAADD"),
        case("post", "/api/v1/orders/{id}/{action}", "/api/v1/orders/999/respond", Json(r#"{"text":"已办"}"#), "UAAAAA"),
        case("post", "/api/v1/extensions/{request}/{decision}", "/api/v1/extensions/999/approve", Json("{}"), "UAAAAA"),
        case("post", "/api/v1/problems/escalate", "/api/v1/problems/escalate", Json("{}"), "UAADDD"),
        case("post", "/api/v1/problems/{id}/resolve", "/api/v1/problems/999/resolve", Json(r#"{"resolution":"已解决"}"#), "UAAAAA"),
        case("post", "/api/v1/problems/{id}/confirm", "/api/v1/problems/999/confirm", Json(r#"{"accept":true}"#), "UAAAAA"),
        case("get", "/api/v1/projects/{code}/nodes", "/api/v1/projects/ZD2018-001/nodes", None, "UOOOOO"),
        case("get", "/api/v1/projects/{code}/nodes", "/api/v1/projects/ZD2017-002/nodes", None, "UOOODD"),
        case("put", "/api/v1/projects/{code}/nodes", "/api/v1/projects/ZD2018-001/nodes", Json(r#"[{"node":"环评","planned":"2099-01-01"}]"#), "UADDAA"),
        case("put", "/api/v1/projects/{code}/nodes", "/api/v1/projects/ZD2017-002/nodes", Json(r#"[{"node":"环评","planned":"2099-01-01"}]"#), "UADDDD"),
        case("get", "/api/v1/projects/{code}/elements", "/api/v1/projects/ZD2018-001/elements", None, "UOOOOO"),
        case("put", "/api/v1/projects/{code}/elements/{item}", "/api/v1/projects/ZD2018-001/elements/%E5%9C%9F%E5%9C%B0", Json(r#"{"status":"推进中"}"#), "UADDAA"),
        case("get", "/api/v1/meetings", "/api/v1/meetings", None, "UOOOOO"),
        case("post", "/api/v1/meetings", "/api/v1/meetings", Json(r#"{"kind":"周调度","held_on":"2018-06-07"}"#), "UAAADD"),
        case("post", "/projects/{code}/nodes", "/projects/ZD2018-001/nodes", Form(&[("node", "环评"), ("planned", "2099-01-01")]), "UADDAA"),
        case("post", "/projects/{code}/elements", "/projects/ZD2018-001/elements", Form(&[("item", "土地"), ("status", "推进中")]), "UADDAA"),
        case("post", "/problems/{id}/confirm", "/problems/999/confirm", Form(&[("accept", "yes")]), "UAAAAA"),
        case("get", "/meetings", "/meetings", None, "UOOOOO"),
        case("post", "/meetings", "/meetings", Form(&[("kind", "周调度"), ("held_on", "2018-06-07")]), "UAAADD"),
        case("get", "/api/v1/reminders", "/api/v1/reminders", None, "UODDDD"),
        case("get", "/api/v1/audit", "/api/v1/audit", None, "UODDDD"),
        case("get", "/api/v1/backup", "/api/v1/backup", None, "UODDDD"),
        case("post", "/api/v1/audit/verify", "/api/v1/audit/verify", Json("{}"), "UODDDD"),
        case("post", "/admin/audit/verify", "/admin/audit/verify", Form(&[]), "UADDDD"),
        case("post", "/admin/unlock", "/admin/unlock", Form(&[("username", "zjj_reporter")]), "UADDDD"),
        case("post", "/admin/users/state", "/admin/users/state", Form(&[("username", "nobody"), ("action", "disable")]), "UADDDD"),
        case("post", "/admin/users/password", "/admin/users/password", Form(&[("username", "nobody"), ("password", "a-new-password-9")]), "UADDDD"),
        case("post", "/api/v1/users/{username}/{action}", "/api/v1/users/nobody/disable", Json("{}"), "UADDDD"),
        case(
            "post",
            "/api/v1/users/{username}/password",
            "/api/v1/users/nobody/password",
            Json(r#"{"password":"a-long-new-password-2018"}"#),
            "UADDDD",
        ),
        case("get", "/api/v1/rounds/{round}/units", "/api/v1/rounds/1/units", None, "UOOOOO"),
        case("post", "/api/v1/rollups/verify", "/api/v1/rollups/verify", Json("{}"), "UODDDD"),
        case("post", "/admin/rollups/verify", "/admin/rollups/verify", Form(&[]), "UODDDD"),
        case("get", "/orders/{id}/notice", "/orders/999/notice", None, "UAAAAA"),
        case("get", "/meetings/{id}/minutes", "/meetings/999/minutes", None, "UAAAAA"),
        case("get", "/api/v1/orders/{id}/notice", "/api/v1/orders/999/notice", None, "UAAAAA"),
        case("get", "/api/v1/cases", "/api/v1/cases", None, "UOOOOO"),
        case("get", "/api/v1/cases", "/api/v1/cases?unit=erqi-dhj", None, "UOOODD"),
        case("post", "/api/v1/cases", "/api/v1/cases", Json(r#"{"class":"X","lon":"113.6","lat":"34.7","description":"行测"}"#), "UADDDD"),
        case("get", "/api/v1/cases/{id}", "/api/v1/cases/999", None, "UAAAAA"),
        case("post", "/api/v1/cases/{id}/steps", "/api/v1/cases/999/steps", Json(r#"{"step":"file"}"#), "UAAAAA"),
        case("get", "/api/v1/case-classes", "/api/v1/case-classes", None, "UOOOOO"),
        case("get", "/cases", "/cases", None, "UOOOOO"),
        case("post", "/cases/import", "/cases/import", Upload(&[("what", "grid")]), "UADDDD"),
        case("get", "/case-evaluation", "/case-evaluation?month=2018-06", None, "UOOOOO"),
        case("get", "/api/v1/case-evaluation", "/api/v1/case-evaluation?month=2018-06&by=unit", None, "UOOOOO"),
        case("get", "/cases/{id}", "/cases/999", None, "UAAAAA"),
        case("post", "/cases", "/cases", Form(&[("class", "X"), ("lon", "113.6"), ("lat", "34.7"), ("description", "行测")]), "UADDDD"),
        case("post", "/cases/{id}/step", "/cases/999/step", Form(&[("step", "file")]), "UAAAAA"),
        case("get", "/api/v1/meetings/{id}/minutes", "/api/v1/meetings/999/minutes", None, "UAAAAA"),
        // 基层党建: an organisation of 德化街 (the fixture's), read by whoever reads the street.
        // Open311: an api_key, never a session (the fixture configures none).
        case("get", "/open311/v2/services.json", "/open311/v2/services.json", None, "UUUUUU"),
        case("get", "/open311/v2/requests.json", "/open311/v2/requests.json", None, "UUUUUU"),
        case("post", "/open311/v2/requests.json", "/open311/v2/requests.json", Form(&[("service_code", "X")]), "UUUUUU"),
        case("get", "/open311/v2/requests/{id}", "/open311/v2/requests/1.json", None, "UUUUUU"),
        case("get", "/party", "/party", None, "UOOOOO"),
        case("post", "/party/orgs", "/party/orgs", Form(&[("code", "DHJ-S2"), ("name", "行测支部"), ("level", "branch"), ("kind", "community"), ("unit", "erqi-dhj"), ("secretary", "书记"), ("members", "3")]), "UADDDD"),
        case("post", "/party/import", "/party/import", Upload(&[("what", "orgs")]), "UADDDD"),
        case("get", "/party/orgs/{code}", "/party/orgs/DHJ-S1?year=2018", None, "UOOODD"),
        case("post", "/party/orgs/{code}/scores", "/party/orgs/DHJ-S1/scores", Form(&[("year", "2018"), ("points_1.2", "5")]), "UADDDD"),
        case("post", "/party/orgs/{code}/step", "/party/orgs/DHJ-S1/step", Form(&[("year", "2018"), ("step", "submit"), ("version", "999")]), "UADDDD"),
        case("post", "/party/orgs/{code}/meetings", "/party/orgs/DHJ-S1/meetings", Form(&[("kind", "theme_day"), ("held_on", "2018-06-01"), ("attendance", "3"), ("topic", "行测")]), "UADDDD"),
        case("get", "/api/v1/party/orgs", "/api/v1/party/orgs", None, "UOOOOO"),
        case("get", "/api/v1/party/assessments/{org}", "/api/v1/party/assessments/DHJ-S1?year=2018", None, "UOOODD"),
        case("put", "/api/v1/party/assessments/{org}/scores", "/api/v1/party/assessments/DHJ-S1/scores", Json(r#"{"year":2018,"scores":[{"item":"1.2","points":"6"}]}"#), "UODDDD"),
        case("post", "/api/v1/party/assessments/{org}/steps", "/api/v1/party/assessments/DHJ-S1/steps", Json(r#"{"year":2018,"step":"submit","version":999}"#), "UADDDD"),
        case("get", "/api/v1/party/rating", "/api/v1/party/rating?year=2018", None, "UOOOOO"),
        case("get", "/api/v1/party/meetings", "/api/v1/party/meetings?month=2018-06", None, "UOOOOO"),
        case("post", "/api/v1/party/meetings", "/api/v1/party/meetings", Json(r#"{"org":"DHJ-S1","kind":"主题党日","date":"2018-06-02","attendance":3,"topic":"行测"}"#), "UODDDD"),
        case("post", "/logout", "/logout", Form(&[]), "UAAAAA"),
        case("delete", "/api/v1/session", "/api/v1/session", None, "UAAAAA"),
    ]
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_permission_table_says() {
    let app = spawn_app(true).await;
    let admin = taizhang_app::App::new(app.store.clone(), Config::default());
    admin
        .as_user("admin")
        .await
        .unwrap()
        .open_round(taizhang_core::period::Period::Month(2018, 6), taizhang_core::workflow::Form::ProjectProgress, None)
        .await
        .unwrap();
    let organiser = admin.as_user("admin").await.unwrap();
    organiser.save_party_scheme(taizhang_app::demo::PARTY_SCHEME_2018).await.unwrap();
    let branch = taizhang_core::party::PartyOrg {
        code: "DHJ-S1".into(),
        name: "德化街第1社区党支部".into(),
        level: taizhang_core::party::OrgLevel::Branch,
        kind: taizhang_core::party::OrgType::Community,
        parent: None,
        unit: "erqi-dhj".into(),
        secretary: "书记".into(),
        secretary_account: None,
        members: 9,
        sample: false,
    };
    organiser.save_party_orgs(&[branch]).await.unwrap();
    let cases = route_cases();
    // A route the router serves without a row here fails: new doors get their permissions stated.
    for (path, method) in routes(include_str!("../src/lib.rs")) {
        assert!(
            cases.iter().any(|c| c.route == path && c.method == method),
            "{method} {path} has no row in the role × route table"
        );
    }
    let mut clients = vec![Client::default()];
    for who in &WHO[1..] {
        clients.push(app.sign_in(who).await);
    }
    let mut wrong = Vec::new();
    for c in &cases {
        for (i, client) in clients.iter().enumerate() {
            let reply = match &c.body {
                Body::None => app.send(&c.method.to_uppercase(), c.path, client, "", "").await,
                Body::Json(text) => app.send(&c.method.to_uppercase(), c.path, client, "application/json", text).await,
                Body::Form(fields) => {
                    let mut all = fields.to_vec();
                    all.push(("_csrf", client.csrf.as_str()));
                    app.form(c.path, client, &all).await
                }
                Body::Upload(fields) => app.upload(c.path, client, fields, b"not a workbook").await,
            };
            let headers = reply.headers.to_lowercase();
            // Signing out also lands on /login, but ends a session (its cookie is cleared).
            let to_login =
                reply.status == 303 && headers.contains("location: /login") && !headers.contains("set-cookie");
            let got = match reply.status {
                401 => 'U',
                _ if to_login => 'U',
                403 => 'D',
                200 => 'O',
                _ => 'A',
            };
            let fits = got == c.expect[i] || (c.expect[i] == 'A' && got == 'O');
            if !fits {
                let who = if i == 0 { "anonymous" } else { WHO[i] };
                wrong.push(format!(
                    "{} {} as {who}: expected {}, got {} ({})",
                    c.method,
                    c.path,
                    c.expect[i],
                    reply.status,
                    reply.body.chars().take(120).collect::<String>()
                ));
            }
        }
        if c.route == "/logout" || c.route == "/api/v1/session" && c.method == "delete" {
            // Signed out: signed in again for the rows after.
            for (i, who) in WHO.iter().enumerate().skip(1) {
                clients[i] = app.sign_in(who).await;
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn every_answer_forbids_scripts_framing_and_sniffing() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    for (path, client) in [("/login", Client::default()), ("/", leader.clone()), ("/api/v1/rounds", leader)] {
        let headers = app.get(path, &client).await.headers.to_lowercase();
        for expected in [
            "content-security-policy: default-src 'none'",
            "frame-ancestors 'none'",
            "x-frame-options: deny",
            "x-content-type-options: nosniff",
            "referrer-policy: same-origin",
        ] {
            assert!(headers.contains(expected), "{path}: {expected} missing in {headers}");
        }
    }
}

#[tokio::test]
async fn a_password_change_ends_the_accounts_other_sessions_and_sessions_are_capped() {
    let app = spawn_app(true).await;
    let phone = app.sign_in("zjj_reporter").await;
    let desk = app.sign_in("zjj_reporter").await;
    let changed = app
        .form("/password", &desk, &[("old", PASSWORD), ("new", "a-new-password-7"), ("_csrf", desk.csrf.as_str())])
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(app.get("/report", &desk).await.status, 200, "the session that changed it stays");
    let gone = app.get("/report", &phone).await;
    assert!(gone.status == 303 && gone.headers.contains("/login"), "the other session ended: {}", gone.status);

    // Signing in an eleventh time ends the oldest of ten sessions.
    let first = app.sign_in("leader").await;
    for _ in 0..10 {
        app.sign_in("leader").await;
    }
    assert_eq!(app.get("/", &first).await.status, 303, "the oldest session ended");
}

#[tokio::test]
async fn a_scraper_reads_the_metrics_with_its_token_and_only_with_it() {
    let db = fresh_database().await.expect("fresh database");
    let store = Store::open(&db.url).await.expect("open");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let options =
        taizhang_web::ServeOptions { metrics_token: Some("scrape-token-7".into()), https: true, ..Default::default() };
    tokio::spawn(taizhang_web::serve_with(taizhang_app::App::new(store.clone(), Config::default()), listener, options));
    let app = TestApp { address, store, _db: db };
    // Served over https: every answer asks browsers to stay on it, and cookies are Secure.
    let page = app.get("/login", &Client::default()).await;
    let headers = page.headers.to_lowercase();
    assert!(headers.contains("strict-transport-security: max-age=31536000"), "{headers}");
    assert!(headers.contains("tz_login=") && headers.contains("; secure"), "{headers}");
    let with = |token: &'static str| [("authorization", token)];
    let ok = app.send_with("GET", "/metrics", &Client::default(), "", b"", &with("Bearer scrape-token-7")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("# TYPE taizhang_http_requests_total counter"));
    let wrong = app.send_with("GET", "/metrics", &Client::default(), "", b"", &with("Bearer guess")).await;
    assert_eq!(wrong.status, 401);
}

#[tokio::test]
async fn an_admin_adds_an_indicator_to_the_catalogue_and_a_bad_word_is_named() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    let body = r#"{"code":"UNEMP","name":"城镇登记失业率","unit":"%","direction":"逆向","temporal":"存量","clause":"{phrase}为{value}"}"#;
    let reply = app.send("POST", "/api/v1/catalogue", &admin, "application/json", body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let listed: serde_json::Value = serde_json::from_str(&app.get("/api/v1/catalogue", &admin).await.body).unwrap();
    let added = listed.as_array().unwrap().iter().find(|i| i["code"] == "UNEMP").expect("listed");
    assert_eq!((added["aggregation"].as_str(), added["direction"].as_str()), (Some("none"), Some("down")), "{added}");
    let bad = r#"{"code":"X1","name":"新指标","unit":"亿元","aggregation":"平均"}"#;
    let reply = app.send("POST", "/api/v1/catalogue", &admin, "application/json", bad).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("汇总方式“平均”无法识别"), "{}", reply.body);
    let imports = app.get("/api/v1/imports", &admin).await.body;
    assert!(
        imports.contains("（网页编辑）") && imports.contains("城镇登记失业率"),
        "the edit is in the audit trail: {imports}"
    );
    let page = app.get("/admin", &admin).await.body;
    assert!(
        page.contains("城镇登记失业率") && page.contains("保存指标"),
        "the admin page lists it and offers the form"
    );
}

#[tokio::test]
async fn a_problem_raised_on_a_project_is_listed_with_its_age_and_resolved_with_a_note() {
    let app = spawn_app(true).await;
    let reporter = app.sign_in("zjj_reporter").await;
    let raised = app
        .json(
            "POST",
            "/api/v1/problems",
            &reporter,
            serde_json::json!({"project": "ZD2018-001", "description": "征迁未完成，影响开工", "deadline": "2099-12-31"}),
        )
        .await;
    assert_eq!(raised.status, 200, "{}", raised.body);
    let problem: serde_json::Value = serde_json::from_str(&raised.body).unwrap();
    assert_eq!((problem["level"].as_str(), problem["age_days"].as_i64()), (Some("责任单位"), Some(0)), "{problem}");
    let id = problem["id"].as_i64().unwrap();
    let past = app
        .json(
            "POST",
            "/api/v1/problems",
            &reporter,
            serde_json::json!({"project": "ZD2018-001", "description": "x", "deadline": "2001-01-01"}),
        )
        .await;
    assert_eq!(past.status, 400, "a deadline already past: {}", past.body);
    let page = app.get("/problems?show=open", &reporter).await.body;
    assert!(page.contains("征迁未完成，影响开工") && page.contains("办理中"), "the 问题 page lists it");
    // Found by part of its words or by 拼音 initials (zq: 征迁), and not by others.
    for query in ["%E5%BE%81%E8%BF%81", "zq"] {
        assert!(app.get(&format!("/problems?q={query}"), &reporter).await.body.contains("征迁未完成"), "{query}");
    }
    assert!(!app.get("/problems?q=xyzxyz", &reporter).await.body.contains("征迁未完成"));
    let leader = app.sign_in("zjj_leader").await;
    let empty = app
        .json("POST", &format!("/api/v1/problems/{id}/resolve"), &leader, serde_json::json!({"resolution": " "}))
        .await;
    assert_eq!(empty.status, 400, "a resolution needs its note: {}", empty.body);
    let done = app
        .json(
            "POST",
            &format!("/api/v1/problems/{id}/resolve"),
            &leader,
            serde_json::json!({"resolution": "征迁协议已签订"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let open: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/problems?open=true", &leader).await.body).unwrap();
    assert!(open.as_array().unwrap().iter().all(|p| p["id"].as_i64() != Some(id)), "{open}");
}

#[tokio::test]
async fn a_leader_orders_a_duban_the_unit_answers_and_the_leader_closes_it() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    let order =
        serde_json::json!({"unit": "erqi-zjj", "subject": "ZD2018-001", "title": "加快征迁", "deadline": "2099-12-31"});
    let issued = app.json("POST", "/api/v1/orders", &leader, order).await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    let id = serde_json::from_str::<serde_json::Value>(&issued.body).unwrap()["id"].as_i64().unwrap();
    let late = serde_json::json!({"unit": "erqi-zjj", "title": "x", "deadline": "2001-01-01"});
    assert_eq!(app.json("POST", "/api/v1/orders", &leader, late).await.status, 400, "a deadline before today");
    let stranger = app.sign_in("dhj_reporter").await;
    let answer = serde_json::json!({"text": "已约谈3户（附件：约谈记录.pdf）"});
    let refused = app.json("POST", &format!("/api/v1/orders/{id}/respond"), &stranger, answer.clone()).await;
    assert!(matches!(refused.status, 403 | 404), "a unit the order does not name: {}", refused.status);
    let reporter = app.sign_in("zjj_reporter").await;
    let answered = app.json("POST", &format!("/api/v1/orders/{id}/respond"), &reporter, answer).await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert!(answered.body.contains("\"state\":\"feedback\""), "{}", answered.body);
    let closed = app.json("POST", &format!("/api/v1/orders/{id}/close"), &leader, serde_json::json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    assert!(
        closed.body.contains("\"state\":\"closed\"") && closed.body.contains("\"light\":\"green\""),
        "{}",
        closed.body
    );
}

#[tokio::test]
async fn a_meeting_node_plan_and_confirmation_work_through_the_api() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    let today = taizhang_app::clock::today();
    let due = today.plus_days(10).unwrap().to_string();
    let meeting = serde_json::json!({
        "kind": "旬调度", "held_on": today.to_string(), "chair": "常务副区长", "projects": ["ZD2018-001"],
        "decisions": [
            {"text": "完成征迁扫尾", "unit": "erqi-zjj", "deadline": due},
            {"text": "办理施工许可", "unit": "区住房城乡建设局", "deadline": due}
        ]
    });
    let recorded = app.json("POST", "/api/v1/meetings", &leader, meeting).await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    let m: serde_json::Value = serde_json::from_str(&recorded.body).unwrap();
    let orders: Vec<i64> = m["decisions"].as_array().unwrap().iter().map(|d| d["order"].as_i64().unwrap()).collect();
    assert_eq!(orders.len(), 2, "{m}");
    let period = m["period"].as_str().unwrap().to_string();
    assert!(period.ends_with("旬"), "{period}");
    let reporter = app.sign_in("zjj_reporter").await;
    let listed = app.get("/api/v1/orders", &reporter).await.body;
    assert!(listed.contains(&format!("\"issued_from\":\"meeting:{}\"", m["id"])), "{listed}");
    let page = app.get(&format!("/meetings?period={period}"), &leader).await.body;
    assert!(page.contains("完成征迁扫尾") && page.contains(&format!("#{}", orders[0])), "the 调度会 page");
    let notice = app.get(&format!("/api/v1/orders/{}/notice", orders[0]), &reporter).await;
    assert!(notice.status == 200 && notice.headers.contains("wordprocessingml"), "{}", notice.headers);
    let minutes = app.get(&format!("/meetings/{}/minutes", m["id"]), &reporter).await;
    assert_eq!(minutes.status, 200, "the unit a decision names reads the minutes");
    let other = app.sign_in("dhj_reporter").await;
    assert_eq!(app.get(&format!("/api/v1/meetings/{}/minutes", m["id"]), &other).await.status, 404, "not its meeting");
    let undated = serde_json::json!({"unit": "erqi-zjj", "title": "无时限的督办"});
    let refused = app.json("POST", "/api/v1/orders", &leader, undated).await;
    assert!(refused.status == 400 && refused.body.contains("督办须有办理时限"), "{}", refused.body);

    // The unit keeps its node plan; a bad date names its node and field; the light follows.
    let nodes =
        serde_json::json!([{"node": "立项", "actual": "2017-12-01"}, {"node": "施工许可", "planned": "2018-01-31"}]);
    let saved = app.json("PUT", "/api/v1/projects/ZD2018-001/nodes", &reporter, nodes).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("\"light\":\"red\""), "{}", saved.body);
    let bad = serde_json::json!([{"node": "环评", "planned": "2018-02-30"}]);
    let bad = app.json("PUT", "/api/v1/projects/ZD2018-001/nodes", &reporter, bad).await;
    assert!(bad.status == 400 && bad.body.contains("第1个节点 planned"), "{}", bad.body);
    let project = app.get("/projects/ZD2018-001", &reporter).await.body;
    assert!(project.contains("倒排工期") && project.contains("节点“施工许可”计划2018-01-31完成"), "project page");

    // A problem raised by the reporter, resolved by its leader, confirmed by the reporter; the
    // nav counts it while open.
    let raised = serde_json::json!({"project": "ZD2018-001", "description": "施工许可待办", "deadline": due});
    let raised = app.json("POST", "/api/v1/problems", &reporter, raised).await;
    let id = serde_json::from_str::<serde_json::Value>(&raised.body).unwrap()["id"].as_i64().unwrap();
    assert!(app.get("/", &reporter).await.body.contains("问题（1）"), "the nav counts the open problem");
    let zjj_leader = app.sign_in("zjj_leader").await;
    let resolve = serde_json::json!({"resolution": "已取得施工许可"});
    app.json("POST", &format!("/api/v1/problems/{id}/resolve"), &zjj_leader, resolve).await;
    let by_other = app
        .json("POST", &format!("/api/v1/problems/{id}/confirm"), &zjj_leader, serde_json::json!({"accept": true}))
        .await;
    assert_eq!(by_other.status, 400, "{}", by_other.body);
    let confirmed = app
        .json("POST", &format!("/api/v1/problems/{id}/confirm"), &reporter, serde_json::json!({"accept": true}))
        .await;
    assert!(confirmed.status == 200 && confirmed.body.contains("已确认"), "{}", confirmed.body);
    assert!(!app.get("/", &reporter).await.body.contains("问题（"), "no open problem left");
}

/// Opens a connection from `source` (any 127.x address is this machine) and sends `bytes`.
async fn connect_from(source: &str, to: std::net::SocketAddr, bytes: &[u8]) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt as _;
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(format!("{source}:0").parse().expect("source")).expect("bind the source");
    let mut stream = socket.connect(to).await.expect("connect");
    stream.write_all(bytes).await.expect("send");
    stream
}

/// Reads until the server closes the connection; `None` if it is still open after `within`.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut seen = Vec::new();
    tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()
    .map(|()| String::from_utf8_lossy(&seen).into_owned())
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off_and_one_address_cannot_take_every_connection() {
    use std::time::Duration;
    let db = fresh_database().await.expect("fresh database");
    let store = Store::open(&db.url).await.expect("open");
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let limits = taizhang_web::ServeLimits {
        header_read: Duration::from_secs(1),
        body_idle: Duration::from_secs(1),
        connections: 64,
        connections_per_address: 4,
    };
    let options = taizhang_web::ServeOptions { limits, ..Default::default() };
    tokio::spawn(taizhang_web::serve_with(taizhang_app::App::new(store.clone(), Config::default()), listener, options));
    let app = TestApp { address, store, _db: db };

    // Four clients from one address send half a request head and wait.
    let half_head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n";
    let mut slow = Vec::new();
    for _ in 0..4 {
        slow.push(connect_from("127.0.0.2", address, half_head).await);
    }
    // A fifth from that address is closed at once; another address is served meanwhile.
    let mut fifth = connect_from("127.0.0.2", address, half_head).await;
    assert_eq!(closed_within(&mut fifth, Duration::from_millis(500)).await.as_deref(), Some(""), "refused at once");
    assert_eq!(app.get("/healthz", &Client::default()).await.status, 200);

    // The slow heads are cut at their deadline, which frees their places.
    for stream in &mut slow {
        assert!(closed_within(stream, Duration::from_secs(3)).await.is_some(), "a slow head outlived its deadline");
    }
    let mut again = connect_from("127.0.0.2", address, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let answered =
        closed_within(&mut again, Duration::from_secs(3)).await.expect("a kept-alive idle connection is closed");
    assert!(answered.starts_with("HTTP/1.1 200"), "served once its place was free: {answered}");

    // A body that stops arriving ends the request, and with it the connection.
    let head = b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=a";
    let mut stalled = connect_from("127.0.0.3", address, head).await;
    let started = std::time::Instant::now();
    assert!(closed_within(&mut stalled, Duration::from_secs(4)).await.is_some(), "a stalled body held its connection");
    assert!(started.elapsed() >= Duration::from_millis(900), "not before the body deadline");
}

#[tokio::test]
async fn every_report_is_read_on_the_page_and_downloaded_under_its_own_name() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    let picker = app.get("/reports", &leader).await.body;
    for heading in ["重点项目调度通报", "年度总结", "综合考核", "重点项目台账", "项目档案"] {
        assert!(picker.contains(heading), "the picker offers {heading}");
    }
    let page = app.get("/reports?kind=briefing&period=2018-05", &leader).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("二七区重点项目建设调度通报（2018年1-5月）") && page.body.contains("下载 Word"));
    let cases = [
        ("/reports?kind=briefing&period=2018-05&format=docx", "二七区重点项目调度通报（2018年1-5月）.docx"),
        ("/reports?kind=ledger&period=2018-05&format=xlsx", "二七区重点项目建设台账（2018年1-5月）.xlsx"),
        ("/reports?kind=annual&year=2017&format=docx", "二七区2017年工作总结.docx"),
        ("/reports?kind=dossier&project=ZD2018-001&year=2018&format=docx", "项目档案（2018年）.docx"),
        ("/api/v1/reports/assessment?format=xlsx", "二七区2018年1-5月重点项目建设综合考核.xlsx"),
    ];
    for (path, name) in cases {
        let reply = app.get(path, &leader).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        assert!(reply.headers.contains(&encoded), "{path}: {} lacks {name}", reply.headers);
    }
    // A unit's reporter reads its own unit's reports, not another's.
    let reporter = app.sign_in("zjj_reporter").await;
    let own = app.get("/reports?kind=ledger&period=2018-05", &reporter).await;
    assert!(own.status == 200 && own.body.contains("区住房城乡建设局重点项目建设台账"), "{}", own.body);
    assert_eq!(app.get("/reports?kind=ledger&period=2018-05&unit=erqi-dhj", &reporter).await.status, 403);
    // A month is asked for where a month is needed; an unknown kind is named.
    let year = app.get("/api/v1/reports/briefing?period=2018", &leader).await;
    assert!(year.status == 400 && year.body.contains("按月编制"), "{}", year.body);
    let unknown = app.get("/api/v1/reports/weekly", &leader).await;
    assert!(unknown.status == 400 && unknown.body.contains("没有“weekly”这种报表"), "{}", unknown.body);
}

#[tokio::test]
async fn an_error_page_keeps_the_menu_for_someone_signed_in() {
    let app = spawn_app(true).await;
    let reporter = app.sign_in("zjj_reporter").await;
    for (path, status, message) in
        [("/projects/NOPE-1", 404, "不存在"), ("/no-such-page", 404, "页面不存在"), ("/projects/ZD2017-002", 403, "")]
    {
        let reply = app.get(path, &reporter).await;
        assert_eq!(reply.status, status, "{path}");
        assert!(reply.body.contains(message), "{path}: {}", reply.body);
        assert!(reply.body.contains("退出") && reply.body.contains("href=\"/projects\""), "{path}: the menu is there");
        assert!(!reply.body.contains("href=\"/login\""), "{path}: no sign-in offered to the signed-in");
    }
    let anonymous = app.get("/no-such-page", &Client::default()).await;
    assert_eq!(anonymous.status, 404);
    assert!(anonymous.body.contains("href=\"/login\""), "the signed-out are offered to sign in");
}

#[tokio::test]
async fn projects_are_found_by_part_of_a_name_or_pinyin_initials_and_paged() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    let rows = |body: &str| body.matches("<tr>").count() - 1; // less the header row
    let all = app.get("/projects?size=0", &leader).await.body;
    let total = rows(&all);
    assert!(all.contains(&format!("共{total}个项目")) && total > 100, "{total}");
    // 拼音 initials, part of a unit's name, characters in order: each finds 德化街's projects.
    for query in ["q=dhj", "unit=%E5%BE%B7%E5%8C%96", "q=%E5%BE%B7%E5%8C%96%E8%A1%97"] {
        let found = app.get(&format!("/projects?size=0&{query}"), &leader).await.body;
        assert!(found.contains("ZD2017-002") && rows(&found) < total, "{query}: {} rows", rows(&found));
    }
    let nothing = app.get("/projects?q=zzzzqqq", &leader).await.body;
    assert!(nothing.contains("共0个项目"), "a query that finds nothing says so");
    // Pages of 20: the last page holds the rest, a page past the end is the last one.
    let pages = total.div_ceil(20);
    let second = app.get("/projects?size=20&page=2", &leader).await.body;
    assert!(second.contains(&format!("（第2/{pages}页）")) && rows(&second) == 20 && second.contains("上一页"));
    let last = app.get("/projects?size=20&page=999", &leader).await.body;
    assert!(last.contains(&format!("（第{pages}/{pages}页）")) && !last.contains("下一页"));
    assert_eq!(rows(&last), total - 20 * (pages - 1));
    // The sort and the filters stay in the links.
    let sorted = app.get("/projects?q=dhj&sort=name", &leader).await.body;
    assert!(
        sorted.contains("/projects?q=dhj&amp;sort=unit") || sorted.contains("/projects?q=dhj&#38;sort=unit"),
        "{}",
        &sorted[..2000.min(sorted.len())]
    );
}

#[tokio::test]
async fn no_code_of_the_program_reaches_a_page_as_text() {
    use taizhang_core::indicator::{Aggregation, Direction, Temporal};
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    // Leave a record with steps on 保利豫见里's page, and reports and lists to read.
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let reporter = app.sign_in("zjj_reporter").await;
    app.send(
        "PUT",
        "/api/v1/rounds/1/units/erqi-zjj/entries/ZD2018-001",
        &reporter,
        "application/json",
        r#"{"figures":{"ytd_wan":"60000"}}"#,
    )
    .await;
    let mut codes: Vec<&str> = taizhang_core::workflow::EntryState::ALL.iter().map(|s| s.code()).collect();
    codes.extend(taizhang_core::org::UnitKind::ALL.iter().map(|k| k.code()));
    codes.extend([Aggregation::Sum, Aggregation::None].map(|a| a.code()));
    codes.extend([Temporal::Flow, Temporal::Stock].map(|t| t.code()));
    codes.extend([Direction::Up, Direction::Down].map(|d| d.code()));
    let pages = [
        "/",
        "/projects",
        "/projects/ZD2018-001",
        "/indicators",
        "/plan",
        "/review",
        "/problems",
        "/orders",
        "/meetings",
        "/admin",
        "/reports",
        "/reports?kind=briefing&period=2018-05",
    ];
    for path in pages {
        let body = app.get(path, &admin).await.body;
        for code in &codes {
            // As a cell's or a line's whole text, or before an arrow: a code shown to people.
            for shown in [format!(">{code}<"), format!(" {code}→"), format!("→{code}")] {
                assert!(!body.contains(&shown), "{path} shows the code “{code}”");
            }
        }
    }
    let page = app.get("/projects/ZD2018-001", &admin).await.body;
    assert!(page.contains("新建草稿"), "the record's steps read as words");
}

#[tokio::test]
async fn a_saved_draft_says_at_once_what_the_submission_will_ask_to_explain() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let reporter = app.sign_in("zjj_reporter").await;
    // 开工至报告期累计 past the project's total investment: saved, and said at once.
    let form = [("_csrf", reporter.csrf.as_str()), ("version", "0"), ("ytd", "9999"), ("since_start", "99999999")];
    let saved = app.form("/report/1/erqi-zjj/ZD2018-001", &reporter, &form).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(saved.headers.contains("/report?saved=ZD2018-001"), "{}", saved.headers);
    let page = app.get("/report?saved=ZD2018-001", &reporter).await.body;
    assert!(page.contains("已保存ZD2018-001；1项需说明"), "{page}");
    assert!(page.contains("开工至报告期累计99999999万元超过总投资"), "the rule is named");
    // Put right, it says only that it is saved.
    let form = [("_csrf", reporter.csrf.as_str()), ("version", "1"), ("ytd", "9999"), ("since_start", "9999")];
    assert_eq!(app.form("/report/1/erqi-zjj/ZD2018-001", &reporter, &form).await.status, 303);
    let page = app.get("/report?saved=ZD2018-001", &reporter).await.body;
    assert!(page.contains("已保存ZD2018-001<") && !page.contains("需说明"), "nothing to explain");
}

#[tokio::test]
async fn a_wrong_password_keeps_the_name_typed_and_a_new_one_is_typed_twice() {
    let app = spawn_app(true).await;
    let failed = app.login("zjj_reporter", "not-the-password").await;
    assert_eq!(failed.status, 401);
    assert!(failed.body.contains("value=\"zjj_reporter\""), "the name stays in its box");
    assert!(!failed.body.contains("not-the-password"), "the password does not");
    let reporter = app.sign_in("zjj_reporter").await;
    let fields = [
        ("_csrf", reporter.csrf.as_str()),
        ("old", PASSWORD),
        ("new", "a-new-password-7"),
        ("again", "a-new-password-8"),
    ];
    let mismatch = app.form("/password", &reporter, &fields).await;
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.body.contains("两次输入的新口令不一致"));
    assert_eq!(app.login("zjj_reporter", PASSWORD).await.status, 303, "the password is unchanged");
    // The dashboard's cards count projects; key tasks are counted apart.
    let leader = app.sign_in("leader").await;
    let home = app.get("/?period=2017-12", &leader).await.body;
    assert!(home.contains("红灯项目") && home.contains("重点工作：红灯"), "lights per kind");
}

#[tokio::test]
async fn an_admin_stops_an_account_and_its_sessions_end_then_lets_it_back() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    let reporter = app.sign_in("zjj_reporter").await;
    let stop = [("_csrf", admin.csrf.as_str()), ("username", "zjj_reporter"), ("action", "disable")];
    assert_eq!(app.form("/admin/users/state", &admin, &stop).await.status, 303);
    assert_eq!(app.get("/report", &reporter).await.status, 303, "the open session ended");
    assert_eq!(app.login("zjj_reporter", PASSWORD).await.status, 401, "and it cannot sign in");
    assert!(app.get("/admin", &admin).await.body.contains("已停用"));
    let own = [("_csrf", admin.csrf.as_str()), ("username", "admin"), ("action", "disable")];
    let refused = app.form("/admin/users/state", &admin, &own).await;
    assert!(refused.status == 400 && refused.body.contains("不能停用自己"), "{}", refused.body);
    let back = app.send("POST", "/api/v1/users/zjj_reporter/enable", &admin, "application/json", "{}").await;
    assert_eq!(back.status, 200, "{}", back.body);
    // A reset password works, and only it.
    let reset = [("_csrf", admin.csrf.as_str()), ("username", "zjj_reporter"), ("password", "a-reset-password-3")];
    assert_eq!(app.form("/admin/users/password", &admin, &reset).await.status, 303);
    assert_eq!(app.login("zjj_reporter", PASSWORD).await.status, 401);
    assert_eq!(app.login("zjj_reporter", "a-reset-password-3").await.status, 303);
    let trail = app.get("/api/v1/audit", &admin).await.body;
    assert!(trail.contains("user.disable") && trail.contains("user.enable"), "both in the audit trail");
}

#[tokio::test]
async fn the_reviewers_queue_shows_each_record_beside_its_plan_and_last_month() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    let reporter = app.sign_in("zjj_reporter").await;
    let leader = app.sign_in("zjj_leader").await;
    let reviewer = app.sign_in("reviewer").await;
    // Files ZD2018-001 for a month and submits it; returns the round.
    let file = |period: &'static str, figures: serde_json::Value| {
        let (app, admin, reporter) = (&app, &admin, &reporter);
        async move {
            app.form("/admin/rounds", admin, &[("_csrf", &admin.csrf), ("period", period), ("form", "projects")]).await;
            let rounds: serde_json::Value = serde_json::from_str(&app.get("/api/v1/rounds", admin).await.body).unwrap();
            let round =
                rounds.as_array().unwrap().iter().find(|r| r["period"] == period).unwrap()["id"].as_i64().unwrap();
            let path = format!("/api/v1/rounds/{round}/units/erqi-zjj/entries/ZD2018-001");
            let saved = app.json("PUT", &path, reporter, serde_json::json!({ "figures": figures })).await;
            assert_eq!(saved.status, 200, "{}", saved.body);
            let submit = format!("/api/v1/rounds/{round}/units/erqi-zjj/submit");
            assert_eq!(app.json("POST", &submit, reporter, serde_json::json!({})).await.status, 200);
            round
        }
    };
    let may = file("2018-05", serde_json::json!({"month_wan": "800", "ytd_wan": "4334", "text": "主体施工"})).await;
    app.form(&format!("/review/{may}/erqi-zjj/approve"), &leader, &[("_csrf", &leader.csrf)]).await;
    app.form(&format!("/review/{may}/erqi-zjj/accept"), &reviewer, &[("_csrf", &reviewer.csrf)]).await;
    file("2018-06", serde_json::json!({"month_wan": "800.25", "ytd_wan": "5134.25", "text": "主体封顶"})).await;
    let queue = app.get("/review", &leader).await.body;
    // Its name, the year's plan, May's cumulative figure, June's, the change and its share of the plan.
    for expected in ["保利豫见里", "100000", "<td class=\"num\">4334<", "5134.25", "800.25", "5.1", "上月累计"]
    {
        assert!(queue.contains(expected), "{expected} missing from the queue: {queue}");
    }
    // Found by the project's 拼音 initials; a query for something else empties the queue.
    assert!(app.get("/review?q=blyjl", &leader).await.body.contains("保利豫见里"));
    assert!(app.get("/review?q=zzzzqqq", &leader).await.body.contains("没有待审核的记录"));
}

#[tokio::test]
async fn problems_orders_and_indicators_are_searched_and_paged_like_projects() {
    let app = spawn_app(true).await;
    let reviewer = app.sign_in("reviewer").await;
    let rows = |body: &str| body.matches("<tr>").count().saturating_sub(1);
    for n in 0..25 {
        let raised = app
            .json(
                "POST",
                "/api/v1/problems",
                &reviewer,
                serde_json::json!({"project": "ZD2018-001", "description": format!("征迁问题{n}"), "deadline": "2030-07-31"}),
            )
            .await;
        assert!(raised.status < 300, "{}", raised.body);
    }
    let first = app.get("/problems?size=20", &reviewer).await.body;
    assert!(first.contains("共25个问题（第1/2页）") && rows(&first) == 20 && first.contains("下一页"), "{first}");
    let second = app.get("/problems?size=20&page=2", &reviewer).await.body;
    assert_eq!(rows(&second), 5);
    // Part of the unit's name finds them; another unit's part does not.
    assert!(app.get("/problems?unit=%E4%BD%8F%E5%BB%BA", &reviewer).await.body.contains("共25个问题"));
    assert!(app.get("/problems?unit=%E5%BE%B7%E5%8C%96", &reviewer).await.body.contains("没有登记的问题"));
    assert!(app.get("/problems?q=zqwt", &reviewer).await.body.contains("共25个问题"), "拼音 initials of 征迁问题");

    let ordered = app
        .json(
            "POST",
            "/api/v1/orders",
            &reviewer,
            serde_json::json!({"unit": "erqi-zjj", "subject": "ZD2018-001", "title": "加快征迁", "deadline": "2030-07-20"}),
        )
        .await;
    assert!(ordered.status < 300, "{}", ordered.body);
    assert!(app.get("/orders?q=jkzq", &reviewer).await.body.contains("共1件督办"));
    assert!(app.get("/orders?unit=%E5%BE%B7%E5%8C%96", &reviewer).await.body.contains("没有督办事项"));

    // Every column sorts, either way: by age the newest problem first, reversed the oldest.
    let by_id = app.get("/problems?size=0&sort=-id", &reviewer).await.body;
    let first_problem =
        |body: &str| body.split("征迁问题").nth(1).and_then(|t| t.split('<').next()).unwrap_or("").to_string();
    assert_eq!(first_problem(&by_id), "24");
    assert_eq!(first_problem(&app.get("/problems?size=0&sort=id", &reviewer).await.body), "0");
    let header = by_id.split("<thead>").nth(1).unwrap().split("</thead>").next().unwrap().to_string();
    assert!(
        header.contains("编号▼") && header.contains("sort=id\""),
        "the header says how it is sorted and links to the reverse: {header}"
    );
    // 重点项目 by year plan, largest first: the sixth column falls all the way down.
    let by_plan = app.get("/projects?size=0&period=2018-05&sort=-plan", &reviewer).await.body;
    let plans: Vec<rust_decimal::Decimal> = by_plan
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td").nth(6).unwrap().split('>').nth(1).unwrap().split('<').next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(
        plans.len() > 100 && plans.windows(2).all(|w| w[0] >= w[1]) && plans[0] > plans[plans.len() - 1],
        "{plans:?}"
    );
    let found = app.get("/indicators?period=2017&q=GDP", &reviewer).await.body;
    let all = app.get("/indicators?period=2017&size=0", &reviewer).await.body;
    assert!(rows(&found) >= 1 && rows(&found) < rows(&all), "{} of {}", rows(&found), rows(&all));
    let by_growth = app.get("/indicators?period=2017&size=0&sort=-growth", &reviewer).await.body;
    let growths: Vec<rust_decimal::Decimal> = by_growth
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("<tr>")
        .skip(1)
        .filter_map(|row| row.split("<td").nth(4)?.split('>').nth(1)?.split('<').next()?.parse().ok())
        .collect();
    assert!(growths.len() > 3 && growths.windows(2).all(|w| w[0] >= w[1]), "{growths:?}");
    let paged = app.get("/indicators?period=2017&size=20", &reviewer).await.body;
    assert_eq!(rows(&paged), 20.min(rows(&all)));
}

#[tokio::test]
async fn a_refused_form_comes_back_as_typed_with_the_message_beside_the_field() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let reporter = app.sign_in("zjj_reporter").await;
    let form = [
        ("_csrf", reporter.csrf.as_str()),
        ("version", "0"),
        ("month", "800"),
        ("ytd", "12,5O0"),
        ("text", "主体施工到第五层"),
    ];
    let refused = app.form("/report/1/erqi-zjj/ZD2018-001", &reporter, &form).await;
    assert_eq!(refused.status, 422);
    let body = refused.body;
    assert!(body.contains(r#"aria-describedby="ytd-error""#), "the field is marked");
    assert!(body.contains(r#"<p class="field-error" id="ytd-error">年初至报告期累计“12,5O0”不是数字</p>"#), "{body}");
    assert!(body.contains("主体施工到第五层") && body.contains(r#"value="800""#), "what was typed is kept");
    assert!(body.contains("<nav"), "inside the layout");

    let reviewer = app.sign_in("reviewer").await;
    let order = [
        ("_csrf", reviewer.csrf.as_str()),
        ("unit", "erqi-zjj"),
        ("title", "加快征迁进度"),
        ("requirement", "七日内完成"),
        ("deadline", "2030-13-45"),
    ];
    let refused = app.form("/orders", &reviewer, &order).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains(r#"id="deadline-error""#) && refused.body.contains("加快征迁进度"),
        "{}",
        refused.body
    );
    // A rule of the app (a deadline in the past) is said above the form, the input kept.
    let past = [
        ("deadline", "2018-01-01"),
        ("title", "加快征迁进度"),
        ("unit", "erqi-zjj"),
        ("_csrf", reviewer.csrf.as_str()),
    ];
    let refused = app.form("/orders", &reviewer, &past).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("未下达：办理时限（2018-01-01）不能早于今天"), "{}", refused.body);
    assert!(refused.body.contains(r#"value="2018-01-01""#));
}

#[tokio::test]
async fn what_the_pages_offer_the_api_offers_too() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    // Search: the same finding as the 重点项目 page.
    let found: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/projects?year=2017&q=dhj", &admin).await.body).unwrap();
    let found = found.as_array().unwrap();
    assert!(!found.is_empty() && found.iter().all(|p| p["unit"] == "erqi-dhj"), "{found:?}");
    let by_unit: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/projects?year=2017&unit=%E5%BE%B7%E5%8C%96", &admin).await.body)
            .unwrap();
    assert_eq!(by_unit.as_array().unwrap().len(), found.len());

    // A round's standing by unit, as 管理 shows it.
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let standing: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/rounds/1/units", &admin).await.body).unwrap();
    let zjj = standing.as_array().unwrap().iter().find(|s| s["unit"] == "erqi-zjj").expect("住建局 owes June");
    assert!(zjj["owed"].as_u64().unwrap() > 0 && zjj["sent"] == 0, "{zjj}");

    // A saved draft says what the submission will ask to explain.
    let reporter = app.sign_in("zjj_reporter").await;
    let saved = app
        .json(
            "PUT",
            "/api/v1/rounds/1/units/erqi-zjj/entries/ZD2018-001",
            &reporter,
            serde_json::json!({"figures": {"ytd_wan": "9999", "since_start_wan": "99999999"}}),
        )
        .await;
    let saved: serde_json::Value = serde_json::from_str(&saved.body).unwrap();
    let to_explain = saved["to_explain"].as_array().unwrap();
    assert!(to_explain.iter().any(|w| w.as_str().unwrap().contains("超过总投资")), "{saved}");
    let standing: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/rounds/1/units", &reporter).await.body).unwrap();
    assert_eq!(standing.as_array().unwrap().len(), 1, "a unit sees its own standing only");
    assert_eq!(standing[0]["states"]["draft"], 1);

    // An admin resets a forgotten password: the old one stops working, the new one signs in.
    let reset = app
        .json(
            "POST",
            "/api/v1/users/zjj_reporter/password",
            &admin,
            serde_json::json!({"password": "zhuJian-2018-new"}),
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(app.get("/api/v1/rounds", &reporter).await.status, 401, "its sessions ended");
    assert_eq!(app.login("zjj_reporter", "zhuJian-2018-new").await.status, 303);
    let weak =
        app.json("POST", "/api/v1/users/zjj_reporter/password", &admin, serde_json::json!({"password": "123"})).await;
    assert_eq!(weak.status, 400, "{}", weak.body);
}

#[tokio::test]
async fn each_action_is_said_once_on_the_page_it_leads_to() {
    let app = spawn_app(true).await;
    let reviewer = app.sign_in("reviewer").await;
    let order = [
        ("_csrf", reviewer.csrf.as_str()),
        ("unit", "erqi-zjj"),
        ("title", "加快征迁进度"),
        ("deadline", "2030-07-20"),
    ];
    let issued = app.form("/orders", &reviewer, &order).await;
    assert_eq!(issued.status, 303);
    assert!(issued.headers.contains("location: /orders?done=order-issued"), "{}", issued.headers);
    let page = app.get("/orders?done=order-issued", &reviewer).await.body;
    assert!(page.contains(r#"<div class="notice ok">已下达督办，责任单位将在“督办”中看到</div>"#), "{page}");
    // Said once: the page's own links do not carry it on; a code that is none says nothing.
    assert!(!page.contains("done=order-issued&amp;") && !page.contains("size=20&amp;done"));
    let forged = app.get("/orders?done=%E5%B7%B2%E4%B8%8B%E8%BE%BE", &reviewer).await.body;
    assert!(!forged.contains("notice ok"), "only the program's own sentences are said");
    let admin = app.sign_in("admin").await;
    let stopped = app
        .form(
            "/admin/users/state",
            &admin,
            &[("_csrf", &admin.csrf), ("username", "dhj_reporter"), ("action", "disable")],
        )
        .await;
    assert!(stopped.headers.contains("done=account-stopped"), "{}", stopped.headers);
}

#[tokio::test]
async fn the_dashboard_as_data_adds_up_and_lists_the_reds_the_warnings_list() {
    let app = spawn_app(true).await;
    let leader = app.sign_in("leader").await;
    let d = app.get("/api/v1/dashboard?period=2018-06", &leader).await;
    assert_eq!(d.status, 200, "{}", d.body);
    let d: serde_json::Value = serde_json::from_str(&d.body).unwrap();
    let dec = |v: &serde_json::Value| v.as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    let sum = |rows: &serde_json::Value, field: &str| {
        rows.as_array().unwrap().iter().map(|r| dec(&r[field])).sum::<rust_decimal::Decimal>()
    };
    let ytd = dec(&d["projects"]["ytd_wan"]);
    assert!(ytd > rust_decimal::Decimal::ZERO);
    assert_eq!(sum(&d["by_category"], "ytd_wan"), ytd, "the categories add up to the whole");
    assert_eq!(sum(&d["by_unit"], "planned_wan"), dec(&d["projects"]["planned_wan"]));
    let line = d["monthly_ytd_wan"].as_array().unwrap();
    assert_eq!(line.len(), 6);
    assert_eq!(dec(&line[5]), ytd, "June's point of the line is the card's figure");
    let warnings = app.get("/api/v1/warnings?period=2018-06", &leader).await;
    let warnings: serde_json::Value = serde_json::from_str(&warnings.body).unwrap();
    let reds = warnings.as_array().unwrap().iter().filter(|w| w["light"] == "red").count();
    assert_eq!(d["red_count"].as_u64().unwrap() as usize, reds);
    let lit: u64 = d["lights"].as_array().unwrap().iter().map(|k| k["red"].as_u64().unwrap()).sum();
    assert_eq!(lit as usize, reds, "each red counted once, under its kind");
    let bad = app.get("/api/v1/dashboard?period=2018-13", &leader).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[tokio::test]
async fn an_unchanged_page_is_not_sent_again_and_a_write_shows_on_the_next_dashboard() {
    let app = spawn_app(true).await;
    let admin = app.sign_in("admin").await;
    app.form("/admin/rounds", &admin, &[("_csrf", &admin.csrf), ("period", "2018-06"), ("form", "projects")]).await;
    let leader = app.sign_in("leader").await;
    let etag = |reply: &Reply| {
        reply.headers.lines().find_map(|l| l.strip_prefix("etag: ")).map(str::to_string).expect("an ETag")
    };
    let first = app.get("/?period=2018-06", &leader).await;
    assert!(first.headers.contains("cache-control: private, no-cache"), "{}", first.headers);
    let tag = etag(&first);
    let again = app.send_with("GET", "/?period=2018-06", &leader, "", b"", &[("if-none-match", &tag)]).await;
    assert_eq!((again.status, again.body.as_str()), (304, ""), "unchanged: not sent again");
    // Another account's page of the same address has its own tag.
    let reviewer = app.sign_in("reviewer").await;
    let theirs = app.send_with("GET", "/?period=2018-06", &reviewer, "", b"", &[("if-none-match", &tag)]).await;
    assert_eq!(theirs.status, 200);

    // A figure filed, approved and accepted through the API: the next read shows it.
    let reporter = app.sign_in("zjj_reporter").await;
    let put = app
        .json(
            "PUT",
            "/api/v1/rounds/1/units/erqi-zjj/entries/ZD2018-001",
            &reporter,
            serde_json::json!({"figures": {"month_wan": "123456.78", "ytd_wan": "123456.78"}}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    // June's row of the monthly line: a draft is not in it, an accepted report is.
    let line = |body: &str| body.split("<td>6月</td>").nth(1).and_then(|t| t.split("</tr>").next()).map(str::to_string);
    let drafted = app.get("/?period=2018-06", &leader).await;
    assert_eq!(line(&drafted.body), line(&first.body), "a draft changes no total");
    app.json(
        "POST",
        "/api/v1/rounds/1/units/erqi-zjj/submit",
        &reporter,
        serde_json::json!({"explanations": {"ZD2018-001": "一次性结算"}}),
    )
    .await;
    let zjj_leader = app.sign_in("zjj_leader").await;
    app.form("/review/1/erqi-zjj/approve", &zjj_leader, &[("_csrf", &zjj_leader.csrf)]).await;
    let accepted = app.json("POST", "/api/v1/rounds/1/units/erqi-zjj/accept", &reviewer, serde_json::json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let after = app.send_with("GET", "/?period=2018-06", &leader, "", b"", &[("if-none-match", &tag)]).await;
    assert_eq!(after.status, 200, "the ledger moved on: the page is sent again");
    assert_ne!(etag(&after), tag);
    assert_ne!(line(&after.body), line(&first.body), "June's cumulative figure moved by the accepted report");
}

#[tokio::test]
async fn a_city_case_walks_through_the_api_from_report_to_close_and_bad_steps_say_why() {
    let app = city_case_app().await;

    let (jdy, zbz, dhj, zjj) = (
        app.sign_in("jdy").await,
        app.sign_in("zbz").await,
        app.sign_in("dhj_reporter").await,
        app.sign_in("zjj_reporter").await,
    );
    let classes = app.get("/api/v1/case-classes", &jdy).await;
    assert!(classes.body.contains("暴露垃圾"), "{}", classes.body);
    let body = serde_json::json!({"class": "T-LJ", "lon": "113.6051", "lat": "34.7012", "address": "德化街与二七路口",
        "description": "路口东侧暴露垃圾一堆", "photos": ["IMG_0001.jpg"]});
    let reported = app.json("POST", "/api/v1/cases", &jdy, body.clone()).await;
    assert_eq!(reported.status, 200, "{}", reported.body);
    let case: serde_json::Value = serde_json::from_str(&reported.body).unwrap();
    assert_eq!(
        (case["street"].as_str(), case["state_zh"].as_str(), case["lon"].as_str()),
        (Some("erqi-dhj"), Some("待立案"), Some("113.6051"))
    );
    let id = case["id"].as_i64().unwrap();
    let step = |client: &Client, json: serde_json::Value| {
        let path = format!("/api/v1/cases/{id}/steps");
        let (app, client) = (&app, client.clone());
        async move { app.json("POST", &path, &client, json).await }
    };
    // Out of order, in words; by the wrong unit, refused.
    let early = step(&zbz, serde_json::json!({"step": "close"})).await;
    assert_eq!((early.status, early.body.contains("案件待立案，不能结案")), (400, true), "{}", early.body);
    assert_eq!(step(&zbz, serde_json::json!({"step": "file"})).await.status, 200);
    let dispatched = step(&zbz, serde_json::json!({"step": "dispatch"})).await;
    assert!(dispatched.body.contains("\"due_at\":\"20"), "a deadline: {}", dispatched.body);
    assert_eq!(step(&zjj, serde_json::json!({"step": "dispose", "text": "已清理"})).await.status, 403);
    assert_eq!(step(&dhj, serde_json::json!({"step": "dispose", "text": "已清理"})).await.status, 200);
    let rework = step(&jdy, serde_json::json!({"step": "check", "passed": false, "text": "仍有残留"})).await;
    assert!(rework.body.contains("\"reworks\":1"), "{}", rework.body);
    assert_eq!(step(&dhj, serde_json::json!({"step": "dispose", "text": "已彻底清理"})).await.status, 200);
    assert_eq!(step(&jdy, serde_json::json!({"step": "check", "passed": true})).await.status, 200);
    let closed = step(&zbz, serde_json::json!({"step": "close"})).await;
    assert!(closed.body.contains("\"state\":\"closed\""), "{}", closed.body);
    let detail = app.get(&format!("/api/v1/cases/{id}"), &dhj).await;
    let detail: serde_json::Value = serde_json::from_str(&detail.body).unwrap();
    assert_eq!(detail["steps"].as_array().unwrap().len(), 8, "上报, 立案, 派遣, 处置, 返工, 处置, 核查, 结案");
    assert_eq!(app.get(&format!("/api/v1/cases/{id}"), &zjj).await.status, 403, "another unit's case");
    let listed = app.get("/api/v1/cases?state=closed", &dhj).await;
    assert!(listed.body.contains(&format!("\"id\":{id}")), "{}", listed.body);

    // Bad input names its field.
    let bad = app
        .json(
            "POST",
            "/api/v1/cases",
            &jdy,
            serde_json::json!({"class": "T-LJ", "lon": "东经113", "lat": "34.7", "description": "x"}),
        )
        .await;
    assert_eq!((bad.status, bad.body.contains("lon")), (400, true), "{}", bad.body);
    let outside = app
        .json(
            "POST",
            "/api/v1/cases",
            &jdy,
            serde_json::json!({"class": "T-LJ", "lon": "113.9", "lat": "34.7", "description": "x"}),
        )
        .await;
    assert!(outside.body.contains("不在任何单元网格内"), "{}", outside.body);
    let nonsense = step(&zbz, serde_json::json!({"step": "approve"})).await;
    assert_eq!((nonsense.status, nonsense.body.contains("step")), (400, true), "{}", nonsense.body);
    let month = app.get("/api/v1/cases?month=2018", &zbz).await;
    assert_eq!(month.status, 400, "{}", month.body);
}

#[tokio::test]
async fn a_city_case_goes_through_the_pages_each_role_offered_its_own_steps() {
    let app = city_case_app().await;
    let (jdy, zbz, dhj) = (app.sign_in("jdy").await, app.sign_in("zbz").await, app.sign_in("dhj_reporter").await);

    let home = app.get("/", &jdy).await;
    assert_eq!((home.status, home.headers.contains("location: /cases")), (303, true), "the 监督员 starts at the cases");
    let form = app.get("/cases", &jdy).await;
    assert!(form.body.contains("上报案件") && form.body.contains("市容环境／暴露垃圾（事件）"), "{}", form.body);
    assert!(!app.get("/cases", &zbz).await.body.contains("上报案件"), "the 值班长 does not report");
    let fields = [
        ("_csrf", jdy.csrf.as_str()),
        ("class", "T-LJ"),
        ("lon", "113.6051"),
        ("lat", "34.7012"),
        ("address", "德化街"),
        ("description", "暴露垃圾一堆"),
        ("photos", "IMG_1.jpg"),
    ];
    let reported = app.form("/cases", &jdy, &fields).await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let at = reported
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let step = |client: &Client, extra: &[(&str, &str)]| {
        let mut all = vec![("_csrf", client.csrf.as_str())];
        all.extend_from_slice(extra);
        let (app, client, path) = (&app, client.clone(), format!("{at}/step"));
        let all: Vec<(String, String)> = all.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        async move {
            let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.form(&path, &client, &refs).await
        }
    };
    // Each role's page offers its own steps only.
    assert!(app.get(&at, &zbz).await.body.contains(">立案<"));
    assert!(!app.get(&at, &dhj).await.body.contains(">立案<"));
    assert_eq!(step(&zbz, &[("step", "file")]).await.status, 303);
    assert_eq!(step(&zbz, &[("step", "dispatch"), ("unit", "")]).await.status, 303);
    let disposing = app.get(&at, &dhj).await;
    assert!(disposing.body.contains(">处置<") && disposing.body.contains(">回退<"), "{}", disposing.body);
    assert_eq!(step(&dhj, &[("step", "dispose"), ("text", "已清理")]).await.status, 303);
    assert!(app.get(&at, &jdy).await.body.contains(">核查通过<"));
    assert_eq!(step(&jdy, &[("step", "check"), ("passed", "true")]).await.status, 303);
    assert_eq!(step(&zbz, &[("step", "close")]).await.status, 303);
    let closed = app.get(&format!("{at}?done=case-stepped"), &dhj).await;
    assert!(closed.body.contains("（已结案）") && closed.body.contains("已办理"), "{}", closed.body);
    // A step out of order says why.
    let again = step(&zbz, &[("step", "close")]).await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("案件已结案，不能结案"), "{}", again.body);

    // The list and the month's ranking as Excel, read back by a reader of Excel files.
    use calamine::Reader as _;
    let sheet = |path: String| {
        let (app, cookie) = (&app, dhj.cookie.clone());
        async move {
            let http = taizhang_app::http_client().build().unwrap();
            let reply =
                http.get(format!("http://{}{path}", app.address)).header("cookie", cookie).send().await.unwrap();
            assert!(reply.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{path}");
            let mut book = calamine::Xlsx::new(std::io::Cursor::new(reply.bytes().await.unwrap().to_vec())).unwrap();
            let name = book.sheet_names()[0].clone();
            let range = book.worksheet_range(&name).unwrap();
            range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>()
        }
    };
    let listed = sheet("/cases?format=xlsx".into()).await;
    let row = listed.iter().find(|r| r.iter().any(|c| c == "暴露垃圾一堆")).expect("the case's row");
    assert!(row.contains(&"已结案".to_string()) && row.contains(&"T-LJ".to_string()), "{row:?}");
    let today = taizhang_app::clock::today();
    let ranked = sheet(format!("/case-evaluation?month={}-{:02}&format=xlsx", today.year, today.month)).await;
    let street = ranked.iter().find(|r| r.get(1).is_some_and(|c| c == "德化街街道")).expect("德化街's row");
    assert_eq!(street[2], "1", "one case reported this month: {street:?}");
}

/// The Erqi fixture with a 监督员 (jdy), a 值班长 (zbz), one grid cell of 德化街 and one class
/// (暴露垃圾, two working hours, 德化街 by default).
async fn city_case_app() -> TestApp {
    let app = spawn_app(true).await;
    let service = taizhang_app::App::new(app.store.clone(), Config::default());
    let admin = service.as_user("admin").await.unwrap();
    for (username, role) in [("jdy", Role::Inspector), ("zbz", Role::Dispatcher)] {
        let user = taizhang_app::NewUser {
            username: username.into(),
            display_name: username.into(),
            password: PASSWORD.into(),
            role,
            unit: None,
        };
        admin.save_user(&user).await.unwrap();
    }
    let wkt = "POLYGON ((113.60 34.70, 113.61 34.70, 113.61 34.71, 113.60 34.71, 113.60 34.70))";
    let cell = taizhang_core::grid::GridCell {
        code: "DHJ-01".into(),
        name: "德化街第1网格".into(),
        street: "erqi-dhj".into(),
        community: "钱塘里社区".into(),
        shape: taizhang_core::grid::shape_from_wkt(wkt).unwrap(),
    };
    admin.save_grid(&[cell], false).await.unwrap();
    let class = taizhang_app::CaseClass {
        code: "T-LJ".into(),
        kind: "事件".into(),
        major: "市容环境".into(),
        name: "暴露垃圾".into(),
        file_rule: String::new(),
        close_rule: String::new(),
        time_limit: 2,
        limit_unit: "hours".into(),
        default_unit: Some("erqi-dhj".into()),
        street_units: Default::default(),
    };
    admin.save_case_classes(&[class]).await.unwrap();
    app
}

/// Open311 GeoReport v2 as a citizen app uses it: its api_key stands for the 监督员 account the
/// configuration names; services are the classes; a problem reported at a point becomes a case
/// located to its cell; requests are listed by date and status with the office's offset; every
/// refusal in Open311's own error format.
#[tokio::test]
async fn a_citizen_app_reports_and_follows_cases_through_open311() {
    let accounts = [
        ("fgw_admin", Role::Admin, Some("erqi-fgw")),
        ("jdy", Role::Inspector, None),
        ("zbz", Role::Dispatcher, None),
        ("cgj_reporter", Role::UnitReporter, Some("erqi-cgj")),
        ("zjj_reporter", Role::UnitReporter, Some("erqi-zjj")),
    ];
    let (store, db) = taizhang_app::testing::erqi(&accounts).await.expect("the Erqi fixture");
    let mut config = Config::default();
    config.cases.open311_keys.insert("app-key-1".into(), "jdy".into());
    let app = taizhang_app::App::new(store.clone(), config.clone());
    assert_eq!(app.load_demo_cases().await.unwrap(), 12);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(taizhang_web::serve(taizhang_app::App::new(store.clone(), config), listener));
    let server = TestApp { address, store, _db: db };
    let nobody = Client::default();
    let json = |r: &Reply| serde_json::from_str::<serde_json::Value>(&r.body).unwrap_or_else(|_| panic!("{}", r.body));

    let services = server.get("/open311/v2/services.json?api_key=app-key-1", &nobody).await;
    assert_eq!(services.status, 200, "{}", services.body);
    let services = json(&services);
    assert_eq!(services.as_array().unwrap().len(), 6);
    assert!(services.as_array().unwrap().iter().any(|s| s["service_code"] == "S-SR-01" && s["type"] == "realtime"));

    // Reported at a point in 德化街's first cell.
    let fields = [
        ("api_key", "app-key-1"),
        ("service_code", "S-SR-01"),
        ("lat", "34.7051"),
        ("long", "113.6351"),
        ("address_string", "德化街与二七路口"),
        ("description", "路口暴露垃圾"),
    ];
    let posted = server.form("/open311/v2/requests.json", &nobody, &fields).await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    let id = json(&posted)[0]["service_request_id"].as_str().unwrap().to_string();
    let one = server.get(&format!("/open311/v2/requests/{id}.json?api_key=app-key-1"), &nobody).await;
    let one = json(&one);
    assert_eq!((one[0]["status"].as_str(), one[0]["status_notes"].as_str()), (Some("open"), Some("待立案")));
    assert!(one[0]["requested_datetime"].as_str().unwrap().ends_with("+08:00"), "{one}");
    assert_eq!(one[0]["address"], "德化街与二七路口");

    // The demo's June: 7 closed and 1 declined are "closed"; dated in the office's offset.
    let june = "/open311/v2/requests.json?api_key=app-key-1&start_date=2018-06-01T00:00:00%2B08:00&end_date=2018-07-01";
    let all = json(&server.get(june, &nobody).await);
    assert_eq!(all.as_array().unwrap().len(), 12);
    let closed = json(&server.get(&format!("{june}&status=closed"), &nobody).await);
    assert_eq!(closed.as_array().unwrap().len(), 8);

    // Refusals, in Open311's format; nothing written.
    let no_key = server.get("/open311/v2/services.json", &nobody).await;
    assert_eq!((no_key.status, json(&no_key)[0]["code"].as_u64()), (401, Some(401)));
    let bad_key = server.get("/open311/v2/requests.json?api_key=guess", &nobody).await;
    assert_eq!((bad_key.status, json(&bad_key)[0]["description"].as_str()), (403, Some("api_key 无效")));
    let outside = [("lat", "30.0"), ("long", "100.0")];
    let fields: Vec<(&str, &str)> =
        fields.iter().map(|&(k, v)| outside.iter().find(|(o, _)| *o == k).copied().unwrap_or((k, v))).collect();
    let far = server.form("/open311/v2/requests.json", &nobody, &fields).await;
    assert_eq!(far.status, 400, "{}", far.body);
    assert!(json(&far)[0]["description"].as_str().unwrap().contains("网格"), "{}", far.body);
    let wrong = server.get(&format!("{june}&status=pending"), &nobody).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(json(&server.get(june, &nobody).await).as_array().unwrap().len(), 12, "nothing written");
}
