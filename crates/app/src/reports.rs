//! Every report a reader can ask for, by one request: the 年度总结, the 调度通报, a 综合考核
//! scheme's league table, the project ledger and a project's 档案 — each a [`Document`] with
//! the file name offices give it, for the web, the API and the command line alike.

use std::collections::HashMap;

use rust_decimal::Decimal;
use taizhang_core::assessment::Scheme;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::report::{DocSection, Document, Table, TableCell, money_wan};
use taizhang_office::export::LedgerLine;

use crate::{Acting, Error, Result};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Annual,
    Briefing,
    Assessment,
    Ledger,
    Dossier,
    /// 数字城管通报: the month's cases, the streets' and units' ranking, the overdue.
    CityCases,
    /// 基层党建: the year's 星级 by unit, the organisations to 整顿, a month's 三会一课.
    Party,
}

impl ReportKind {
    pub const ALL: [ReportKind; 7] = [
        ReportKind::Briefing,
        ReportKind::Annual,
        ReportKind::Assessment,
        ReportKind::Ledger,
        ReportKind::Dossier,
        ReportKind::CityCases,
        ReportKind::Party,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Annual => "annual",
            ReportKind::Briefing => "briefing",
            ReportKind::Assessment => "assessment",
            ReportKind::Ledger => "ledger",
            ReportKind::Dossier => "dossier",
            ReportKind::CityCases => "city_cases",
            ReportKind::Party => "party",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportKind::Annual => "年度总结",
            ReportKind::Briefing => "重点项目调度通报",
            ReportKind::Assessment => "综合考核",
            ReportKind::Ledger => "重点项目台账",
            ReportKind::Dossier => "项目档案",
            ReportKind::CityCases => "数字城管通报",
            ReportKind::Party => "基层党建报告",
        }
    }
}

impl std::str::FromStr for ReportKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ReportKind::ALL.into_iter().find(|k| k.code() == s || k.label_zh() == s).ok_or_else(|| {
            Error::Invalid(format!(
                "没有“{s}”这种报表（可选：年度总结、调度通报、综合考核、台账、项目档案、数字城管通报、基层党建报告）"
            ))
        })
    }
}

/// What a report is asked for: its kind and whichever of period, year, unit, scheme and
/// project it needs.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub kind: ReportKind,
    /// The month of a briefing or ledger.
    pub period: Option<Period>,
    /// The year of an annual summary.
    pub year: Option<i32>,
    pub unit: Option<String>,
    /// An assessment scheme's name.
    pub scheme: Option<String>,
    pub project: Option<String>,
    /// The day a briefing is issued and judged on.
    pub today: Date,
    /// The issuing office, over `[reports] issuer` and the unit's 发展和改革委员会.
    pub issued_by: Option<String>,
}

/// A composed report and the name its files take (`二七区重点项目调度通报（2018年1-5月）`).
#[derive(Debug, Clone)]
pub struct Report {
    pub document: Document,
    pub file_stem: String,
    /// Nothing to report for the period: the document says so in one sentence.
    pub empty: bool,
    /// The ledger's title (without its period) and rows, for its print-ready workbook.
    pub ledger: Option<(String, Period, Vec<LedgerLine>)>,
    /// The office's 版头, 文号 and date style, for Word.
    pub style: taizhang_office::report::DocStyle,
}

impl Acting<'_> {
    /// The 综合考核 schemes this server offers: the demo's, then each file `[reports] schemes`
    /// names (a file that cannot be read or parsed is an error naming it).
    pub fn assessment_schemes(&self) -> Result<Vec<Scheme>> {
        let mut schemes = vec![Scheme::from_toml(crate::demo::ASSESSMENT)?];
        for path in &self.config.reports.schemes {
            let text =
                std::fs::read_to_string(path).map_err(|e| Error::Invalid(format!("无法读取考核方案 {path}：{e}")))?;
            let scheme = Scheme::from_toml(&text).map_err(|e| Error::Invalid(format!("考核方案 {path} 有误：{e}")))?;
            schemes.retain(|s| s.name != scheme.name);
            schemes.push(scheme);
        }
        Ok(schemes)
    }

    /// The report asked for, composed through the actor's permissions.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, kind = req.kind.code()))]
    pub async fn report(&self, req: &ReportRequest) -> Result<Report> {
        let unit = match req.unit.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => self.find_unit(u)?,
            None => match self.reach(None)? {
                Some(own) => self.find_unit(&own)?,
                None => self.top_unit()?,
            },
        };
        self.check_read(&unit.code)?;
        let month = || -> Result<Period> {
            match req.period {
                Some(p @ Period::Month(..)) => Ok(p),
                Some(p) => Err(Error::Invalid(format!(
                    "{}按月编制：报告期应为月份（如 2018-05），而不是“{p}”",
                    req.kind.label_zh()
                ))),
                None => Err(Error::Invalid(format!("{}需要报告期（月份）", req.kind.label_zh()))),
            }
        };
        let mut ledger = None;
        let (document, stem) = match req.kind {
            ReportKind::Annual => {
                let year = req
                    .year
                    .or(req.period.map(Period::year))
                    .ok_or_else(|| Error::Invalid("年度总结需要年度".into()))?;
                let catalogue = self.catalogue().await?;
                let input = self.annual_input(&catalogue, &unit.code, year).await?;
                let doc = taizhang_core::report::annual_summary(&catalogue, &input);
                let stem = format!("{}{year}年工作总结", unit.name);
                (doc, stem)
            }
            ReportKind::Briefing => {
                let period = month()?;
                let issued_by = req
                    .issued_by
                    .clone()
                    .or_else(|| self.config.reports.issuer.clone())
                    .unwrap_or_else(|| format!("{}发展和改革委员会", unit.name));
                let input = self.briefing_input(period, Some(&unit.code), req.today, &issued_by).await?;
                let doc = judged_on(taizhang_core::briefing::briefing(&input), req.today, "重点工作与督办");
                (doc, format!("{}重点项目调度通报（{}）", unit.name, period.label_zh(true)))
            }
            ReportKind::Assessment => {
                let schemes = self.assessment_schemes()?;
                let scheme = match req.scheme.as_deref().filter(|s| !s.is_empty()) {
                    Some(name) => schemes
                        .into_iter()
                        .find(|s| s.name == name)
                        .ok_or_else(|| Error::not_found("考核方案", name))?,
                    None => schemes.into_iter().next().ok_or_else(|| Error::Invalid("没有考核方案".into()))?,
                };
                let (units, measures) = self.assessment_measures(&scheme).await?;
                let standings = taizhang_core::assessment::score(&scheme, &units, &measures);
                let stem = scheme.name.clone();
                (taizhang_core::assessment::document(&scheme, &standings), stem)
            }
            ReportKind::Ledger => {
                let period = month()?;
                let lines = self.ledger_lines(period, Some(&unit.code)).await?;
                let bare = format!("{}重点项目建设台账", unit.name);
                let title = format!("{bare}（{}）", period.label_zh(true));
                let doc = ledger_document(&title, period, &lines);
                ledger = Some((bare, period, lines));
                (doc, title)
            }
            ReportKind::CityCases => {
                let period = month()?;
                let doc = self.city_cases_document(&unit, period).await?;
                let stem = format!("{}（{}）", doc.title, period.label_zh(false));
                (doc, stem)
            }
            ReportKind::Party => {
                let latest = self.party_years().await?.first().copied();
                let year = req
                    .year
                    .or(req.period.map(Period::year))
                    .or(latest)
                    .ok_or_else(|| Error::Invalid("基层党建报告需要年度（尚无党建标准化方案）".into()))?;
                // The month of 三会一课: the one asked, else the year's last.
                let month = match req.period {
                    Some(p @ Period::Month(..)) => p,
                    _ => Period::Month(year, 12),
                };
                let doc = self.party_document(year, month, req.today).await?;
                let stem = doc.title.clone();
                (doc, stem)
            }
            ReportKind::Dossier => {
                let code = req.project.as_deref().ok_or_else(|| Error::Invalid("项目档案需要项目编码".into()))?;
                // Without a year: the latest with progress, else this one.
                let latest = self.latest_progress_period().await?.map(Period::year);
                let year = req.year.or(req.period.map(Period::year)).or(latest).unwrap_or(req.today.year);
                let doc = judged_on(self.dossier(code, year, req.today).await?, req.today, "节点、问题与督办");
                let stem = doc.title.clone();
                (doc, stem)
            }
        };
        let empty = document.sections.iter().all(|s| s.paragraphs.is_empty() && s.tables.is_empty());
        let document = if empty {
            let what = match (req.period, req.year) {
                (Some(p), _) => p.label_zh(true),
                (None, Some(y)) => format!("{y}年"),
                (None, None) => String::new(),
            };
            let line = format!("{}{what}没有可供{}的数据。", unit.name, req.kind.label_zh());
            Document { sections: vec![DocSection::new("", vec![line])], ..document }
        } else {
            document
        };
        let r = &self.config.reports;
        let style = taizhang_office::report::DocStyle {
            red_header: r.red_header.clone(),
            doc_number: r.doc_number.clone(),
            chinese_date: r.date_style == taizhang_core::config::DateStyle::Chinese,
        };
        Ok(Report { document, file_stem: stem, empty, ledger, style })
    }

    /// The monthly ledger's rows of a unit's subtree: each project with its plan of the year
    /// and its latest report up to the month (the as-of rule; a month not reported is marked).
    pub async fn ledger_lines(&self, period: Period, unit: Option<&str>) -> Result<Vec<LedgerLine>> {
        let unit = self.reach(unit)?;
        let unit = unit.as_deref();
        let year = period.year();
        let records = self.project_records(Some(year), unit).await?;
        // Rows come oldest first: the last one kept per project is its latest.
        let mut progress: HashMap<String, _> = self
            .progress_rows(year, Some(period.month_of_year()), unit)
            .await?
            .into_iter()
            .map(|p| (p.project.clone(), p))
            .collect();
        Ok(records
            .into_iter()
            .map(|r| LedgerLine {
                unit_name: self.unit_name(&r.project.responsibility.unit),
                planned_wan: r.plans.first().map(|p| p.planned_wan),
                progress: progress.remove(r.project.code.as_str()),
                project: r.project,
            })
            .collect())
    }

    /// One project's whole record for a year: what it is, who answers for it, its plan and
    /// each month's report, its node plan, 要素保障, problems and 督办.
    pub async fn dossier(&self, code: &str, year: i32, today: Date) -> Result<Document> {
        let p = self.project(code).await?.ok_or_else(|| Error::not_found("项目", code))?;
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        let r = &p.responsibility;
        let basics = vec![
            format!("项目编码：{}；项目类别：{}；建设性质：{}。", p.code, p.category, p.nature.label_zh()),
            format!("建设地点：{}。建设内容：{}", p.location, p.content),
            format!(
                "总投资{}；计划开工{}，计划竣工{}；实际开工{}，实际竣工{}。",
                money_wan(p.total_investment_wan),
                or_dash(date(p.planned_start)),
                or_dash(date(p.planned_finish)),
                or_dash(date(p.actual_start)),
                or_dash(date(p.actual_finish))
            ),
            format!(
                "责任单位：{}；分包领导：{}；责任人：{}{}。",
                self.unit_name(&r.unit),
                or_dash(r.lead_leader.clone()),
                or_dash(r.person.clone()),
                if r.contact.is_empty() { String::new() } else { format!("（{}）", r.contact) }
            ),
        ];
        let mut sections = vec![DocSection::new("基本情况", basics)];

        let plan = self.year_plan(&p, year).await?;
        let progress = self.project_progress(&p, year).await?;
        let mut s = DocSection::new(
            format!("{year}年计划与进度"),
            vec![match &plan {
                Some(plan) => format!("{year}年计划投资{}。", money_wan(plan.planned_wan)),
                None => format!("{year}年没有年度计划。"),
            }],
        );
        s.tables.push(taizhang_core::report::progress_table(&progress, plan.as_ref().map(|x| x.planned_wan)));
        sections.push(s);

        let nodes = self.node_plan(code).await?;
        if !nodes.is_empty() {
            let mut s = DocSection::new("节点计划（倒排工期）", vec![]);
            s.tables.push(Table {
                caption: String::new(),
                headers: ["节点", "计划完成", "实际完成", "说明"].map(String::from).to_vec(),
                rows: nodes
                    .iter()
                    .map(|n| {
                        vec![
                            TableCell::Text(n.node.clone()),
                            TableCell::Text(date(n.planned)),
                            TableCell::Text(date(n.actual)),
                            TableCell::Text(n.note.clone()),
                        ]
                    })
                    .collect(),
            });
            sections.push(s);
        }
        let elements = self.elements(code).await?;
        if !elements.is_empty() {
            let lines = elements
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    format!(
                        "{}. {}：{}{}",
                        i + 1,
                        e.item,
                        e.status.label_zh(),
                        if e.note.is_empty() { String::new() } else { format!("（{}）", e.note) }
                    )
                })
                .collect();
            sections.push(DocSection::new("要素保障", lines));
        }
        let problems: Vec<String> = self
            .problems(Some(&r.unit))
            .await?
            .into_iter()
            .filter(|x| x.project == code)
            .enumerate()
            .map(|(i, x)| format!("{}. {}（{}）", i + 1, x.description, x.state_zh(today)))
            .collect();
        if !problems.is_empty() {
            sections.push(DocSection::new("问题", problems));
        }
        let orders: Vec<String> = self
            .orders(Some(&r.unit))
            .await?
            .into_iter()
            .filter(|o| o.subject == code)
            .enumerate()
            .map(|(i, o)| {
                format!("{}. {}：{}（时限{}，{}）", i + 1, o.number(), o.title, o.deadline, o.state.label_zh())
            })
            .collect();
        if !orders.is_empty() {
            sections.push(DocSection::new("督办", orders));
        }
        Ok(Document { title: format!("{}项目档案（{year}年）", p.name), sections, ..Document::default() })
    }
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "—".into() } else { s }
}

/// The ledger as a document (for Word and the web; its workbook is the print-ready one).
fn ledger_document(title: &str, period: Period, lines: &[LedgerLine]) -> Document {
    let headers =
        ["项目名称", "责任单位", "年度计划(万元)", "当月完成(万元)", "年初至报告期累计(万元)", "占年计划%", "形象进度"];
    let rows = lines
        .iter()
        .map(|l| {
            let of_month = l.progress.as_ref().filter(|g| g.period == period);
            let ytd = l.progress.as_ref().map(|g| g.ytd_wan);
            let pct = match (ytd, l.planned_wan) {
                (Some(y), Some(p)) => taizhang_core::project::completion_pct(y, p),
                _ => None,
            };
            let mut name = l.project.name.clone();
            if of_month.is_none() {
                name.push_str(&format!("（{}月未报）", period.month_of_year()));
            }
            vec![
                TableCell::Text(name),
                TableCell::Text(l.unit_name.clone()),
                l.planned_wan.map_or(TableCell::Empty, |v| TableCell::Number(v, 2)),
                of_month.and_then(|g| g.month_wan).map_or(TableCell::Empty, |v| TableCell::Number(v, 2)),
                ytd.map_or(TableCell::Empty, |v| TableCell::Number(v, 2)),
                pct.map_or(TableCell::Empty, |v| TableCell::Number(v, 1)),
                TableCell::Text(l.progress.as_ref().map(|g| g.image_progress.clone()).unwrap_or_default()),
            ]
        })
        .collect::<Vec<_>>();
    let total: Decimal = lines.iter().filter_map(|l| l.progress.as_ref().map(|g| g.ytd_wan)).sum();
    let mut s = DocSection::new(
        "",
        if lines.is_empty() {
            vec![]
        } else {
            vec![format!("共{}个项目，年初至报告期累计完成投资{}。", lines.len(), money_wan(total))]
        },
    );
    if !lines.is_empty() {
        s.tables.push(Table { caption: String::new(), headers: headers.map(String::from).to_vec(), rows });
    }
    Document { title: title.to_string(), sections: vec![s], ..Document::default() }
}

/// A report judged on a day says which, under its title: the day defaults to the real date,
/// and a reader of a briefing printed later must know what its lights were judged on.
fn judged_on(document: Document, today: Date, what: &str) -> Document {
    let line = format!("（{what}按{}评判）", taizhang_core::report::date_zh(today, false));
    let subtitle = match document.subtitle {
        Some(s) => format!("{s}{line}"),
        None => line,
    };
    Document { subtitle: Some(subtitle), ..document }
}
