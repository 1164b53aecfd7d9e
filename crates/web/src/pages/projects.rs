//! Key projects: the filterable list and a page per project with its history and audit trail.

use super::*;

#[derive(Debug, Deserialize, Default)]
pub struct ProjectQuery {
    /// Code, name, unit or leader: part of it, its characters in order, or 拼音 initials.
    pub q: Option<String>,
    pub period: Option<String>,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub nature: Option<String>,
    pub light: Option<String>,
    pub flag: Option<String>,
    /// code (default), name, unit, completion or light.
    pub sort: Option<String>,
    /// The page (from 1) and its size (0: all).
    pub page: Option<usize>,
    pub size: Option<usize>,
    pub format: Option<String>,
}

pub async fn projects(
    Signed { state, user, uri }: Signed,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = period_of(&acting, q.period.as_deref()).await?;
    let list = acting.project_list(period).await?;
    let records = &list.records;
    let tree = acting.tree().clone();
    let unit_name = |c: &str| tree.get(c).map_or_else(|| c.to_string(), |u| u.name.clone());
    let keep = |wanted: &Option<String>, have: &str| wanted.as_deref().is_none_or(|w| w.is_empty() || w == have);
    let finds = |wanted: &Option<String>, have: &[&str]| {
        wanted.as_deref().is_none_or(|w| have.iter().any(|h| taizhang_core::search::finds(w, h)))
    };
    // What a row shows and sorts by; its cells are made only for the rows of the page shown.
    struct Line<'a> {
        record: &'a taizhang_core::world::ProjectRecord,
        lit: Option<&'a taizhang_core::lights::Lit>,
        light: Light,
        unit: String,
        plan: Decimal,
        /// 年初至报告期累计 (none: not reported).
        ytd: Option<Decimal>,
        completion: Decimal,
    }
    impl Line<'_> {
        fn key(&self, column: &str) -> Option<SortKey> {
            let p = &self.record.project;
            Some(match column {
                "code" => SortKey::Text(p.code.to_string()),
                // Names in 拼音 order.
                "name" => SortKey::text(&p.name),
                "category" => SortKey::text(&p.category),
                "nature" => SortKey::text(p.nature.label_zh()),
                "unit" => SortKey::text(&self.unit),
                "plan" => SortKey::number(self.plan),
                "ytd" => SortKey::number(self.ytd.unwrap_or(Decimal::MIN)),
                "completion" => SortKey::number(self.completion),
                "light" => SortKey::red_first(self.light),
                _ => return None,
            })
        }

        fn cells(&self) -> Vec<CellView> {
            let p = &self.record.project;
            vec![
                CellView::link(&p.code, format!("/projects/{}", p.code)),
                CellView::link(&p.name, format!("/projects/{}", p.code)),
                CellView::text(&p.category),
                CellView::text(p.nature.label_zh()),
                CellView::text(&self.unit),
                CellView::num(self.plan, 2),
                self.ytd.map_or(CellView::text("未报"), |y| CellView::num(y, 2)),
                CellView::num(self.completion, 1),
                CellView::light(self.light),
                CellView::text(self.lit.map(|l| l.reason.clone()).unwrap_or_default()),
            ]
        }
    }
    let mut rows: Vec<Line> = Vec::new();
    for r in records {
        let p = &r.project;
        let lit = list.lights.get(p.code.as_str());
        let light = lit.map_or(Light::Green, |l| l.light);
        let unit = unit_name(&p.responsibility.unit);
        let r_ = &p.responsibility;
        if !(keep(&q.category, &p.category)
            && finds(&q.unit, &[&unit])
            && finds(&q.q, &[p.code.as_str(), &p.name, &unit, &r_.lead_leader, &r_.person])
            && keep(&q.nature, p.nature.label_zh())
            && keep(&q.light, light.code())
            && q.flag.as_deref().is_none_or(|f| f.is_empty() || p.flags.iter().any(|x| x == f)))
        {
            continue;
        }
        let plan = r.plans.first().map(|y| y.planned_wan).unwrap_or_default();
        let ytd = list.ytd.get(p.code.as_str()).copied();
        let completion = ytd.and_then(|y| completion_pct(y, plan)).unwrap_or_default();
        rows.push(Line { record: r, lit, light, unit, plan, ytd, completion });
    }
    // By code first, so that rows equal in the column asked for stay in code order.
    rows.sort_by(|a, b| a.record.project.code.cmp(&b.record.project.code));
    sort_rows(&mut rows, q.sort.as_deref(), |r, column| r.key(column));
    let (rows, paging) = paginate(rows, q.page, q.size, q.format.as_deref() == Some("xlsx"));
    let mut page = Page::open(&acting, &user, format!("重点项目（{}）", period.label_zh(true))).await;
    let categories: Vec<String> = {
        let mut c: Vec<String> = records.iter().map(|r| r.project.category.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let options = |values: Vec<(String, String)>| {
        let mut all = vec![(String::new(), "全部".to_string())];
        all.extend(values);
        FieldKind::Select(all)
    };
    page.push(Block::Form(FormView {
        action: "/projects".into(),
        csrf: String::new(),
        fields: vec![
            field("period", "报告期", FieldKind::Text, period.key()),
            field(
                "category",
                "项目类别",
                options(categories.into_iter().map(|c| (c.clone(), c)).collect()),
                q.category.clone().unwrap_or_default(),
            ),
            field(
                "nature",
                "建设性质",
                options(["新开工", "续建", "前期", "竣工"].iter().map(|n| (n.to_string(), n.to_string())).collect()),
                q.nature.clone().unwrap_or_default(),
            ),
            field(
                "light",
                "灯",
                options(vec![
                    ("red".into(), "红灯".into()),
                    ("yellow".into(), "黄灯".into()),
                    ("green".into(), "绿灯".into()),
                ]),
                q.light.clone().unwrap_or_default(),
            ),
            field(
                "flag",
                "标签",
                options(vec![("出彩项目".into(), "出彩项目".into()), ("亿元以上".into(), "亿元以上".into())]),
                q.flag.clone().unwrap_or_default(),
            ),
            field("unit", "责任单位（可输入部分名称）", FieldKind::Text, q.unit.clone().unwrap_or_default()),
            field(
                "q",
                "搜索（编码、名称、单位、领导；可用拼音首字母，如 dhj）",
                FieldKind::Text,
                q.q.clone().unwrap_or_default(),
            ),
            size_field(paging.size),
        ],
        submit: "筛选".into(),
        inline: false,
        multipart: false,
        get: true,
    }));
    let headers = [
        "项目编码",
        "项目名称",
        "项目类别",
        "建设性质",
        "责任单位",
        "年度计划(万元)",
        "年初至报告期累计(万元)",
        "占年计划%",
        "灯",
        "原因",
    ];
    let columns = ["code", "name", "category", "nature", "unit", "plan", "ytd", "completion", "light"];
    let columns: Vec<Option<&str>> = columns.iter().map(|c| Some(*c)).chain([None]).collect();
    let mut t = TableView::new(&paging.caption("个项目"), &headers).sortable(&uri, &columns);
    t.export = Some(url_with(&uri, &[("format", Some("xlsx".into())), ("page", None)]));
    t.rows = rows.iter().map(Line::cells).collect();
    page.table(t);
    page.pager(&uri, &paging);
    page_or_xlsx(page, q.format.as_deref())
}

pub async fn project(
    Signed { state, user, uri }: Signed,
    Path(code): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    // Found only when the user may read the project's unit.
    let p = acting.project(&code).await?.ok_or_else(|| AppError::NotFound(format!("项目“{code}”")))?;
    let tree = acting.tree().clone();
    let mut page = Page::open(&acting, &user, p.name.clone()).await;
    let r = &p.responsibility;
    let mut master = TableView::new("项目信息", &["项目", "内容"]);
    let rows = [
        ("项目编码", p.code.to_string()),
        ("项目类别", p.category.clone()),
        ("建设性质", p.nature.label_zh().into()),
        ("建设地点", p.location.clone()),
        ("建设内容", p.content.clone()),
        ("总投资", money_wan(p.total_investment_wan)),
        ("计划开工", p.planned_start.map(|d| d.to_string()).unwrap_or_default()),
        ("计划竣工", p.planned_finish.map(|d| d.to_string()).unwrap_or_default()),
        ("实际开工", p.actual_start.map(|d| d.to_string()).unwrap_or_default()),
        ("实际竣工", p.actual_finish.map(|d| d.to_string()).unwrap_or_default()),
        ("标签", p.flags.join("、")),
        ("分包领导", r.lead_leader.clone()),
        ("责任单位", tree.get(&r.unit).map_or(r.unit.clone(), |u| u.name.clone())),
        ("责任人", r.person.clone()),
        ("联系电话", r.contact.clone()),
    ];
    for (k, v) in rows {
        master.rows.push(vec![CellView::text(k), CellView::text(v)]);
    }
    page.table(master);
    let year = acting.latest_progress_period().await?.map_or(taizhang_app::clock::today().year, |p| p.year());
    for y in [year, year - 1] {
        if let Some(plan) = acting.year_plan(&p, y).await? {
            page.heading(format!("{y}年计划与进度"));
            page.para(format!("年度计划投资{}；形象进度节点：{}", money_wan(plan.planned_wan), plan.milestones));
            let history = acting.project_progress(&p, y).await?;
            if !history.is_empty() {
                let months: Vec<Decimal> = history.iter().map(|g| g.ytd_wan).collect();
                let last = history.last().map_or(Period::Month(y, 12), |g| g.period);
                page.push(Block::Svg(crate::view::chart::ytd_line_svg(&months, plan.planned_wan, last)?));
                page.table(TableView::from_table(&taizhang_core::report::progress_table(
                    &history,
                    Some(plan.planned_wan),
                )));
            }
        }
    }
    mechanism_sections(&mut page, &acting, &user, &p).await?;
    let mut t = TableView::new("", &["提出日期", "问题", "责任方", "时限", "解决情况"]);
    for q in acting.project_problems(&p).await? {
        t.rows.push(vec![
            CellView::text(q.raised_on.to_string()),
            CellView::text(q.description),
            CellView::text(q.owner),
            CellView::text(q.deadline.map(|d| d.to_string()).unwrap_or_default()),
            CellView::text(q.resolved_on.map_or("未解决".to_string(), |d| format!("{d} {}", q.resolution))),
        ]);
    }
    page.section("问题清单", t, "没有登记的问题。");
    if acting.allow_top(Action::IssueOrder).is_ok() {
        page.push(Block::Links(vec![(format!("/orders?subject={code}"), "对此项目下达督办".into())]));
    }
    if acting.may(Action::RaiseProblem, &p.responsibility.unit) {
        page.form(
            "/problems",
            &user,
            vec![
                field("project", "", FieldKind::Hidden, code.clone()),
                field("description", "提出问题（描述）", FieldKind::Area, ""),
                field("owner", "责任人（默认项目责任人）", FieldKind::Text, ""),
                field("deadline", "解决时限（如 2018-07-15）", FieldKind::Text, ""),
            ],
            "提出问题",
        );
    }
    let mut t = TableView::new("", &["督办事项", "要求", "时限", "状态", "反馈"]);
    for o in acting.orders(Some(&p.responsibility.unit)).await?.into_iter().filter(|o| o.subject == code) {
        t.rows.push(vec![
            CellView::text(o.title),
            CellView::text(o.requirement),
            CellView::text(o.deadline.to_string()),
            CellView::text(o.state.label_zh()),
            CellView::text(o.feedback),
        ]);
    }
    page.section("督办", t, "没有督办事项。");
    page.heading("填报记录");
    let mut t = TableView::new("", &["报告期", "单位", "状态", "版本", "说明", "操作记录"]);
    for (round, entry) in acting.entries_of_subject(&code).await? {
        let steps = acting.history(&entry).await?;
        let actors: Vec<String> = steps.iter().map(|h| h.actor.clone()).collect();
        let people = acting.person_names(&actors).await?;
        let zone = &acting.config().time_zone;
        let trail: Vec<String> =
            steps.iter().map(|h| h.sentence(zone, people.get(&h.actor).map_or(&h.actor, |n| n))).collect();
        t.rows.push(vec![
            CellView::text(round.period.label_zh(false)),
            CellView::text(tree.get(&entry.unit).map_or(entry.unit.clone(), |u| u.name.clone())),
            CellView::text(entry.state.label_zh()),
            CellView::num(Decimal::from(entry.version), 0),
            CellView::text(entry.explanation),
            CellView::text(trail.join("；")),
        ]);
    }
    page.table(t);
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// 三定四推五落实 on the project page: the node plan with its lights and the 要素保障 items,
/// each with a form for those who keep the project's records.
async fn mechanism_sections(
    page: &mut Page,
    acting: &taizhang_app::Acting<'_>,
    user: &crate::extract::User,
    p: &taizhang_core::project::Project,
) -> Result<(), AppError> {
    let code = p.code.to_string();
    let today = taizhang_app::clock::today();
    let cfg = &acting.config().mechanism;
    let date = |d: Option<taizhang_core::project::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut t = TableView::new("", &["节点", "计划完成", "实际完成", "灯", "说明"]);
    for n in acting.node_plan(&code).await? {
        let lit = n.light(today, cfg);
        t.rows.push(vec![
            CellView::text(&n.node),
            CellView::text(date(n.planned)),
            CellView::text(date(n.actual)),
            lit.as_ref().map_or(CellView::text("—"), |l| CellView::light(l.light)),
            CellView::text(lit.map_or(n.note.clone(), |l| {
                format!("{}{}", l.reason, if n.note.is_empty() { String::new() } else { format!("；{}", n.note) })
            })),
        ]);
    }
    page.section("倒排工期（节点计划）", t, "");
    let editable = acting.may(Action::EditDraft, &p.responsibility.unit);
    if editable {
        let nodes = cfg.nodes.iter().map(|n| (n.clone(), n.clone())).collect();
        page.form(
            &format!("/projects/{code}/nodes"),
            user,
            vec![
                field("node", "节点", FieldKind::Select(nodes), ""),
                field("planned", "计划完成日期（如 2018-05-31）", FieldKind::Text, ""),
                field("actual", "实际完成日期（完成后填写）", FieldKind::Text, ""),
                field("note", "说明", FieldKind::Text, ""),
            ],
            "保存节点",
        );
    }
    let mut t = TableView::new("", &["要素", "落实情况", "责任单位", "计划落实", "说明", "问题"]);
    for e in acting.elements(&code).await? {
        t.rows.push(vec![
            CellView::text(&e.item),
            CellView::text(e.status.label_zh()),
            CellView::text(acting.unit_name(&e.unit)),
            CellView::text(date(e.due)),
            CellView::text(&e.note),
            CellView::text(e.problem.map(|id| format!("#{id}")).unwrap_or_default()),
        ]);
    }
    page.section("要素保障", t, "");
    if editable {
        let items = cfg.elements.iter().map(|n| (n.clone(), n.clone())).collect();
        let states = taizhang_core::mechanism::ElementStatus::ALL
            .iter()
            .map(|s| (s.label_zh().to_string(), s.label_zh().to_string()))
            .collect();
        page.form(
            &format!("/projects/{code}/elements"),
            user,
            vec![
                field("item", "要素", FieldKind::Select(items), ""),
                field("status", "落实情况", FieldKind::Select(states), ""),
                field("unit", "责任单位（默认项目责任单位）", FieldKind::Text, ""),
                field("due", "计划落实日期", FieldKind::Text, ""),
                field("note", "说明", FieldKind::Text, ""),
            ],
            "保存要素保障",
        );
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct NodeForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub node: String,
    #[serde(default)]
    pub planned: String,
    #[serde(default)]
    pub actual: String,
    #[serde(default)]
    pub note: String,
}

pub async fn save_node(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Form(form): Form<NodeForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let date = |field: &str, text: &str| match text.trim() {
        "" => Ok(None),
        t => {
            taizhang_core::project::Date::parse(t).map(Some).map_err(|e| AppError::BadRequest(format!("{field}：{e}")))
        }
    };
    let plan = taizhang_core::mechanism::NodePlan {
        project: code.clone(),
        node: form.node,
        planned: date("计划完成日期", &form.planned)?,
        actual: date("实际完成日期", &form.actual)?,
        note: form.note,
    };
    acting.save_nodes(&[(String::new(), plan)], taizhang_app::clock::today()).await?;
    Ok(crate::flash::done(&format!("/projects/{code}"), "node-saved"))
}

#[derive(Debug, Deserialize)]
pub struct ElementForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub item: String,
    pub status: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub note: String,
}

pub async fn save_element(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Form(form): Form<ElementForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let element = crate::api::element_from(&code, &form.item, &form.status, &form.unit, Some(&form.due), &form.note)?;
    acting.save_element(&element).await?;
    Ok(crate::flash::done(&format!("/projects/{code}"), "element-saved"))
}
