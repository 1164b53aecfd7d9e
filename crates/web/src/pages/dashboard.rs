//! The leader's dashboard: core indicators, investment against plan and 序时进度, lights.

use super::*;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
    pub unit: Option<String>,
    /// On lists: part of a name or code, or 拼音 initials.
    pub q: Option<String>,
    /// On lists: the column to sort by (`-` first: descending).
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub size: Option<usize>,
    pub format: Option<String>,
}

pub async fn dashboard(Signed { state, user, .. }: Signed, Query(q): Query<PeriodQuery>) -> Result<Response, AppError> {
    // The 监督中心 and the 指挥中心 work from their cases.
    if matches!(user.0.user.role, Role::Inspector | Role::Dispatcher) {
        return Ok(Redirect::to("/cases").into_response());
    }
    // 基层党建's people work from their organisations.
    if matches!(user.0.user.role, Role::PartySecretary | Role::PartyCommittee | Role::PartyOrganizer) {
        return Ok(Redirect::to("/party").into_response());
    }
    let acting = user.acting(&state).await?;
    let period = period_of(&acting, q.period.as_deref()).await?;
    let dashboard = acting.dashboard(period, taizhang_app::clock::today()).await?;
    let (top, note) = (&dashboard.top, &dashboard.note);
    let mut page = Page::open(&acting, &user, format!("{}　{}{note}", top.name, period.label_zh(true))).await;
    let lights = &acting.config().lights;
    if q.format.as_deref() == Some("xlsx") {
        page.blocks.extend(blocks(&dashboard, period, lights)?);
    } else {
        // The same computation shows the same HTML: rendered once, not on every read.
        let html = state.rendered.of(&dashboard, || {
            render_blocks(&blocks(&dashboard, period, lights)?).map_err(|e| {
                tracing::error!(error = %e, "template failed");
                AppError::Internal
            })
        })?;
        page.push(Block::Rendered(html));
    }
    page_or_xlsx(page, q.format.as_deref())
}

/// Dashboards rendered as HTML, each kept beside (a weak reference to) the computation it
/// shows: the computation dropped or replaced after a write, its HTML is of no more use.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    kept: std::sync::Mutex<Vec<(std::sync::Weak<taizhang_app::Dashboard>, std::sync::Arc<str>)>>,
}

impl Rendered {
    /// How many are kept (as many as the computations the application keeps).
    const KEPT: usize = 16;

    fn of(
        &self,
        dashboard: &std::sync::Arc<taizhang_app::Dashboard>,
        render: impl FnOnce() -> Result<std::sync::Arc<str>, AppError>,
    ) -> Result<std::sync::Arc<str>, AppError> {
        let lock = || self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let weak = std::sync::Arc::downgrade(dashboard);
        if let Some((_, html)) = lock().iter().find(|(w, _)| w.ptr_eq(&weak)) {
            return Ok(html.clone());
        }
        let html = render()?;
        let mut kept = lock();
        kept.retain(|(w, _)| w.strong_count() > 0);
        if kept.len() >= Self::KEPT {
            kept.remove(0);
        }
        kept.push((weak, html.clone()));
        Ok(html)
    }
}

/// What the dashboard shows below its title.
fn blocks(
    dashboard: &taizhang_app::Dashboard,
    period: Period,
    lights: &taizhang_core::config::LightConfig,
) -> Result<Vec<Block>, AppError> {
    let taizhang_app::Dashboard { top, warnings, input, indicators, by_month, .. } = dashboard;
    let mut page = Page { title: String::new(), nav: None, blocks: Vec::new() };
    page.push(Block::Links(
        recent_months(period).into_iter().map(|p| (format!("/?period={}", p.key()), p.label_zh(false))).collect(),
    ));
    // Any month, not only the six around this one.
    page.get_form("/", vec![field("period", "报告期（月份，如 2017-12）", FieldKind::Text, period.key())], "查看");

    // Lights counted per kind, never mixed: the cards are the projects'.
    use taizhang_core::lights::WarningKind;
    let count_of = |kind: WarningKind, l: Light| warnings.iter().filter(|w| w.kind == kind && w.lit.light == l).count();
    let count = |l: Light| count_of(WarningKind::Project, l);
    let pct = completion_pct(input.all.ytd_wan, input.all.planned_wan);
    let lag = pct.map(|p| lag_pp(p, period.time_progress()));
    page.push(Block::Cards(vec![
        ("重点项目".into(), format!("{}个", input.all.projects), String::new()),
        ("年度计划".into(), money_wan(input.all.planned_wan), String::new()),
        ("累计完成".into(), money_wan(input.all.ytd_wan), String::new()),
        ("占年计划".into(), pct.map_or("—".into(), |p| format!("{}%", format_number(p, 1))), String::new()),
        ("较序时进度".into(), lag.map_or("—".into(), |l| format!("{}个百分点", format_number(l, 1))), String::new()),
        ("红灯项目".into(), count(Light::Red).to_string(), "red".into()),
        ("黄灯项目".into(), count(Light::Yellow).to_string(), "yellow".into()),
        ("绿灯项目".into(), count(Light::Green).to_string(), "green".into()),
    ]));
    let others: Vec<String> = [WarningKind::Task, WarningKind::Indicator, WarningKind::Order]
        .into_iter()
        .filter_map(|k| {
            let [r, y, g] = [Light::Red, Light::Yellow, Light::Green].map(|l| count_of(k, l));
            (r + y + g > 0).then(|| format!("{}：红灯{r}个、黄灯{y}个、绿灯{g}个", k.label_zh()))
        })
        .collect();
    if !others.is_empty() {
        page.para(format!("{}。", others.join("；")));
    }

    if let Some(s) = taizhang_core::briefing::carried_sentence(&input.all, &input.by_unit, period) {
        page.para(s);
    }

    page.heading("核心指标");
    let mut t = TableView::new("", &["指标", "数值", "增长", "年度目标", "完成目标%", "灯"]);
    let mut completion: Vec<(String, Decimal)> = Vec::new();
    for (ind, value, target) in indicators {
        let level = value.as_ref().and_then(|v| v.value);
        let done = level.zip(target.as_ref().and_then(|t| t.level)).and_then(|(v, t)| completion_pct(v, t));
        if let Some(d) = done {
            completion.push((ind.name.clone(), d.round_dp(1)));
        }
        let lit = value_light(period, value.as_ref(), target.as_ref(), lights);
        t.rows.push(vec![
            CellView::link(&ind.name, format!("/indicators/{}?unit={}", ind.code, top.code)),
            CellView {
                text: level.map_or("—".into(), |v| ind.unit.format(v, ind.decimals)),
                num: true,
                ..CellView::default()
            },
            CellView {
                text: value
                    .as_ref()
                    .and_then(|v| v.reported_growth)
                    .map_or("—".into(), |g| format!("{}%", format_number(g, 2))),
                num: true,
                ..CellView::default()
            },
            CellView::text(
                target.as_ref().and_then(|t| taizhang_core::report::target_words(ind, t)).unwrap_or("—".into()),
            ),
            done.map_or(CellView::text("—"), |d| CellView::num(d, 1)),
            lit.map_or(CellView::text("—"), |l| CellView {
                text: l.light.label_zh().into(),
                light: Some(l.light.code()),
                ..CellView::default()
            }),
        ]);
    }
    if t.rows.is_empty() {
        page.para("本期没有核心指标数据。");
    } else {
        if !completion.is_empty() {
            page.push(Block::Svg(crate::view::chart::indicator_bars_svg(&completion, period)?));
        }
        page.table(t);
    }

    page.heading("重点项目投资");
    page.push(Block::Svg(crate::view::chart::ytd_line_svg(by_month, input.all.planned_wan, period)?));
    let mut monthly = TableView::new(
        "逐月累计完成与序时计划",
        &["月份", "年初至报告期累计(万元)", "序时计划(万元)", "较序时(百分点)"],
    );
    for (i, ytd) in by_month.iter().enumerate() {
        let m = Decimal::from(i as u64 + 1);
        let due = input.all.planned_wan * m / Decimal::from(12);
        let lag = completion_pct(*ytd, input.all.planned_wan).map(|p| lag_pp(p, m / Decimal::from(12)));
        monthly.rows.push(vec![
            CellView::text(format!("{}月", i + 1)),
            CellView::num(*ytd, 2),
            CellView::num(due, 2),
            lag.map_or(CellView::text("—"), |l| CellView::num(l, 1)),
        ]);
    }
    page.table(monthly);
    let by = |caption: &str, first: &str, rows: &[taizhang_core::briefing::Totals]| {
        let mut t = TableView::new(
            caption,
            &[first, "项目数", "年度计划(万元)", "当月(万元)", "累计(万元)", "占年计划%", "较序时(百分点)"],
        );
        for r in rows {
            let pct = completion_pct(r.ytd_wan, r.planned_wan);
            t.rows.push(vec![
                CellView::text(taizhang_core::briefing::label_of(r)),
                CellView::num(Decimal::from(r.projects), 0),
                CellView::num(r.planned_wan, 2),
                CellView::num(r.month_wan, 2),
                CellView::num(r.ytd_wan, 2),
                pct.map_or(CellView::text("—"), |p| CellView::num(p, 1)),
                pct.map_or(CellView::text("—"), |p| CellView::num(lag_pp(p, period.time_progress()), 1)),
            ]);
        }
        t
    };
    page.push(Block::Svg(crate::view::chart::category_bars_svg(&input.by_category, period)?));
    page.table(by("按类别", "项目类别", &input.by_category));
    page.table(by("按责任单位", "责任单位", &input.by_unit));

    page.heading("红黄绿灯");
    page.push(Block::Svg(crate::view::chart::lights_svg(
        count(Light::Red),
        count(Light::Yellow),
        count(Light::Green),
    )?));
    // The first of them; the whole list is a filter of 重点项目 away (and in the briefing).
    const REDS_SHOWN: usize = 50;
    let red_count = warnings.iter().filter(|w| w.lit.light == Light::Red).count();
    let mut reds = TableView::new("红灯清单", &["类别", "名称", "责任单位", "原因"]);
    for w in warnings.iter().filter(|w| w.lit.light == Light::Red).take(REDS_SHOWN) {
        let href = if w.kind == taizhang_core::lights::WarningKind::Project {
            Some(format!("/projects/{}", w.code))
        } else {
            None
        };
        reds.rows.push(vec![
            CellView::text(w.kind.label_zh()),
            CellView { text: w.name.clone(), href, ..CellView::default() },
            CellView::text(&w.unit),
            CellView::text(&w.lit.reason),
        ]);
    }
    if reds.rows.is_empty() {
        page.para("本期没有红灯。");
    } else {
        if red_count > REDS_SHOWN {
            reds.caption = format!("红灯清单（共{red_count}项，列前{REDS_SHOWN}项）");
        }
        page.table(reds);
        if red_count > REDS_SHOWN {
            page.push(Block::Links(vec![(
                format!("/projects?period={}&light=red&sort=completion", period.key()),
                "查看全部红灯项目".into(),
            )]));
        }
    }
    page.heading("报送情况");
    page.para(input.coverage.sentence().unwrap_or_else(|| "本期未开启填报轮次，数据为已入库数。".into()));
    // The 星级 as confirmed by the 区委组织部 (kept with the rest of the dashboard).
    if let Some(rating) = &dashboard.party {
        page.heading(format!("基层党建：{}年星级评定", rating.year));
        page.para(taizhang_app::party::rating_sentence(rating));
        page.section("星级分布", super::party::distribution(rating), "没有党组织。");
    }
    // Each table exports the month's dashboard (the one address that shows it), so that the
    // HTML kept serves every request for it.
    let address: axum::http::Uri = format!("/?period={}", period.key()).parse().map_err(|_| AppError::Internal)?;
    exportable(&mut page, &address);
    Ok(page.blocks)
}
