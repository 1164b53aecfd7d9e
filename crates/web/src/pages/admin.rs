//! 管理: accounts, rounds and imports.

use super::*;

#[derive(Debug, Deserialize)]
pub struct AdminQuery {
    pub format: Option<String>,
    /// A round whose units' standing is shown.
    pub round: Option<i64>,
    /// A round just opened: said in a notice, its units shown.
    pub opened: Option<i64>,
    /// A unit just reminded (催报) in `round`, and how many messages were queued.
    pub reminded: Option<String>,
    pub queued: Option<usize>,
}

pub async fn admin(Signed { state, user, uri }: Signed, Query(q): Query<AdminQuery>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    acting.allow_top(Action::ManageUsers)?;
    let tree = acting.tree().clone();
    let mut page = Page::open(&acting, &user, "管理").await;
    let today = taizhang_app::clock::today();
    if let Some(id) = q.opened {
        let round = acting.round_of(id).await?;
        let owing = acting.round_status(&round, today).await?.len();
        page.notice(
            "ok",
            format!("已开启{}{}填报，应报单位{owing}个", round.period.label_zh(false), round.form.label_zh()),
        );
    }
    page.heading("填报轮次");
    let mut t = TableView::new("", &["报告期", "填报表", "截止", "状态", "各单位"]);
    for r in acting.rounds().await? {
        t.rows.push(vec![
            CellView::text(r.period.label_zh(false)),
            CellView::text(r.form.label_zh()),
            CellView::text(r.due.to_string()),
            CellView::text(if r.status == RoundStatus::Open { "填报中" } else { "已关闭" }),
            CellView::link("查看各单位报送情况", format!("/admin?round={}", r.id)),
        ]);
    }
    page.table(t);
    if let (Some(unit), Some(n)) = (&q.reminded, q.queued) {
        page.notice("ok", format!("已向{}发出催报{n}条，随后送达", acting.unit_name(unit)));
    }
    if let Some(id) = q.round.or(q.opened) {
        let round = acting.round_of(id).await?;
        let mut t = TableView::new(
            &format!("{}{}：各单位报送情况", round.period.label_zh(false), round.form.label_zh()),
            &["单位", "应报", "已报", "记录状态", "逾期"],
        );
        let standing = acting.round_status(&round, today).await?;
        for s in &standing {
            let states: Vec<String> = s.by_state.iter().map(|(st, n)| format!("{}{n}", st.label_zh())).collect();
            t.rows.push(vec![
                CellView::text(&s.name),
                CellView::num(Decimal::from(s.owed as u64), 0),
                CellView::num(Decimal::from(s.sent as u64), 0),
                CellView::text(states.join("、")),
                CellView::text(if s.overdue {
                    "逾期未报"
                } else if s.late {
                    "逾期报送"
                } else {
                    ""
                }),
            ]);
        }
        page.table(t);
        // 催报 one unit still owing, now (the scheduled ones go by themselves).
        let owing: Vec<(String, String)> = standing
            .iter()
            .filter(|s| s.sent < s.owed && round.status == RoundStatus::Open)
            .map(|s| (s.unit.clone(), format!("{}（未报{}项）", s.name, s.owed - s.sent)))
            .collect();
        if !owing.is_empty() {
            page.form(
                &format!("/admin/rounds/{}/remind", round.id),
                &user,
                vec![field("unit", "催报单位", FieldKind::Select(owing), "")],
                "立即催报",
            );
        }
        page.para("截止前与逾期后的催报按配置自动发送（管理页“催报记录”，或 taizhang remind）。");
    }
    // Which 填报表 a round form acts on.
    let which_form = || {
        let forms = ReportForm::ALL.iter().map(|f| (f.code().to_string(), f.label_zh().to_string())).collect();
        field("form", "填报表", FieldKind::Select(forms), "projects")
    };
    page.form(
        "/admin/rounds",
        &user,
        vec![
            field("period", "报告期（如 2018-06）", FieldKind::Text, ""),
            which_form(),
            field("due", "截止日期（默认25日）", FieldKind::Text, ""),
        ],
        "开启填报",
    );
    page.form(
        "/admin/rounds/close",
        &user,
        vec![field("period", "报告期", FieldKind::Text, ""), which_form()],
        "关闭填报（锁定）",
    );
    page.form(
        "/admin/rounds/reopen",
        &user,
        vec![
            field("period", "报告期", FieldKind::Text, ""),
            which_form(),
            field("reason", "重新开放原因（必填）", FieldKind::Text, ""),
        ],
        "重新开放（已锁定的记录退回各单位）",
    );
    let mut t = TableView::new("", &["时间", "账号", "数据类别", "文件", "工作表", "行数", "新增", "变更", "未变"]);
    for (at, r) in acting.imports().await? {
        t.rows.push(vec![
            CellView::text(taizhang_core::report::local_time(&at, &acting.config().time_zone)),
            CellView::text(r.actor),
            CellView::text(
                r.kind.parse::<taizhang_office::Kind>().map_or(r.kind.clone(), |k| k.sheet_name().to_string()),
            ),
            CellView::text(r.file),
            CellView::text(r.sheet),
            CellView::num(Decimal::from(r.rows), 0),
            CellView::num(Decimal::from(r.summary.new), 0),
            CellView::num(Decimal::from(r.summary.changed), 0),
            CellView::num(Decimal::from(r.summary.unchanged), 0),
        ]);
    }
    page.section("导入记录", t, "还没有导入过工作簿。");
    let mut t = TableView::new("", &["生成时间", "渠道", "发往", "标题", "尝试次数", "发送时间", "最近错误"]);
    for r in acting.reminder_log(100).await? {
        t.rows.push(vec![
            CellView::text(r.created_at),
            CellView::text(r.channel.label_zh()),
            CellView::text(r.target),
            CellView::text(r.subject),
            CellView::num(Decimal::from(r.attempts), 0),
            CellView::text(r.sent_at.map_or_else(
                || "未发送".into(),
                |t| taizhang_core::report::local_time(&t, &acting.config().time_zone),
            )),
            CellView::text(r.last_error),
        ]);
    }
    page.section(
        "催报催办提醒（最近100条）",
        t,
        "还没有发出提醒（在配置文件 [reminders] 中设置各单位的邮箱与群机器人）。",
    );
    page.heading("审计");
    match acting.last_verification().await? {
        Some((at, seq, result)) => page.para(format!("最近一次核验：{at}（至第{seq}条）——{result}")),
        None => page.para("尚未核验审计链。"),
    };
    page.button("/admin/audit/verify", &user, vec![], "核验审计链与台账数据");
    page.button("/admin/rollups/verify", &user, vec![], "核对汇总数据（驾驶舱、通报所用）");
    page.push(Block::Links(vec![(
        "/api/v1/backup".into(),
        "下载整库备份（恢复：taizhang restore 文件 --db 新库）".into(),
    )]));
    let mut t = TableView::new("", &["序号", "时间", "账号", "动作", "对象", "内容"]);
    for e in acting.audit_trail(50).await? {
        t.rows.push(vec![
            CellView::num(Decimal::from(e.seq), 0),
            CellView::text(taizhang_core::report::local_time(&e.at, &acting.config().time_zone)),
            CellView::text(e.actor),
            CellView::text(e.action),
            CellView::text(e.subject),
            CellView::text(e.detail),
        ]);
    }
    page.section("审计记录（最近50条）", t, "还没有审计记录。");
    page.heading("账号");
    let mut t = TableView::new("", &["账号", "姓名", "角色", "单位", "状态"]);
    for u in acting.users().await? {
        t.rows.push(vec![
            CellView::text(&u.username),
            CellView::text(&u.display_name),
            CellView::text(u.role.label_zh()),
            CellView::text(u.unit.as_deref().and_then(|c| tree.get(c)).map_or("—".to_string(), |x| x.name.clone())),
            CellView::text(if u.disabled { "已停用" } else { "正常" }),
        ]);
    }
    page.table(t);
    page.form(
        "/admin/users/state",
        &user,
        vec![
            field("username", "停用或启用账号", FieldKind::Text, ""),
            field(
                "action",
                "操作",
                FieldKind::Select(vec![
                    ("disable".into(), "停用（不能登录，已登录的会话结束）".into()),
                    ("enable".into(), "启用".into()),
                ]),
                "disable",
            ),
        ],
        "确定",
    );
    page.form(
        "/admin/users/password",
        &user,
        vec![
            field("username", "重设口令的账号", FieldKind::Text, ""),
            field("password", "新口令（至少8个字符；该账号的会话全部结束）", FieldKind::Password, ""),
        ],
        "重设口令",
    );
    let roles = Role::ALL.iter().map(|r| (r.code().to_string(), r.label_zh().to_string())).collect();
    let units: Vec<(String, String)> = std::iter::once((String::new(), "（无）".to_string()))
        .chain(tree.units().iter().map(|u| (u.code.to_string(), u.name.clone())))
        .collect();
    page.form(
        "/admin/users",
        &user,
        vec![
            field("username", "账号", FieldKind::Text, ""),
            field("display_name", "姓名", FieldKind::Text, ""),
            field("role", "角色", FieldKind::Select(roles), "unit_reporter"),
            field("unit", "单位", FieldKind::Select(units), ""),
            field("password", "初始口令", FieldKind::Password, ""),
        ],
        "保存账号",
    );
    page.form(
        "/admin/unlock",
        &user,
        vec![field("username", "解除登录限速的账号（多次口令错误后每次登录需等待）", FieldKind::Text, "")],
        "解除限速",
    );
    page.heading("导入Excel");
    let kinds = taizhang_office::Kind::ALL.iter().map(|k| (k.code().to_string(), k.sheet_name().to_string())).collect();
    page.form(
        "/admin/import",
        &user,
        vec![
            field("kind", "数据类别（表头同导出模板）", FieldKind::Select(kinds), "units"),
            field("file", "工作簿（.xlsx）", FieldKind::File, ""),
        ],
        "导入（有任何错误则不写入）",
    );
    page.heading("单位");
    let mut t = TableView::new("", &["编码", "名称", "类型", "上级"]);
    for u in tree.units() {
        t.rows.push(vec![
            CellView::text(&u.code),
            CellView::text(&u.name),
            CellView::text(u.kind.label_zh()),
            CellView::text(u.parent.clone().unwrap_or_default()),
        ]);
    }
    page.table(t);
    page.heading("指标目录");
    let catalogue = acting.catalogue().await?;
    let mut t =
        TableView::new("", &["编码", "名称", "计量单位", "汇总方式", "时间属性", "方向", "表述", "栏目", "别名"]);
    for i in &catalogue.indicators {
        let section = catalogue.sections.iter().find(|s| s.key == i.phrasing.section).map_or("", |s| s.title.as_str());
        t.rows.push(vec![
            CellView::text(&i.code),
            CellView::text(&i.name),
            CellView::text(i.unit.to_string()),
            CellView::text(i.aggregation.label_zh()),
            CellView::text(i.temporal.label_zh()),
            CellView::text(i.direction.label_zh()),
            CellView::text(&i.phrasing.clause),
            CellView::text(section),
            CellView::text(i.aliases.join("、")),
        ]);
    }
    page.table(t);
    let choose =
        |pairs: &[(&str, &str)]| FieldKind::Select(pairs.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect());
    let sections = catalogue.sections.iter().map(|s| (s.key.clone(), s.title.clone())).collect();
    page.form(
        "/admin/catalogue",
        &user,
        vec![
            field("code", "指标编码（已有编码则修改该指标）", FieldKind::Text, ""),
            field("name", "指标名称", FieldKind::Text, ""),
            field("aliases", "别名（以、分隔）", FieldKind::Text, ""),
            field("unit", "计量单位（亿元、万人、% …）", FieldKind::Text, ""),
            field(
                "aggregation",
                "汇总方式",
                choose(&[("", "按计量单位（比率不汇总）"), ("sum", "求和"), ("none", "不汇总")]),
                "",
            ),
            field(
                "temporal",
                "流量/存量",
                choose(&[("flow", "流量（年初至报告期累计）"), ("stock", "存量（期末数）")]),
                "flow",
            ),
            field("direction", "方向", choose(&[("up", "正向（越大越好）"), ("down", "逆向（越小越好）")]), "up"),
            field("clause", "表述（默认 {phrase}完成{value}）", FieldKind::Text, ""),
            field("section", "报告栏目", FieldKind::Select(sections), ""),
            field("decimals", "小数位数（默认2）", FieldKind::Text, ""),
        ],
        "保存指标",
    );
    page.heading("预警阈值");
    let l = &acting.config().lights;
    page.para(format!(
        "绿灯：落后序时进度不超过{}个百分点；红灯：落后超过{}个百分点；逾期{}个月未开工为红灯；任务距时限{}天内且完成不足{}%为黄灯；指标低于目标×序时进度{}个百分点为红灯。阈值由配置文件设定（taizhang --config）。",
        format_number(-l.yellow_below_pp, 2),
        format_number(-l.red_below_pp, 2),
        l.not_started_red_months,
        l.task_yellow_days,
        format_number(l.task_yellow_below_pct, 2),
        format_number(l.indicator_red_pp, 2)
    ));
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// The fields of a multipart upload: the CSRF token, the other text fields, the file.
pub(super) async fn read_upload(
    mut multipart: axum::extract::Multipart,
) -> Result<(HashMap<String, String>, Vec<u8>), AppError> {
    let mut fields = HashMap::new();
    let mut bytes = Vec::new();
    while let Some(part) =
        multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{e}")))?
    {
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            bytes = part.bytes().await.map_err(|e| AppError::BadRequest(e.to_string()))?.to_vec();
        } else {
            fields.insert(name, part.text().await.map_err(|e| AppError::BadRequest(e.to_string()))?);
        }
    }
    Ok((fields, bytes))
}

/// An admin imports a workbook of any kind, all or nothing, as `taizhang import` does.
pub async fn admin_import(
    Signed { state, user, .. }: Signed,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (fields, bytes) = read_upload(multipart).await?;
    let acting = user.acting_on_form(&state, fields.get("_csrf").map_or("", String::as_str)).await?;
    let kind: taizhang_office::Kind = fields
        .get("kind")
        .map_or("", String::as_str)
        .parse()
        .map_err(|e: taizhang_office::ImportError| AppError::BadRequest(e.to_string()))?;
    let mut page = Page::open(&acting, &user, "导入结果").await;
    let request = taizhang_app::ImportRequest {
        bytes,
        file: "上传的工作簿".into(),
        kind,
        sheet: None,
        year: taizhang_app::clock::today().year,
        dry_run: false,
    };
    let outcome = match acting.import_workbook(request, &|_| {}).await {
        Ok(done) => Ok(done),
        Err(taizhang_app::WorkbookError::Import(e)) => Err(e.to_string()),
        Err(taizhang_app::WorkbookError::App(e)) => return Err(e.into()),
    };
    match outcome {
        Ok(done) => {
            page.notice("ok", format!("已导入工作表“{}”{}行：{}", done.sheet, done.rows, done.summary));
            for warning in &done.warnings {
                page.notice("warn", format!("提示：{warning}"));
            }
            for f in &done.flags {
                page.notice(
                    "warn",
                    format!("数据核对：{}（{}，{}）{}", f.indicator, f.unit, f.period.label_zh(false), f.message),
                );
            }
            page.push(Block::Links(vec![("/admin".into(), "返回管理".into())]));
            Ok(render(&page))
        }
        Err(message) => {
            page.notice("error", format!("工作簿未通过校验，未写入任何数据：\n{message}"));
            page.push(Block::Links(vec![("/admin".into(), "返回管理".into())]));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RoundForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub period: String,
    pub form: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub reason: String,
}

impl RoundForm {
    fn period_and_form(&self) -> Result<(Period, ReportForm), AppError> {
        let bad = |e: taizhang_core::DomainError| AppError::BadRequest(e.to_string());
        Ok((self.period.parse().map_err(bad)?, self.form.parse().map_err(bad)?))
    }
}

pub async fn open_round(Signed { state, user, .. }: Signed, Form(form): Form<RoundForm>) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let (period, kind) = form.period_and_form()?;
    let due = if form.due.trim().is_empty() {
        None
    } else {
        Some(Date::parse(&form.due).map_err(|e| AppError::BadRequest(e.to_string()))?)
    };
    let round = acting.open_round(period, kind, due).await?;
    Ok(Redirect::to(&format!("/admin?opened={}", round.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RemindForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub unit: String,
}

/// 催报 one unit owing in a round, now.
pub async fn remind_unit(
    Signed { state, user, .. }: Signed,
    Path(round_id): Path<i64>,
    Form(form): Form<RemindForm>,
) -> Result<Response, AppError> {
    let (acting, round) = user.acting_on_round(&state, &form.csrf, round_id).await?;
    let queued = acting.remind_unit(&round, &form.unit, taizhang_app::clock::today()).await?;
    let to = format!("/admin?round={round_id}&reminded={}&queued={queued}", percent_encode(&form.unit));
    Ok(Redirect::to(&to).into_response())
}

pub async fn close_round(
    Signed { state, user, .. }: Signed,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let (period, kind) = form.period_and_form()?;
    let round = acting.round(period, kind).await?;
    acting.close_round(&round).await?;
    Ok(crate::flash::done("/admin", "round-closed"))
}

pub async fn reopen_round(
    Signed { state, user, .. }: Signed,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let (period, kind) = form.period_and_form()?;
    let round = acting.round(period, kind).await?;
    acting.reopen_round(&round, &form.reason).await?;
    Ok(crate::flash::done("/admin", "round-reopened"))
}

#[derive(Debug, Deserialize)]
pub struct IndicatorForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(flatten)]
    pub words: taizhang_core::indicator::IndicatorWords,
}

/// Adds an indicator to the catalogue, or edits the one with that code.
pub async fn save_indicator(
    Signed { state, user, .. }: Signed,
    Form(form): Form<IndicatorForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let catalogue = acting.catalogue().await?;
    let indicator = form.words.read(&catalogue).map_err(|e| AppError::BadRequest(e.to_string()))?;
    acting.save_indicator(indicator).await?;
    Ok(crate::flash::done("/admin", "indicator-saved"))
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub unit: String,
    pub password: String,
}

pub async fn save_user(Signed { state, user, .. }: Signed, Form(form): Form<UserForm>) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let account = taizhang_app::NewUser {
        username: form.username.trim().to_string(),
        display_name: form.display_name.trim().to_string(),
        password: form.password,
        role: form.role.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?,
        unit: Some(form.unit).filter(|u| !u.is_empty()),
    };
    acting.save_user(&account).await?;
    Ok(crate::flash::done("/admin", "account-saved"))
}

/// Verifies the audit chain now and shows the result on 管理.
pub async fn verify_audit(
    Signed { state, user, .. }: Signed,
    Form(form): Form<crate::auth::CsrfForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    acting.verify_audit().await?;
    Ok(crate::flash::done("/admin", "audit-verified"))
}

/// Recomputes the maintained roll-ups from the rows and shows how they compare.
pub async fn verify_rollups(
    Signed { state, user, .. }: Signed,
    Form(form): Form<crate::auth::CsrfForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let check = acting.verify_rollups().await?;
    let mut page = Page::open(&acting, &user, "汇总数据核对").await;
    if check.differences.is_empty() {
        page.notice("ok", format!("汇总数据与明细一致：{}个年度，{}个汇总格", check.years, check.cells));
    } else {
        page.notice(
            "error",
            format!(
                "汇总数据与明细不一致：{}处（数据库曾被直接修改？可用 taizhang rollup rebuild 重建）",
                check.differences.len()
            ),
        );
        let mut t = TableView::new("前20处差异", &["差异"]);
        t.rows = check.differences.iter().take(20).map(|d| vec![CellView::text(d)]).collect();
        page.table(t);
    }
    page.push(Block::Links(vec![("/admin".into(), "返回管理".into())]));
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct UnlockForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub username: String,
}

/// Lifts an account's sign-in slowdown (admins), recorded in the audit trail.
pub async fn unlock_account(
    Signed { state, user, .. }: Signed,
    Form(form): Form<UnlockForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    acting.note_unlock(form.username.trim()).await?;
    state.throttle.unlock(&state.app, form.username.trim()).await?;
    Ok(crate::flash::done("/admin", "unlocked"))
}

#[derive(Debug, Deserialize)]
pub struct AccountStateForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub username: String,
    /// disable or enable.
    pub action: String,
}

/// Stops an account or lets it sign in again.
pub async fn account_state(
    Signed { state, user, .. }: Signed,
    Form(form): Form<AccountStateForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let disabled = match form.action.as_str() {
        "disable" => true,
        "enable" => false,
        other => return Err(AppError::BadRequest(format!("不认识的操作“{other}”（disable 或 enable）"))),
    };
    acting.set_account_disabled(form.username.trim(), disabled).await?;
    Ok(crate::flash::done("/admin", if disabled { "account-stopped" } else { "account-started" }))
}

#[derive(Debug, Deserialize)]
pub struct ResetPasswordForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub username: String,
    pub password: String,
}

/// An admin sets a new password for an account; its sessions end.
pub async fn reset_password(
    Signed { state, user, .. }: Signed,
    Form(form): Form<ResetPasswordForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    acting.reset_password(form.username.trim(), &form.password).await?;
    Ok(crate::flash::done("/admin", "password-reset"))
}
