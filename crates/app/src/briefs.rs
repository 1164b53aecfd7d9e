//! Gathering what the monthly 调度通报 and the 综合考核 league table say, through the
//! actor's permissions; the sums come from the store, the phrasing from `core`.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use taizhang_core::access::Action;
use taizhang_core::assessment::{CaseMeasure, Measure, Scheme, Source};
use taizhang_core::briefing::{BriefingInput, Coverage, LateOrder, LitItem, OpenProblem, Totals};
use taizhang_core::indicator::{Indicator, IndicatorValue, Target};
use taizhang_core::lights::{Light, Warning};
use taizhang_core::org::OrgUnit;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, completion_pct};
use taizhang_core::supervision::OrderState;
use taizhang_core::workflow::{Form, UnitStanding, reported_units};
use taizhang_store::TotalsSet;

use crate::{Acting, Error, Result};

/// What the leader's dashboard shows of a unit for a month: its lights, the briefing's
/// figures, the core indicators beside their targets and the year's monthly line.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub top: OrgUnit,
    /// Every project, task, indicator and order lit (shared with the kept warnings).
    pub warnings: Arc<Vec<Warning>>,
    pub input: BriefingInput,
    /// "（填报中，已报3/5个单位）" while the month is being reported.
    pub note: String,
    /// The 经济 section's indicators with a figure or a target: the period's value (or the
    /// year's), and the year's target.
    pub indicators: Vec<(Indicator, Option<IndicatorValue>, Option<Target>)>,
    /// Year-to-date investment as of each month, January through the period's.
    pub by_month: Vec<Decimal>,
    /// 基层党建: the 星级 rating of the latest year with a scheme, up to the period's.
    pub party: Option<crate::party::PartyRating>,
}

/// The units a scheme assesses ((code, name), in tree order) and their measures by
/// (criterion key, unit code).
pub type AssessmentInput = (Vec<(String, String)>, HashMap<(String, String), Measure>);

impl Acting<'_> {
    /// Totals of a scope as of a period, all and flagged 亿元以上, by category and by unit.
    async fn totals(&self, scope: &str, period: Period) -> Result<TotalsSet> {
        Ok(self.store.investment_totals(scope, period).await?)
    }

    /// Everything the monthly 调度通报 of a unit says for `period`, as on `today`.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, period = %period))]
    pub async fn briefing_input(
        &self,
        period: Period,
        unit: Option<&str>,
        today: Date,
        issued_by: &str,
    ) -> Result<BriefingInput> {
        let scope = self.scope_of(unit)?;
        let warnings = self.warnings(period, Some(&scope), today).await?;
        let mut input = self.briefing_with(period, &scope, today, issued_by, &warnings).await?;
        // Last year at the same month, when it was reported: the briefing's comparison, a
        // whole as-of pass of its own, so not on the dashboard that shares the rest.
        if let Period::Month(y, m) = period {
            input.last_year = Some(self.totals(&scope, Period::Month(y - 1, m)).await?.all)
                .filter(|t| t.projects > 0 && t.planned_wan > Decimal::ZERO && t.ytd_wan > Decimal::ZERO);
        }
        Ok(input)
    }

    /// The dashboard of the actor's unit (the top one for the district's roles) for a month,
    /// as on `today`: computed once for the ledger's version and kept, so that reading it
    /// again before anyone writes costs a lookup.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, period = %period))]
    pub async fn dashboard(&self, period: Period, today: Date) -> Result<Arc<Dashboard>> {
        let top = match self.reach(None)? {
            Some(u) => self.find_unit(&u)?,
            None => self.top_unit()?,
        };
        self.allow(Action::Read, &top.code)?;
        let code = top.code.to_string();
        self.remembered("dashboard", &code, period, today, || self.compute_dashboard(top, period, today)).await
    }

    async fn compute_dashboard(&self, top: OrgUnit, period: Period, today: Date) -> Result<Dashboard> {
        let code = top.code.to_string();
        let as_of = Date::end_of(period);
        let warnings = self.shared_warnings(period, Some(&code), as_of).await?;
        let mut input = self.briefing_with(period, &code, as_of, "", &warnings).await?;
        // The briefing's list of every lit item is for its document; the dashboard counts
        // and lists from `warnings` (a province's lit items are tens of thousands).
        input.lit = Vec::new();
        let note = self.period_note(period, Some(&code), today).await?;
        let catalogue = self.store.catalogue().await?;
        let mut indicators = Vec::new();
        for ind in catalogue.indicators.iter().filter(|i| i.phrasing.section == "economy") {
            let value = match self.store.value(&ind.code, &code, period).await? {
                Some(v) => Some(v),
                None => self.store.value(&ind.code, &code, Period::Year(period.year())).await?,
            };
            let target = self.store.target(&ind.code, &code, period.year()).await?;
            if value.is_some() || target.is_some() {
                indicators.push((ind.clone(), value, target));
            }
        }
        let by_month = self.kept_project_figures(&code, period, as_of).await?.by_month.clone();
        let party = match self.party_years().await?.into_iter().find(|y| *y <= period.year()) {
            Some(year) => Some(self.party_rating_within(year, Some(&code)).await?),
            None => None,
        };
        Ok(Dashboard { top, warnings, input, note, indicators, by_month, party })
    }

    /// The briefing's figures with the period's warnings already computed (the dashboard
    /// shows both and computes them once).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, period = %period))]
    pub async fn briefing_with(
        &self,
        period: Period,
        scope: &str,
        today: Date,
        issued_by: &str,
        warnings: &[Warning],
    ) -> Result<BriefingInput> {
        self.allow(Action::Read, scope)?;
        let top = self.tree.get(scope).ok_or_else(|| Error::not_found("单位", scope))?.clone();
        let figures = self.kept_project_figures(scope, period, today).await?;
        let TotalsSet { mut all, flagged, flagship, by_category, by_unit, by_nature } = figures.totals.clone();
        let flagship = flagship.map(|t| Totals { label: "出彩项目".into(), ..t });
        all.label = "重点项目".into();
        let over_100m = flagged.map(|t| Totals { label: "亿元以上项目".into(), ..t });

        let starts = &figures.starts;
        let started = starts.iter().filter(|s| s.started).count() as u64;
        let not_started = starts.iter().filter(|s| !s.started).take(5).map(|s| s.name.clone()).collect();

        let lit = warnings
            .iter()
            .filter(|w| w.lit.light != Light::Green)
            .map(|w| LitItem {
                light: w.lit.light,
                kind: w.kind.label_zh().into(),
                name: w.name.clone(),
                unit: w.unit.clone(),
                reason: w.lit.reason.clone(),
            })
            .collect();
        let open: Vec<_> = self.problems(Some(scope)).await?.into_iter().filter(|p| p.resolved_on.is_none()).collect();
        // The projects' names in one read, not one a problem.
        let codes: Vec<String> = open.iter().map(|p| p.project.clone()).collect();
        let names = self.store.projects_by_code(&codes).await?;
        let problems = open
            .into_iter()
            .map(|p| OpenProblem {
                project: names.get(&p.project).map_or_else(|| p.project.clone(), |r| r.project.name.clone()),
                description: p.description,
                level: p.level.label_zh().into(),
                deadline: p.deadline,
            })
            .collect();
        let late_orders = self
            .orders(Some(scope))
            .await?
            .into_iter()
            .filter(|o| o.state != OrderState::Closed && o.deadline < today)
            .map(|o| LateOrder { unit: self.unit_name(&o.unit), title: o.title, deadline: o.deadline })
            .collect();
        let coverage = self.coverage(period, today).await?;
        Ok(BriefingInput {
            unit_name: top.name.clone(),
            whole: top.kind.whole_zh().into(),
            period,
            issued_by: issued_by.to_string(),
            issued_on: today,
            all,
            over_100m,
            flagship,
            by_category,
            by_unit,
            by_nature,
            last_year: None,
            pace_word: self.config.reports.pace_word.clone(),
            starts_due: starts.len() as u64,
            started,
            not_started,
            lit,
            problems,
            late_orders,
            coverage,
        })
    }

    /// Who reported the period's project progress, as its round shows on `today`.
    pub async fn coverage(&self, period: Period, today: Date) -> Result<Coverage> {
        let Some(round) = self.store.round(period.closing_month(), Form::ProjectProgress).await? else {
            return Ok(Coverage::NoRound);
        };
        let standings = self.round_status(&round, today).await?;
        let (reported, owing) = reported_units(&standings);
        if today <= round.due && reported < owing {
            return Ok(Coverage::Open { reported, owing });
        }
        let names = |keep: &dyn Fn(&UnitStanding) -> bool| {
            standings.iter().filter(|u| u.owed > 0 && keep(u)).map(|u| u.name.clone()).collect()
        };
        Ok(Coverage::Due { missing: names(&|u| u.sent < u.owed), late: names(&|u| u.late) })
    }

    /// The units a scheme assesses and their measures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn assessment_measures(&self, scheme: &Scheme) -> Result<AssessmentInput> {
        let period: Period = scheme.period.parse()?;
        let units: Vec<(String, String)> = if scheme.units.is_empty() {
            let root = self.scope_of(scheme.units_under.as_deref())?;
            self.tree
                .subtree(&root)
                .into_iter()
                .filter(|u| {
                    u.code != root
                        && (scheme.kinds.is_empty()
                            || scheme.kinds.iter().any(|k| k == u.kind.code() || k == u.kind.label_zh()))
                })
                .map(|u| (u.code.to_string(), u.name.clone()))
                .collect()
        } else {
            scheme
                .units
                .iter()
                .map(|c| {
                    self.tree
                        .find(c)
                        .map(|u| (u.code.to_string(), u.name.clone()))
                        .ok_or_else(|| Error::not_found("单位", c))
                })
                .collect::<Result<_>>()?
        };
        for (code, _) in &units {
            self.allow(Action::Read, code)?;
        }
        let catalogue = self.store.catalogue().await?;
        let mut measures = HashMap::new();
        // 数字城管's month, scored once for streets (their cells) and units (dispatched to them).
        let mut case_scores: Option<Vec<crate::cases::CaseScore>> = None;
        for (key, source) in scheme.sources()? {
            for (unit, _) in &units {
                let m = match &source {
                    Source::ProjectCompletion => {
                        let t = self.totals(unit, period).await?.all;
                        Measure {
                            value: completion_pct(t.ytd_wan, t.planned_wan).map(|p| p.round_dp(2)),
                            carried: t.carried,
                            ..Measure::default()
                        }
                    }
                    Source::TaskCompletion => {
                        Measure { value: self.store.task_completion(unit, period.year()).await?, ..Measure::default() }
                    }
                    Source::Cases(which) => {
                        if case_scores.is_none() {
                            let month = period.closing_month();
                            let month = (month.year(), month.month_of_year());
                            let mut all = self.case_evaluation(taizhang_store::CaseDimension::Street, month).await?;
                            all.extend(self.case_evaluation(taizhang_store::CaseDimension::Unit, month).await?);
                            case_scores = Some(all);
                        }
                        let score = case_scores.iter().flatten().find(|s| &s.counts.key == unit);
                        let value = score.and_then(|s| match which {
                            CaseMeasure::OnTimeRate => s.on_time_rate,
                            CaseMeasure::ClosingRate => s.closing_rate,
                            CaseMeasure::Index => s.index,
                        });
                        Measure { value, ..Measure::default() }
                    }
                    Source::IndicatorGrowth(code) => {
                        let ind = catalogue.require(code)?;
                        let value = self.store.value(&ind.code, unit, period).await?;
                        let target = self.store.target(&ind.code, unit, period.year()).await?;
                        Measure {
                            value: value.and_then(|v| v.reported_growth),
                            target: target.as_ref().and_then(|t| t.growth),
                            bound: target.as_ref().and_then(|t| t.bound),
                            worded: target.as_ref().is_some_and(|t| t.text.is_some()),
                            ..Measure::default()
                        }
                    }
                    Source::Indicator(code) => {
                        let ind = catalogue.require(code)?;
                        let level = self.store.value(&ind.code, unit, period).await?.and_then(|v| v.value);
                        let target = self.store.target(&ind.code, unit, period.year()).await?;
                        let worded = target.as_ref().is_some_and(|t| t.text.is_some());
                        let bound = target.as_ref().and_then(|t| t.bound);
                        match target.and_then(|t| t.level) {
                            Some(t) => Measure {
                                value: level.and_then(|v| completion_pct(v, t)).map(|p| p.round_dp(2)),
                                target: Some(Decimal::ONE_HUNDRED),
                                bound,
                                worded,
                                ..Measure::default()
                            },
                            None => {
                                Measure { value: level.map(|v| v / ind.unit.factor()), worded, ..Measure::default() }
                            }
                        }
                    }
                };
                measures.insert((key.to_string(), unit.clone()), m);
            }
        }
        Ok((units, measures))
    }

    /// Year-to-date investment of a unit's projects by month, January through `through`.
    pub async fn monthly_ytd(&self, scope: &str, year: i32, through: u8) -> Result<Vec<Decimal>> {
        self.allow(Action::Read, scope)?;
        Ok(self.store.monthly_ytd(scope, year, through).await?)
    }
}
