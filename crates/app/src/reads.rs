//! Reads of the ledger as an account sees them: the catalogue, units and plan are open to
//! every account; a unit's figures to those who may read that unit (`Action::Read`).

use std::collections::HashMap;

use taizhang_core::access::Action;
use taizhang_core::indicator::{Catalogue, IndicatorValue, Target, ValueVersion};
use taizhang_core::org::OrgUnit;
use taizhang_core::period::Period;
use taizhang_core::plan::{KeyTask, Milestone, PlanNode};
use taizhang_core::project::{Date, MonthlyProgress, Problem, Project, YearPlan};
use taizhang_core::report::AnnualInput;
use taizhang_core::workflow::{Form, RoundStatus, reported_units};
use taizhang_core::world::ProjectRecord;

use crate::{Acting, Error, LedgerCounts, Result};

impl Acting<'_> {
    /// The unit a list covers: the one named (if the actor may read it), else the actor's
    /// own unit for unit roles, else none (the whole ledger).
    pub fn reach(&self, unit: Option<&str>) -> Result<Option<String>> {
        match unit {
            Some(u) => {
                let code = self.scope_of(Some(u))?;
                self.allow(Action::Read, &code)?;
                Ok(Some(code))
            }
            None if self.actor.role.needs_unit() => Ok(Some(self.scope_of(None)?)),
            None => Ok(None),
        }
    }

    pub async fn catalogue(&self) -> Result<Catalogue> {
        Ok(self.store.catalogue().await?)
    }

    pub async fn units(&self) -> Result<Vec<OrgUnit>> {
        Ok(self.store.units().await?)
    }

    /// A unit by code or name.
    pub fn find_unit(&self, code_or_name: &str) -> Result<OrgUnit> {
        self.tree.find(code_or_name).cloned().ok_or_else(|| Error::not_found("单位", code_or_name))
    }

    /// The top of the tree (the district, in a district's deployment).
    pub fn top_unit(&self) -> Result<OrgUnit> {
        self.tree.roots().next().cloned().ok_or_else(|| Error::Invalid("数据库中还没有单位".into()))
    }

    /// The named unit, or the top one.
    pub fn unit_or_top(&self, code_or_name: Option<&str>) -> Result<OrgUnit> {
        code_or_name.map_or_else(|| self.top_unit(), |u| self.find_unit(u))
    }

    pub async fn counts(&self) -> Result<LedgerCounts> {
        Ok(self.store.counts().await?)
    }

    /// Everything the annual summary of a unit says for a year.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, unit = %unit))]
    pub async fn annual_input(&self, catalogue: &Catalogue, unit: &str, year: i32) -> Result<AnnualInput> {
        self.allow(Action::Read, unit)?;
        let mut input = self.store.annual_input(catalogue, unit, year, self.config.lights.yellow_below_pp).await?;
        // 基层党建 from the year's confirmed 星级 rating of the unit's organisations, when rated.
        if self.store.party_scheme(year).await?.is_some() {
            let rating = self.party_rating_within(year, Some(unit)).await?;
            input.party = (!rating.rated.is_empty()).then(|| crate::party::rating_sentence(&rating));
        }
        Ok(input)
    }

    pub async fn plan_nodes(&self, unit: &str, year: i32) -> Result<Vec<PlanNode>> {
        Ok(self.store.plan_nodes(unit, year).await?)
    }

    pub async fn milestones(&self, unit: &str) -> Result<Vec<Milestone>> {
        Ok(self.store.milestones(unit).await?)
    }

    /// The latest month any progress is recorded for.
    pub async fn latest_progress_period(&self) -> Result<Option<Period>> {
        Ok(self.store.latest_progress_period().await?)
    }

    /// The month pages show by default: the later of the latest month whose progress round
    /// is closed and the latest month every owing unit reported; else the latest month with
    /// any progress. One unit's early figures do not move everyone's default.
    pub async fn default_period(&self) -> Result<Option<Period>> {
        // Asked by every page opened without a month: kept at the figures' version (it walks
        // the whole ledger's months).
        let (any, day) = (Period::Year(0), Date::end_of(Period::Year(0)));
        let kept = self.remembered("default period", "", any, day, || self.find_default_period()).await?;
        Ok(*kept)
    }

    async fn find_default_period(&self) -> Result<Option<Period>> {
        let Some(latest) = self.store.latest_progress_period().await? else { return Ok(None) };
        let closed = self
            .store
            .rounds()
            .await?
            .into_iter()
            .filter(|r| r.form == Form::ProjectProgress && r.status == RoundStatus::Closed)
            .map(|r| r.period.closing_month())
            .max();
        // Walk back from the latest month (two years at most): usually the first or second
        // month asked is complete, each one an indexed count of that month's rows.
        let mut complete = None;
        let (mut year, mut month) = (latest.year(), latest.month_of_year());
        for _ in 0..24 {
            let (reported, owing) = self.store.month_reporting(Period::Month(year, month)).await?;
            if reported > 0 && reported >= owing {
                complete = Some(Period::Month(year, month));
                break;
            }
            (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
        }
        Ok(closed.max(complete).or(Some(latest)))
    }

    /// "（填报中，已报X/Y个单位）" for a month still being reported (its round open, or,
    /// without a round, not every unit of the scope owing progress has reported — counted from
    /// the units' kept figures, so that a district's note reads its own units only); empty
    /// once it is complete.
    pub async fn period_note(&self, period: Period, unit: Option<&str>, today: Date) -> Result<String> {
        let scope = self.scope_of(unit)?;
        self.allow(Action::Read, &scope)?;
        let month = period.closing_month();
        let (reported, owing) = match self.store.round(month, Form::ProjectProgress).await? {
            Some(round) if round.status == RoundStatus::Closed => return Ok(String::new()),
            Some(round) => reported_units(&self.round_status(&round, today).await?),
            // The day the dashboard's figures are kept under (the month's end).
            None => self.kept_project_figures(&scope, period, Date::end_of(period)).await?.reporting,
        };
        Ok(if reported < owing {
            format!("（填报中，已报{reported}/{owing}个单位）")
        } else {
            String::new()
        })
    }

    /// A project, if the actor may read its unit's records.
    pub async fn project(&self, code: &str) -> Result<Option<Project>> {
        let Some(p) = self.store.project(code).await? else { return Ok(None) };
        self.allow(Action::Read, &p.responsibility.unit)?;
        Ok(Some(p))
    }

    /// Checks that the actor may read a project's records.
    async fn allow_project(&self, code: &str) -> Result<()> {
        self.project(code).await?.map(|_| ()).ok_or_else(|| Error::not_found("项目", code))
    }

    // A project already read through [`Acting::project`] is checked again in memory only.

    pub async fn year_plan(&self, project: &Project, year: i32) -> Result<Option<YearPlan>> {
        self.allow(Action::Read, &project.responsibility.unit)?;
        Ok(self.store.year_plan(&project.code, year).await?)
    }

    pub async fn project_progress(&self, project: &Project, year: i32) -> Result<Vec<MonthlyProgress>> {
        self.allow(Action::Read, &project.responsibility.unit)?;
        Ok(self.store.project_progress(&project.code, year).await?)
    }

    /// A project's problems as its ledger records them.
    pub async fn project_problems(&self, project: &Project) -> Result<Vec<Problem>> {
        self.allow(Action::Read, &project.responsibility.unit)?;
        Ok(self.store.problems(&project.code).await?)
    }

    /// A project's report of one month.
    pub async fn progress(&self, project: &str, period: Period) -> Result<Option<MonthlyProgress>> {
        self.allow_project(project).await?;
        Ok(self.store.progress(project, period).await?)
    }

    /// The 重点项目 list of a month in the actor's reach: the projects planned that year, each
    /// one's light and 年初至报告期累计 of the month — computed once for the figures' version
    /// and kept (a city's 4,000 records cost 0.15 s to read), the page only filtering, sorting
    /// and cutting it.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, period = %period))]
    pub async fn project_list(&self, period: Period) -> Result<std::sync::Arc<ProjectList>> {
        let reach = self.reach(None)?;
        let scope = reach.clone().map_or_else(|| self.top_unit().map(|u| u.code.to_string()), Ok)?;
        let as_of = Date::end_of(period);
        self.remembered("project list", &scope, period, as_of, || async {
            let records = self.store.project_records(Some(period.year()), reach.as_deref()).await?;
            let lights = self
                .project_warnings(period, reach.as_deref(), as_of)
                .await?
                .into_iter()
                .map(|w| (w.code, w.lit))
                .collect();
            let ytd = self
                .store
                .progress_of_month(period.year(), period.month_of_year(), reach.as_deref())
                .await?
                .into_iter()
                .map(|g| (g.project, g.ytd_wan))
                .collect();
            Ok(ProjectList { records, lights, ytd })
        })
        .await
    }

    /// Projects (with plans and progress) of a year in a unit's subtree.
    pub async fn project_records(&self, year: Option<i32>, unit: Option<&str>) -> Result<Vec<ProjectRecord>> {
        let reach = self.reach(unit)?;
        Ok(self.store.project_records(year, reach.as_deref()).await?)
    }

    /// Projects by code, as stored, those outside the actor's reach left out.
    pub async fn projects_by_code(&self, codes: &[String]) -> Result<HashMap<String, ProjectRecord>> {
        let mut found = self.store.projects_by_code(codes).await?;
        found.retain(|_, r| self.may(Action::Read, &r.project.responsibility.unit));
        Ok(found)
    }

    /// Monthly progress of a year (up to a month when given) in a unit's subtree.
    pub async fn progress_rows(&self, year: i32, upto: Option<u8>, unit: Option<&str>) -> Result<Vec<MonthlyProgress>> {
        let reach = self.reach(unit)?;
        Ok(self.store.progress_rows(year, upto, reach.as_deref()).await?)
    }

    /// The reports of one month in a unit's subtree.
    pub async fn progress_of_month(&self, year: i32, month: u8, unit: Option<&str>) -> Result<Vec<MonthlyProgress>> {
        let reach = self.reach(unit)?;
        Ok(self.store.progress_of_month(year, month, reach.as_deref()).await?)
    }

    pub async fn value(&self, indicator: &str, unit: &str, period: Period) -> Result<Option<IndicatorValue>> {
        self.allow(Action::Read, unit)?;
        Ok(self.store.value(indicator, unit, period).await?)
    }

    /// The versions of an indicator's figures for a unit (of one period, when given).
    pub async fn value_history(
        &self,
        indicator: &str,
        unit: &str,
        period: Option<Period>,
    ) -> Result<Vec<ValueVersion>> {
        self.allow(Action::Read, unit)?;
        Ok(self.store.value_history(indicator, unit, period).await?)
    }

    pub async fn target(&self, indicator: &str, unit: &str, year: i32) -> Result<Option<Target>> {
        self.allow(Action::Read, unit)?;
        Ok(self.store.target(indicator, unit, year).await?)
    }

    pub async fn indicator_series(&self, indicator: &str, unit: &str) -> Result<Vec<IndicatorValue>> {
        self.allow(Action::Read, unit)?;
        Ok(self.store.indicator_series(indicator, unit).await?)
    }

    pub async fn values_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<IndicatorValue>> {
        let reach = self.reach(unit)?;
        Ok(self.store.values_of_year(year, reach.as_deref()).await?)
    }

    pub async fn targets_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<Target>> {
        let reach = self.reach(unit)?;
        Ok(self.store.targets_of_year(year, reach.as_deref()).await?)
    }

    /// The honours of a year within the actor's reach.
    pub async fn honours_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<taizhang_core::honour::Honour>> {
        let reach = self.reach(unit)?;
        Ok(self.store.honours_of_year(year, reach.as_deref()).await?)
    }

    pub async fn tasks_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<KeyTask>> {
        let reach = self.reach(unit)?;
        Ok(self.store.tasks_of_year(year, reach.as_deref()).await?)
    }

    /// A task, if the actor may read its lead unit's records.
    pub async fn task(&self, code: &str) -> Result<Option<KeyTask>> {
        let Some(t) = self.store.task(code).await? else { return Ok(None) };
        self.allow(Action::Read, &t.lead_unit)?;
        Ok(Some(t))
    }
}

/// The 重点项目 list of a month (see [`Acting::project_list`]).
#[derive(Debug, Clone)]
pub struct ProjectList {
    /// In code order.
    pub records: Vec<ProjectRecord>,
    /// Each project's light, by code.
    pub lights: HashMap<String, taizhang_core::lights::Lit>,
    /// 年初至报告期累计 of the month, by code (none: not reported).
    pub ytd: HashMap<String, taizhang_core::Decimal>,
}
