//! Indicators, the year's plan and the annual summary.

use super::*;

pub async fn indicators(
    Signed { state, user, uri }: Signed,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => p.parse::<Period>().map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => Period::Year(period_of(&acting, None).await?.year() - 1),
    };
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()).or(acting.reach(None)?.as_deref()) {
        Some(u) => acting.find_unit(u)?,
        None => acting.top_unit()?,
    };
    user.acting(&state).await?.check_read(&unit.code)?;
    let catalogue = acting.catalogue().await?;
    let mut page = Page::open(&acting, &user, format!("{}指标（{}）", unit.name, period.label_zh(true))).await;
    // The period and unit asked for, in the URL: a year (2017), a quarter (2018Q2) or a month.
    let units = readable_units(&acting).await?;
    let query = q.q.as_deref().unwrap_or_default();
    let mut rows = Vec::new();
    for ind in catalogue.indicators.iter().filter(|i| {
        std::iter::once(i.code.as_str())
            .chain(std::iter::once(i.name.as_str()))
            .chain(i.aliases.iter().map(String::as_str))
            .any(|text| taizhang_core::search::finds(query, text))
    }) {
        let value = acting.value(&ind.code, &unit.code, period).await?;
        let target = acting.target(&ind.code, &unit.code, period.year()).await?;
        if value.is_none() && target.is_none() {
            continue;
        }
        let level = value.as_ref().and_then(|v| v.value);
        let lit = value_light(period, value.as_ref(), target.as_ref(), &acting.config().lights);
        // What the list sorts by: the name in 拼音, the growth (none last), the light.
        let growth = value.as_ref().and_then(|v| v.reported_growth);
        let keys = (ind.name.clone(), growth.unwrap_or(Decimal::MIN), lit.as_ref().map(|l| l.light));
        rows.push((
            keys,
            vec![
                CellView::link(&ind.name, format!("/indicators/{}?unit={}", ind.code, unit.code)),
                // A number and its unit apart, so that the workbook holds a number.
                value.as_ref().zip(level).map_or(CellView::text(""), |(v, x)| {
                    let (n, dp, _) = taizhang_core::report::level_parts(ind, x, &v.published);
                    CellView::num(n, dp)
                }),
                CellView::text(
                    value
                        .as_ref()
                        .zip(level)
                        .map(|(v, x)| taizhang_core::report::level_parts(ind, x, &v.published).2)
                        .unwrap_or_default(),
                ),
                value.as_ref().and_then(|v| v.reported_growth).map_or(CellView::text(""), |g| CellView::num(g, 2)),
                CellView::text(value.as_ref().and_then(|v| v.vintage).map_or("", |x| x.label_zh())),
                CellView::text(
                    target.as_ref().and_then(|t| taizhang_core::report::target_words(ind, t)).unwrap_or_default(),
                ),
                lit.map_or(CellView::text(""), |l| CellView::light(l.light)),
            ],
        ));
    }
    sort_rows(&mut rows, q.sort.as_deref(), |((name, growth, light), _), column| match column {
        "name" => Some(SortKey::text(name)),
        "growth" => Some(SortKey::number(*growth)),
        // Unlit ones (no target to judge by) after the green.
        "light" => Some(light.map_or(SortKey::number(3), SortKey::red_first)),
        _ => None,
    });
    let (rows, paging) = paginate(rows, q.page, q.size, q.format.as_deref() == Some("xlsx"));
    page.get_form(
        "/indicators",
        vec![
            field("period", "报告期（如 2017、2018Q2、2018-06）", FieldKind::Text, period.key()),
            field("unit", "单位", FieldKind::Select(units), unit.code.to_string()),
            field("q", "搜索指标（名称、编码；可用拼音首字母）", FieldKind::Text, query),
            size_field(paging.size),
        ],
        "查看",
    );
    let mut t = TableView::new(
        &paging.caption("项指标"),
        &["指标", "数值", "计量单位", "增长率(%)", "数据状态", "年度目标", "灯"],
    );
    t.export = Some(url_with(
        &uri,
        &[
            ("period", Some(period.key())),
            ("unit", Some(unit.code.to_string())),
            ("page", None),
            ("format", Some("xlsx".into())),
        ],
    ));
    t.rows = rows.into_iter().map(|(_, cells)| cells).collect();
    if t.rows.is_empty() {
        page.para(format!("{}没有{}的指标数据或目标。", unit.name, period.label_zh(false)));
    } else {
        page.table(t);
    }
    page.pager(&uri, &paging);
    page_or_xlsx(page, q.format.as_deref())
}

pub async fn indicator(
    Signed { state, user, uri }: Signed,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let catalogue = acting.catalogue().await?;
    let ind = catalogue.find(&code).ok_or_else(|| AppError::NotFound(format!("指标“{code}”")))?.clone();
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()).or(acting.reach(None)?.as_deref()) {
        Some(u) => acting.find_unit(u)?,
        None => acting.top_unit()?,
    };
    user.acting(&state).await?.check_read(&unit.code)?;
    let mut page = Page::open(&acting, &user, format!("{}：{}", unit.name, ind.name)).await;
    let mut t = TableView::new("时间序列", &["报告期", "数值", "增长率(%)", "数据状态", "口径", "来源", "说明"]);
    let word = |w: Option<&'static str>| CellView::text(w.unwrap_or_default());
    for v in acting.indicator_series(&ind.code, &unit.code).await? {
        t.rows.push(vec![
            CellView::text(v.period.label_zh(false)),
            CellView {
                text: v.value.map_or(String::new(), |x| taizhang_core::report::level_text(&ind, x, &v.published)),
                num: true,
                ..CellView::default()
            },
            v.reported_growth.map_or(CellView::text(""), |g| CellView::num(g, 2)),
            word(v.vintage.map(|x| x.label_zh())),
            word(v.caliber.map(|x| x.label_zh())),
            CellView::text(v.source.unwrap_or_default()),
            CellView::text(v.note.unwrap_or_default()),
        ]);
    }
    page.table(t);
    // Every version, so a revision (初步预计 → 最终核实) never hides what was published before.
    let mut h =
        TableView::new("数据版本", &["报告期", "时间", "账号", "数值", "增长率", "数据状态/口径/价格基础", "来源"]);
    for v in acting.value_history(&ind.code, &unit.code, None).await? {
        let [value, growth, words, source] = taizhang_core::report::version_cells(&ind, &v);
        h.rows.push(vec![
            CellView::text(v.period.label_zh(false)),
            CellView::text(taizhang_core::report::local_time(&v.recorded_at, &acting.config().time_zone)),
            CellView::text(&v.recorded_by),
            CellView { text: value, num: true, ..CellView::default() },
            CellView { text: growth, num: true, ..CellView::default() },
            CellView::text(words),
            CellView::text(source),
        ]);
    }
    if !h.rows.is_empty() {
        page.table(h);
    }
    let mut flags = TableView::new("数据核对", &["报告期", "单位", "说明"]);
    for year in acting
        .indicator_series(&ind.code, &unit.code)
        .await?
        .iter()
        .map(|v| v.period.year())
        .collect::<std::collections::BTreeSet<_>>()
    {
        for f in acting.data_flags(year, Some(&unit.code)).await?.into_iter().filter(|f| f.indicator == ind.name) {
            flags.rows.push(vec![
                CellView::text(f.period.label_zh(false)),
                CellView::text(f.unit),
                CellView::text(f.message),
            ]);
        }
    }
    if !flags.rows.is_empty() {
        page.table(flags);
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
    pub unit: Option<String>,
    pub format: Option<String>,
}

pub async fn plan(Signed { state, user, uri }: Signed, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let top = acting.top_unit()?;
    let year = q.year.unwrap_or(period_of(&acting, None).await?.year());
    let nodes = acting.plan_nodes(&top.code, year).await?;
    let mut page = Page::open(&acting, &user, format!("{}{}年工作计划", top.name, year)).await;
    if nodes.is_empty() {
        page.para("本年度没有工作计划。");
    }
    let depth = |code: &str| {
        let mut d = 0;
        let mut at = nodes.iter().find(|n| n.code == code).and_then(|n| n.parent.clone());
        while let Some(p) = at {
            d += 1;
            at = nodes.iter().find(|n| n.code == p).and_then(|n| n.parent.clone());
        }
        d
    };
    // Each node's projects lit for the year's latest reported month, rolled up the tree.
    let period = match period_of(&acting, None).await? {
        p if p.year() == year => p,
        _ => Period::Month(year, 12),
    };
    let lights: HashMap<String, Light> = acting
        .warnings(period, None, as_of(period))
        .await?
        .into_iter()
        .filter(|w| w.kind == taizhang_core::lights::WarningKind::Project)
        .map(|w| (w.code, w.lit.light))
        .collect();
    let records = acting.project_records(Some(year), None).await?;
    let tasks = acting.tasks_of_year(year, None).await?;
    let within = |node: &str, of: &str| {
        let mut at = Some(node.to_string());
        while let Some(code) = at {
            if code == of {
                return true;
            }
            at = nodes.iter().find(|n| n.code == code).and_then(|n| n.parent.clone());
        }
        false
    };
    let mut t = TableView::new(
        &format!("计划层级（{}）", period.label_zh(true)),
        &["层级", "名称", "项目数", "年度计划投资(万元)", "重点工作", "已完成", "红灯", "黄灯", "绿灯", "状态"],
    );
    for n in &nodes {
        let projects: Vec<_> =
            records.iter().filter(|r| r.project.plan_node.as_deref().is_some_and(|p| within(p, &n.code))).collect();
        let linked: Vec<Light> =
            projects.iter().map(|r| lights.get(r.project.code.as_str()).copied().unwrap_or(Light::Green)).collect();
        let planned: Decimal =
            projects.iter().flat_map(|r| r.plans.iter().filter(|p| p.year == year)).map(|p| p.planned_wan).sum();
        let its_tasks: Vec<_> =
            tasks.iter().filter(|t| t.plan_node.as_deref().is_some_and(|p| within(p, &n.code))).collect();
        let done = its_tasks.iter().filter(|t| t.status == taizhang_core::plan::TaskStatus::Done).count();
        let count = |l: Light| Decimal::from(linked.iter().filter(|x| **x == l).count() as u64);
        t.rows.push(vec![
            CellView::text(&n.level_label),
            CellView::text(format!("{}{}", "　".repeat(depth(&n.code)), n.title)),
            CellView::num(Decimal::from(linked.len() as u64), 0),
            CellView::num(planned, 2),
            CellView::num(Decimal::from(its_tasks.len() as u64), 0),
            CellView::num(Decimal::from(done as u64), 0),
            CellView::num(count(Light::Red), 0),
            CellView::num(count(Light::Yellow), 0),
            CellView::num(count(Light::Green), 0),
            linked.iter().max().map_or(CellView::text("—"), |l| CellView::light(*l)),
        ]);
    }
    page.table(t);
    let milestones = acting.milestones(&top.code).await?;
    let catalogue = acting.catalogue().await?;
    if !milestones.is_empty() {
        page.heading("远景目标");
        for m in milestones {
            page.para(format!("到{}，{}", m.horizon, m.text));
            if !m.targets.is_empty() {
                let named: Vec<String> = m
                    .targets
                    .iter()
                    .map(|(code, target)| {
                        let name = catalogue.find(code).map_or(code.as_str(), |i| i.name.as_str());
                        format!("{name}{target}")
                    })
                    .collect();
                page.para(format!("量化指标：{}。", named.join("；")));
            }
        }
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// The 年度总结: the 报表 page's annual report (last year by default), with its downloads.
pub async fn annual(signed: Signed, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let year = match q.year {
        Some(y) => y,
        None => period_of(&signed.user.acting(&signed.state).await?, None).await?.year() - 1,
    };
    let query = ReportQuery {
        kind: Some("annual".into()),
        year: Some(year),
        unit: q.unit,
        format: q.format,
        ..ReportQuery::default()
    };
    reports(signed, Query(query)).await
}
