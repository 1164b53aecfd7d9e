//! Node plans (倒排工期), 要素保障 items and 调度 meetings with their decisions.

use sqlx::Row;
use sqlx::any::AnyRow;
use taizhang_core::mechanism::{Decision, Element, Meeting, NodePlan};
use taizhang_core::project::Date;

use crate::filter::Filtered;
use crate::ledger::{opt_date, project_id, unit_id};
use crate::{Result, Store, Tx};

fn node_from_row(r: &AnyRow) -> Result<NodePlan> {
    Ok(NodePlan {
        project: r.try_get("code")?,
        node: r.try_get("node")?,
        planned: opt_date(r.try_get("planned_on")?)?,
        actual: opt_date(r.try_get("actual_on")?)?,
        note: r.try_get("note")?,
    })
}

fn element_from_row(r: &AnyRow) -> Result<Element> {
    Ok(Element {
        project: r.try_get("code")?,
        item: r.try_get("item")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        unit: r.try_get("unit_code")?,
        note: r.try_get("note")?,
        due: opt_date(r.try_get("due_on")?)?,
        updated_on: Date::parse(&r.try_get::<String, _>("updated_on")?)?,
        problem: r.try_get("problem_id")?,
    })
}

/// Which projects: one by code, or those led in a unit's subtree, or all.
#[derive(Debug, Clone, Copy)]
pub enum Projects<'a> {
    One(&'a str),
    Within(&'a str),
    /// The projects of these units (by id), not of their subtrees.
    OfUnits(&'a [i64]),
    All,
}

impl Projects<'_> {
    fn filter(self, sql: String) -> Filtered {
        let (one, within, of) = match self {
            Projects::One(code) => (Some(code), None, None),
            Projects::Within(unit) => (None, Some(unit), None),
            Projects::OfUnits(units) => (None, None, Some(units)),
            Projects::All => (None, None, None),
        };
        let sql = match of {
            Some(units) => format!("{sql} AND p.unit_id IN ({})", crate::rollups::id_list(units)),
            None => sql,
        };
        Filtered::new(sql, vec![]).and_eq("p.code", one).and_within("p.unit_id", within)
    }
}

impl Store {
    /// The node plans of the projects asked for, in project order.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn node_plans(&self, which: Projects<'_>) -> Result<Vec<NodePlan>> {
        let q = which
            .filter(
                "SELECT p.code, n.node, n.planned_on, n.actual_on, n.note
                 FROM project_nodes n JOIN projects p ON p.id = n.project_id WHERE 1 = 1"
                    .into(),
            )
            .then("ORDER BY p.code, n.planned_on, n.node");
        self.read_rows(q.query(), node_from_row).await
    }

    /// The 要素保障 items of the projects asked for.
    pub async fn elements(&self, which: Projects<'_>) -> Result<Vec<Element>> {
        let q = which
            .filter(
                "SELECT p.code, e.item, e.status, u.code AS unit_code, e.note, e.due_on, e.updated_on, e.problem_id
                 FROM project_elements e JOIN projects p ON p.id = e.project_id JOIN org_units u ON u.id = e.unit_id
                 WHERE 1 = 1"
                    .into(),
            )
            .then("ORDER BY p.code, e.item");
        self.read_rows(q.query(), element_from_row).await
    }

    /// Meetings held within the days given (all when none), latest first, or one by id.
    pub async fn meetings(&self, id: Option<i64>, days: Option<(Date, Date)>) -> Result<Vec<Meeting>> {
        let q = Filtered::new(
            "SELECT id, kind, held_on, period, chair, attendees, summary FROM meetings WHERE 1 = 1",
            vec![],
        )
        .and_eq("id", id)
        .and("held_on >= {}", days.map(|d| d.0.to_string()))
        .and("held_on <= {}", days.map(|d| d.1.to_string()))
        .then("ORDER BY held_on DESC, id DESC");
        let mut meetings = self
            .read_rows(q.query(), |r| {
                Ok(Meeting {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    held_on: Date::parse(&r.try_get::<String, _>("held_on")?)?,
                    period: r.try_get("period")?,
                    chair: r.try_get("chair")?,
                    attendees: r.try_get("attendees")?,
                    summary: r.try_get("summary")?,
                    projects: vec![],
                    decisions: vec![],
                })
            })
            .await?;
        for m in &mut meetings {
            m.projects = sqlx::query(
                "SELECT p.code FROM meeting_projects mp JOIN projects p ON p.id = mp.project_id
                 WHERE mp.meeting_id = $1 ORDER BY p.code",
            )
            .bind(m.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
            let q = sqlx::query(
                "SELECT d.text, u.code AS unit_code, d.deadline, d.order_id
                 FROM meeting_decisions d JOIN org_units u ON u.id = d.unit_id WHERE d.meeting_id = $1 ORDER BY d.seq",
            )
            .bind(m.id);
            m.decisions = self
                .read_rows(q, |r| {
                    Ok(Decision {
                        text: r.try_get("text")?,
                        unit: r.try_get("unit_code")?,
                        deadline: Date::parse(&r.try_get::<String, _>("deadline")?)?,
                        order: r.try_get("order_id")?,
                    })
                })
                .await?;
        }
        Ok(meetings)
    }
}

impl Tx {
    /// Writes one node of a project's plan.
    pub async fn upsert_node(&mut self, node: &NodePlan, by: &str, at: &str) -> Result<()> {
        let pid = project_id(self.conn(), &node.project).await?;
        sqlx::query(
            "INSERT INTO project_nodes (project_id, node, planned_on, actual_on, note, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (project_id, node) DO UPDATE SET planned_on = excluded.planned_on,
                 actual_on = excluded.actual_on, note = excluded.note, updated_by = excluded.updated_by,
                 updated_at = excluded.updated_at",
        )
        .bind(pid)
        .bind(&node.node)
        .bind(node.planned.map(|d| d.to_string()))
        .bind(node.actual.map(|d| d.to_string()))
        .bind(&node.note)
        .bind(by)
        .bind(at)
        .execute(self.conn())
        .await?;
        // A node past its date lights the project.
        self.touch_projects(&[node.project.as_str()]).await
    }

    /// Sets a project's 实际开工 (`finish` false) or 实际竣工 date.
    pub async fn set_project_actual(&mut self, project: &str, finish: bool, date: Option<Date>) -> Result<()> {
        let sql = if finish {
            "UPDATE projects SET actual_finish = $1 WHERE code = $2"
        } else {
            "UPDATE projects SET actual_start = $1 WHERE code = $2"
        };
        self.execute(sql, vec![date.map(|d| d.to_string()).into(), project.into()]).await?;
        // Starts and completions are counted in the roll-ups.
        self.touch_projects(&[project]).await
    }

    /// Writes one 要素保障 item (its raised problem is kept).
    pub async fn upsert_element(&mut self, e: &Element, by: &str) -> Result<()> {
        let pid = project_id(self.conn(), &e.project).await?;
        let uid = unit_id(self.conn(), &e.unit).await?;
        sqlx::query(
            "INSERT INTO project_elements (project_id, item, status, unit_id, note, due_on, updated_by, updated_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (project_id, item) DO UPDATE SET status = excluded.status, unit_id = excluded.unit_id,
                 note = excluded.note, due_on = excluded.due_on, updated_by = excluded.updated_by,
                 updated_on = excluded.updated_on",
        )
        .bind(pid)
        .bind(&e.item)
        .bind(e.status.code())
        .bind(uid)
        .bind(&e.note)
        .bind(e.due.map(|d| d.to_string()))
        .bind(by)
        .bind(e.updated_on.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Records the problem raised for an item gone past its date.
    pub async fn link_element_problem(&mut self, project: &str, item: &str, problem: i64) -> Result<()> {
        self.execute(
            "UPDATE project_elements SET problem_id = $1
             WHERE item = $2 AND project_id = (SELECT id FROM projects WHERE code = $3)",
            vec![problem.into(), item.into(), project.into()],
        )
        .await
    }

    /// A new meeting with its projects and decisions (their orders linked later).
    pub async fn insert_meeting(&mut self, m: &Meeting, by: &str, at: &str) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO meetings (kind, held_on, period, chair, attendees, summary, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&m.kind)
        .bind(m.held_on.to_string())
        .bind(&m.period)
        .bind(&m.chair)
        .bind(&m.attendees)
        .bind(&m.summary)
        .bind(by)
        .bind(at)
        .fetch_one(self.conn())
        .await?;
        let id: i64 = row.try_get(0)?;
        for code in &m.projects {
            let pid = project_id(self.conn(), code).await?;
            self.execute(
                "INSERT INTO meeting_projects (meeting_id, project_id) VALUES ($1, $2)",
                vec![id.into(), pid.into()],
            )
            .await?;
        }
        for (seq, d) in (1_i64..).zip(&m.decisions) {
            let uid = unit_id(self.conn(), &d.unit).await?;
            sqlx::query(
                "INSERT INTO meeting_decisions (meeting_id, seq, text, unit_id, deadline, order_id)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(seq)
            .bind(&d.text)
            .bind(uid)
            .bind(d.deadline.to_string())
            .bind(d.order)
            .execute(self.conn())
            .await?;
        }
        Ok(id)
    }

    /// Links a meeting's decision (1-based, in the order given) to the order it became.
    pub async fn link_decision_order(&mut self, meeting: i64, seq: i64, order: i64) -> Result<()> {
        self.execute(
            "UPDATE meeting_decisions SET order_id = $1 WHERE meeting_id = $2 AND seq = $3",
            vec![order.into(), meeting.into(), seq.into()],
        )
        .await
    }
}
