//! 数字化城市管理 (migration 0014): the unit grid, the classes of 部件 and 事件, and the cases
//! with every step they took. Which step may follow which is core's rule (`cases::apply`);
//! here each step is kept beside the state it left, guarded by the case's version.

use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;
pub use taizhang_core::cases::CaseClass;
use taizhang_core::cases::{CaseState, CaseStatus};
use taizhang_core::project::Date;

use crate::error::StoreError;
use crate::filter::{self, Filtered};
use crate::ledger::unit_id;
use crate::{Result, Store, Tx};

/// A grid cell as kept: its outline as GeoJSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCellRow {
    pub code: String,
    pub name: String,
    /// The street's unit code.
    pub street: String,
    pub community: String,
    pub shape: String,
    pub sample: bool,
}

/// A case as reported (信息收集).
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub class: &'a str,
    /// The cell the point lies in (located by the caller).
    pub cell: &'a str,
    pub lon: Decimal,
    pub lat: Decimal,
    pub address: &'a str,
    pub description: &'a str,
    /// The photos' names, one a line.
    pub photos: &'a str,
    pub reported_by: &'a str,
    /// Local time, "YYYY-MM-DD HH:MM".
    pub reported_at: &'a str,
    pub sample: bool,
}

/// A case as its steps have left it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    pub id: i64,
    pub class: String,
    pub cell: String,
    /// The street (unit code) of its cell.
    pub street: String,
    pub lon: Decimal,
    pub lat: Decimal,
    pub address: String,
    pub description: String,
    pub photos: String,
    pub reported_by: String,
    pub reported_at: String,
    pub status: CaseStatus,
    /// When it is due, "YYYY-MM-DD HH:MM" (its date is `status.due`).
    pub due_at: Option<String>,
    pub closed_at: Option<String>,
    pub version: i64,
}

/// One step of a case's trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStepRow {
    pub step: String,
    pub note: String,
    pub actor: String,
    pub unit: Option<String>,
    pub at: String,
    pub from: CaseState,
    pub to: CaseState,
}

/// Which cases a list shows: each condition only when given.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter<'a> {
    /// Cases of the streets in this unit's subtree (their cells'), or with a unit in it.
    pub within: Option<&'a str>,
    pub state: Option<CaseState>,
    /// Reported on or after this moment ("YYYY-MM-DD" or with the time).
    pub reported_from: Option<&'a str>,
    /// Reported before this moment.
    pub reported_before: Option<&'a str>,
    /// At most this many, the latest first.
    pub limit: Option<u32>,
}

const CASE_SELECT: &str = "SELECT c.id, c.class_code, g.code AS cell_code, s.code AS street_code, c.lon, c.lat,
        c.address, c.description, c.photos, c.reported_by, c.reported_at, c.state, u.code AS unit_code, c.due_at,
        c.reworks, c.extensions, c.redispatches, c.suspended_from, c.closed_at, c.version
    FROM cases c JOIN grid_cells g ON g.id = c.cell_id JOIN org_units s ON s.id = g.street_id
    LEFT JOIN org_units u ON u.id = c.unit_id";

fn count(r: &AnyRow, column: &str) -> Result<u32> {
    Ok(u32::try_from(r.try_get::<i64, _>(column)?).unwrap_or(0))
}

fn degrees(r: &AnyRow, column: &str) -> Result<Decimal> {
    let text: String = r.try_get(column)?;
    text.parse().map_err(|_| taizhang_core::DomainError::Invalid(format!("案件坐标“{text}”无法读取")).into())
}

fn case_from_row(r: &AnyRow) -> Result<CaseRecord> {
    let due_at: Option<String> = r.try_get("due_at")?;
    let due = due_at.as_deref().map(|t| Date::parse(t.get(..10).unwrap_or(t))).transpose()?;
    let suspended_from: Option<String> = r.try_get("suspended_from")?;
    Ok(CaseRecord {
        id: r.try_get("id")?,
        class: r.try_get("class_code")?,
        cell: r.try_get("cell_code")?,
        street: r.try_get("street_code")?,
        lon: degrees(r, "lon")?,
        lat: degrees(r, "lat")?,
        address: r.try_get("address")?,
        description: r.try_get("description")?,
        photos: r.try_get("photos")?,
        reported_by: r.try_get("reported_by")?,
        reported_at: r.try_get("reported_at")?,
        status: CaseStatus {
            state: r.try_get::<String, _>("state")?.parse()?,
            unit: r.try_get("unit_code")?,
            due,
            reworks: count(r, "reworks")?,
            extensions: count(r, "extensions")?,
            redispatches: count(r, "redispatches")?,
            suspended_from: suspended_from.map(|s| s.parse()).transpose()?,
        },
        due_at,
        closed_at: r.try_get("closed_at")?,
        version: r.try_get("version")?,
    })
}

impl Store {
    pub async fn grid_cells(&self) -> Result<Vec<GridCellRow>> {
        let q = sqlx::query(
            "SELECT g.code, g.name, s.code AS street_code, g.community, g.shape, g.sample
             FROM grid_cells g JOIN org_units s ON s.id = g.street_id ORDER BY g.code",
        );
        self.read_rows(q, |r| {
            Ok(GridCellRow {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                street: r.try_get("street_code")?,
                community: r.try_get("community")?,
                shape: r.try_get("shape")?,
                sample: r.try_get::<i64, _>("sample")? == 1,
            })
        })
        .await
    }

    pub async fn case_classes(&self) -> Result<Vec<CaseClass>> {
        let q = sqlx::query(
            "SELECT k.code, k.kind, k.major, k.name, k.file_rule, k.close_rule, k.time_limit, k.limit_unit,
                 u.code AS unit_code
             FROM case_classes k LEFT JOIN org_units u ON u.id = k.default_unit_id ORDER BY k.code",
        );
        let classes = self
            .read_rows(q, |r| {
                Ok(CaseClass {
                    code: r.try_get("code")?,
                    kind: r.try_get("kind")?,
                    major: r.try_get("major")?,
                    name: r.try_get("name")?,
                    file_rule: r.try_get("file_rule")?,
                    close_rule: r.try_get("close_rule")?,
                    time_limit: count(r, "time_limit")?,
                    limit_unit: r.try_get("limit_unit")?,
                    default_unit: r.try_get("unit_code")?,
                    street_units: Default::default(),
                })
            })
            .await?;
        // The streets' own units, one read for all classes.
        let q = sqlx::query(
            "SELECT k.class_code, s.code AS street_code, u.code AS unit_code FROM case_class_units k
             JOIN org_units s ON s.id = k.street_id JOIN org_units u ON u.id = k.unit_id",
        );
        let pairs = self
            .read_rows(q, |r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<String, _>(2)?)))
            .await?;
        let mut classes = classes;
        for (class, street, unit) in pairs {
            if let Some(c) = classes.iter_mut().find(|c| c.code == class) {
                c.street_units.insert(street, unit);
            }
        }
        Ok(classes)
    }

    pub async fn case(&self, id: i64) -> Result<Option<CaseRecord>> {
        let q = Filtered::new(format!("{CASE_SELECT} WHERE c.id = $1"), vec![id.into()]);
        Ok(self.read_rows(q.query(), case_from_row).await?.into_iter().next())
    }

    /// Cases by the filter, the latest reported first.
    pub async fn cases(&self, f: &CaseFilter<'_>) -> Result<Vec<CaseRecord>> {
        let mut q = Filtered::new(format!("{CASE_SELECT} WHERE 1 = 1"), vec![]);
        if let Some(unit) = f.within {
            // A street sees the cases in its cells; a department, the cases dispatched to it.
            q = q.and(&format!("({} OR {})", filter::within("g.street_id"), filter::within("c.unit_id")), Some(unit));
        }
        let q = q
            .and_eq("c.state", f.state.map(|s| s.code()))
            .and("c.reported_at >= {}", f.reported_from)
            .and("c.reported_at < {}", f.reported_before)
            .then("ORDER BY c.reported_at DESC, c.id DESC");
        let q = match f.limit {
            Some(n) => q.then(&format!("LIMIT {n}")),
            None => q,
        };
        self.read_rows(q.query(), case_from_row).await
    }

    /// A case's trail, first step first.
    pub async fn case_steps(&self, id: i64) -> Result<Vec<CaseStepRow>> {
        let q = sqlx::query(
            "SELECT t.step, t.note, t.actor, u.code AS unit_code, t.at, t.from_state, t.to_state
             FROM case_steps t LEFT JOIN org_units u ON u.id = t.unit_id WHERE t.case_id = $1 ORDER BY t.id",
        )
        .bind(id);
        self.read_rows(q, |r| {
            Ok(CaseStepRow {
                step: r.try_get("step")?,
                note: r.try_get("note")?,
                actor: r.try_get("actor")?,
                unit: r.try_get("unit_code")?,
                at: r.try_get("at")?,
                from: r.try_get::<String, _>("from_state")?.parse()?,
                to: r.try_get::<String, _>("to_state")?.parse()?,
            })
        })
        .await
    }
}

impl Tx {
    /// A grid cell, new or replacing the one of its code.
    pub async fn upsert_grid_cell(&mut self, cell: &GridCellRow) -> Result<()> {
        let street = unit_id(self.conn(), &cell.street).await?;
        sqlx::query(
            "INSERT INTO grid_cells (code, name, street_id, community, shape, sample) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, street_id = excluded.street_id,
                 community = excluded.community, shape = excluded.shape, sample = excluded.sample",
        )
        .bind(&cell.code)
        .bind(&cell.name)
        .bind(street)
        .bind(&cell.community)
        .bind(&cell.shape)
        .bind(i64::from(cell.sample))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A class, new or replacing the one of its code.
    pub async fn upsert_case_class(&mut self, class: &CaseClass) -> Result<()> {
        let unit = match &class.default_unit {
            Some(code) => Some(unit_id(self.conn(), code).await?),
            None => None,
        };
        sqlx::query(
            "INSERT INTO case_classes (code, kind, major, name, file_rule, close_rule, time_limit, limit_unit,
                 default_unit_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, major = excluded.major, name = excluded.name,
                 file_rule = excluded.file_rule, close_rule = excluded.close_rule, time_limit = excluded.time_limit,
                 limit_unit = excluded.limit_unit, default_unit_id = excluded.default_unit_id",
        )
        .bind(&class.code)
        .bind(&class.kind)
        .bind(&class.major)
        .bind(&class.name)
        .bind(&class.file_rule)
        .bind(&class.close_rule)
        .bind(i64::from(class.time_limit))
        .bind(&class.limit_unit)
        .bind(unit)
        .execute(self.conn())
        .await?;
        // The streets' own units: as the class now says.
        self.execute("DELETE FROM case_class_units WHERE class_code = $1", vec![class.code.as_str().into()]).await?;
        for (street, unit) in &class.street_units {
            let (street, unit) = (unit_id(self.conn(), street).await?, unit_id(self.conn(), unit).await?);
            self.execute(
                "INSERT INTO case_class_units (class_code, street_id, unit_id) VALUES ($1, $2, $3)",
                vec![class.code.as_str().into(), street.into(), unit.into()],
            )
            .await?;
        }
        Ok(())
    }

    /// A case reported (信息收集), with the first step of its trail; its id.
    pub async fn insert_case(&mut self, c: &NewCase<'_>) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO cases (class_code, cell_id, lon, lat, address, description, photos, reported_by, reported_at,
                 state, reworks, extensions, redispatches, version, sample)
             SELECT $1, g.id, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, 1, $11 FROM grid_cells g WHERE g.code = $2
             RETURNING id",
        )
        .bind(c.class)
        .bind(c.cell)
        .bind(c.lon.to_string())
        .bind(c.lat.to_string())
        .bind(c.address)
        .bind(c.description)
        .bind(c.photos)
        .bind(c.reported_by)
        .bind(c.reported_at)
        .bind(CaseState::Reported.code())
        .bind(i64::from(c.sample))
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::not_found("网格", c.cell))?;
        let id: i64 = row.try_get(0)?;
        let reported = CaseState::Reported;
        self.log_case_step(id, "上报", c.description, c.reported_by, None, c.reported_at, reported, reported).await?;
        Ok(id)
    }

    /// A case brought over from an old system, in the state its times reached (`status`,
    /// checked by core), located to `cell`; one step in its trail says where it came from.
    pub async fn insert_historic_case(
        &mut self,
        c: &taizhang_core::cases::HistoricCase,
        cell: &str,
        status: &CaseStatus,
        actor: &str,
        sample: bool,
    ) -> Result<i64> {
        let unit = match &status.unit {
            Some(code) => Some(unit_id(self.conn(), code).await?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO cases (class_code, cell_id, lon, lat, address, description, photos, reported_by, reported_at,
                 state, unit_id, due_at, reworks, extensions, redispatches, suspended_from, filed_at, dispatched_at,
                 disposed_at, closed_at, version, sample)
             SELECT $1, g.id, $3, $4, $5, $6, '', $7, $8, $9, $10, $11, $12, 0, 0, $13, $14, $15, $16, $17, 1, $18
             FROM grid_cells g WHERE g.code = $2 RETURNING id",
        )
        .bind(&c.class)
        .bind(cell)
        .bind(c.lon.to_string())
        .bind(c.lat.to_string())
        .bind(&c.address)
        .bind(&c.description)
        .bind(&c.reported_by)
        .bind(&c.reported_at)
        .bind(status.state.code())
        .bind(unit)
        .bind(c.due_at.clone())
        .bind(i64::from(status.reworks))
        .bind(status.suspended_from.map(|s| s.code()))
        .bind(c.filed_at.clone())
        .bind(c.dispatched_at.clone())
        .bind(c.disposed_at.clone())
        .bind(c.closed_at.clone())
        .bind(i64::from(sample))
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::not_found("网格", cell))?;
        let id: i64 = row.try_get(0)?;
        let note = if c.old_id.is_empty() {
            "自原系统迁移".to_string()
        } else {
            format!("自原系统迁移（原编号{}）", c.old_id)
        };
        let at = c.closed_at.as_deref().unwrap_or(&c.reported_at);
        sqlx::query(
            "INSERT INTO case_steps (case_id, step, note, actor, unit_id, at, from_state, to_state)
             VALUES ($1, '迁移', $2, $3, NULL, $4, $5, $6)",
        )
        .bind(id)
        .bind(note)
        .bind(actor)
        .bind(at)
        .bind(CaseState::Reported.code())
        .bind(status.state.code())
        .execute(self.conn())
        .await?;
        Ok(id)
    }

    /// A step taken: the case as `next` leaves it, if it is still at its version (someone
    /// else's step in between is a conflict, never overwritten), and the step in its trail.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_case_step(
        &mut self,
        case: &CaseRecord,
        next: &CaseStatus,
        due_at: Option<&str>,
        (step, note): (&str, &str),
        actor: &str,
        actor_unit: Option<&str>,
        at: &str,
    ) -> Result<()> {
        let unit = match &next.unit {
            Some(code) => Some(unit_id(self.conn(), code).await?),
            None => None,
        };
        let closed_at = (next.state == CaseState::Closed).then_some(at);
        let moved = |to: CaseState| (next.state == to && case.status.state != to).then_some(at);
        // Filed and first dispatched once; disposed of as often as a check sends it back, a
        // disposal the check failed not counting (back to the unit, it has none).
        let failed_check = case.status.state == CaseState::Disposed && next.state == CaseState::Dispatched;
        let done = sqlx::query(
            "UPDATE cases SET state = $1, unit_id = $2, due_at = $3, reworks = $4, extensions = $5, redispatches = $6,
                 suspended_from = $7, closed_at = $8, filed_at = COALESCE(filed_at, $11),
                 dispatched_at = COALESCE(dispatched_at, $12),
                 disposed_at = CASE WHEN $14 = 1 THEN NULL ELSE COALESCE($13, disposed_at) END,
                 version = version + 1
             WHERE id = $9 AND version = $10",
        )
        .bind(next.state.code())
        .bind(unit)
        .bind(due_at)
        .bind(i64::from(next.reworks))
        .bind(i64::from(next.extensions))
        .bind(i64::from(next.redispatches))
        .bind(next.suspended_from.map(|s| s.code()))
        .bind(closed_at)
        .bind(case.id)
        .bind(case.version)
        .bind(moved(CaseState::Filed))
        .bind(moved(CaseState::Dispatched))
        .bind(moved(CaseState::Disposed))
        .bind(i64::from(failed_check))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("案件 {}", case.id)));
        }
        self.log_case_step(case.id, step, note, actor, actor_unit, at, case.status.state, next.state).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn log_case_step(
        &mut self,
        case: i64,
        step: &str,
        note: &str,
        actor: &str,
        actor_unit: Option<&str>,
        at: &str,
        from: CaseState,
        to: CaseState,
    ) -> Result<()> {
        let unit = match actor_unit {
            Some(code) => Some(unit_id(self.conn(), code).await?),
            None => None,
        };
        sqlx::query(
            "INSERT INTO case_steps (case_id, step, note, actor, unit_id, at, from_state, to_state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(case)
        .bind(step)
        .bind(note)
        .bind(actor)
        .bind(unit)
        .bind(at)
        .bind(from.code())
        .bind(to.code())
        .execute(self.conn())
        .await?;
        let detail = if note.is_empty() { step.to_string() } else { format!("{step}：{note}") };
        self.audit(actor, "case.step", &format!("case:{case}"), &detail);
        Ok(())
    }
}

/// What an evaluation groups cases by: the street of their cell, the unit disposing of them,
/// or their class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseDimension {
    Street,
    Unit,
    Class,
    /// The grid cell (the evaluation's map).
    Cell,
}

/// A group's counts over a period (GB/T 30428.4's 立案数, 派遣数, 应结案数, 结案数, 按期结案数).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseCounts {
    /// The street's or unit's code, or the class's ("" for cases not yet dispatched, by unit).
    pub key: String,
    pub reported: u64,
    pub filed: u64,
    pub dispatched: u64,
    /// 应结案数: cases due in the period (or closed in it ahead of a later deadline), 挂账 left out.
    pub due: u64,
    /// 结案数: of those, closed by the period's end.
    pub closed: u64,
    /// 按期结案数: of those, disposed of (the disposal the check passed) by the deadline.
    pub on_time: u64,
    /// Of those closed, sent back at least once (返工).
    pub reworked: u64,
    /// 超期: due, and not disposed of (a disposal the check passed, or one awaiting it) by the
    /// deadline.
    pub overdue: u64,
}

impl CaseCounts {
    /// Adds another group's counts (the key stays): a whole from its parts.
    pub fn add(&mut self, other: &CaseCounts) {
        self.reported += other.reported;
        self.filed += other.filed;
        self.dispatched += other.dispatched;
        self.due += other.due;
        self.closed += other.closed;
        self.on_time += other.on_time;
        self.reworked += other.reworked;
        self.overdue += other.overdue;
    }
}

impl Store {
    /// Each group's counts for cases between `from` (inclusive) and `before` (exclusive), both
    /// "YYYY-MM-DD" or with the time, within a unit's subtree (its streets' cells, or the
    /// cases dispatched to it) when given. One pass of the database over the cases.
    pub async fn case_counts(
        &self,
        by: CaseDimension,
        from: &str,
        before: &str,
        within: Option<&str>,
    ) -> Result<Vec<CaseCounts>> {
        let key = match by {
            CaseDimension::Street => "s.code",
            CaseDimension::Unit => "COALESCE(u.code, '')",
            CaseDimension::Class => "c.class_code",
            CaseDimension::Cell => "g.code",
        };
        let due = due_in_period();
        let closed = CLOSED_BY_END;
        let count = |condition: &str, name: &str| {
            format!("CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT) AS {name}")
        };
        let columns = [
            count(&in_period("c.reported_at"), "reported"),
            count(&in_period("c.filed_at"), "filed"),
            count(&in_period("c.dispatched_at"), "dispatched"),
            count(&due, "due"),
            count(&format!("{due} AND {closed}"), "closed"),
            count(&format!("{due} AND {closed} AND {ON_TIME}"), "on_time"),
            count(&format!("{due} AND {closed} AND c.reworks > 0"), "reworked"),
            count(&format!("{due} AND NOT ({DISPOSED_IN_TIME})"), "overdue"),
        ]
        .join(", ");
        // Every count above needs one of these times in the period: the rows without any are
        // left unread (each time has its index; the planner unites their ranges).
        let touched =
            ["c.reported_at", "c.filed_at", "c.dispatched_at", "c.due_at", "c.closed_at"].map(in_period).join(" OR ");
        let sql = format!(
            "SELECT {key} AS k, {columns}
             FROM cases c JOIN grid_cells g ON g.id = c.cell_id JOIN org_units s ON s.id = g.street_id
             LEFT JOIN org_units u ON u.id = c.unit_id WHERE ({touched})"
        );
        let mut q = Filtered::new(sql, vec![from.into(), before.into()]);
        if let Some(unit) = within {
            q = q.and(&format!("({} OR {})", filter::within("g.street_id"), filter::within("c.unit_id")), Some(unit));
        }
        let q = q.then(&format!("GROUP BY {key} ORDER BY {key}"));
        self.read_rows(q.query(), |r| {
            let n = |c: &str| -> Result<u64> { Ok(u64::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0)) };
            Ok(CaseCounts {
                key: r.try_get("k")?,
                reported: n("reported")?,
                filed: n("filed")?,
                dispatched: n("dispatched")?,
                due: n("due")?,
                closed: n("closed")?,
                on_time: n("on_time")?,
                reworked: n("reworked")?,
                overdue: n("overdue")?,
            })
        })
        .await
    }

    /// The cases due in the period (as [`Store::case_counts`] counts them) not disposed of by
    /// their deadline — the 超期案件 — within a unit's subtree when given, the earliest deadline first.
    pub async fn overdue_cases(&self, from: &str, before: &str, within: Option<&str>) -> Result<Vec<CaseRecord>> {
        let sql = format!("{CASE_SELECT} WHERE {} AND NOT ({DISPOSED_IN_TIME})", due_in_period());
        let mut q = Filtered::new(sql, vec![from.into(), before.into()]);
        if let Some(unit) = within {
            q = q.and(&format!("({} OR {})", filter::within("g.street_id"), filter::within("c.unit_id")), Some(unit));
        }
        self.read_rows(q.then("ORDER BY c.due_at, c.id").query(), case_from_row).await
    }
}

/// `{column}` within the period of `$1` (inclusive) and `$2` (exclusive).
fn in_period(column: &str) -> String {
    format!("{column} >= $1 AND {column} < $2")
}

/// 应结案 in the period: a case dispatched and due in it, or closed in it ahead of a later
/// deadline; a case hung up (挂账) is not due.
fn due_in_period() -> String {
    format!(
        "c.state <> '{}' AND c.due_at IS NOT NULL AND (({}) OR ({} AND c.due_at >= $2))",
        CaseState::Suspended.code(),
        in_period("c.due_at"),
        in_period("c.closed_at")
    )
}

/// Closed by the period's end.
const CLOSED_BY_END: &str = "c.closed_at IS NOT NULL AND c.closed_at < $2";

/// The disposal the check passed made by the deadline (按期).
const ON_TIME: &str = "c.disposed_at <= c.due_at";

/// Disposed of by the deadline (the disposal the check passed, or one awaiting the check).
const DISPOSED_IN_TIME: &str = "c.disposed_at IS NOT NULL AND c.disposed_at <= c.due_at";
