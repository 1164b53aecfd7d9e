//! 基层党建标准化: party organisations (党委 / 党总支 / 党支部) as a tree tied to org units,
//! the 标准化 checklist as a district's scheme (the 五个基本 with the 四力 as a second
//! grouping, points, evidence, who scores each item, bonuses, deductions and 一票否决, star
//! thresholds), the 星级 rating scored by the 综合考核 engine (`assessment::score`), and the
//! 三会一课 / 主题党日 completeness of a month lit green, yellow or red.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::assessment::{self, Adjustment, AdjustmentKind, Criterion, Grade, Method, Standing};
use crate::error::DomainError;
use crate::lights::Light;
use crate::period::Period;
use crate::project::Date;
use crate::quantity::format_number;

coded_enum! {
    /// 党组织层级.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum OrgLevel ("党组织层级") {
        Committee = "committee" / "党委" | "党工委" | "党组",
        General = "general" / "党总支",
        Branch = "branch" / "党支部" | "支部",
    }
}

coded_enum! {
    /// 党组织类型.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum OrgType ("党组织类型") {
        Organ = "organ" / "机关" | "机关事业单位",
        Community = "community" / "社区",
        Rural = "rural" / "农村",
        Enterprise = "enterprise" / "非公企业" | "企业",
        Social = "social" / "社会组织",
        Other = "other" / "其他",
    }
}

coded_enum! {
    /// 三会一课 and 主题党日.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum MeetingKind ("会议类型") {
        MemberAssembly = "member_assembly" / "支部党员大会" | "党员大会",
        BranchCommittee = "branch_committee" / "支委会" | "支部委员会",
        GroupMeeting = "group_meeting" / "党小组会",
        PartyLecture = "party_lecture" / "党课",
        ThemeDay = "theme_day" / "主题党日",
    }
}

/// A party organisation as kept and imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyOrg {
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub kind: OrgType,
    /// The organisation above it (its 党委 or 党总支); none for the top ones.
    pub parent: Option<String>,
    /// The org unit it belongs to (a 街道, 部门 …): whose 党(工)委 reviews it.
    pub unit: String,
    pub secretary: String,
    /// The 支部书记's account, which alone may fill in its checklist and meetings.
    pub secretary_account: Option<String>,
    pub members: u32,
    pub sample: bool,
}

/// Organisations checked whole: codes unique and plain, parents known and of a higher level,
/// no cycles, members counted, the unit known (`unit_known`). Errors name the organisation.
pub fn check_orgs(orgs: &[PartyOrg], unit_known: impl Fn(&str) -> bool) -> Result<(), DomainError> {
    let invalid = |m: String| Err(DomainError::Invalid(m));
    let by_code: HashMap<&str, &PartyOrg> = orgs.iter().map(|o| (o.code.as_str(), o)).collect();
    if by_code.len() != orgs.len() {
        let mut seen = HashSet::new();
        let twice = orgs.iter().find(|o| !seen.insert(o.code.as_str())).map_or("", |o| o.code.as_str());
        return invalid(format!("党组织编码“{twice}”重复"));
    }
    for o in orgs {
        if o.code.is_empty() || o.code.chars().any(char::is_whitespace) || o.code.chars().count() > 64 {
            return invalid(format!("党组织编码“{}”不能为空、含空格或超过64个字符", o.code));
        }
        if o.name.trim().is_empty() {
            return invalid(format!("党组织“{}”缺少名称", o.code));
        }
        if !unit_known(&o.unit) {
            return invalid(format!("党组织“{}”的所属单位“{}”不存在", o.name, o.unit));
        }
        if o.members == 0 {
            return invalid(format!("党组织“{}”的党员人数应大于0", o.name));
        }
        if let Some(parent) = &o.parent {
            let Some(p) = by_code.get(parent.as_str()) else {
                return invalid(format!("党组织“{}”的上级组织“{parent}”不存在", o.name));
            };
            if p.level >= o.level {
                return invalid(format!(
                    "党组织“{}”（{}）不能隶属于“{}”（{}）：上级组织的层级应更高",
                    o.name,
                    o.level.label_zh(),
                    p.name,
                    p.level.label_zh()
                ));
            }
        }
    }
    // Levels strictly rise towards the top, so a cycle cannot exist; the check above suffices.
    Ok(())
}

/// Who scores a checklist item: the organisation itself, its 党(工)委 in review, or the
/// 区委组织部 in confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scorer {
    #[default]
    #[serde(rename = "self")]
    Own,
    Review,
    Confirm,
}

impl Scorer {
    pub fn label_zh(self) -> &'static str {
        match self {
            Scorer::Own => "支部自评",
            Scorer::Review => "党(工)委评定",
            Scorer::Confirm => "区委组织部评定",
        }
    }
}

/// A grouping of items: one of the 五个基本 or one of the 四力.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    /// Its 基本 (a `[[group]]` key).
    pub group: String,
    /// Its 力 (a `[[force]]` key), when the scheme groups by the 四力 too.
    pub force: Option<String>,
    pub name: String,
    pub points: Decimal,
    /// Evidence (佐证材料) must be described for any points.
    #[serde(default)]
    pub evidence: bool,
    #[serde(default)]
    pub scorer: Scorer,
}

/// A 星级: its stars, name and lowest total.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Star {
    pub stars: u8,
    pub name: String,
    pub min: Decimal,
}

/// A meeting an organisation must hold each month or quarter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub kind: String,
    pub every: Every,
    /// Only for these levels (all when empty).
    #[serde(default)]
    pub levels: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Month,
    Quarter,
}

/// A district's 标准化 scheme for a year, as its TOML file says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistScheme {
    pub name: String,
    pub year: i32,
    /// Below this total an organisation is 软弱涣散 and named for 整顿.
    pub weak_below: Decimal,
    /// From this day of a month a meeting still missing lights the organisation yellow.
    #[serde(default = "default_warn_day")]
    pub warn_day: u8,
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
    #[serde(default, rename = "force")]
    pub forces: Vec<Group>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
    #[serde(default, rename = "adjustment")]
    pub adjustments: Vec<Adjustment>,
    #[serde(rename = "star")]
    pub stars: Vec<Star>,
    #[serde(default, rename = "meeting")]
    pub meetings: Vec<Requirement>,
    /// The item that carries the 书记抓党建述职评议 (scored by the 党(工)委), if any.
    pub review_item: Option<String>,
    /// The 述职评议's grades by share of that item's points, best first (default 好 90%,
    /// 较好 75%, 一般 60%, 差 below).
    #[serde(default = "default_review_grades")]
    pub review_grades: Vec<(String, Decimal)>,
}

fn default_review_grades() -> Vec<(String, Decimal)> {
    [("好", 90), ("较好", 75), ("一般", 60), ("差", 0)]
        .into_iter()
        .map(|(g, p)| (g.to_string(), Decimal::from(p)))
        .collect()
}

fn default_warn_day() -> u8 {
    20
}

fn n(d: Decimal) -> String {
    format_number(d, 2)
}

impl ChecklistScheme {
    /// The scheme read and checked whole: keys unique, every item in a known 基本 (and 力),
    /// points positive, star thresholds that do not overlap, the 软弱涣散 line below the
    /// lowest star, meeting kinds known.
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let s: ChecklistScheme =
            toml::from_str(text).map_err(|e| DomainError::Invalid(format!("党建标准化方案格式错误：{e}")))?;
        s.check()?;
        Ok(s)
    }

    fn check(&self) -> Result<(), DomainError> {
        let invalid = |m: String| Err(DomainError::Invalid(format!("党建标准化方案：{m}")));
        if self.items.is_empty() || self.stars.is_empty() {
            return invalid("至少需要一个检查项目和一个星级".into());
        }
        let mut keys = HashSet::new();
        for k in self.items.iter().map(|i| &i.key).chain(self.adjustments.iter().map(|a| &a.key)) {
            if !keys.insert(k.as_str()) {
                return invalid(format!("项目编号“{k}”重复"));
            }
        }
        let groups: HashSet<&str> = self.groups.iter().map(|g| g.key.as_str()).collect();
        let forces: HashSet<&str> = self.forces.iter().map(|g| g.key.as_str()).collect();
        for i in &self.items {
            if !groups.contains(i.group.as_str()) {
                return invalid(format!("第{}项“{}”的分组“{}”未定义", i.key, i.name, i.group));
            }
            match &i.force {
                Some(f) if !forces.contains(f.as_str()) => {
                    return invalid(format!("第{}项“{}”的“力”分组“{f}”未定义", i.key, i.name));
                }
                None if !self.forces.is_empty() => {
                    return invalid(format!("第{}项“{}”缺少“力”分组（force）", i.key, i.name));
                }
                _ => {}
            }
            if i.points <= Decimal::ZERO {
                return invalid(format!("第{}项“{}”的分值应大于0", i.key, i.name));
            }
        }
        if let Some(a) = self.adjustments.iter().find(|a| a.cap < Decimal::ZERO) {
            return invalid(format!("“{}”的上限不能为负", a.name));
        }
        let mut stars = self.stars.clone();
        stars.sort_by_key(|s| std::cmp::Reverse(s.stars));
        for pair in stars.windows(2) {
            let (higher, lower) = (&pair[0], &pair[1]);
            if higher.stars == lower.stars || higher.min <= lower.min {
                return invalid(format!(
                    "星级分数线重叠：{}（{}分以上）与{}（{}分以上）",
                    higher.name,
                    n(higher.min),
                    lower.name,
                    n(lower.min)
                ));
            }
        }
        let lowest = stars.last().map_or(Decimal::ZERO, |s| s.min);
        if self.weak_below > lowest {
            return invalid(format!("软弱涣散分数线{}高于最低星级分数线{}，两者重叠", n(self.weak_below), n(lowest)));
        }
        if let Some(key) = &self.review_item {
            match self.item(key) {
                Some(i) if i.scorer == Scorer::Review => {}
                Some(i) => {
                    return invalid(format!(
                        "述职评议项目第{key}项“{}”应由党(工)委评定（scorer = \"review\"）",
                        i.name
                    ));
                }
                None => return invalid(format!("述职评议项目“{key}”不是方案中的检查项目")),
            }
        }
        if self.review_grades.windows(2).any(|w| w[0].1 <= w[1].1) {
            return invalid("述职评议等次的分数线应从高到低排列、互不重叠".into());
        }
        if !(1..=28).contains(&self.warn_day) {
            return invalid(format!("warn_day {} 应在1到28之间", self.warn_day));
        }
        for m in &self.meetings {
            m.kind.parse::<MeetingKind>()?;
            for l in &m.levels {
                l.parse::<OrgLevel>()?;
            }
        }
        Ok(())
    }

    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    pub fn adjustment(&self, key: &str) -> Option<&Adjustment> {
        self.adjustments.iter().find(|a| a.key == key)
    }

    /// The checklist's full points (the base the stars are measured on).
    pub fn full_points(&self) -> Decimal {
        self.items.iter().map(|i| i.points).sum()
    }

    /// A score as entered, checked against its item: not negative, not above the item's
    /// points, evidence described where the scheme asks for it; an adjustment's points not
    /// negative. Errors name the item.
    pub fn check_score(&self, key: &str, points: Decimal, evidence: &str) -> Result<(), DomainError> {
        let invalid = |m: String| Err(DomainError::Invalid(m));
        if let Some(a) = self.adjustment(key) {
            if points < Decimal::ZERO {
                return invalid(format!("“{}”的分数不能为负", a.name));
            }
            return Ok(());
        }
        let Some(item) = self.item(key) else {
            return invalid(format!("方案中没有编号为“{key}”的检查项目"));
        };
        if points < Decimal::ZERO {
            return invalid(format!("第{}项“{}”的得分不能为负", item.key, item.name));
        }
        if points > item.points {
            return invalid(format!(
                "第{}项“{}”的得分{}超过该项分值{}",
                item.key,
                item.name,
                n(points),
                n(item.points)
            ));
        }
        if item.evidence && points > Decimal::ZERO && evidence.trim().is_empty() {
            return invalid(format!("第{}项“{}”需要填写佐证材料", item.key, item.name));
        }
        Ok(())
    }

    /// Who scores an item or adjustment (adjustments are the 区委组织部's).
    pub fn scorer_of(&self, key: &str) -> Option<Scorer> {
        match self.item(key) {
            Some(i) => Some(i.scorer),
            None => self.adjustment(key).map(|_| Scorer::Confirm),
        }
    }

    /// The 综合考核 scheme the rating is: one manual criterion per 基本 (its items' sum as
    /// each organisation's score), the scheme's bonuses, deductions and vetoes, the stars as
    /// grades (named by their star count, so that the rating can read them back).
    fn as_assessment(&self, scores: &HashMap<String, HashMap<String, Decimal>>) -> assessment::Scheme {
        let criteria = self
            .groups
            .iter()
            .map(|g| {
                let items: Vec<&Item> = self.items.iter().filter(|i| i.group == g.key).collect();
                let org_scores = scores
                    .iter()
                    .map(|(org, s)| (org.clone(), items.iter().filter_map(|i| s.get(&i.key)).copied().sum()))
                    .collect();
                Criterion {
                    key: g.key.clone(),
                    name: g.name.clone(),
                    weight: items.iter().map(|i| i.points).sum(),
                    source: None,
                    method: Method::Manual,
                    target: None,
                    at_target_pct: None,
                    per_pp: None,
                    cap: None,
                    table: vec![],
                    step_pct: None,
                    scores: org_scores,
                }
            })
            .collect();
        let adjustments = self
            .adjustments
            .iter()
            .map(|a| Adjustment {
                points: scores
                    .iter()
                    .filter_map(|(org, s)| s.get(&a.key).map(|p| (org.clone(), *p)))
                    .filter(|(_, p)| a.kind != AdjustmentKind::Veto || *p > Decimal::ZERO)
                    .collect(),
                ..a.clone()
            })
            .collect();
        assessment::Scheme {
            name: self.name.clone(),
            period: self.year.to_string(),
            units_under: None,
            kinds: vec![],
            units: vec![],
            criteria,
            adjustments,
            grades: self.stars.iter().map(|s| Grade { name: s.stars.to_string(), min: s.min }).collect(),
        }
    }

    /// The stars, most first.
    pub fn stars_best_first(&self) -> Vec<&Star> {
        let mut stars: Vec<&Star> = self.stars.iter().collect();
        stars.sort_by_key(|s| std::cmp::Reverse(s.stars));
        stars
    }

    /// The 述职评议 of a secretary whose review item scored `points`: the points, the item's
    /// full points and the grade by share; none when the scheme names no review item.
    pub fn review_grade(&self, points: Decimal) -> Option<(Decimal, String)> {
        let item = self.item(self.review_item.as_deref()?)?;
        let pct = points * Decimal::ONE_HUNDRED / item.points;
        let grade = self.review_grades.iter().find(|(_, min)| pct >= *min).or(self.review_grades.last())?;
        Some((item.points, grade.0.clone()))
    }

    pub fn star(&self, stars: u8) -> Option<&Star> {
        self.stars.iter().find(|s| s.stars == stars)
    }

    /// The 四力 view of one organisation's scores: each 力's points and full points.
    pub fn by_force(&self, scores: &HashMap<String, Decimal>) -> Vec<(String, Decimal, Decimal)> {
        self.forces
            .iter()
            .map(|f| {
                let items = self.items.iter().filter(|i| i.force.as_deref() == Some(f.key.as_str()));
                let (got, full) = items.fold((Decimal::ZERO, Decimal::ZERO), |(g, t), i| {
                    (g + scores.get(&i.key).copied().unwrap_or_default(), t + i.points)
                });
                (f.name.clone(), got, full)
            })
            .collect()
    }

    /// Which meetings an organisation of `level` must hold.
    pub fn requirements_for(&self, level: OrgLevel) -> Vec<(MeetingKind, Every)> {
        self.meetings
            .iter()
            .filter(|m| m.levels.is_empty() || m.levels.iter().any(|l| l.parse::<OrgLevel>().ok() == Some(level)))
            .filter_map(|m| m.kind.parse().ok().map(|k| (k, m.every)))
            .collect()
    }
}

/// One organisation's 星级 for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated {
    /// Its place: the starred first (by total), then those without a star; ties share.
    pub place: usize,
    pub org: String,
    pub name: String,
    pub total: Decimal,
    /// Its stars; none below the lowest star or under a veto.
    pub stars: Option<u8>,
    pub star_name: Option<String>,
    pub vetoed: Vec<String>,
    /// 软弱涣散: below the scheme's line, or vetoed; named for 整顿 with why.
    pub weak: Option<String>,
    pub last_year: Option<u8>,
    pub standing: Standing,
}

impl Rated {
    /// Stars gained (+) or lost (−) since last year, when both years were rated.
    pub fn change(&self) -> Option<i16> {
        Some(i16::from(self.stars.unwrap_or(0)) - i16::from(self.last_year?))
    }

    pub fn star_text(&self) -> String {
        match (&self.star_name, self.vetoed.is_empty()) {
            (_, false) => format!("一票否决（{}）", self.vetoed.join("、")),
            (Some(name), true) => name.clone(),
            (None, true) => "未定星".into(),
        }
    }
}

/// Rates organisations ((code, name)) on their confirmed scores (item and adjustment keys to
/// points, by organisation) with the assessment engine; `last_year` gives each one's stars of
/// the year before. Best first: the starred by total, then the unstarred (vetoed or below the
/// lowest line) by total.
pub fn rate(
    scheme: &ChecklistScheme,
    orgs: &[(String, String)],
    scores: &HashMap<String, HashMap<String, Decimal>>,
    last_year: &HashMap<String, u8>,
) -> Vec<Rated> {
    let standings = assessment::score(&scheme.as_assessment(scores), orgs, &HashMap::new());
    let mut rated: Vec<Rated> = standings
        .into_iter()
        .map(|s| {
            let stars = s.grade.as_deref().and_then(|g| g.parse::<u8>().ok());
            let weak = match (s.vetoed.is_empty(), s.total < scheme.weak_below) {
                (false, _) => Some(format!("一票否决：{}", s.vetoed.join("、"))),
                (true, true) => Some(format!("得分{}，低于{}分", n(s.total), n(scheme.weak_below))),
                _ => None,
            };
            Rated {
                place: 0,
                org: s.unit.clone(),
                name: s.name.clone(),
                total: s.total,
                stars,
                star_name: stars.and_then(|k| scheme.star(k)).map(|k| k.name.clone()),
                vetoed: s.vetoed.clone(),
                weak,
                last_year: last_year.get(&s.unit).copied(),
                standing: s,
            }
        })
        .collect();
    rated.sort_by(|a, b| {
        (a.stars.is_none(), std::cmp::Reverse(a.total), &a.org).cmp(&(
            b.stars.is_none(),
            std::cmp::Reverse(b.total),
            &b.org,
        ))
    });
    for i in 0..rated.len() {
        let tied =
            i > 0 && (rated[i - 1].stars.is_none(), rated[i - 1].total) == (rated[i].stars.is_none(), rated[i].total);
        rated[i].place = if tied { rated[i - 1].place } else { i + 1 };
    }
    rated
}

/// A meeting as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub org: String,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub attendance: u32,
    pub topic: String,
}

/// A meeting may be recorded: not after `today`, attended by no more than the members, with
/// a topic.
pub fn check_meeting(m: &Meeting, members: u32, today: Date) -> Result<(), DomainError> {
    let invalid = |s: String| Err(DomainError::Invalid(s));
    if m.held_on > today {
        return invalid(format!("{}的日期{}晚于今天{today}", m.kind.label_zh(), m.held_on));
    }
    if m.attendance > members {
        return invalid(format!("{}的参会人数{}超过党员人数{members}", m.kind.label_zh(), m.attendance));
    }
    if m.attendance == 0 {
        return invalid(format!("{}的参会人数应大于0", m.kind.label_zh()));
    }
    if m.topic.trim().is_empty() {
        return invalid(format!("{}需要填写主题", m.kind.label_zh()));
    }
    Ok(())
}

/// One organisation's 三会一课 for a month, as of a day: its light and what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCompleteness {
    pub light: Light,
    pub held: BTreeMap<MeetingKind, usize>,
    /// The required meetings not held, each with whether its time has run out.
    pub missing: Vec<(MeetingKind, Every, bool)>,
}

impl MonthCompleteness {
    pub fn reason(&self) -> String {
        if self.missing.is_empty() {
            return "按要求召开".into();
        }
        self.missing
            .iter()
            .map(|(k, every, over)| {
                let span = match every {
                    Every::Month => "本月",
                    Every::Quarter => "本季度",
                };
                format!("{span}未召开{}{}", k.label_zh(), if *over { "" } else { "（尚未到期）" })
            })
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// The month's completeness as of `as_of`: a monthly meeting missing from a month that has
/// ended is red, missing on or after the scheme's `warn_day` of the current month yellow; a
/// quarterly one (党课, 党员大会) is judged in its quarter's last month the same way. A month
/// not yet begun is green.
pub fn month_completeness(
    requirements: &[(MeetingKind, Every)],
    meetings: &[Meeting],
    month: Period,
    as_of: Date,
    warn_day: u8,
) -> MonthCompleteness {
    let (year, m) = (month.year(), month.closing_month().month_of_year());
    let in_month = |d: Date| d.year == year && d.month == m;
    let quarter_of = |mm: u8| (mm - 1) / 3;
    let in_quarter = |d: Date| d.year == year && quarter_of(d.month) == quarter_of(m);
    let mut held = BTreeMap::new();
    for x in meetings.iter().filter(|x| in_month(x.held_on) && x.held_on <= as_of) {
        *held.entry(x.kind).or_insert(0) += 1;
    }
    let month_over = as_of > Date::end_of(month);
    let warn = in_month(as_of) && as_of.day >= warn_day;
    let mut missing = vec![];
    for &(kind, every) in requirements {
        let judged_now = match every {
            Every::Month => true,
            Every::Quarter => m % 3 == 0,
        };
        if !judged_now {
            continue;
        }
        let done = meetings.iter().any(|x| {
            x.kind == kind
                && x.held_on <= as_of
                && match every {
                    Every::Month => in_month(x.held_on),
                    Every::Quarter => in_quarter(x.held_on),
                }
        });
        if !done && (month_over || warn) {
            missing.push((kind, every, month_over));
        }
    }
    let light = match (missing.iter().any(|(_, _, over)| *over), missing.is_empty()) {
        (true, _) => Light::Red,
        (false, false) => Light::Yellow,
        _ => Light::Green,
    };
    MonthCompleteness { light, held, missing }
}

/// The demo's sample organisations (`data/demo/erqi/party-sample.toml`): each with the
/// points it lost per item, the 区委组织部's adjustments, how far its checklist went and the
/// meetings it missed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartySample {
    #[serde(rename = "org")]
    pub orgs: Vec<SampleOrg>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleOrg {
    pub code: String,
    pub name: String,
    pub level: String,
    pub kind: String,
    pub unit: String,
    pub secretary: String,
    pub members: u32,
    pub parent: Option<String>,
    pub secretary_account: Option<String>,
    #[serde(default)]
    pub lost: BTreeMap<String, Decimal>,
    #[serde(default)]
    pub adjust: BTreeMap<String, Decimal>,
    /// confirmed (default), approved, submitted, draft or none.
    pub outcome: Option<String>,
    #[serde(default)]
    pub gaps: Vec<(String, u8)>,
}

impl PartySample {
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        toml::from_str(text).map_err(|e| DomainError::Invalid(format!("党建示例数据格式错误：{e}")))
    }
}

impl SampleOrg {
    pub fn org(&self) -> Result<PartyOrg, DomainError> {
        Ok(PartyOrg {
            code: self.code.clone(),
            name: self.name.clone(),
            level: self.level.parse()?,
            kind: self.kind.parse()?,
            parent: self.parent.clone(),
            unit: self.unit.clone(),
            secretary: self.secretary.clone(),
            secretary_account: self.secretary_account.clone(),
            members: self.members,
            sample: true,
        })
    }

    pub fn outcome(&self) -> &str {
        self.outcome.as_deref().unwrap_or("confirmed")
    }

    /// The scores `scorer` enters: each of its items at full points less what was lost, with
    /// sample evidence where the scheme asks for it; the 区委组织部 its adjustments too.
    pub fn scores(&self, scheme: &ChecklistScheme, scorer: Scorer) -> Vec<(String, Decimal, String)> {
        let items = scheme.items.iter().filter(|i| i.scorer == scorer).map(|i| {
            let points = i.points - self.lost.get(&i.key).copied().unwrap_or_default();
            let evidence = if i.evidence { format!("（示例）{}的记录与照片", i.name) } else { String::new() };
            (i.key.clone(), points, evidence)
        });
        let adjustments = self
            .adjust
            .iter()
            .filter(|_| scorer == Scorer::Confirm)
            .map(|(k, p)| (k.clone(), *p, "（示例）区委组织部认定".to_string()));
        items.chain(adjustments).collect()
    }

    /// A year of the meetings `scheme` requires of it, less its gaps: monthly ones on the
    /// 8th (支委会), 12th (党小组会) and 15th (主题党日), quarterly ones in the quarter's
    /// second (党员大会, the 18th) and last month (党课, the 20th); nine in ten members attend.
    pub fn meetings(&self, scheme: &ChecklistScheme, year: i32) -> Result<Vec<Meeting>, DomainError> {
        let level: OrgLevel = self.level.parse()?;
        let attendance = (self.members * 9).div_ceil(10);
        let mut out = vec![];
        for (kind, every) in scheme.requirements_for(level) {
            let (day, months): (u8, Vec<u8>) = match (kind, every) {
                (MeetingKind::BranchCommittee, _) => (8, (1..=12).collect()),
                (MeetingKind::GroupMeeting, _) => (12, (1..=12).collect()),
                (_, Every::Month) => (15, (1..=12).collect()),
                (MeetingKind::MemberAssembly, Every::Quarter) => (18, vec![2, 5, 8, 11]),
                (_, Every::Quarter) => (20, vec![3, 6, 9, 12]),
            };
            for month in months {
                let skipped = self.gaps.iter().any(|(k, m)| *m == month && k.parse::<MeetingKind>().ok() == Some(kind));
                if !skipped {
                    out.push(Meeting {
                        org: self.code.clone(),
                        kind,
                        held_on: Date::new(year, month, day)?,
                        attendance,
                        topic: format!("（示例）{}月{}", month, kind.label_zh()),
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    pub(crate) const SCHEME: &str = r#"
        name = "标准化考评"
        year = 2018
        weak_below = "60"
        [[group]]
        key = "org"
        name = "基本组织"
        [[group]]
        key = "work"
        name = "基本活动"
        [[force]]
        key = "combat"
        name = "战斗力"
        [[force]]
        key = "execution"
        name = "执行力"
        [[item]]
        key = "1.1"
        group = "org"
        force = "combat"
        name = "班子健全"
        points = "40"
        [[item]]
        key = "2.1"
        group = "work"
        force = "execution"
        name = "三会一课"
        points = "50"
        evidence = true
        [[item]]
        key = "2.2"
        group = "work"
        force = "execution"
        name = "群众评议"
        points = "10"
        scorer = "review"
        [[adjustment]]
        key = "bonus"
        name = "获市级以上表彰"
        kind = "bonus"
        cap = "5"
        [[adjustment]]
        key = "innovation"
        name = "工作创新"
        kind = "bonus"
        cap = "3"
        [[adjustment]]
        key = "minus"
        name = "工作失误"
        kind = "deduction"
        cap = "10"
        [[adjustment]]
        key = "veto"
        name = "发生严重违纪违法问题"
        kind = "veto"
        cap = "0"
        [[star]]
        stars = 5
        name = "五星级"
        min = "95"
        [[star]]
        stars = 4
        name = "四星级"
        min = "85"
        [[star]]
        stars = 3
        name = "三星级"
        min = "75"
        [[meeting]]
        kind = "支委会"
        every = "month"
        [[meeting]]
        kind = "党课"
        every = "quarter"
    "#;

    fn scores(rows: &[(&str, &[(&str, &str)])]) -> HashMap<String, HashMap<String, Decimal>> {
        rows.iter().map(|(org, s)| (org.to_string(), s.iter().map(|(k, p)| (k.to_string(), d(p))).collect())).collect()
    }

    /// Hand-computed: a = 40+50+10 = 100 + bonus 8 capped at 5 = 105 → 五星; b = 38+45+7 = 90
    /// → 四星; c = 40+45+10 = 95 but vetoed → no star, 整顿; d = 30+30+5 = 65 − 12 capped at
    /// 10 = 55 → below 60, 整顿; e = 40+40+0 = 80 → 三星 (was 四星).
    #[test]
    fn stars_follow_the_thresholds_with_caps_and_a_veto() {
        let scheme = ChecklistScheme::from_toml(SCHEME).unwrap();
        let orgs: Vec<(String, String)> =
            ["a", "b", "c", "d", "e"].iter().map(|c| (c.to_string(), format!("{c}支部"))).collect();
        let s = scores(&[
            ("a", &[("1.1", "40"), ("2.1", "50"), ("2.2", "10"), ("bonus", "8")]),
            ("b", &[("1.1", "38"), ("2.1", "45"), ("2.2", "7")]),
            ("c", &[("1.1", "40"), ("2.1", "45"), ("2.2", "10"), ("veto", "1")]),
            ("d", &[("1.1", "30"), ("2.1", "30"), ("2.2", "5"), ("minus", "12")]),
            ("e", &[("1.1", "40"), ("2.1", "40"), ("2.2", "0")]),
        ]);
        let last: HashMap<String, u8> = [("e".to_string(), 4u8), ("a".to_string(), 4u8)].into();
        let rated = rate(&scheme, &orgs, &s, &last);
        let row = |c: &str| rated.iter().find(|r| r.org == c).unwrap();
        assert_eq!((row("a").total, row("a").stars), (d("105"), Some(5)));
        assert_eq!(row("a").change(), Some(1));
        assert_eq!((row("b").total, row("b").stars, row("b").star_text()), (d("90"), Some(4), "四星级".into()));
        assert_eq!((row("c").total, row("c").stars), (d("95"), None));
        assert_eq!(row("c").weak.as_deref(), Some("一票否决：发生严重违纪违法问题"));
        assert_eq!((row("d").total, row("d").stars), (d("55"), None));
        assert_eq!(row("d").weak.as_deref(), Some("得分55，低于60分"));
        assert_eq!((row("e").stars, row("e").change()), (Some(3), Some(-1)));
        assert_eq!(rated[0].org, "a", "best first");
        let order: Vec<(&str, usize)> = rated.iter().map(|r| (r.org.as_str(), r.place)).collect();
        assert_eq!(order, [("a", 1), ("b", 2), ("e", 3), ("c", 4), ("d", 5)], "the vetoed after the starred");
        let four = scheme.by_force(&s["b"]);
        assert_eq!(four, [("战斗力".into(), d("38"), d("40")), ("执行力".into(), d("52"), d("60"))]);
    }

    #[test]
    fn scores_above_the_items_points_or_without_required_evidence_are_refused() {
        let s = ChecklistScheme::from_toml(SCHEME).unwrap();
        let err = s.check_score("1.1", d("41"), "").unwrap_err().to_string();
        assert_eq!(err, "第1.1项“班子健全”的得分41超过该项分值40");
        let err = s.check_score("2.1", d("30"), " ").unwrap_err().to_string();
        assert_eq!(err, "第2.1项“三会一课”需要填写佐证材料");
        assert!(s.check_score("2.1", d("0"), "").is_ok(), "no points, no evidence needed");
        assert!(s.check_score("9.9", d("1"), "").unwrap_err().to_string().contains("9.9"));
        assert_eq!(s.scorer_of("2.2"), Some(Scorer::Review));
        assert_eq!(s.scorer_of("veto"), Some(Scorer::Confirm));
        assert_eq!(s.full_points(), d("100"));
    }

    #[test]
    fn a_secretarys_review_is_graded_by_its_share_of_the_items_points() {
        let s = ChecklistScheme::from_toml(&format!("review_item = \"2.2\"\n{SCHEME}")).unwrap();
        let graded = |p: &str| s.review_grade(d(p)).map(|(_, g)| g);
        assert_eq!(s.review_grade(d("9")), Some((d("10"), "好".into())), "90% of 10");
        assert_eq!(graded("8.9"), Some("较好".into()));
        assert_eq!(graded("6"), Some("一般".into()));
        assert_eq!(graded("5.9"), Some("差".into()));
        let own = ChecklistScheme::from_toml(&format!("review_item = \"1.1\"\n{SCHEME}")).unwrap_err().to_string();
        assert!(own.contains("应由党(工)委评定"), "{own}");
        assert_eq!(ChecklistScheme::from_toml(SCHEME).unwrap().review_grade(d("9")), None);
    }

    #[test]
    fn overlapping_star_thresholds_are_refused() {
        let overlapping = SCHEME.replace("min = \"85\"", "min = \"95\"");
        let err = ChecklistScheme::from_toml(&overlapping).unwrap_err().to_string();
        assert!(err.contains("星级分数线重叠：五星级（95分以上）与四星级（95分以上）"), "{err}");
        let weak = SCHEME.replace("weak_below = \"60\"", "weak_below = \"80\"");
        let err = ChecklistScheme::from_toml(&weak).unwrap_err().to_string();
        assert!(err.contains("软弱涣散分数线80高于最低星级分数线75"), "{err}");
        let unknown = SCHEME.replace(
            "group = \"work\"\n        force = \"execution\"\n        name = \"群众评议\"",
            "group = \"x\"\n        force = \"execution\"\n        name = \"群众评议\"",
        );
        assert!(ChecklistScheme::from_toml(&unknown).unwrap_err().to_string().contains("分组“x”未定义"));
    }

    fn meeting(kind: MeetingKind, day: &str) -> Meeting {
        Meeting { org: "a".into(), kind, held_on: Date::parse(day).unwrap(), attendance: 5, topic: "学习".into() }
    }

    #[test]
    fn a_missing_branch_committee_is_yellow_from_the_warn_day_then_red_when_the_month_ends() {
        let s = ChecklistScheme::from_toml(SCHEME).unwrap();
        let req = s.requirements_for(OrgLevel::Branch);
        let june = Period::Month(2018, 6);
        let held = [meeting(MeetingKind::PartyLecture, "2018-05-10")];
        let on = |day: &str| month_completeness(&req, &held, june, Date::parse(day).unwrap(), s.warn_day);
        assert_eq!(on("2018-06-10").light, Light::Green, "before the warn day");
        let yellow = on("2018-06-22");
        assert_eq!(yellow.light, Light::Yellow);
        assert_eq!(yellow.reason(), "本月未召开支委会（尚未到期）");
        let red = on("2018-07-01");
        assert_eq!(red.light, Light::Red);
        assert_eq!(red.reason(), "本月未召开支委会", "the quarter's 党课 was held in May");
        let with = [meeting(MeetingKind::BranchCommittee, "2018-06-05"), held[0].clone()];
        let done = month_completeness(&req, &with, june, Date::parse("2018-07-01").unwrap(), 20);
        assert_eq!((done.light, done.held.get(&MeetingKind::BranchCommittee)), (Light::Green, Some(&1)));
        // September closes the third quarter: no 党课 since July is red.
        let sept = month_completeness(
            &req,
            &[meeting(MeetingKind::BranchCommittee, "2018-09-05"), held[0].clone()],
            Period::Month(2018, 9),
            Date::parse("2018-10-02").unwrap(),
            20,
        );
        assert_eq!(sept.reason(), "本季度未召开党课");
    }

    #[test]
    fn meetings_in_the_future_or_with_more_attending_than_members_are_refused() {
        let today = Date::parse("2018-06-20").unwrap();
        let future = meeting(MeetingKind::ThemeDay, "2018-06-21");
        assert_eq!(
            check_meeting(&future, 10, today).unwrap_err().to_string(),
            "主题党日的日期2018-06-21晚于今天2018-06-20"
        );
        let crowded = Meeting { attendance: 11, ..meeting(MeetingKind::ThemeDay, "2018-06-01") };
        assert_eq!(check_meeting(&crowded, 10, today).unwrap_err().to_string(), "主题党日的参会人数11超过党员人数10");
        assert!(check_meeting(&meeting(MeetingKind::ThemeDay, "2018-06-20"), 10, today).is_ok());
    }

    #[test]
    fn organisations_need_known_parents_of_a_higher_level() {
        let org = |code: &str, level: OrgLevel, parent: Option<&str>| PartyOrg {
            code: code.into(),
            name: format!("{code}组织"),
            level,
            kind: OrgType::Community,
            parent: parent.map(Into::into),
            unit: "erqi-hhl".into(),
            secretary: "张三".into(),
            secretary_account: None,
            members: 12,
            sample: false,
        };
        let known = |u: &str| u == "erqi-hhl";
        let ok = [org("w", OrgLevel::Committee, None), org("z", OrgLevel::Branch, Some("w"))];
        assert!(check_orgs(&ok, known).is_ok());
        let upside = [org("w", OrgLevel::Branch, None), org("z", OrgLevel::Committee, Some("w"))];
        assert!(check_orgs(&upside, known).unwrap_err().to_string().contains("上级组织的层级应更高"));
        let orphan = [org("z", OrgLevel::Branch, Some("nope"))];
        assert!(check_orgs(&orphan, known).unwrap_err().to_string().contains("上级组织“nope”不存在"));
        let twice = [org("z", OrgLevel::Branch, None), org("z", OrgLevel::Branch, None)];
        assert!(check_orgs(&twice, known).unwrap_err().to_string().contains("重复"));
        let elsewhere = [PartyOrg { unit: "mars".into(), ..org("z", OrgLevel::Branch, None) }];
        assert!(check_orgs(&elsewhere, known).unwrap_err().to_string().contains("所属单位“mars”不存在"));
    }
}
