//! 三定四推五落实 through the one door: node plans kept by the project's unit (and feeding its
//! 实际开工/实际竣工), 要素保障 items that raise a problem once they go past their date, and
//! 调度 meetings whose decisions become 督办 orders — all in one write each.

use std::collections::BTreeMap;

use taizhang_core::access::Action;
use taizhang_core::mechanism::{Decision, Element, ElementStatus, Meeting, NodePlan, check_node_dates, period_days};
use taizhang_core::project::{Date, Project};
use taizhang_store::{NewProblem, Projects, Tx};

use crate::supervise::OrderDraft;
use crate::{Acting, Error, Result};

/// A meeting as its recorder writes it: each decision with a unit and deadline becomes an
/// order, titled by `order_title`.
#[derive(Debug, Clone)]
pub struct MeetingDraft {
    pub kind: String,
    pub held_on: Date,
    pub chair: String,
    pub attendees: String,
    pub projects: Vec<String>,
    pub summary: String,
    pub decisions: Vec<Decision>,
}

impl Acting<'_> {
    async fn project_for(&self, code: &str, action: Action) -> Result<Project> {
        let p = self.store.project(code).await?.ok_or_else(|| Error::not_found("项目", code))?;
        self.allow(action, &p.responsibility.unit)?;
        Ok(p)
    }

    /// A project's node plan: every configured node, in the configured order, with what is
    /// recorded for it (dates blank where nothing is).
    pub async fn node_plan(&self, project: &str) -> Result<Vec<NodePlan>> {
        self.project_for(project, Action::Read).await?;
        let stored = self.store.node_plans(Projects::One(project)).await?;
        let mut out: Vec<NodePlan> = self
            .config
            .mechanism
            .nodes
            .iter()
            .map(|n| {
                stored.iter().find(|s| &s.node == n).cloned().unwrap_or(NodePlan {
                    project: project.to_string(),
                    node: n.clone(),
                    planned: None,
                    actual: None,
                    note: String::new(),
                })
            })
            .collect();
        // Nodes recorded under an earlier configuration stay visible.
        out.extend(stored.into_iter().filter(|s| !self.config.mechanism.nodes.contains(&s.node)));
        Ok(out)
    }

    /// Writes nodes of projects' plans (a form, or an `import nodes` workbook) in one write:
    /// each checked against the configured names and its project's 立项; the start and finish
    /// nodes' actual dates become the project's 实际开工 and 实际竣工. `place` names each node's
    /// origin (a row) for errors.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, count = nodes.len()))]
    pub async fn save_nodes(&self, nodes: &[(String, NodePlan)], today: Date) -> Result<usize> {
        let cfg = &self.config.mechanism;
        let mut by_project: BTreeMap<&str, Vec<&(String, NodePlan)>> = BTreeMap::new();
        for entry in nodes {
            by_project.entry(entry.1.project.as_str()).or_default().push(entry);
        }
        let mut tx = self.store.begin().await?;
        let at = crate::clock::iso_after(0);
        for (code, entries) in by_project {
            let place = |e: &(String, NodePlan), msg: String| {
                Error::Invalid(if e.0.is_empty() { msg } else { format!("{}：{msg}", e.0) })
            };
            // A refusal stays a refusal (not a bad row): the door answers 403.
            let project = self.project_for(code, Action::EditDraft).await?;
            // The 立项 date: as written now, else as stored.
            let stored = self.store.node_plans(Projects::One(code)).await?;
            let approval = entries
                .iter()
                .map(|e| &e.1)
                .chain(stored.iter())
                .find(|n| n.node == cfg.approval_node)
                .and_then(|n| n.actual.or(n.planned));
            for entry in &entries {
                let (_, node) = entry;
                let name = cfg.node(&node.node).map_err(|e| place(entry, e.to_string()))?;
                let node = NodePlan { node: name.to_string(), ..node.clone() };
                let against = if name == cfg.approval_node { None } else { approval };
                check_node_dates(&node, against, today).map_err(|e| place(entry, e.to_string()))?;
                tx.upsert_node(&node, &self.actor.username, &at).await?;
                let dates = |d: Option<Date>| d.map_or("—".to_string(), |d| d.to_string());
                let detail = format!("计划{} 实际{} {}", dates(node.planned), dates(node.actual), node.note);
                tx.audit(&self.actor.username, "node.save", &format!("project:{code}/{}", node.node), &detail);
                if name == cfg.start_node {
                    tx.set_project_actual(&project.code, false, node.actual.or(project.actual_start)).await?;
                }
                if name == cfg.finish_node {
                    tx.set_project_actual(&project.code, true, node.actual.or(project.actual_finish)).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(nodes.len())
    }

    /// A project's 要素保障 items: every configured item, with its record where there is one
    /// (an unrecorded item is 推进中 with the project's unit answering).
    pub async fn elements(&self, project: &str) -> Result<Vec<Element>> {
        let p = self.project_for(project, Action::Read).await?;
        let stored = self.store.elements(Projects::One(project)).await?;
        let today = crate::clock::today();
        let mut out: Vec<Element> = self
            .config
            .mechanism
            .elements
            .iter()
            .map(|item| {
                stored.iter().find(|s| &s.item == item).cloned().unwrap_or(Element {
                    project: project.to_string(),
                    item: item.clone(),
                    status: ElementStatus::Pushing,
                    unit: p.responsibility.unit.clone(),
                    note: String::new(),
                    due: None,
                    updated_on: today,
                    problem: None,
                })
            })
            .collect();
        out.extend(stored.into_iter().filter(|s| !self.config.mechanism.elements.contains(&s.item)));
        Ok(out)
    }

    /// Records where one 要素保障 item stands; a blank unit keeps the one answering for it now
    /// (the project's unit for an item not yet recorded).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn save_element(&self, element: &Element) -> Result<()> {
        self.project_for(&element.project, Action::EditDraft).await?;
        let item = self.config.mechanism.element(&element.item)?.to_string();
        let named = match element.unit.trim() {
            "" => self.elements(&element.project).await?.into_iter().find(|e| e.item == item).map(|e| e.unit),
            u => Some(u.to_string()),
        }
        .unwrap_or_default();
        let unit = self.tree.find(&named).ok_or_else(|| Error::not_found("单位", named.as_str()))?;
        let e = Element { item, unit: unit.code.to_string(), ..element.clone() };
        let mut tx = self.store.begin().await?;
        tx.upsert_element(&e, &self.actor.username).await?;
        let detail = format!("{} {} {}", e.status.label_zh(), e.unit, e.note);
        tx.audit(&self.actor.username, "element.save", &format!("project:{}/{}", e.project, e.item), &detail);
        tx.commit().await?;
        Ok(())
    }

    /// Every unsettled 要素保障 item past its date gets one problem (source 要素保障), answered
    /// by the item's unit with the escalation days to resolve it. Run by `serve`'s job daily.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn raise_element_problems(&self, today: Date) -> Result<Vec<i64>> {
        self.allow_top(Action::RaiseProblem)?;
        let due: Vec<Element> =
            self.store.elements(Projects::All).await?.into_iter().filter(|e| e.needs_problem(today)).collect();
        if due.is_empty() {
            return Ok(vec![]);
        }
        let deadline = today.plus_days(self.config.lights.escalation_days)?;
        let mut raised = Vec::new();
        let mut tx = self.store.begin().await?;
        for e in due {
            let text = e.problem_text();
            let new = NewProblem {
                project: &e.project,
                unit: &e.unit,
                description: &text,
                owner: "",
                deadline,
                raised_on: today,
                raised_by: &self.actor.username,
                source: "要素保障",
            };
            let id = tx.insert_problem(&new).await?;
            tx.log_problem(id, &self.actor.username, "raise", &text).await?;
            tx.link_element_problem(&e.project, &e.item, id).await?;
            raised.push(id);
        }
        tx.commit().await?;
        Ok(raised)
    }

    /// Records a 调度 meeting; every decision becomes a 督办 order to its unit (from
    /// "meeting:ID"), all in one write: a decision that cannot be issued leaves no meeting.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn record_meeting(&self, draft: &MeetingDraft, today: Date) -> Result<Meeting> {
        self.allow_top(Action::IssueOrder)?;
        let kind = self.config.mechanism.meeting(&draft.kind)?;
        if draft.held_on > today {
            return Err(Error::Invalid(format!("会议日期 {} 晚于今天（{today}）", draft.held_on)));
        }
        for code in &draft.projects {
            self.project_for(code, Action::Read).await?;
        }
        let mut decisions = Vec::new();
        for (i, d) in draft.decisions.iter().enumerate() {
            if d.text.trim().is_empty() {
                return Err(Error::Invalid(format!("第{}项议定事项内容为空", i + 1)));
            }
            let unit = self
                .tree
                .find(&d.unit)
                .ok_or_else(|| Error::Invalid(format!("第{}项议定事项：责任单位“{}”不存在", i + 1, d.unit)))?;
            decisions.push(Decision { unit: unit.code.to_string(), order: None, ..d.clone() });
        }
        let meeting = Meeting {
            id: 0,
            kind: kind.name.clone(),
            held_on: draft.held_on,
            period: kind.cadence.period_of(draft.held_on),
            chair: draft.chair.trim().to_string(),
            attendees: draft.attendees.trim().to_string(),
            projects: draft.projects.clone(),
            summary: draft.summary.trim().to_string(),
            decisions,
        };
        let mut tx = self.store.begin().await?;
        let id = tx.insert_meeting(&meeting, &self.actor.username, &crate::clock::iso_after(0)).await?;
        let detail = format!("{} {} 议定事项{}项", meeting.period, meeting.kind, meeting.decisions.len());
        tx.audit(&self.actor.username, "meeting.record", &format!("meeting:{id}"), &detail);
        let from = format!("meeting:{id}");
        let subject = meeting.projects.first().cloned().unwrap_or_default();
        for (seq, d) in (1_i64..).zip(&meeting.decisions) {
            let title = format!("{}{}议定事项：{}", meeting.period, meeting.kind, first_clause(&d.text));
            let draft = OrderDraft {
                unit: &d.unit,
                subject: &subject,
                title: &title,
                requirement: &d.text,
                deadline: Some(d.deadline),
                from: &from,
            };
            let order = self
                .issue_order_in(&mut tx, &draft, today)
                .await
                .map_err(|e| Error::Invalid(format!("第{seq}项议定事项：{e}")))?;
            tx.link_decision_order(id, seq, order).await?;
        }
        tx.commit().await?;
        self.meeting(id).await
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let found = self.store.meetings(Some(id), None).await?.into_iter().next();
        let m = found.ok_or_else(|| Error::not_found("会议", id.to_string()))?;
        if !self.concerns(&m).await? {
            return Err(Error::not_found("会议", id.to_string()));
        }
        Ok(m)
    }

    /// Meetings of a period ("2018W23", "2018-06上旬", "2018-06", "2018Q2"), or all; a unit's
    /// account sees those that decided something for its subtree or discussed its projects.
    pub async fn meetings(&self, period: Option<&str>) -> Result<Vec<Meeting>> {
        let days = period.map(period_days).transpose()?;
        let mut mine = Vec::new();
        for m in self.store.meetings(None, days).await? {
            if self.concerns(&m).await? {
                mine.push(m);
            }
        }
        Ok(mine)
    }

    /// Whether the actor may read a meeting: the district reads all; a unit those that
    /// decided something for its subtree or discussed one of its projects.
    async fn concerns(&self, m: &Meeting) -> Result<bool> {
        if self.allow_top(Action::Read).is_ok() {
            return Ok(true);
        }
        let scope = self.scope_of(None)?;
        if m.decisions.iter().any(|d| self.tree.is_within(&d.unit, &scope)) {
            return Ok(true);
        }
        for code in &m.projects {
            if self.store.project(code).await?.is_some_and(|p| self.may(Action::Read, &p.responsibility.unit)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The raiser (or the district) confirms a resolved problem (确认办结), or sends it back
    /// open with a reason.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn confirm_problem(&self, id: i64, accept: bool, note: &str, today: Date) -> Result<()> {
        let p = self.problem(id).await?;
        if p.raised_by != self.actor.username {
            self.allow_top(Action::ResolveProblem)
                .map_err(|_| Error::Invalid(format!("问题 #{id} 由 {} 提出，应由提出人确认办结", p.raised_by)))?;
        }
        if p.resolved_on.is_none() {
            return Err(Error::Invalid(format!("问题 #{id} 尚未办结，无需确认")));
        }
        if p.confirmed_on.is_some() {
            return Err(Error::Invalid(format!("问题 #{id} 已确认办结")));
        }
        if !accept && note.trim().is_empty() {
            return Err(Error::Invalid("不认可办结须写明原因".into()));
        }
        let mut tx = self.store.begin().await?;
        tx.confirm_problem(id, accept.then_some(today)).await?;
        let (event, note) =
            if accept { ("confirm", note.to_string()) } else { ("reopen", format!("不认可办结：{note}")) };
        tx.log_problem(id, &self.actor.username, event, &note).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Problems raised from a 填报 form's 存在问题 text, or a workbook's column, in `tx`:
    /// each non-empty text not already open on the project becomes a problem of the project.
    pub(crate) async fn raise_reported_problems(
        &self,
        tx: &mut Tx,
        reported: &[(String, String)],
        source: &str,
        today: Date,
    ) -> Result<Vec<i64>> {
        let deadline = today.plus_days(self.config.lights.escalation_days)?;
        let wanted: Vec<(&str, &str)> = reported
            .iter()
            .map(|(code, text)| (code.as_str(), text.trim()))
            .filter(|(_, text)| !text.is_empty() && !is_nothing(text))
            .collect();
        if wanted.is_empty() {
            return Ok(vec![]);
        }
        // One read of the projects named and of the open problems, however many rows: a text
        // already open on its project (or repeated in this batch, a year of months) is raised once.
        let codes: Vec<String> = wanted.iter().map(|(c, _)| c.to_string()).collect();
        let projects = self.store.projects_by_code(&codes).await?;
        let mut open: std::collections::HashSet<(String, String)> = self
            .store
            .problem_records(None, None)
            .await?
            .into_iter()
            .filter(|q| q.resolved_on.is_none())
            .map(|q| (q.project, q.description))
            .collect();
        let mut raised = Vec::new();
        for (code, text) in wanted {
            let Some(p) = projects.get(code).map(|r| &r.project) else { continue };
            if !open.insert((code.to_string(), text.to_string())) {
                continue;
            }
            let new = NewProblem {
                project: code,
                unit: &p.responsibility.unit,
                description: text,
                owner: &p.responsibility.person,
                deadline,
                raised_on: today,
                raised_by: &self.actor.username,
                source,
            };
            let id = tx.insert_problem(&new).await?;
            tx.log_problem(id, &self.actor.username, "raise", text).await?;
            raised.push(id);
        }
        Ok(raised)
    }
}

/// "无", "暂无", "无问题": a 存在问题 cell that says there is none.
fn is_nothing(text: &str) -> bool {
    matches!(text.trim_end_matches(['。', '.']), "无" | "暂无" | "无问题" | "暂无问题" | "没有" | "/" | "-" | "—")
}

/// The decision's first clause, for an order's title.
fn first_clause(text: &str) -> String {
    let clause = text.split(['，', '。', '；', ',', ';']).next().unwrap_or(text).trim();
    clause.chars().take(30).collect()
}

impl Acting<'_> {
    /// A node-plan workbook (项目编码, 节点, 计划完成日期, 实际完成日期, 说明) written in one
    /// write: every bad cell listed, or each node checked and saved. Returns the rows saved.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn import_nodes(
        &self,
        bytes: Vec<u8>,
        file: &str,
        sheet: Option<&str>,
        today: Date,
    ) -> std::result::Result<usize, crate::import::WorkbookError> {
        let (file, sheet) = (file.to_string(), sheet.map(str::to_string));
        let rows =
            tokio::task::spawn_blocking(move || taizhang_office::import::node_rows(&bytes, &file, sheet.as_deref()))
                .await
                .map_err(|e| taizhang_office::ImportError::File(format!("读取工作簿时出错：{e}")))??;
        if rows.is_empty() {
            return Err(Error::Invalid("工作簿中没有节点数据".into()).into());
        }
        Ok(self.save_nodes(&rows, today).await?)
    }
}

impl Acting<'_> {
    /// The 督办通知单 of an order, issued in the name of the issuing account's unit (the
    /// district when the account has none).
    pub async fn order_notice(&self, id: i64) -> Result<taizhang_core::report::Document> {
        let order = self.order(id).await?;
        let issuer_unit = self.store.user(&order.issued_by).await?.and_then(|u| u.unit);
        let issuer = match issuer_unit {
            Some(u) => self.unit_name(&u),
            None => self.unit_name(&self.top_unit_code()?),
        };
        Ok(taizhang_core::mechanism::order_notice(&order, &self.unit_name(&order.unit), &issuer))
    }

    /// The 会议纪要 of a meeting.
    pub async fn meeting_minutes(&self, id: i64) -> Result<taizhang_core::report::Document> {
        let meeting = self.meeting(id).await?;
        let mut names = std::collections::HashMap::new();
        for code in &meeting.projects {
            if let Some(p) = self.store.project(code).await? {
                names.insert(code.clone(), p.name);
            }
        }
        Ok(taizhang_core::mechanism::meeting_minutes(
            &meeting,
            |u| self.unit_name(u),
            |c| names.get(c).cloned().unwrap_or_else(|| c.to_string()),
        ))
    }
}
