//! 催报 and 催办 against real local receivers: an SMTP server and an HTTP server speaking over
//! TCP as a mail relay and a group robot do. Each reminder arrives once, none again after a
//! restart, and a relay that is down loses nothing — on SQLite, and on PostgreSQL when
//! `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::sync::{Arc, Mutex};

use taizhang_app::testing::Account;
use taizhang_app::{App, OrderDraft};
use taizhang_core::access::Role;
use taizhang_core::config::Config;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::remind::{RemindConfig, SmtpConfig, UnitContacts};
use taizhang_core::workflow::Form;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

type Received = Arc<Mutex<Vec<String>>>;

/// A mail relay that accepts every message and keeps its DATA (headers and body).
async fn smtp_receiver(listener: TcpListener, got: Received) {
    while let Ok((socket, _)) = listener.accept().await {
        let got = got.clone();
        tokio::spawn(async move {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 test ESMTP\r\n").await.unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "DATA" => {
                        write.write_all(b"354 end with .\r\n").await.unwrap();
                        let mut data = Vec::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push(l);
                        }
                        got.lock().unwrap().push(data.join("\n"));
                        b"250 queued\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
        });
    }
}

/// A group robot: keeps each POST's body, answers 200.
async fn http_receiver(listener: TcpListener, got: Received) {
    while let Ok((mut socket, _)) = listener.accept().await {
        let got = got.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0_u8; 4096];
            loop {
                let n = socket.read(&mut chunk).await.unwrap();
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + length {
                        got.lock().unwrap().push(String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string());
                        socket
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                            .await
                            .unwrap();
                        return;
                    }
                }
            }
        });
    }
}

/// The text of a received mail: its body after the headers, base64 decoded when sent so.
fn mail_body(mail: &str) -> String {
    use base64::Engine;
    let (head, body) = mail.split_once("\n\n").unwrap();
    let body: String = body.lines().map(str::trim).collect();
    if head.to_ascii_lowercase().contains("content-transfer-encoding: base64") {
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body).unwrap()).unwrap()
    } else {
        body
    }
}

fn day(m: u8, d: u8) -> Date {
    Date::new(2018, m, d).unwrap()
}

#[tokio::test]
async fn reminders_arrive_once_by_mail_and_robot_and_a_relay_that_is_down_loses_none() {
    // The relay's port is known but nothing listens yet: the first sends fail.
    let smtp_port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let robot = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let robot_url = format!("http://{}/cgi-bin/webhook/send?key=test", robot.local_addr().unwrap());
    let (mails, posts): (Received, Received) = (Default::default(), Default::default());
    tokio::spawn(http_receiver(robot, posts.clone()));

    let accounts: Vec<Account<'_>> = vec![("admin", Role::Admin, None)];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let config = Config {
        reminders: RemindConfig {
            smtp: Some(SmtpConfig { host: "127.0.0.1".into(), port: smtp_port, from: "taizhang@erqi.test".into() }),
            units: vec![UnitContacts {
                unit: "erqi-zjj".into(),
                emails: vec!["zjj@erqi.test".into()],
                webhook: Some(robot_url),
            }],
            ..RemindConfig::default()
        },
        ..Config::default()
    };
    let app = App::new(store.clone(), config.clone());
    let admin = app.as_user("admin").await.unwrap();
    // June's round is overdue on 26 June for 住建局, which has sent nothing; an order to it
    // is due in two days.
    admin.open_round(Period::Month(2018, 6), Form::ProjectProgress, None).await.unwrap();
    let draft = OrderDraft {
        unit: "erqi-zjj",
        subject: "ZD2018-001",
        title: "加快征迁",
        requirement: "6月底前完成",
        deadline: Some(day(6, 28)),
        from: "",
    };
    let order = admin.issue_order(&draft, day(6, 20)).await.unwrap();
    let today = day(6, 26);
    assert_eq!(admin.plan_reminders(today).await.unwrap(), 4, "a 催报 and a 催办, each by mail and robot");
    assert_eq!(admin.plan_reminders(today).await.unwrap(), 0, "planned again: nothing new");

    let now = taizhang_app::now_seconds();
    let first = admin.deliver_reminders(now).await.unwrap();
    assert_eq!((first.sent, first.failed), (2, 2), "the robot took two; the relay is down");
    let log = admin.reminder_log(10).await.unwrap();
    let failed: Vec<_> = log.iter().filter(|r| r.sent_at.is_none()).collect();
    assert_eq!(failed.len(), 2);
    assert!(
        failed.iter().all(|r| r.attempts == 1 && r.last_error.starts_with("第1次发送失败：邮件服务器 127.0.0.1")),
        "{failed:?}"
    );
    assert_eq!(admin.deliver_reminders(now).await.unwrap(), Default::default(), "not retried before its time");

    // The relay comes up; the retry is due a minute later.
    let relay = TcpListener::bind(("127.0.0.1", smtp_port)).await.unwrap();
    tokio::spawn(smtp_receiver(relay, mails.clone()));
    let second = admin.deliver_reminders(now + 61).await.unwrap();
    assert_eq!((second.sent, second.failed), (2, 0));

    // A restart: a new app on the same database plans and sends nothing again.
    drop(admin);
    let restarted = App::new(store, config);
    let admin = restarted.as_user("admin").await.unwrap();
    assert_eq!(admin.plan_reminders(today).await.unwrap(), 0);
    assert_eq!(admin.deliver_reminders(now + 3600).await.unwrap(), Default::default());

    let mails = mails.lock().unwrap().clone();
    let posts = posts.lock().unwrap().clone();
    assert_eq!((mails.len(), posts.len()), (2, 2), "each exactly once: {mails:?} {posts:?}");
    let overdue = "区住房城乡建设局：2018年6月项目进度截止日期2018-06-25，尚有9项未报送，请及时填报。";
    assert!(mails.iter().all(|m| m.contains("To: zjj@erqi.test")), "{mails:?}");
    let bodies: Vec<String> = mails.iter().map(|m| mail_body(m)).collect();
    assert!(bodies.iter().any(|b| b == overdue), "{bodies:?}");
    let robot_text: Vec<serde_json::Value> = posts.iter().map(|p| serde_json::from_str(p).unwrap()).collect();
    assert!(robot_text.iter().all(|p| p["msgtype"] == "text"), "{robot_text:?}");
    let contents: Vec<&str> = robot_text.iter().map(|p| p["text"]["content"].as_str().unwrap()).collect();
    assert!(contents.contains(&format!("【催报】2018年6月项目进度已逾期\n{overdue}").as_str()), "{contents:?}");
    let order_text = format!(
        "【催办】督〔2018〕{order}号将于2018-06-28到期\n区住房城乡建设局：督办事项“加快征迁”办理时限2018-06-28，当前状态：已下达，请抓紧办理并反馈。"
    );
    assert!(contents.contains(&order_text.as_str()), "{contents:?}");
}

#[tokio::test]
async fn an_admin_reminds_one_unit_now_once_a_day_and_is_told_when_it_cannot() {
    let accounts: Vec<Account<'_>> = vec![("admin", Role::Admin, None), ("reviewer", Role::Reviewer, Some("erqi-dcs"))];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let config = Config {
        reminders: RemindConfig {
            units: vec![UnitContacts {
                unit: "erqi-zjj".into(),
                emails: vec!["zjj@erqi.test".into()],
                webhook: Some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x".into()),
            }],
            ..RemindConfig::default()
        },
        ..Config::default()
    };
    let app = App::new(store, config);
    let admin = app.as_user("admin").await.unwrap();
    let round = admin.open_round(Period::Month(2018, 6), Form::ProjectProgress, None).await.unwrap();
    // Before the due date: nothing scheduled, but the admin may 催报 now — by mail and robot.
    let early = day(6, 10);
    assert_eq!(admin.plan_reminders(early).await.unwrap(), 0);
    assert_eq!(admin.remind_unit(&round, "erqi-zjj", early).await.unwrap(), 2);
    assert_eq!(admin.remind_unit(&round, "erqi-zjj", early).await.unwrap(), 0, "once a day");
    assert_eq!(admin.remind_unit(&round, "erqi-zjj", day(6, 11)).await.unwrap(), 2, "and again the next");
    let log = admin.reminder_log(10).await.unwrap();
    assert!(log.iter().all(|r| r.subject == "【催报】2018年6月项目进度"), "{log:?}");
    // A unit with no configured target, or owing nothing, is said so; a reviewer may not.
    let no_target = admin.remind_unit(&round, "erqi-hbj", early).await.unwrap_err().to_string();
    assert!(no_target.contains("没有配置催报渠道"), "{no_target}");
    let reviewer = app.as_user("reviewer").await.unwrap();
    assert!(matches!(reviewer.remind_unit(&round, "erqi-zjj", early).await, Err(taizhang_app::Error::Denied(_))));
}

#[tokio::test]
async fn lights_read_again_are_the_kept_ones_until_a_write_commits() {
    let accounts: Vec<Account<'_>> = vec![("admin", Role::Admin, None)];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let app = App::new(store, Config::default());
    let admin = app.as_user("admin").await.unwrap();
    let (june, today) = (Period::Month(2018, 6), day(6, 20));
    let orders = |w: &[taizhang_core::lights::Warning]| {
        w.iter().filter(|w| w.kind == taizhang_core::lights::WarningKind::Order).count()
    };
    let first = admin.warnings(june, None, today).await.unwrap();
    assert_eq!(admin.warnings(june, None, today).await.unwrap(), first, "read again: the same");
    let draft = OrderDraft {
        unit: "erqi-zjj",
        subject: "ZD2018-001",
        title: "加快征迁",
        requirement: "",
        deadline: Some(day(6, 28)),
        from: "",
    };
    admin.issue_order(&draft, today).await.unwrap();
    // The order's commit moved the ledger on: the next read has it.
    assert_eq!(orders(&admin.warnings(june, None, today).await.unwrap()), orders(&first) + 1);
}

#[tokio::test]
async fn two_servers_on_one_database_run_each_scheduled_round_once() {
    let accounts: Vec<Account<'_>> = vec![("admin", Role::Admin, None)];
    let (store, db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let one = App::new(store, Config::default());
    let other = App::new(taizhang_store::Store::open(&db.url).await.unwrap(), Config::default());
    let round = std::time::Duration::from_secs(300);
    assert!(one.lease("remind", round).await.unwrap(), "the first server runs this round");
    assert!(!other.lease("remind", round).await.unwrap(), "the second skips it");
    assert!(one.lease("remind", round).await.unwrap(), "and the first keeps it the next round");
    assert!(other.lease("escalate", round).await.unwrap(), "each job has its own lease");
}

#[tokio::test]
async fn failed_sign_ins_counted_by_one_server_slow_the_other_too() {
    let accounts: Vec<Account<'_>> = vec![("admin", Role::Admin, None)];
    let (store, db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let one = App::new(store, Config::default());
    let other = App::new(taizhang_store::Store::open(&db.url).await.unwrap(), Config::default());
    let window = std::time::Duration::from_secs(600);
    for _ in 0..3 {
        one.note_signin_failure(&["u:admin", "a:203.0.113.9"], window).await.unwrap();
    }
    assert_eq!(other.signin_failures("u:admin", window).await.unwrap(), 3);
    assert_eq!(other.signin_failures("a:203.0.113.9", window).await.unwrap(), 3);
    other.clear_signin_failures("u:admin").await.unwrap();
    assert_eq!(one.signin_failures("u:admin", window).await.unwrap(), 0, "lifted on every server");
    assert_eq!(one.signin_failures("a:203.0.113.9", window).await.unwrap(), 3);
}
