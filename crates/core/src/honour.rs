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
    /// Among the first n of a ranking: 前三甲, 前十 ("进入全省十强县前三甲").
    Top(u32),
}

impl HonourKind {
    pub fn code(&self) -> &'static str {
        match self {
            HonourKind::Rating(_) => "rating",
            HonourKind::Rank(_) => "rank",
            HonourKind::List(_) => "list",
            HonourKind::Top(_) => "top",
        }
    }

    /// The result as stored: the rating, the place, or the list.
    pub fn result(&self) -> String {
        match self {
            HonourKind::Rating(r) | HonourKind::List(r) => r.clone(),
            HonourKind::Rank(n) | HonourKind::Top(n) => n.to_string(),
        }
    }

    pub fn from_parts(kind: &str, result: &str) -> Result<Self, DomainError> {
        match kind {
            "rating" => Ok(HonourKind::Rating(result.to_string())),
            "list" => Ok(HonourKind::List(result.to_string())),
            "rank" | "top" => u32::from_str(result.trim())
                .ok()
                .filter(|n| *n > 0)
                .map(if kind == "rank" { HonourKind::Rank } else { HonourKind::Top })
                .ok_or_else(|| DomainError::Invalid(format!("排名“{result}”应为正整数"))),
            other => Err(DomainError::Invalid(format!("荣誉类型“{other}”无法识别：应为 rating、rank、top 或 list"))),
        }
    }
}

/// A small number as a place is written: 1, 一, 十, 十二 (up to 99).
fn place_number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    const DIGITS: &str = "零一二三四五六七八九";
    let digit = |c: char| DIGITS.chars().position(|d| d == c).map(|p| p as u32);
    let chars: Vec<char> = text.chars().map(|c| if c == '两' { '二' } else { c }).collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
    .filter(|n| *n > 0)
}

/// A place as offices write it (位次): 第1位, 第一名, 1 → a rank; 前三甲, 前三, 前10名 → among
/// the first n. Anything else is refused, naming what is accepted.
pub fn parse_placement(text: &str) -> Result<HonourKind, DomainError> {
    let t: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let bad = || DomainError::Invalid(format!("位次“{}”无法识别：应为 第1位、第一名、前三甲、前十 等", text.trim()));
    let core = t.trim_end_matches(['位', '名']);
    if let Some(rest) = core.strip_prefix('前') {
        let n = rest.strip_suffix('甲').unwrap_or(rest);
        return place_number(n).map(HonourKind::Top).ok_or_else(bad);
    }
    let n = core.strip_prefix('第').unwrap_or(core);
    place_number(n).map(HonourKind::Rank).ok_or_else(bad)
}

/// "前三甲" for the first three, "前十" and so on for the others.
fn top_words(n: u32) -> String {
    if n == 3 { "前三甲".to_string() } else { format!("前{}", zh_numeral(n.into())) }
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
    for h in honours.iter().filter(|h| matches!(h.kind, HonourKind::Top(_))) {
        let HonourKind::Top(n) = h.kind else { continue };
        let mut years = 1;
        while held(h, year - years) {
            years += 1;
        }
        let consecutive = if years > 1 { format!("连续{}年", zh_count(years as u64)) } else { String::new() };
        first.push(format!("{consecutive}进入{}{}{}", h.scope, h.item, top_words(n)));
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
        assert_eq!(HonourKind::from_parts("top", "3").unwrap(), HonourKind::Top(3));
    }

    #[test]
    fn places_read_as_offices_write_them_and_seven_years_in_the_top_three_read_so() {
        for (text, kind) in [
            ("第1位", HonourKind::Rank(1)),
            ("第一名", HonourKind::Rank(1)),
            ("3", HonourKind::Rank(3)),
            ("第十二位", HonourKind::Rank(12)),
            ("前三甲", HonourKind::Top(3)),
            ("前三", HonourKind::Top(3)),
            ("前10名", HonourKind::Top(10)),
            ("前十", HonourKind::Top(10)),
        ] {
            assert_eq!(parse_placement(text).unwrap(), kind, "{text}");
        }
        for bad in ["靠前", "第零位", "前", "优秀"] {
            assert!(parse_placement(bad).unwrap_err().to_string().contains("前三甲"), "{bad}");
        }
        let top3 = |y| honour(y, "全省", "", "十强县", HonourKind::Top(3));
        let earlier: Vec<Honour> = (2011..2017).map(top3).collect();
        assert_eq!(honours_sentence(2017, &[top3(2017)], &earlier).unwrap(), "连续七年进入全省十强县前三甲。");
        let top10 = honour(2017, "全市", "", "营商环境评价", HonourKind::Top(10));
        assert_eq!(honours_sentence(2017, &[top10], &[]).unwrap(), "进入全市营商环境评价前十。");
        assert_eq!(HonourKind::from_parts("rank", "3").unwrap(), HonourKind::Rank(3));
    }
}
