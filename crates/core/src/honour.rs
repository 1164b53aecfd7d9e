//! Rankings and honours (争先进位): ratings (被评为…优秀单位), places (位居全市第一) and lists
//! (进入…“百强区”), phrased from stored records — "连续两年" and "再次" come from the years
//! before, never from stored sentences.

use std::str::FromStr;

use crate::error::DomainError;
use crate::numerals::{zh_count, zh_numeral};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HonourKind {
    /// Rated, e.g. 优秀单位.
    Rating(String),
    /// A place in a ranking (1 is first).
    Rank(u32),
    /// On a list, e.g. 百强区.
    List(String),
}

impl HonourKind {
    pub fn code(&self) -> &'static str {
        match self {
            HonourKind::Rating(_) => "rating",
            HonourKind::Rank(_) => "rank",
            HonourKind::List(_) => "list",
        }
    }

    /// The result as stored: the rating, the place, or the list.
    pub fn result(&self) -> String {
        match self {
            HonourKind::Rating(r) | HonourKind::List(r) => r.clone(),
            HonourKind::Rank(n) => n.to_string(),
        }
    }

    pub fn from_parts(kind: &str, result: &str) -> Result<Self, DomainError> {
        match kind {
            "rating" => Ok(HonourKind::Rating(result.to_string())),
            "list" => Ok(HonourKind::List(result.to_string())),
            "rank" => u32::from_str(result.trim())
                .ok()
                .filter(|n| *n > 0)
                .map(HonourKind::Rank)
                .ok_or_else(|| DomainError::Invalid(format!("排名“{result}”应为正整数"))),
            other => Err(DomainError::Invalid(format!("荣誉类型“{other}”无法识别：应为 rating、rank 或 list"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Honour {
    pub unit: String,
    pub year: i32,
    /// Who ranks or rates: 全市, 全国市辖区.
    pub scope: String,
    /// What a group of places is about (安置房), or empty.
    pub subject: String,
    /// What was ranked or rated: 年度综合考核工作, 开工量, 综合实力.
    pub item: String,
    pub kind: HonourKind,
}

/// "甲、乙和丙" as Chinese lists end.
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{}和{last}", rest.join("、")),
    }
}

/// The honours of `year` in prose; `earlier` holds the same unit's honours of past years.
pub fn honours_sentence(year: i32, honours: &[Honour], earlier: &[Honour]) -> Option<String> {
    let held = |h: &Honour, y: i32| {
        earlier.iter().any(|e| e.year == y && e.scope == h.scope && e.item == h.item && e.kind == h.kind)
    };
    let mut first = Vec::new();
    for h in honours.iter().filter(|h| matches!(h.kind, HonourKind::Rating(_))) {
        let mut years = 1;
        while held(h, year - years) {
            years += 1;
        }
        let consecutive = if years > 1 { format!("连续{}年", zh_count(years as u64)) } else { String::new() };
        first.push(format!("{consecutive}被评为{}{}{}", h.scope, h.item, h.kind.result()));
    }
    let mut lists: Vec<(&str, String)> = Vec::new();
    for h in honours.iter().filter(|h| matches!(h.kind, HonourKind::List(_))) {
        if !lists.iter().any(|(s, r)| *s == h.scope && *r == h.kind.result()) {
            lists.push((&h.scope, h.kind.result()));
        }
    }
    for (scope, list) in lists {
        let members: Vec<&Honour> = honours
            .iter()
            .filter(|h| h.scope == scope && matches!(&h.kind, HonourKind::List(l) if *l == list))
            .collect();
        let again = if members.iter().all(|h| held(h, year - 1)) { "再次" } else { "" };
        let items: Vec<&str> = members.iter().map(|h| h.item.as_str()).collect();
        let count = if items.len() > 1 { format!("{}个", zh_count(items.len() as u64)) } else { String::new() };
        first.push(format!("{again}进入{scope}{}{count}“{list}”", items.join("、")));
    }
    let mut ranks: Vec<(&str, &str, u32)> = Vec::new();
    for h in honours {
        if let HonourKind::Rank(n) = h.kind
            && !ranks.iter().any(|(s, sub, r)| *s == h.scope && *sub == h.subject && *r == n)
        {
            ranks.push((&h.scope, &h.subject, n));
        }
    }
    let mut second = Vec::new();
    for (scope, subject, place) in ranks {
        let items: Vec<&str> = honours
            .iter()
            .filter(|h| h.scope == scope && h.subject == subject && h.kind == HonourKind::Rank(place))
            .map(|h| h.item.as_str())
            .collect();
        let all = if items.len() > 1 { "均" } else { "" };
        second.push(format!("{subject}{}{all}位居{scope}第{}", join_and(&items), zh_numeral(place.into())));
    }
    let sentences: Vec<String> =
        [first, second].into_iter().filter(|s| !s.is_empty()).map(|s| format!("{}。", s.join("，"))).collect();
    (!sentences.is_empty()).then(|| sentences.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn honour(year: i32, scope: &str, subject: &str, item: &str, kind: HonourKind) -> Honour {
        Honour { unit: "erqi".into(), year, scope: scope.into(), subject: subject.into(), item: item.into(), kind }
    }

    #[test]
    fn honours_read_as_the_review_writes_them() {
        let rating = |y| honour(y, "全市", "", "年度综合考核工作", HonourKind::Rating("优秀单位".into()));
        let list = |y, item: &str| honour(y, "全国市辖区", "", item, HonourKind::List("百强区".into()));
        let rank = |item: &str| honour(2017, "全市", "安置房", item, HonourKind::Rank(1));
        let this_year = vec![
            rating(2017),
            list(2017, "综合实力"),
            list(2017, "最具投资潜力"),
            list(2017, "创新创业"),
            rank("开工量"),
            rank("开工率"),
            rank("回迁量"),
            rank("回迁率"),
            honour(2017, "全市", "", "数字化城市管理工作", HonourKind::Rank(1)),
        ];
        let earlier = vec![rating(2016), list(2016, "综合实力"), list(2016, "最具投资潜力"), list(2016, "创新创业")];
        assert_eq!(
            honours_sentence(2017, &this_year, &earlier).unwrap(),
            "连续两年被评为全市年度综合考核工作优秀单位，再次进入全国市辖区综合实力、最具投资潜力、创新创业三个“百强区”。\
             安置房开工量、开工率、回迁量和回迁率均位居全市第一，数字化城市管理工作位居全市第一。"
        );
        let first_time = honours_sentence(2017, &this_year[..2], &[]).unwrap();
        assert_eq!(first_time, "被评为全市年度综合考核工作优秀单位，进入全国市辖区综合实力“百强区”。");
        assert_eq!(honours_sentence(2017, &[], &earlier), None);
        assert!(HonourKind::from_parts("rank", "0").is_err());
        assert_eq!(HonourKind::from_parts("rank", "3").unwrap(), HonourKind::Rank(3));
    }
}
