//! 基层党建标准化: the district's organisations and its year's scheme (the 区委组织部's), each
//! organisation's checklist through the reporting workflow — the 支部书记 scores the
//! self-assessed items with evidence and submits, the 街道/部门 党(工)委 scores its items and
//! approves or returns, the 区委组织部 adds bonuses, deductions and vetoes and confirms or
//! returns — the 星级 rating of the confirmed ones, and 三会一课 kept and lit by month.

use std::collections::HashMap;

use taizhang_core::Decimal;
use taizhang_core::access::{Action, Denied, Role};
use taizhang_core::party::{
    self, ChecklistScheme, Meeting, MonthCompleteness, PartyOrg, Rated, Scorer, check_meeting, check_orgs,
    month_completeness,
};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::report::{DocSection, Document, Table, TableCell};
use taizhang_core::workflow::{EntryState, Event, Transition, separation_breach, transition};
use taizhang_store::{PartyAssessment, PartyScore};

use crate::{Acting, Error, Result};

/// A score as a door hands it in: the item's or adjustment's key, points, evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreInput {
    pub item: String,
    pub points: Decimal,
    pub evidence: String,
}

/// One organisation's checklist of a year as its page shows it.
#[derive(Debug, Clone)]
pub struct PartySheet {
    pub org: PartyOrg,
    pub scheme: ChecklistScheme,
    /// None until something was scored.
    pub assessment: Option<PartyAssessment>,
    pub trail: Vec<Transition>,
    /// Whose items the actor may score now (none when it is not their turn).
    pub scoring: Option<Scorer>,
    /// The steps the actor may take now.
    pub steps: Vec<Event>,
}

impl PartySheet {
    pub fn state(&self) -> EntryState {
        self.assessment.as_ref().map_or(EntryState::Draft, |a| a.state)
    }

    pub fn version(&self) -> Option<i64> {
        self.assessment.as_ref().map(|a| a.version)
    }

    pub fn score(&self, item: &str) -> Option<&PartyScore> {
        self.assessment.as_ref()?.scores.iter().find(|s| s.item == item)
    }

    /// Scores by key, as the rating reads them.
    pub fn points(&self) -> HashMap<String, Decimal> {
        self.assessment.iter().flat_map(|a| a.scores.iter().map(|s| (s.item.clone(), s.points))).collect()
    }
}

/// A rated organisation with the unit it belongs to.
#[derive(Debug, Clone)]
pub struct RatedOrg {
    pub rated: Rated,
    pub unit: String,
    pub unit_name: String,
}

/// A year's 星级 rating over the organisations the actor reads.
#[derive(Debug, Clone)]
pub struct PartyRating {
    pub year: i32,
    pub scheme: ChecklistScheme,
    /// The confirmed ones, best first.
    pub rated: Vec<RatedOrg>,
    /// Not yet confirmed: the organisation and where its checklist is.
    pub pending: Vec<(PartyOrg, EntryState)>,
    /// The name of each unit the organisations belong to.
    pub unit_names: HashMap<String, String>,
}

impl PartyRating {
    /// Per unit (street or department, by code): its name, organisations with each star count
    /// (the scheme's stars, most first), those without a star, those named for 整顿, pending.
    pub fn by_unit(&self) -> Vec<(String, Vec<usize>, usize, usize, usize)> {
        let stars: Vec<u8> = self.scheme.stars_best_first().iter().map(|s| s.stars).collect();
        let units: std::collections::BTreeSet<&String> =
            self.rated.iter().map(|r| &r.unit).chain(self.pending.iter().map(|(o, _)| &o.unit)).collect();
        units
            .into_iter()
            .map(|unit| {
                let rated: Vec<&RatedOrg> = self.rated.iter().filter(|r| &r.unit == unit).collect();
                let counts = stars.iter().map(|k| rated.iter().filter(|r| r.rated.stars == Some(*k)).count()).collect();
                let none = rated.iter().filter(|r| r.rated.stars.is_none()).count();
                let weak = rated.iter().filter(|r| r.rated.weak.is_some()).count();
                let pending = self.pending.iter().filter(|(o, _)| &o.unit == unit).count();
                let name = self.unit_names.get(unit).cloned().unwrap_or_else(|| unit.clone());
                (name, counts, none, weak, pending)
            })
            .collect()
    }

    pub fn star_names(&self) -> Vec<String> {
        self.scheme.stars_best_first().into_iter().map(|s| s.name.clone()).collect()
    }
}

/// A secretary's 书记抓党建述职评议 of a year: the review item's points and their grade.
#[derive(Debug, Clone)]
pub struct SecretaryReview {
    pub org: PartyOrg,
    pub points: Decimal,
    pub full: Decimal,
    pub grade: String,
}

/// One organisation's meetings of a month, lit.
#[derive(Debug, Clone)]
pub struct OrgMonth {
    pub org: PartyOrg,
    pub completeness: MonthCompleteness,
}

/// What a 基层党建 workbook holds, as `party import --what` and the upload form name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyImport {
    /// Sheet 党组织.
    Orgs,
    /// Sheet 考评得分, for a year.
    Scores(i32),
    /// Sheet 三会一课, none dated after the day given.
    Meetings(Date),
}

impl PartyImport {
    /// `orgs`, `scores` (needs the year) or `meetings` (judged against `today`), or the sheet's name.
    pub fn named(what: &str, year: Option<i32>, today: Date) -> Result<Self> {
        match what.trim() {
            "orgs" | "党组织" => Ok(PartyImport::Orgs),
            "scores" | "考评得分" => {
                Ok(PartyImport::Scores(year.ok_or_else(|| Error::Invalid("导入考评得分需要考评年度".into()))?))
            }
            "meetings" | "三会一课" => Ok(PartyImport::Meetings(today)),
            other => Err(Error::Invalid(format!(
                "导入内容“{other}”无法识别：应为 orgs（党组织）、scores（考评得分）或 meetings（三会一课）"
            ))),
        }
    }
}

/// The step of the workflow a door names: submit, approve, accept, return.
pub fn party_event(name: &str) -> Result<Event> {
    Ok(match name {
        "submit" => Event::Submit,
        "approve" => Event::Approve,
        "accept" => Event::Accept,
        "return" => Event::Return,
        other => {
            return Err(Error::Invalid(format!(
                "“{other}”不是考评的办理环节：应为 submit（上报）、approve（审核通过）、accept（确认）或 return（退回）"
            )));
        }
    })
}

/// Who scores at each state: the organisation while it is a draft or returned, its 党(工)委
/// once submitted, the 区委组织部 once approved.
fn scorer_at(state: EntryState) -> Option<Scorer> {
    match state {
        EntryState::Draft | EntryState::Returned => Some(Scorer::Own),
        EntryState::Submitted => Some(Scorer::Review),
        EntryState::Approved => Some(Scorer::Confirm),
        _ => None,
    }
}

fn action_of(scorer: Scorer) -> Action {
    match scorer {
        Scorer::Own => Action::AssessParty,
        Scorer::Review => Action::ReviewParty,
        Scorer::Confirm => Action::ConfirmParty,
    }
}

impl Acting<'_> {
    /// The scheme of a year, as saved.
    pub async fn party_scheme(&self, year: i32) -> Result<ChecklistScheme> {
        let text =
            self.store.party_scheme(year).await?.ok_or_else(|| Error::not_found("党建标准化方案", year.to_string()))?;
        Ok(ChecklistScheme::from_toml(&text)?)
    }

    /// The years with a scheme, latest first.
    pub async fn party_years(&self) -> Result<Vec<i32>> {
        Ok(self.store.party_scheme_years().await?)
    }

    /// A scheme saved for its year, checked whole first (the 区委组织部's); its year.
    pub async fn save_party_scheme(&self, text: &str) -> Result<i32> {
        self.allow_top(Action::ManageParty)?;
        let scheme = ChecklistScheme::from_toml(text)?;
        let mut tx = self.store.begin().await?;
        tx.save_party_scheme(scheme.year, text).await?;
        tx.audit(&self.actor.username, "party.scheme", &format!("party_scheme:{}", scheme.year), &scheme.name);
        tx.commit().await?;
        Ok(scheme.year)
    }

    /// Organisations, new or replacing those of their codes, checked with those already
    /// kept (a parent may be an existing one), in one transaction.
    pub async fn save_party_orgs(&self, orgs: &[PartyOrg]) -> Result<usize> {
        self.allow_top(Action::ManageParty)?;
        let mut all: HashMap<String, PartyOrg> =
            self.store.party_orgs(None).await?.into_iter().map(|o| (o.code.clone(), o)).collect();
        let mut seen = std::collections::HashSet::new();
        for o in orgs {
            if !seen.insert(o.code.as_str()) {
                return Err(Error::Invalid(format!("党组织编码“{}”重复", o.code)));
            }
            all.insert(o.code.clone(), o.clone());
        }
        let merged: Vec<PartyOrg> = all.into_values().collect();
        check_orgs(&merged, |u| self.tree.get(u).is_some())?;
        // Parents before children: the higher levels first.
        let mut ordered: Vec<&PartyOrg> = orgs.iter().collect();
        ordered.sort_by_key(|o| o.level);
        let mut tx = self.store.begin().await?;
        for o in ordered {
            tx.upsert_party_org(o).await?;
        }
        tx.audit(&self.actor.username, "party.orgs", "party_orgs", &format!("党组织{}个", orgs.len()));
        tx.commit().await?;
        Ok(orgs.len())
    }

    /// The organisations the actor reads: those of its unit's subtree (unit roles), or all.
    pub async fn party_orgs(&self) -> Result<Vec<PartyOrg>> {
        let within = self.reach(None)?;
        Ok(self.store.party_orgs(within.as_deref()).await?)
    }

    async fn party_org(&self, code: &str) -> Result<PartyOrg> {
        let org = self.store.party_org(code).await?.ok_or_else(|| Error::not_found("党组织", code))?;
        self.check_read(&org.unit)?;
        Ok(org)
    }

    /// May the actor do `action` to the organisation: by role and unit, and a 支部书记 only
    /// for the organisation whose secretary account they are.
    fn allow_on_org(&self, action: Action, org: &PartyOrg) -> Result<()> {
        self.allow(action, &org.unit)?;
        if self.actor.role == Role::PartySecretary && org.secretary_account.as_deref() != Some(&self.actor.username) {
            return Err(Denied::Secretary { action: action.label_zh(), org: org.name.clone() }.into());
        }
        Ok(())
    }

    /// One organisation's checklist of a year, with what the actor may do to it now.
    pub async fn party_sheet(&self, org: &str, year: i32) -> Result<PartySheet> {
        let org = self.party_org(org).await?;
        let scheme = self.party_scheme(year).await?;
        let assessment = self.store.party_assessment(&org.code, year).await?;
        let trail = match &assessment {
            Some(a) => self.store.party_assessment_steps(a.id).await?,
            None => vec![],
        };
        let state = assessment.as_ref().map_or(EntryState::Draft, |a| a.state);
        let scoring = scorer_at(state).filter(|s| self.allow_on_org(action_of(*s), &org).is_ok());
        let steps = [Event::Submit, Event::Approve, Event::Accept, Event::Return]
            .into_iter()
            .filter(|e| transition(state, *e).is_ok() && self.allow_on_org(step_action(*e, state), &org).is_ok())
            .filter(|e| *e != Event::Submit || assessment.is_some())
            .collect();
        Ok(PartySheet { org, scheme, assessment, trail, scoring, steps })
    }

    /// Scores written for the items whose turn it is (the organisation's while a draft, its
    /// 党(工)委's once submitted, the 区委组织部's once approved), each checked against the
    /// scheme; `version` guards against someone else's change in between (none: a first
    /// draft). Nothing is written when one score is wrong.
    pub async fn save_party_scores(
        &self,
        org: &str,
        year: i32,
        scores: &[ScoreInput],
        version: Option<i64>,
    ) -> Result<PartyAssessment> {
        let planned = self.plan_scores(org, year, scores, version).await?;
        let mut tx = self.store.begin().await?;
        write_scores(&mut tx, &planned, &self.actor.username).await?;
        tx.commit().await?;
        self.store.party_assessment(&planned.sheet.org.code, year).await?.ok_or_else(|| Error::not_found("考评", org))
    }

    /// Scores of many organisations (an imported sheet's), every one checked before any is
    /// written, then written in one transaction; errors name the organisation.
    pub async fn import_party_scores(&self, year: i32, by_org: &[(String, Vec<ScoreInput>)]) -> Result<usize> {
        let mut planned = vec![];
        for (org, scores) in by_org {
            let plan = self.plan_scores(org, year, scores, None).await.map_err(|e| match e {
                Error::Invalid(m) => Error::Invalid(format!("党组织{org}：{m}")),
                Error::Domain(d) => Error::Invalid(format!("党组织{org}：{d}")),
                other => other,
            })?;
            planned.push(plan);
        }
        let mut tx = self.store.begin().await?;
        for plan in &planned {
            write_scores(&mut tx, plan, &self.actor.username).await?;
        }
        tx.commit().await?;
        Ok(by_org.iter().map(|(_, s)| s.len()).sum())
    }

    /// A 基层党建 workbook read (every bad cell named) and written whole, or nothing written;
    /// what was imported, in a sentence.
    pub async fn import_party(
        &self,
        bytes: &[u8],
        file: &str,
        what: PartyImport,
    ) -> Result<String, crate::WorkbookError> {
        match what {
            PartyImport::Orgs => {
                // Refused before the file is read by whoever may not keep organisations.
                self.allow_top(Action::ManageParty)?;
                let orgs =
                    taizhang_office::party::orgs(bytes, file, |u| self.tree.find(u).map(|u| u.code.to_string()))?;
                Ok(format!("已导入党组织{}个", self.save_party_orgs(&orgs).await?))
            }
            PartyImport::Scores(year) => {
                let mut by_org: std::collections::BTreeMap<String, Vec<ScoreInput>> = Default::default();
                for r in taizhang_office::party::scores(bytes, file)? {
                    by_org.entry(r.org).or_default().push(ScoreInput {
                        item: r.item,
                        points: r.points,
                        evidence: r.evidence,
                    });
                }
                let orgs = by_org.len();
                let saved = self.import_party_scores(year, &by_org.into_iter().collect::<Vec<_>>()).await?;
                Ok(format!("已导入{orgs}个党组织的得分{saved}项"))
            }
            PartyImport::Meetings(today) => {
                let meetings = taizhang_office::party::meetings(bytes, file)?;
                Ok(format!("已导入会议记录{}条", self.record_party_meetings(&meetings, today, false).await?))
            }
        }
    }

    /// Who may score what now, and whether each score fits its item: read and checked
    /// before a transaction begins.
    async fn plan_scores(
        &self,
        org: &str,
        year: i32,
        scores: &[ScoreInput],
        version: Option<i64>,
    ) -> Result<PlannedScores> {
        let sheet = self.party_sheet(org, year).await?;
        let state = sheet.state();
        let scorer = scorer_at(state)
            .ok_or_else(|| Error::Invalid(format!("{}的考评已{}，不能再打分", sheet.org.name, state.label_zh())))?;
        if let Err(denied) = self.allow_on_org(action_of(scorer), &sheet.org) {
            // The 书记 after submitting: say where the checklist is, not which role scores now.
            if scorer != Scorer::Own && self.allow_on_org(Action::AssessParty, &sheet.org).is_ok() {
                return Err(Error::Invalid(format!(
                    "{}的{year}年考评{}，现由{}，不能再修改自评",
                    sheet.org.name,
                    state.label_zh(),
                    scorer.label_zh()
                )));
            }
            return Err(denied);
        }
        if sheet.version() != version && version.is_some() {
            return Err(Error::Conflict(format!("{}的{year}年考评", sheet.org.name)));
        }
        if scores.is_empty() {
            return Err(Error::Invalid("没有要保存的得分".into()));
        }
        for s in scores {
            let whose = sheet.scheme.scorer_of(&s.item);
            if whose.is_some() && whose != Some(scorer) {
                let name = sheet.scheme.item(&s.item).map_or(s.item.as_str(), |i| i.name.as_str());
                return Err(Error::Invalid(format!(
                    "第{}项“{name}”由{}打分，现在是{}环节",
                    s.item,
                    whose.map_or("", Scorer::label_zh),
                    scorer.label_zh()
                )));
            }
            sheet.scheme.check_score(&s.item, s.points, &s.evidence)?;
        }
        let rows: Vec<PartyScore> = scores
            .iter()
            .map(|s| PartyScore {
                item: s.item.clone(),
                points: s.points,
                evidence: s.evidence.trim().to_string(),
                scored_by: self.actor.username.clone(),
            })
            .collect();
        let summary = format!(
            "{}：{}",
            scorer.label_zh(),
            rows.iter().map(|s| format!("{} {}分", s.item, s.points.normalize())).collect::<Vec<_>>().join("，")
        );
        Ok(PlannedScores { sheet, year, rows, summary })
    }

    /// A step of the workflow: submit (the organisation, every self-assessed item scored),
    /// approve (its 党(工)委, every review item scored), accept (the 区委组织部, every item
    /// of its own scored or left at nothing), return with a reason (whoever holds it now).
    /// 职责分离: no one approves or confirms what they scored, nor confirms what they approved.
    pub async fn party_step(
        &self,
        org: &str,
        year: i32,
        event: Event,
        reason: &str,
        version: i64,
    ) -> Result<PartyAssessment> {
        let sheet = self.party_sheet(org, year).await?;
        let a = sheet
            .assessment
            .clone()
            .ok_or_else(|| Error::Invalid(format!("{}的{year}年考评还没有自评得分", sheet.org.name)))?;
        self.allow_on_org(step_action(event, a.state), &sheet.org)?;
        if a.version != version {
            return Err(Error::Conflict(format!("{}的{year}年考评", sheet.org.name)));
        }
        let to = transition(a.state, event)?;
        if event == Event::Return && reason.trim().is_empty() {
            return Err(Error::Invalid("退回须说明原因".into()));
        }
        let due = match event {
            Event::Submit => Some(Scorer::Own),
            Event::Approve => Some(Scorer::Review),
            _ => None,
        };
        if let Some(scorer) = due {
            let missing: Vec<String> = sheet
                .scheme
                .items
                .iter()
                .filter(|i| i.scorer == scorer && sheet.score(&i.key).is_none())
                .map(|i| format!("{} {}", i.key, i.name))
                .collect();
            if !missing.is_empty() {
                return Err(Error::Invalid(format!("尚未打分的项目：{}", missing.join("；"))));
            }
        }
        // Who drafted it: whoever scored its self-assessed items or submitted it.
        let drafted: Vec<String> = a
            .scores
            .iter()
            .filter(|s| sheet.scheme.scorer_of(&s.item) == Some(Scorer::Own))
            .map(|s| s.scored_by.clone())
            .chain(moved_to(&sheet.trail, EntryState::Submitted))
            .collect();
        let approved = moved_to(&sheet.trail, EntryState::Approved);
        if let Some(why) = separation_breach(event, &self.actor.username, &drafted, &approved) {
            return Err(Error::Invalid(why));
        }
        let mut tx = self.store.begin().await?;
        let return_reason = (event == Event::Return).then_some(reason.trim());
        tx.move_party_assessment(&a, to, return_reason, &self.actor.username, reason.trim()).await?;
        if to != EntryState::Accepted {
            tx.changes_no_figures();
        }
        tx.commit().await?;
        self.store.party_assessment(&sheet.org.code, year).await?.ok_or_else(|| Error::not_found("考评", org))
    }

    /// The year's 星级 rating of the confirmed checklists of the organisations the actor
    /// reads (党支部 and 党总支), with last year's stars where last year was rated.
    pub async fn party_rating(&self, year: i32) -> Result<PartyRating> {
        let within = self.reach(None)?;
        self.party_rating_within(year, within.as_deref()).await
    }

    /// The rating of the organisations of a unit's subtree (all when none); the caller has
    /// checked that the actor reads it.
    pub(crate) async fn party_rating_within(&self, year: i32, within: Option<&str>) -> Result<PartyRating> {
        let scheme = self.party_scheme(year).await?;
        let within = within.map(str::to_string);
        let orgs: Vec<PartyOrg> = self
            .store
            .party_orgs(within.as_deref())
            .await?
            .into_iter()
            .filter(|o| o.level != party::OrgLevel::Committee)
            .collect();
        let (rated, pending) = self.rate_year(&scheme, &orgs, within.as_deref()).await?;
        let last_year: HashMap<String, u8> = match self.store.party_scheme(year - 1).await? {
            Some(text) => {
                let before = ChecklistScheme::from_toml(&text)?;
                let (rated, _) = self.rate_year(&before, &orgs, within.as_deref()).await?;
                rated.into_iter().filter_map(|r| r.stars.map(|s| (r.org, s))).collect()
            }
            None => HashMap::new(),
        };
        let by_code: HashMap<&str, &PartyOrg> = orgs.iter().map(|o| (o.code.as_str(), o)).collect();
        let rated = rated
            .into_iter()
            .map(|mut r| {
                r.last_year = last_year.get(&r.org).copied();
                let unit = by_code.get(r.org.as_str()).map(|o| o.unit.clone()).unwrap_or_default();
                RatedOrg { unit_name: self.unit_name(&unit), unit, rated: r }
            })
            .collect();
        let unit_names = orgs.iter().map(|o| (o.unit.clone(), self.unit_name(&o.unit))).collect();
        Ok(PartyRating { year, scheme, rated, pending, unit_names })
    }

    /// The year's 书记抓党建述职评议 in the actor's reach: each secretary whose 党(工)委 has
    /// scored the scheme's review item, graded; best first. None when the scheme names none.
    pub async fn party_reviews(&self, year: i32) -> Result<Vec<SecretaryReview>> {
        let scheme = self.party_scheme(year).await?;
        let Some(item) = scheme.review_item.clone() else { return Ok(vec![]) };
        let within = self.reach(None)?;
        let orgs: HashMap<String, PartyOrg> =
            self.store.party_orgs(within.as_deref()).await?.into_iter().map(|o| (o.code.clone(), o)).collect();
        let mut out: Vec<SecretaryReview> = self
            .store
            .party_assessments(year, within.as_deref())
            .await?
            .into_iter()
            .filter_map(|a| {
                let points = a.scores.iter().find(|s| s.item == item)?.points;
                let (full, grade) = scheme.review_grade(points)?;
                Some(SecretaryReview { org: orgs.get(&a.org)?.clone(), points, full, grade })
            })
            .collect();
        out.sort_by(|a, b| b.points.cmp(&a.points).then(a.org.code.cmp(&b.org.code)));
        Ok(out)
    }

    async fn rate_year(
        &self,
        scheme: &ChecklistScheme,
        orgs: &[PartyOrg],
        within: Option<&str>,
    ) -> Result<(Vec<Rated>, Vec<(PartyOrg, EntryState)>)> {
        let assessments: HashMap<String, PartyAssessment> =
            self.store.party_assessments(scheme.year, within).await?.into_iter().map(|a| (a.org.clone(), a)).collect();
        let mut confirmed = vec![];
        let mut scores = HashMap::new();
        let mut pending = vec![];
        for o in orgs {
            match assessments.get(&o.code) {
                Some(a) if matches!(a.state, EntryState::Accepted | EntryState::Locked) => {
                    confirmed.push((o.code.clone(), o.name.clone()));
                    scores.insert(o.code.clone(), a.scores.iter().map(|s| (s.item.clone(), s.points)).collect());
                }
                Some(a) => pending.push((o.clone(), a.state)),
                None => pending.push((o.clone(), EntryState::Draft)),
            }
        }
        Ok((party::rate(scheme, &confirmed, &scores, &HashMap::new()), pending))
    }

    /// Meetings recorded by their organisations' 支部书记 (or an admin) in one transaction:
    /// none in the future, none attended by more than the members; one wrong, none written.
    pub async fn record_party_meetings(&self, meetings: &[Meeting], today: Date, sample: bool) -> Result<usize> {
        let mut orgs: HashMap<String, PartyOrg> = HashMap::new();
        for m in meetings {
            if !orgs.contains_key(&m.org) {
                let org = self.party_org(&m.org).await?;
                self.allow_on_org(Action::AssessParty, &org)?;
                orgs.insert(m.org.clone(), org);
            }
            let org = &orgs[&m.org];
            check_meeting(m, org.members, today).map_err(|e| Error::Invalid(format!("{}：{e}", org.name)))?;
        }
        if meetings.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.begin().await?;
        for m in meetings {
            tx.insert_party_meeting(m, &self.actor.username, sample).await?;
        }
        // One event for the batch: which organisations, how many meetings, from when to when.
        let mut names: Vec<&str> = orgs.values().map(|o| o.name.as_str()).collect();
        names.sort_unstable();
        let (first, last) = (meetings.iter().map(|m| m.held_on).min(), meetings.iter().map(|m| m.held_on).max());
        let span = first.zip(last).map(|(a, b)| format!("{a}至{b}")).unwrap_or_default();
        let detail = format!("{}：会议{}次，{span}", names.join("、"), meetings.len());
        tx.audit(&self.actor.username, "party.meetings", "party_meetings", &detail);
        tx.commit().await?;
        Ok(meetings.len())
    }

    /// Meetings of one organisation (or all the actor reads) in a year.
    pub async fn party_meetings(&self, org: Option<&str>, year: i32) -> Result<Vec<taizhang_store::MeetingRow>> {
        if let Some(code) = org {
            self.party_org(code).await?;
        }
        let within = self.reach(None)?;
        let (from, to) = (Date::new(year, 1, 1)?, Date::new(year, 12, 31)?);
        Ok(self.store.party_meetings(within.as_deref(), org, from, to).await?)
    }

    /// Each organisation's 三会一课 of a month as of a day, lit (党委 too: the scheme's
    /// requirements say by level which apply).
    pub async fn party_completeness(&self, year: i32, month: Period, as_of: Date) -> Result<Vec<OrgMonth>> {
        let scheme = self.party_scheme(year).await?;
        let within = self.reach(None)?;
        let orgs = self.store.party_orgs(within.as_deref()).await?;
        let quarter_start = Date::new(month.year(), (month.month_of_year() - 1) / 3 * 3 + 1, 1)?;
        let meetings = self.store.party_meetings(within.as_deref(), None, quarter_start, Date::end_of(month)).await?;
        let mut by_org: HashMap<String, Vec<Meeting>> = HashMap::new();
        for m in meetings {
            by_org.entry(m.meeting.org.clone()).or_default().push(m.meeting);
        }
        Ok(orgs
            .into_iter()
            .filter_map(|org| {
                let req = scheme.requirements_for(org.level);
                if req.is_empty() {
                    return None;
                }
                let held = by_org.remove(&org.code).unwrap_or_default();
                let completeness = month_completeness(&req, &held, month, as_of, scheme.warn_day);
                Some(OrgMonth { org, completeness })
            })
            .collect())
    }

    /// The 基层党建 report: the year's 星级 distribution by unit, the organisations named for
    /// 整顿, every rated organisation, and a month's 三会一课 completeness.
    pub async fn party_document(&self, year: i32, month: Period, as_of: Date) -> Result<Document> {
        let rating = self.party_rating(year).await?;
        let months = self.party_completeness(year, month, as_of).await?;
        let mut doc = Document {
            title: format!("{}{year}年基层党建标准化工作情况", self.unit_name(&self.scope_of(None)?)),
            subtitle: Some(rating.scheme.name.clone()),
            sections: vec![],
            signature: None,
        };
        let mut stars = DocSection::new("星级评定", vec![rating_sentence(&rating)]);
        let names = rating.star_names();
        let mut headers = vec!["单位".to_string()];
        headers.extend(names.iter().cloned());
        headers.extend(["未定星".into(), "整顿".into(), "待确认".into()]);
        stars.tables.push(Table {
            caption: "星级分布".into(),
            headers,
            rows: rating
                .by_unit()
                .into_iter()
                .map(|(unit, counts, none, weak, pending)| {
                    let mut row = vec![TableCell::Text(unit)];
                    row.extend(counts.into_iter().map(|c| TableCell::Number(Decimal::from(c as u64), 0)));
                    row.extend([none, weak, pending].map(|c| TableCell::Number(Decimal::from(c as u64), 0)));
                    row
                })
                .collect(),
        });
        stars.tables.push(Table {
            caption: "党组织星级".into(),
            headers: ["名次", "党组织", "所属单位", "得分", "星级", "上年", "变化"].map(String::from).to_vec(),
            rows: rating
                .rated
                .iter()
                .map(|r| {
                    vec![
                        TableCell::Number(Decimal::from(r.rated.place as u64), 0),
                        TableCell::Text(r.rated.name.clone()),
                        TableCell::Text(r.unit_name.clone()),
                        TableCell::Number(r.rated.total, 2),
                        TableCell::Text(r.rated.star_text()),
                        TableCell::Text(r.rated.last_year.map(|s| format!("{s}星")).unwrap_or_default()),
                        TableCell::Text(change_text(&r.rated)),
                    ]
                })
                .collect(),
        });
        doc.sections.push(stars);
        let weak: Vec<&RatedOrg> = rating.rated.iter().filter(|r| r.rated.weak.is_some()).collect();
        let mut rectify = DocSection::new(
            "软弱涣散党组织整顿",
            vec![match weak.len() {
                0 => "本年度没有列为软弱涣散的党组织。".into(),
                n => format!("列为软弱涣散、需整顿的党组织{n}个。"),
            }],
        );
        if !weak.is_empty() {
            rectify.tables.push(Table {
                caption: "整顿名单".into(),
                headers: ["党组织", "所属单位", "原因"].map(String::from).to_vec(),
                rows: weak
                    .iter()
                    .map(|r| {
                        vec![
                            TableCell::Text(r.rated.name.clone()),
                            TableCell::Text(r.unit_name.clone()),
                            TableCell::Text(r.rated.weak.clone().unwrap_or_default()),
                        ]
                    })
                    .collect(),
            });
        }
        doc.sections.push(rectify);
        let (red, yellow) = (
            months.iter().filter(|m| m.completeness.light == taizhang_core::lights::Light::Red).count(),
            months.iter().filter(|m| m.completeness.light == taizhang_core::lights::Light::Yellow).count(),
        );
        let mut meetings = DocSection::new(
            "三会一课",
            vec![format!(
                "{}，{}个党组织中按要求召开的{}个，亮黄灯{yellow}个、红灯{red}个（截至{as_of}）。",
                month.label_zh(false),
                months.len(),
                months.len() - red - yellow
            )],
        );
        meetings.tables.push(Table {
            caption: format!("{}三会一课完成情况", month.label_zh(false)),
            headers: ["党组织", "所属单位", "灯色", "说明"].map(String::from).to_vec(),
            rows: months
                .iter()
                .map(|m| {
                    vec![
                        TableCell::Text(m.org.name.clone()),
                        TableCell::Text(self.unit_name(&m.org.unit)),
                        TableCell::Text(m.completeness.light.label_zh().into()),
                        TableCell::Text(m.completeness.reason()),
                    ]
                })
                .collect(),
        });
        doc.sections.push(meetings);
        let reviews = self.party_reviews(year).await?;
        if !reviews.is_empty() {
            let mut section = DocSection::new("书记抓党建述职评议", vec![review_sentence(&rating.scheme, &reviews)]);
            section.tables.push(Table {
                caption: "述职评议结果".into(),
                headers: ["党组织", "所属单位", "书记", "评议得分", "满分", "等次"].map(String::from).to_vec(),
                rows: reviews
                    .iter()
                    .map(|r| {
                        vec![
                            TableCell::Text(r.org.name.clone()),
                            TableCell::Text(self.unit_name(&r.org.unit)),
                            TableCell::Text(r.org.secretary.clone()),
                            TableCell::Number(r.points, 2),
                            TableCell::Number(r.full, 2),
                            TableCell::Text(r.grade.clone()),
                        ]
                    })
                    .collect(),
            });
            doc.sections.push(section);
        }
        Ok(doc)
    }
}

/// Scores checked and ready to write.
struct PlannedScores {
    sheet: PartySheet,
    year: i32,
    rows: Vec<PartyScore>,
    summary: String,
}

/// Writes planned scores: the checklist begun if it was not, the scores over those of the
/// same items, the step logged — guarded by the version the plan read.
async fn write_scores(tx: &mut taizhang_store::Tx, plan: &PlannedScores, actor: &str) -> Result<()> {
    let assessment = match &plan.sheet.assessment {
        Some(a) => a.clone(),
        None => {
            let id = tx.insert_party_assessment(&plan.sheet.org.code, plan.year, plan.sheet.org.sample).await?;
            PartyAssessment {
                id,
                org: plan.sheet.org.code.clone(),
                year: plan.year,
                state: EntryState::Draft,
                version: 1,
                return_reason: None,
                scores: vec![],
            }
        }
    };
    tx.write_party_scores(&assessment, &plan.rows, actor, &plan.summary).await?;
    // Only confirmed checklists are rated: scores before confirmation change no figure shown.
    tx.changes_no_figures();
    Ok(())
}

/// Who moved a checklist into `state` (its scores written there keep it where it was).
fn moved_to(trail: &[Transition], state: EntryState) -> Vec<String> {
    trail.iter().filter(|t| t.to == state.code() && t.from != t.to).map(|t| t.actor.clone()).collect()
}

/// The action a step needs at a state: a return is the reviewer's while submitted, the
/// 区委组织部's once approved.
fn step_action(event: Event, state: EntryState) -> Action {
    match (event, state) {
        (Event::Submit, _) => Action::AssessParty,
        (Event::Approve, _) | (Event::Return, EntryState::Submitted) => Action::ReviewParty,
        _ => Action::ConfirmParty,
    }
}

/// "参加星级评定的党组织12个，其中五星级3个、四星级5个……；列为软弱涣散的2个；另有1个尚未确认。"
pub fn rating_sentence(rating: &PartyRating) -> String {
    if rating.rated.is_empty() {
        return format!("{}年尚无经区委组织部确认的星级评定结果。", rating.year);
    }
    let mut stars = rating.scheme.stars.clone();
    stars.sort_by_key(|s| std::cmp::Reverse(s.stars));
    let parts: Vec<String> = stars
        .iter()
        .map(|s| (s, rating.rated.iter().filter(|r| r.rated.stars == Some(s.stars)).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{}{n}个", s.name))
        .collect();
    let none = rating.rated.iter().filter(|r| r.rated.stars.is_none()).count();
    let weak = rating.rated.iter().filter(|r| r.rated.weak.is_some()).count();
    let mut s = format!("{}年参加星级评定的党组织{}个", rating.year, rating.rated.len());
    if !parts.is_empty() {
        s.push_str(&format!("，其中{}", parts.join("、")));
    }
    if none > 0 {
        s.push_str(&format!("，未定星{none}个"));
    }
    match weak {
        0 => s.push_str("；没有软弱涣散党组织"),
        n => s.push_str(&format!("；列为软弱涣散的{n}个")),
    }
    if !rating.pending.is_empty() {
        s.push_str(&format!("；另有{}个尚未完成考评确认", rating.pending.len()));
    }
    s.push('。');
    s
}

/// "书记抓党建述职评议10人，其中好8人、较好1人、一般1人。"
pub fn review_sentence(scheme: &ChecklistScheme, reviews: &[SecretaryReview]) -> String {
    let parts: Vec<String> = scheme
        .review_grades
        .iter()
        .map(|(g, _)| (g, reviews.iter().filter(|r| &r.grade == g).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(g, n)| format!("{g}{n}人"))
        .collect();
    format!("书记抓党建述职评议{}人，其中{}。", reviews.len(), parts.join("、"))
}

/// "升1星", "降2星", "持平", or nothing when last year was not rated.
pub fn change_text(r: &Rated) -> String {
    match r.change() {
        None => String::new(),
        Some(0) => "持平".into(),
        Some(n) if n > 0 => format!("升{n}星"),
        Some(n) => format!("降{}星", -n),
    }
}
