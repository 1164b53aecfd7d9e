//! What the monthly briefing and the assessment league table need from the ledger, summed
//! in the database and read through the service layer's permissions.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::assessment::{Measure, Scheme};
use taizhang_core::briefing::{BriefingInput, LateOrder, LitItem, OpenProblem, Totals};
use taizhang_core::period::Period;
use taizhang_core::project::{Date, completion_pct};
use taizhang_core::quantity::from_scaled;
use taizhang_core::supervision::OrderState;
use taizhang_core::workflow::Form;

use crate::reports::FLAG_OVER_100M;
use crate::reports::SUBTREE;
use crate::service::Service;
use crate::{Result, StoreError};

/// How project totals are grouped.
enum Group {
    All(&'static str),
    Category,
    Unit,
}

impl Service<'_> {
    /// Plan, month and year-to-date totals of the projects with a plan in the period's year,
    /// at the period's month, in a unit's subtree (`flag`: only projects so flagged).
    async fn project_totals(
        &self,
        scope: &str,
        period: Period,
        group: Group,
        flag: Option<&str>,
    ) -> Result<Vec<Totals>> {
        let (label, group_by) = match group {
            Group::All(label) => (format!("'{label}'"), ""),
            Group::Category => ("p.category".to_string(), "GROUP BY p.category ORDER BY p.category"),
            Group::Unit => ("u.name".to_string(), "GROUP BY u.name ORDER BY u.name"),
        };
        let flagged = if flag.is_some() {
            "AND EXISTS (SELECT 1 FROM project_flags f WHERE f.project_id = p.id AND f.flag = $4)"
        } else {
            "AND $4 = $4"
        };
        let sql = format!(
            "{SUBTREE}
             SELECT {label} AS label, COUNT(*) AS n, CAST(SUM(y.planned_e4) AS BIGINT) AS planned,
                 CAST(SUM(COALESCE(g.month_e4, 0)) AS BIGINT) AS month, CAST(SUM(COALESCE(g.ytd_e4, 0)) AS BIGINT) AS ytd
             FROM project_year_plans y JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
             JOIN org_units u ON u.id = p.unit_id
             LEFT JOIN project_progress g ON g.project_id = p.id AND g.period = $3
             WHERE y.year = $2 {flagged} {group_by}"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(scope)
            .bind(i64::from(period.year()))
            .bind(period.closing_month().key())
            .bind(flag.unwrap_or(""))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("n")?;
                let sum = |col: &str| -> Result<Decimal> {
                    Ok(r.try_get::<Option<i64>, _>(col)?.map(from_scaled).unwrap_or_default())
                };
                Ok(Totals {
                    label: r.try_get("label")?,
                    projects: u64::try_from(n).unwrap_or_default(),
                    planned_wan: sum("planned")?,
                    month_wan: sum("month")?,
                    ytd_wan: sum("ytd")?,
                })
            })
            .filter(|t: &Result<Totals>| t.as_ref().map_or(true, |t| t.projects > 0))
            .collect::<Result<Vec<Totals>>>()
            .map(|mut v| {
                // Sorted here, not by the database's collation, so every backend agrees.
                v.sort_by(|a, b| a.label.cmp(&b.label));
                v
            })
    }

    /// Everything the monthly 调度通报 of a unit says for `period`, as on `today`.
    pub async fn briefing_input(
        &self,
        period: Period,
        unit: Option<&str>,
        today: Date,
        issued_by: &str,
    ) -> Result<BriefingInput> {
        let scope = self.scope_of(unit)?;
        let warnings = self.warnings(period, Some(&scope), today).await?;
        self.briefing_with(period, &scope, today, issued_by, &warnings).await
    }

    /// The briefing's figures with the period's warnings already computed (the dashboard
    /// shows both and computes them once).
    pub async fn briefing_with(
        &self,
        period: Period,
        scope: &str,
        today: Date,
        issued_by: &str,
        warnings: &[crate::Warning],
    ) -> Result<BriefingInput> {
        let scope = scope.to_string();
        let top = self.tree.get(&scope).ok_or_else(|| StoreError::not_found("单位", &scope))?.clone();
        let all = self
            .project_totals(&scope, period, Group::All("重点项目"), None)
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
        let over_100m = self
            .project_totals(&scope, period, Group::All("亿元以上项目"), Some(FLAG_OVER_100M))
            .await?
            .into_iter()
            .next();
        let by_category = self.project_totals(&scope, period, Group::Category, None).await?;
        let by_unit = self.project_totals(&scope, period, Group::Unit, None).await?;

        let end = Date::end_of(period).to_string();
        let sql = format!(
            "{SUBTREE}
             SELECT p.name, CASE WHEN p.actual_start IS NOT NULL AND p.actual_start <= $3 THEN 1
                 WHEN g.ytd_e4 > 0 THEN 1 ELSE 0 END AS started
             FROM project_year_plans y JOIN projects p ON p.id = y.project_id JOIN sub ON sub.id = p.unit_id
             LEFT JOIN project_progress g ON g.project_id = p.id AND g.period = $4
             WHERE y.year = $2 AND p.nature = '新开工' AND p.planned_start IS NOT NULL AND p.planned_start <= $3
             ORDER BY p.sample, p.code"
        );
        let starts = sqlx::query(AssertSqlSafe(sql))
            .bind(&scope)
            .bind(i64::from(period.year()))
            .bind(&end)
            .bind(period.closing_month().key())
            .fetch_all(&self.store.pool)
            .await?;
        let mut started = 0;
        let mut not_started = Vec::new();
        for r in &starts {
            if r.try_get::<i64, _>("started")? == 1 {
                started += 1;
            } else if not_started.len() < 5 {
                not_started.push(r.try_get("name")?);
            }
        }

        let lit = warnings
            .iter()
            .filter(|w| w.lit.light != taizhang_core::lights::Light::Green)
            .map(|w| LitItem {
                light: w.lit.light,
                kind: w.kind.label_zh().into(),
                name: w.name.clone(),
                unit: w.unit.clone(),
                reason: w.lit.reason.clone(),
            })
            .collect();
        let mut problems = Vec::new();
        for p in self.problems(Some(&scope)).await?.into_iter().filter(|p| p.resolved_on.is_none()) {
            let name = self.store.project(&p.project).await?.map_or(p.project.clone(), |x| x.name);
            problems.push(OpenProblem {
                project: name,
                description: p.description,
                level: p.level.label_zh().into(),
                deadline: p.deadline,
            });
        }
        let late_orders = self
            .orders(Some(&scope))
            .await?
            .into_iter()
            .filter(|o| o.state != OrderState::Closed && o.deadline < today)
            .map(|o| LateOrder {
                unit: self.tree.get(&o.unit).map_or(o.unit.clone(), |u| u.name.clone()),
                title: o.title,
                deadline: o.deadline,
            })
            .collect();
        let late_units = match self.round(period.closing_month(), Form::ProjectProgress).await {
            Ok(round) => self.overdue(&round, today).await?.into_iter().map(|u| u.name).collect(),
            Err(StoreError::NotFound { .. }) => vec![],
            Err(e) => return Err(e),
        };
        Ok(BriefingInput {
            unit_name: top.name.clone(),
            whole: top.kind.whole_zh().into(),
            period,
            issued_by: issued_by.to_string(),
            issued_on: today,
            all,
            over_100m,
            by_category,
            by_unit,
            starts_due: starts.len() as u64,
            started,
            not_started,
            lit,
            problems,
            late_orders,
            late_units,
        })
    }

    /// The units a scheme assesses ((code, name), in tree order) and their measures.
    pub async fn assessment_measures(
        &self,
        scheme: &Scheme,
    ) -> Result<(Vec<(String, String)>, HashMap<(String, String), Measure>)> {
        let period: Period = scheme.period.parse()?;
        let units: Vec<(String, String)> = if scheme.units.is_empty() {
            let root = match &scheme.units_under {
                Some(u) => self.scope_of(Some(u))?,
                None => self.scope_of(None)?,
            };
            self.tree
                .subtree(&root)
                .into_iter()
                .filter(|u| {
                    u.code != root
                        && (scheme.kinds.is_empty()
                            || scheme.kinds.iter().any(|k| k == u.kind.code() || k == u.kind.label_zh()))
                })
                .map(|u| (u.code.clone(), u.name.clone()))
                .collect()
        } else {
            scheme
                .units
                .iter()
                .map(|c| {
                    self.tree
                        .find(c)
                        .map(|u| (u.code.clone(), u.name.clone()))
                        .ok_or_else(|| StoreError::not_found("单位", c))
                })
                .collect::<Result<_>>()?
        };
        for (code, _) in &units {
            self.allow_read_unit(code)?;
        }
        let catalogue = self.store.catalogue().await?;
        let mut measures = HashMap::new();
        for (key, source) in scheme.sources() {
            for (unit, _) in &units {
                let m = match source.split_once(':') {
                    None if source == "project_completion" => {
                        let t = self.project_totals(unit, period, Group::All(""), None).await?.into_iter().next();
                        Measure {
                            value: t.and_then(|t| completion_pct(t.ytd_wan, t.planned_wan)).map(|p| p.round_dp(2)),
                            target: None,
                        }
                    }
                    None if source == "task_completion" => {
                        Measure { value: self.task_completion(unit, period.year()).await?, target: None }
                    }
                    Some(("indicator", code)) | Some(("indicator_growth", code)) => {
                        let ind = catalogue.require(code)?;
                        let value = self.store.value(&ind.code, unit, period).await?;
                        let target = self.store.target(&ind.code, unit, period.year()).await?;
                        if source.starts_with("indicator_growth") {
                            Measure {
                                value: value.and_then(|v| v.reported_growth),
                                target: target.and_then(|t| t.growth),
                            }
                        } else {
                            let level = value.and_then(|v| v.value);
                            match target.and_then(|t| t.level) {
                                Some(t) => Measure {
                                    value: level.and_then(|v| completion_pct(v, t)).map(|p| p.round_dp(2)),
                                    target: Some(Decimal::ONE_HUNDRED),
                                },
                                None => Measure { value: level.map(|v| v / ind.unit.factor()), target: None },
                            }
                        }
                    }
                    _ => return Err(StoreError::Config(format!("考核指标来源“{source}”无法识别"))),
                };
                measures.insert((key.to_string(), unit.clone()), m);
            }
        }
        Ok((units, measures))
    }

    /// Year-to-date investment of a unit's projects by month, January through `through`.
    pub async fn monthly_ytd(&self, scope: &str, year: i32, through: u8) -> Result<Vec<Decimal>> {
        self.allow_read_unit(scope)?;
        let sql = format!(
            "{SUBTREE}
             SELECT g.month, CAST(SUM(g.ytd_e4) AS BIGINT) FROM project_progress g JOIN projects p ON p.id = g.project_id
             JOIN sub ON sub.id = p.unit_id WHERE g.year = $2 AND g.month <= $3 GROUP BY g.month"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(scope)
            .bind(i64::from(year))
            .bind(i64::from(through))
            .fetch_all(&self.store.pool)
            .await?;
        let mut out = vec![Decimal::ZERO; usize::from(through)];
        for r in rows {
            let month = usize::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0);
            if let Some(slot) = month.checked_sub(1).and_then(|i| out.get_mut(i)) {
                *slot = r.try_get::<Option<i64>, _>(1)?.map(from_scaled).unwrap_or_default();
            }
        }
        Ok(out)
    }

    async fn task_completion(&self, unit: &str, year: i32) -> Result<Option<Decimal>> {
        let sql = format!(
            "{SUBTREE}
             SELECT COUNT(*), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) FROM tasks t JOIN sub ON sub.id = t.lead_unit_id
             WHERE t.year = $2"
        );
        let row = sqlx::query(AssertSqlSafe(sql)).bind(unit).bind(i64::from(year)).fetch_one(&self.store.pool).await?;
        let total: i64 = row.try_get(0)?;
        let done: i64 = row.try_get::<Option<i64>, _>(1)?.unwrap_or_default();
        Ok(completion_pct(Decimal::from(done), Decimal::from(total)).map(|p| p.round_dp(2)))
    }
}
