//! 数字化城市管理 (GB/T 30428): a case reported by a 监督员 at a point, located to its grid
//! cell and street; filed or declined, dispatched with a deadline counted in working time
//! (the national calendar with its 调休 days, the working hours of the day), disposed of by
//! the unit it went to, checked on site, closed — each step allowed by the account's role and
//! unit, checked by `core::cases::apply`, and kept in the case's trail and the audit chain.

use taizhang_core::Decimal;
use taizhang_core::access::Action;
use taizhang_core::calendar::{WorkCalendar, WorkingHours};
use taizhang_core::cases::{CaseState, CaseStep, apply};
use taizhang_core::grid::{GridCell, locate, point, shape_from_geojson_text, shape_to_geojson};
use taizhang_core::project::Date;
use taizhang_store::{CaseClass, CaseDimension, CaseFilter, CaseRecord, CaseStepRow, GridCellRow, NewCase};

use crate::{Acting, Error, Result};

/// A moment in the office's zone: a day and the minute of it (the steps' times and deadlines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment {
    pub day: Date,
    pub minute: u16,
}

impl Moment {
    /// "2018-06-04 09:30", as cases keep times (it sorts as time does).
    pub fn text(self) -> String {
        format!("{} {:02}:{:02}", self.day, self.minute / 60, self.minute % 60)
    }

    /// A moment kept as text.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::Invalid(format!("时间“{text}”应为 YYYY-MM-DD HH:MM"));
        let (day, time) = text.trim().split_once(' ').ok_or_else(bad)?;
        let (h, m) = time.split_once(':').ok_or_else(bad)?;
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(Moment { day: Date::parse(day)?, minute: h * 60 + m })
    }
}

/// A case as a 监督员 reports it from the street.
#[derive(Debug, Clone)]
pub struct CaseReport<'a> {
    /// The 小类's code.
    pub class: &'a str,
    pub lon: Decimal,
    pub lat: Decimal,
    pub address: &'a str,
    pub description: &'a str,
    /// The photos' names, one a line.
    pub photos: &'a str,
    /// A sample row (the demo's), not a real case.
    pub sample: bool,
}

/// A step as asked for at a door; the deadline of a dispatch and who approved are the app's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRequest {
    File,
    Decline {
        reason: String,
    },
    /// To the unit given, or the class's default unit.
    Dispatch {
        unit: Option<String>,
    },
    SendBack {
        reason: String,
    },
    Dispose {
        result: String,
    },
    Check {
        passed: bool,
        note: String,
    },
    Close,
    Extend {
        until: Date,
    },
    Suspend {
        reason: String,
    },
    Resume,
}

impl StepRequest {
    /// A step as the doors name it (`file`, `decline`, `dispatch`, `send_back`, `dispose`,
    /// `check`, `close`, `extend`, `suspend`, `resume`), with what it needs: the unit of a
    /// dispatch, the text of a reason, result or check, whether a check passed, the day a
    /// 延期 runs to.
    pub fn named(
        step: &str,
        unit: Option<String>,
        text: String,
        passed: Option<bool>,
        until: Option<Date>,
    ) -> Result<Self> {
        Ok(match step {
            "file" => StepRequest::File,
            "decline" => StepRequest::Decline { reason: text },
            "dispatch" => StepRequest::Dispatch { unit },
            "send_back" => StepRequest::SendBack { reason: text },
            "dispose" => StepRequest::Dispose { result: text },
            "check" => StepRequest::Check {
                passed: passed.ok_or_else(|| Error::Invalid("核查须说明通过或返工".into()))?,
                note: text,
            },
            "close" => StepRequest::Close,
            "extend" => StepRequest::Extend {
                until: until.ok_or_else(|| Error::Invalid("延期须给出新的期限".into()))?,
            },
            "suspend" => StepRequest::Suspend { reason: text },
            "resume" => StepRequest::Resume,
            other => {
                return Err(Error::Invalid(format!(
                    "“{other}”不是案件的办理环节：应为 file、decline、dispatch、send_back、dispose、check、close、extend、suspend 或 resume"
                )));
            }
        })
    }

    /// The action the step needs: the 指挥中心's, the unit's or the 监督员's.
    pub(crate) fn action(&self) -> Action {
        match self {
            StepRequest::Dispose { .. } | StepRequest::SendBack { .. } => Action::DisposeCase,
            StepRequest::Check { .. } => Action::CheckCase,
            _ => Action::DispatchCase,
        }
    }
}

/// What a 数字城管 workbook holds, as `case import --what` and the upload form name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseImport {
    /// Sheet 网格: cells with their outlines (WKT or GeoJSON).
    Grid,
    /// Sheet 案件: cases from an old system, with their times.
    Cases,
}

impl CaseImport {
    pub fn named(what: &str) -> Result<Self> {
        match what.trim() {
            "grid" | "网格" => Ok(CaseImport::Grid),
            "cases" | "案件" => Ok(CaseImport::Cases),
            other => Err(Error::Invalid(format!("导入内容“{other}”无法识别：应为 grid（网格）或 cases（案件）"))),
        }
    }
}

/// When a case dispatched at `at` with a class's time limit is due: working hours counted
/// through the working day's spans, working days to the same time of day.
pub fn due_after(calendar: &WorkCalendar, hours: &WorkingHours, at: Moment, class: &CaseClass) -> Result<Moment> {
    match class.limit_unit.as_str() {
        "hours" => {
            let (day, minute) = calendar.add_working_minutes(at.day, at.minute, class.time_limit * 60, hours);
            Ok(Moment { day, minute })
        }
        "days" => Ok(Moment { day: calendar.add_working_days(at.day, class.time_limit), minute: at.minute }),
        other => Err(Error::Invalid(format!("小类“{}”的处置时限单位“{other}”应为 hours 或 days", class.code))),
    }
}

impl Acting<'_> {
    /// The grid as cells to locate points in (each outline read from its GeoJSON).
    pub async fn grid(&self) -> Result<Vec<GridCell>> {
        self.store
            .grid_cells()
            .await?
            .into_iter()
            .map(|c| {
                let shape = shape_from_geojson_text(&c.shape)
                    .map_err(|e| Error::Invalid(format!("网格{}的边界无法读取：{e}", c.code)))?;
                Ok(GridCell { code: c.code, name: c.name, street: c.street, community: c.community, shape })
            })
            .collect()
    }

    /// Grid cells, new or replacing those of their codes, in one transaction (admins: the
    /// ledger's master data). Each street must be a unit of the tree.
    pub async fn save_grid(&self, cells: &[GridCell], sample: bool) -> Result<usize> {
        let top = self.top_unit()?.code.to_string();
        self.allow(Action::ManageLedger, &top)?;
        let mut tx = self.store.begin().await?;
        for c in cells {
            if self.tree.get(&c.street).is_none() {
                return Err(Error::not_found("街道", &c.street));
            }
            let row = GridCellRow {
                code: c.code.clone(),
                name: c.name.clone(),
                street: c.street.clone(),
                community: c.community.clone(),
                shape: shape_to_geojson(&c.shape),
                sample,
            };
            tx.upsert_grid_cell(&row).await?;
        }
        tx.audit(&self.actor.username, "grid.save", "grid", &format!("单元网格{}个", cells.len()));
        tx.commit().await?;
        Ok(cells.len())
    }

    /// A 数字城管 workbook read (every bad cell named) and written whole, or nothing written
    /// (admins); what was imported, in a sentence.
    pub async fn import_case_workbook(
        &self,
        bytes: &[u8],
        file: &str,
        what: CaseImport,
    ) -> Result<String, crate::WorkbookError> {
        // Refused before the file is read by whoever may not keep the ledger's master data.
        self.allow_top(Action::ManageLedger)?;
        match what {
            CaseImport::Grid => {
                let cells =
                    taizhang_office::cases::grid(bytes, file, |u| self.tree.find(u).map(|u| u.code.to_string()))?;
                Ok(format!("已导入单元网格{}个", self.save_grid(&cells, false).await?))
            }
            CaseImport::Cases => {
                let cases = taizhang_office::cases::historic(bytes, file)?;
                Ok(format!("已导入历史案件{}件", self.import_historic_cases(&cases, false).await?))
            }
        }
    }

    /// Cases from an old system (admins), each in the state its times reached, located to its
    /// cell, its class and unit known: every one checked first — the errors name the sheet's
    /// rows — then all written in one transaction with one step each in their trail.
    pub async fn import_historic_cases(
        &self,
        cases: &[taizhang_core::cases::HistoricCase],
        sample: bool,
    ) -> Result<usize> {
        self.allow_top(Action::ManageLedger)?;
        let grid = taizhang_core::grid::GridIndex::new(self.grid().await?);
        let classes: std::collections::HashSet<String> =
            self.store.case_classes().await?.into_iter().map(|c| c.code).collect();
        let now = crate::clock::now().text();
        let mut planned = Vec::with_capacity(cases.len());
        let mut errors: Vec<String> = vec![];
        for c in cases {
            let checked = (|| -> Result<_> {
                if !classes.contains(&c.class) {
                    return Err(Error::not_found("小类", &c.class));
                }
                let unit = match &c.unit {
                    Some(u) => {
                        Some(self.tree.find(u).map(|u| u.code.to_string()).ok_or_else(|| Error::not_found("单位", u))?)
                    }
                    None => None,
                };
                let c = taizhang_core::cases::HistoricCase { unit, ..c.clone() };
                let status = c.status(&now)?;
                let cell = grid.locate(point(c.lon, c.lat)?)?.code.clone();
                Ok((c, cell, status))
            })();
            match checked {
                Ok(p) => planned.push(p),
                Err(e) if errors.len() < 200 => errors.push(format!("案件!R{}：{e}", c.row)),
                Err(_) => errors.push(String::new()),
            }
        }
        if !errors.is_empty() {
            let listed: Vec<&str> = errors.iter().map(String::as_str).filter(|e| !e.is_empty()).collect();
            let more = errors.len() - listed.len();
            let tail = if more > 0 { format!("\n另有{more}处错误") } else { String::new() };
            return Err(Error::Invalid(format!(
                "历史案件未导入，共{}处错误：\n{}{tail}",
                errors.len(),
                listed.join("\n")
            )));
        }
        let mut tx = self.store.begin().await?;
        for (c, cell, status) in &planned {
            tx.insert_historic_case(c, cell, status, &self.actor.username, sample).await?;
        }
        tx.audit(&self.actor.username, "cases.import", "cases", &format!("历史案件{}件", planned.len()));
        tx.commit().await?;
        Ok(planned.len())
    }

    /// The 部件 and 事件 classes, new or replacing those of their codes (admins).
    pub async fn save_case_classes(&self, classes: &[CaseClass]) -> Result<usize> {
        let top = self.top_unit()?.code.to_string();
        self.allow(Action::ManageLedger, &top)?;
        let mut tx = self.store.begin().await?;
        for c in classes {
            c.check()?;
            for unit in c.default_unit.iter().chain(c.street_units.keys()).chain(c.street_units.values()) {
                if self.tree.get(unit).is_none() {
                    return Err(Error::not_found("单位", unit));
                }
            }
            tx.upsert_case_class(c).await?;
        }
        tx.audit(&self.actor.username, "case_classes.save", "case_classes", &format!("小类{}个", classes.len()));
        tx.commit().await?;
        Ok(classes.len())
    }

    pub async fn case_classes(&self) -> Result<Vec<CaseClass>> {
        Ok(self.store.case_classes().await?)
    }

    async fn case_class(&self, code: &str) -> Result<CaseClass> {
        self.store
            .case_classes()
            .await?
            .into_iter()
            .find(|c| c.code == code)
            .ok_or_else(|| Error::not_found("小类", code))
    }

    /// 信息收集: a case reported at a point, located to its cell; its id.
    pub async fn report_case(&self, report: &CaseReport<'_>, at: Moment) -> Result<i64> {
        // The role first (the centres act anywhere), before the grid is read.
        self.allow(Action::ReportCase, self.top_unit()?.code.as_ref())?;
        let grid = self.grid().await?;
        let cell = locate(&grid, point(report.lon, report.lat)?)?;
        self.allow(Action::ReportCase, &cell.street)?;
        self.case_class(report.class).await?;
        if report.description.trim().is_empty() {
            return Err(Error::Invalid("请填写问题描述".into()));
        }
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_case(&NewCase {
                class: report.class,
                cell: &cell.code,
                lon: report.lon,
                lat: report.lat,
                address: report.address,
                description: report.description,
                photos: report.photos,
                reported_by: &self.actor.username,
                reported_at: &at.text(),
                sample: report.sample,
            })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A case and its trail, if the account may see it: the 中心's roles and leaders see every
    /// case; a street, the cases in its cells; a unit, the cases dispatched to it.
    pub async fn case_with_trail(&self, id: i64) -> Result<(CaseRecord, Vec<CaseStepRow>)> {
        let case = self.store.case(id).await?.ok_or_else(|| Error::not_found("案件", id.to_string()))?;
        let sees = self.may(Action::Read, &case.street)
            || case.status.unit.as_deref().is_some_and(|u| self.may(Action::Read, u));
        if !sees {
            self.allow(Action::Read, &case.street)?;
        }
        let trail = self.store.case_steps(id).await?;
        Ok((case, trail))
    }

    /// Cases within the account's reach (or a unit's subtree within it), by state and month.
    pub async fn cases(
        &self,
        unit: Option<&str>,
        state: Option<CaseState>,
        month: Option<(i32, u8)>,
    ) -> Result<Vec<CaseRecord>> {
        let reach = self.reach(unit)?;
        let (from, before) = month.map(|(y, m)| month_bounds(y, m)).unzip();
        let filter = CaseFilter {
            within: reach.as_deref(),
            state,
            reported_from: from.as_deref(),
            reported_before: before.as_deref(),
            limit: None,
        };
        Ok(self.store.cases(&filter).await?)
    }

    /// At most `limit` cases in the actor's reach reported in `[from, before)` (local times,
    /// "YYYY-MM-DD HH:MM" or a date), the latest first (Open311's requests).
    pub async fn cases_reported(&self, from: &str, before: &str, limit: u32) -> Result<Vec<CaseRecord>> {
        let reach = self.reach(None)?;
        let filter = CaseFilter {
            within: reach.as_deref(),
            state: None,
            reported_from: Some(from),
            reported_before: Some(before),
            limit: Some(limit),
        };
        Ok(self.store.cases(&filter).await?)
    }

    /// One step of a case, by the account at `at`: allowed by its role and unit, checked by
    /// the case's rules, written with the trail over the version read (a step taken by
    /// someone else in between is a conflict, never overwritten).
    pub async fn take_case_step(&self, id: i64, request: StepRequest, at: Moment) -> Result<CaseRecord> {
        let case = self.store.case(id).await?.ok_or_else(|| Error::not_found("案件", id.to_string()))?;
        let action = request.action();
        // A unit acts for the cases dispatched to it; the centres, anywhere in the grid.
        let on = match action {
            Action::DisposeCase => case.status.unit.clone().unwrap_or_else(|| case.street.clone()),
            _ => case.street.clone(),
        };
        self.allow(action, &on)?;
        let approver = || self.actor.username.clone();
        let mut due_at = case.due_at.clone();
        let step = match request {
            StepRequest::File => CaseStep::File,
            StepRequest::Decline { reason } => CaseStep::Decline { reason },
            StepRequest::Dispatch { unit } => {
                let class = self.case_class(&case.class).await?;
                // The street's own unit for the class, else the class's.
                let unit = unit
                    .filter(|u| !u.trim().is_empty())
                    .or(class.default_unit_in(&case.street).map(str::to_string))
                    .ok_or_else(|| Error::Invalid(format!("小类“{}”没有默认处置单位，请选择派遣单位", class.name)))?;
                if self.tree.get(&unit).is_none() {
                    return Err(Error::not_found("单位", &unit));
                }
                let due = due_after(&WorkCalendar::national(), &WorkingHours::default(), at, &class)?;
                due_at = Some(due.text());
                CaseStep::Dispatch { unit, due: due.day }
            }
            StepRequest::SendBack { reason } => CaseStep::SendBack { reason },
            StepRequest::Dispose { result } => CaseStep::Dispose { result },
            StepRequest::Check { passed, note } => CaseStep::Check { passed, note },
            StepRequest::Close => CaseStep::Close,
            StepRequest::Extend { until } => {
                // The same time of day, on the later day.
                let minute =
                    case.due_at.as_deref().and_then(|d| Moment::parse(d).ok()).map_or(17 * 60 + 30, |m| m.minute);
                due_at = Some(Moment { day: until, minute }.text());
                CaseStep::Extend { until, approved_by: approver() }
            }
            StepRequest::Suspend { reason } => CaseStep::Suspend { reason, approved_by: approver() },
            StepRequest::Resume => CaseStep::Resume,
        };
        // The account's unit was checked against the case's above (its subtree may act).
        let next = apply(&case.status, &step, None, &self.config.cases.rules())?;
        if next.state == CaseState::Filed && case.status.state == CaseState::Dispatched {
            due_at = None;
        }
        let (name, note) = step.words();
        let mut tx = self.store.begin().await?;
        let unit = self.actor.unit.as_deref();
        tx.record_case_step(&case, &next, due_at.as_deref(), (name, &note), &self.actor.username, unit, &at.text())
            .await?;
        tx.commit().await?;
        self.store.case(id).await?.ok_or_else(|| Error::not_found("案件", id.to_string()))
    }
}

/// A group's evaluation over a period: its counts and rates (GB/T 30428.4), as percentages
/// to two places; a rate of nothing due is none, not zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseScore {
    pub counts: taizhang_store::CaseCounts,
    /// The street's or unit's name, or the class's.
    pub name: String,
    /// 结案率 = 结案数 ÷ 应结案数.
    pub closing_rate: Option<Decimal>,
    /// 按期结案率 = 按期结案数 ÷ 应结案数.
    pub on_time_rate: Option<Decimal>,
    /// 返工率 = 返工的结案数 ÷ 结案数.
    pub rework_rate: Option<Decimal>,
    /// 综合指标值: the rates weighed as `[cases]` configures (GB/T 30428.4).
    pub index: Option<Decimal>,
}

/// What an evaluation groups by, as the doors name it: street (街道), unit (处置单位, 单位),
/// class (小类) or cell (网格).
pub fn dimension_named(by: &str) -> Result<CaseDimension> {
    match by {
        "street" | "街道" => Ok(CaseDimension::Street),
        "unit" | "单位" | "处置单位" => Ok(CaseDimension::Unit),
        "class" | "小类" => Ok(CaseDimension::Class),
        "cell" | "网格" => Ok(CaseDimension::Cell),
        other => {
            Err(Error::Invalid(format!("“{other}”应为 street（街道）、unit（处置单位）、class（小类）或 cell（网格）")))
        }
    }
}

/// A month as the doors take it ("2018-06", "2018年6月"): cases are counted by the month.
pub fn case_month(text: &str) -> Result<(i32, u8)> {
    match text.trim().parse::<taizhang_core::period::Period>()? {
        taizhang_core::period::Period::Month(y, m) => Ok((y, m)),
        _ => Err(Error::Invalid(format!("“{text}”应为月份，如 2018-06"))),
    }
}

/// Degrees of longitude or latitude as typed ("113.6051"), exact.
pub fn degrees(text: &str) -> Result<Decimal> {
    text.trim().parse().map_err(|_| Error::Invalid(format!("“{text}”不是经纬度数值，如 113.6051")))
}

/// A month as the moments cases keep: its first day, and the next month's.
fn month_bounds(year: i32, month: u8) -> (String, String) {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    (format!("{year:04}-{month:02}-01"), format!("{ny:04}-{nm:02}-01"))
}

/// A period as the moments cases keep: its first month's first day, and the first day after
/// its last month.
fn period_bounds(period: taizhang_core::period::Period) -> (String, String) {
    use taizhang_core::period::Period;
    let (year, first) = match period {
        Period::Year(y) => (y, 1),
        Period::Quarter(y, q) => (y, (q - 1) * 3 + 1),
        Period::Month(y, m) => (y, m),
    };
    let last = period.closing_month();
    (month_bounds(year, first).0, month_bounds(last.year(), last.month_of_year()).1)
}

/// A period an evaluation covers, as typed: a month (2018-06), a quarter (2018Q2) or a year.
pub fn case_period(text: &str) -> Result<taizhang_core::period::Period> {
    Ok(text.trim().parse::<taizhang_core::period::Period>()?)
}

fn percent(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0).then(|| (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp(2))
}

impl Acting<'_> {
    /// The month's evaluation of the cases in the account's reach, by street, unit or class,
    /// ranked: the highest 按期结案率 first, then 结案率, then the most cases due; groups
    /// with nothing due last.
    pub async fn case_evaluation(&self, by: CaseDimension, (year, month): (i32, u8)) -> Result<Vec<CaseScore>> {
        self.case_evaluation_in(by, taizhang_core::period::Period::Month(year, month)).await
    }

    /// The evaluation of any period — a month, a quarter, a year — kept per figures' version
    /// (every case step moves it), so that the 考评 page and its map read it once.
    pub async fn case_evaluation_in(
        &self,
        by: CaseDimension,
        period: taizhang_core::period::Period,
    ) -> Result<Vec<CaseScore>> {
        let reach = self.reach(None)?;
        let (from, before) = period_bounds(period);
        let what = match by {
            CaseDimension::Street => "case_evaluation_street",
            CaseDimension::Unit => "case_evaluation_unit",
            CaseDimension::Class => "case_evaluation_class",
            CaseDimension::Cell => "case_evaluation_cell",
        };
        let scope = reach.clone().unwrap_or_default();
        let kept = self
            .remembered(what, &scope, period, Date::end_of(period), || {
                self.case_scores(by, &from, &before, reach.as_deref())
            })
            .await?;
        Ok(kept.as_ref().clone())
    }

    /// The groups' scores between two moments within a unit's subtree (all when none), ranked.
    async fn case_scores(
        &self,
        by: CaseDimension,
        from: &str,
        before: &str,
        within: Option<&str>,
    ) -> Result<Vec<CaseScore>> {
        let classes = self.store.case_classes().await?;
        let mut scores: Vec<CaseScore> = self
            .store
            .case_counts(by, from, before, within)
            .await?
            .into_iter()
            .map(|counts| {
                let name = match by {
                    CaseDimension::Class => {
                        classes.iter().find(|c| c.code == counts.key).map_or(counts.key.clone(), |c| c.name.clone())
                    }
                    CaseDimension::Cell => counts.key.clone(),
                    _ if counts.key.is_empty() => "未派遣".into(),
                    _ => self.unit_name(&counts.key),
                };
                let (closing_rate, on_time_rate, rework_rate) = (
                    percent(counts.closed, counts.due),
                    percent(counts.on_time, counts.due),
                    percent(counts.reworked, counts.closed),
                );
                CaseScore {
                    name,
                    index: self.config.cases.index(on_time_rate, closing_rate, rework_rate),
                    closing_rate,
                    on_time_rate,
                    rework_rate,
                    counts,
                }
            })
            .collect();
        scores.sort_by(|a, b| {
            (b.on_time_rate.is_some(), b.on_time_rate, b.closing_rate, b.counts.due, &a.counts.key).cmp(&(
                a.on_time_rate.is_some(),
                a.on_time_rate,
                a.closing_rate,
                a.counts.due,
                &b.counts.key,
            ))
        });
        Ok(scores)
    }
}

impl Acting<'_> {
    /// The month's 数字城管通报 of a unit (the district, a street): the totals in a sentence,
    /// the streets' and the disposing units' ranking by 按期结案率, and the overdue cases.
    pub(crate) async fn city_cases_document(
        &self,
        unit: &taizhang_core::org::OrgUnit,
        period: taizhang_core::period::Period,
    ) -> Result<taizhang_core::report::Document> {
        use taizhang_core::report::{DocSection, Document, Table, TableCell};
        let (year, month) = (period.year(), period.month_of_year());
        let (from, before) = month_bounds(year, month);
        let scope = unit.code.to_string();
        let streets = self.case_scores(CaseDimension::Street, &from, &before, Some(&scope)).await?;
        let units = self.case_scores(CaseDimension::Unit, &from, &before, Some(&scope)).await?;
        let mut sum = taizhang_store::CaseCounts::default();
        for s in &streets {
            sum.add(&s.counts);
        }
        let words = |r: Option<Decimal>| {
            r.map_or("—".to_string(), |r| format!("{}%", taizhang_core::quantity::format_number(r, 2)))
        };
        let label = period.label_zh(false);
        let overall = if sum.reported == 0 && sum.due == 0 {
            vec![]
        } else {
            vec![format!(
                "{label}，共上报城市管理问题{}件，立案{}件，派遣{}件；应结案{}件，结案{}件，按期结案{}件，结案率{}，按期结案率{}，返工率{}。",
                sum.reported,
                sum.filed,
                sum.dispatched,
                sum.due,
                sum.closed,
                sum.on_time,
                words(percent(sum.closed, sum.due)),
                words(percent(sum.on_time, sum.due)),
                words(percent(sum.reworked, sum.closed)),
            )]
        };
        let ranking = |caption: &str, first: &str, scores: &[CaseScore]| {
            let number = |n: u64| TableCell::Number(Decimal::from(n), 0);
            let rate = |r: Option<Decimal>| r.map_or(TableCell::Text("—".into()), |r| TableCell::Number(r, 2));
            let rows = scores
                .iter()
                .filter(|s| !s.counts.key.is_empty())
                .enumerate()
                .map(|(i, s)| {
                    let c = &s.counts;
                    vec![
                        TableCell::Text(if s.on_time_rate.is_some() { (i + 1).to_string() } else { "—".into() }),
                        TableCell::Text(s.name.clone()),
                        number(c.reported),
                        number(c.due),
                        number(c.closed),
                        number(c.on_time),
                        number(c.overdue),
                        rate(s.closing_rate),
                        rate(s.on_time_rate),
                        rate(s.index),
                    ]
                })
                .collect();
            let headers =
                [first, "上报", "应结案", "结案", "按期结案", "超期", "结案率(%)", "按期结案率(%)", "综合指标值"];
            Table {
                caption: caption.into(),
                headers: std::iter::once("名次").chain(headers).map(str::to_string).collect(),
                rows,
            }
        };
        let overdue = self.store.overdue_cases(&from, &before, Some(&scope)).await?;
        let late_rows: Vec<Vec<TableCell>> = overdue
            .iter()
            .map(|c| {
                vec![
                    TableCell::Text(format!("#{}", c.id)),
                    TableCell::Text(c.description.clone()),
                    TableCell::Text(self.unit_name(&c.street)),
                    TableCell::Text(c.status.unit.as_deref().map(|u| self.unit_name(u)).unwrap_or_default()),
                    TableCell::Text(c.due_at.clone().unwrap_or_default()),
                    TableCell::Text(c.status.state.label_zh().into()),
                ]
            })
            .collect();
        let mut sections = Vec::new();
        if !overall.is_empty() {
            sections.push(DocSection::new("一、总体情况", overall));
            let mut by_street = DocSection::new("二、各街道按期结案率排名", vec![]);
            by_street.tables.push(ranking("各街道", "街道", &streets));
            sections.push(by_street);
            let mut by_unit = DocSection::new("三、各处置单位办理情况", vec![]);
            by_unit.tables.push(ranking("各处置单位", "处置单位", &units));
            sections.push(by_unit);
            let said = if late_rows.is_empty() {
                "本月没有超期案件。".to_string()
            } else {
                format!("超期案件{}件：", late_rows.len())
            };
            let mut late = DocSection::new("四、超期案件", vec![said]);
            if !late_rows.is_empty() {
                let headers = ["编号", "问题描述", "街道", "处置单位", "处置时限", "状态"];
                late.tables.push(Table {
                    caption: "超期案件".into(),
                    headers: headers.map(str::to_string).to_vec(),
                    rows: late_rows,
                });
            }
            sections.push(late);
        }
        Ok(Document {
            title: format!("{}数字化城市管理工作通报", unit.name),
            subtitle: Some(label),
            sections,
            signature: None,
        })
    }
}
