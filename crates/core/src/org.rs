//! Org units as a tree: province → city → district → departments and streets.
//! Every figure belongs to one unit; roll-ups follow the subtree.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::codes::UnitCode;
use crate::error::DomainError;

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum UnitKind ("单位类型") {
        Province = "province" / "省",
        City = "city" / "市",
        District = "district" / "区",
        County = "county" / "县",
        Department = "department" / "部门",
        Street = "street" / "街道",
        Town = "town" / "乡镇",
        Other = "other" / "其他",
    }
}

impl UnitKind {
    /// The word prose uses for "the whole of this unit": 全区, 全市, 全县.
    pub fn whole_zh(self) -> &'static str {
        match self {
            UnitKind::Province => "全省",
            UnitKind::City => "全市",
            UnitKind::County => "全县",
            UnitKind::Town => "全镇",
            UnitKind::Street => "全街道",
            _ => "全区",
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<String>,
}

/// A validated forest of units: codes unique, parents known, no cycles.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    units: Vec<OrgUnit>,
    index: HashMap<String, usize>,
    /// The first unit of each name (names may repeat across districts; codes do not).
    by_name: HashMap<String, usize>,
    children: HashMap<String, Vec<usize>>,
}

impl OrgTree {
    pub fn new(units: Vec<OrgUnit>) -> Result<Self, DomainError> {
        let mut index = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if u.code.trim().is_empty() {
                return Err(DomainError::Invalid(format!("单位“{}”缺少单位编码", u.name)));
            }
            if index.insert(u.code.to_string(), i).is_some() {
                return Err(DomainError::Invalid(format!("单位编码“{}”重复", u.code)));
            }
        }
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if let Some(p) = &u.parent {
                if !index.contains_key(p) {
                    return Err(DomainError::Invalid(format!("单位“{}”的上级单位编码“{p}”不存在", u.code)));
                }
                children.entry(p.clone()).or_default().push(i);
            }
        }
        let mut by_name = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            by_name.entry(u.name.clone()).or_insert(i);
        }
        let tree = Self { units, index, by_name, children };
        for u in &tree.units {
            let mut seen = HashSet::new();
            let mut at = Some(u.code.as_str());
            while let Some(code) = at {
                if !seen.insert(code) {
                    return Err(DomainError::Invalid(format!("单位“{}”的上级关系成环", u.code)));
                }
                at = tree.get(code).and_then(|x| x.parent.as_deref());
            }
        }
        Ok(tree)
    }

    pub fn get(&self, code: &str) -> Option<&OrgUnit> {
        self.index.get(code).map(|&i| &self.units[i])
    }

    /// Finds a unit by code or by exact name, as users type either.
    pub fn find(&self, code_or_name: &str) -> Option<&OrgUnit> {
        let t = code_or_name.trim();
        self.get(t).or_else(|| self.by_name.get(t).map(|&i| &self.units[i]))
    }

    pub fn roots(&self) -> impl Iterator<Item = &OrgUnit> {
        self.units.iter().filter(|u| u.parent.is_none())
    }

    pub fn children(&self, code: &str) -> impl Iterator<Item = &OrgUnit> {
        self.children.get(code).into_iter().flatten().map(|&i| &self.units[i])
    }

    /// The unit and everything under it, parents before children.
    pub fn subtree(&self, code: &str) -> Vec<&OrgUnit> {
        let mut out = Vec::new();
        let mut stack: Vec<&OrgUnit> = self.get(code).into_iter().collect();
        while let Some(u) = stack.pop() {
            out.push(u);
            let mut kids: Vec<_> = self.children(&u.code).collect();
            kids.reverse();
            stack.extend(kids);
        }
        out
    }

    pub fn ancestors(&self, code: &str) -> Vec<&OrgUnit> {
        let mut out = Vec::new();
        let mut at = self.get(code).and_then(|u| u.parent.as_deref());
        while let Some(p) = at.and_then(|c| self.get(c)) {
            out.push(p);
            at = p.parent.as_deref();
        }
        out
    }

    /// Whether `code` lies in the subtree of `root` (a unit is inside its own subtree).
    pub fn is_within(&self, code: &str, root: &str) -> bool {
        code == root || self.ancestors(code).iter().any(|a| a.code == root)
    }

    pub fn units(&self) -> &[OrgUnit] {
        &self.units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, kind: UnitKind, parent: Option<&str>) -> OrgUnit {
        OrgUnit { code: code.parse().unwrap(), name: format!("{code}名"), kind, parent: parent.map(Into::into) }
    }

    fn erqi_like() -> OrgTree {
        OrgTree::new(vec![
            unit("zz", UnitKind::City, None),
            unit("erqi", UnitKind::District, Some("zz")),
            unit("fgw", UnitKind::Department, Some("erqi")),
            unit("dq", UnitKind::Street, Some("erqi")),
            unit("jinshui", UnitKind::District, Some("zz")),
        ])
        .unwrap()
    }

    #[test]
    fn subtree_and_ancestors_follow_the_tree() {
        let t = erqi_like();
        let codes = |v: Vec<&OrgUnit>| v.into_iter().map(|u| u.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(t.subtree("erqi")), ["erqi", "fgw", "dq"]);
        assert_eq!(codes(t.subtree("zz")), ["zz", "erqi", "fgw", "dq", "jinshui"]);
        assert_eq!(codes(t.ancestors("fgw")), ["erqi", "zz"]);
        assert!(t.is_within("dq", "erqi"));
        assert!(t.is_within("erqi", "erqi"));
        assert!(!t.is_within("jinshui", "erqi"));
        assert_eq!(t.find("fgw名").map(|u| u.code.as_str()), Some("fgw"));
        assert_eq!(t.roots().count(), 1);
    }

    #[test]
    fn units_are_found_by_code_or_name_and_a_repeated_name_finds_the_first() {
        let mut units = vec![unit("zz", UnitKind::City, None), unit("erqi", UnitKind::District, Some("zz"))];
        let same_name = |code: &str, parent: &str| OrgUnit {
            code: code.parse().unwrap(),
            name: "城市管理局".into(),
            kind: UnitKind::Department,
            parent: Some(parent.into()),
        };
        units.push(same_name("erqi-cg", "erqi"));
        units.push(same_name("zz-cg", "zz"));
        let t = OrgTree::new(units).unwrap();
        assert_eq!(t.find(" erqi ").map(|u| u.code.as_str()), Some("erqi"));
        assert_eq!(t.find("城市管理局").map(|u| u.code.as_str()), Some("erqi-cg"));
        assert_eq!(t.find("zz-cg").map(|u| u.code.as_str()), Some("zz-cg"));
        assert!(t.find("不存在的局").is_none());
    }

    #[test]
    fn bad_trees_are_refused_with_the_code_named() {
        let dup = OrgTree::new(vec![unit("a", UnitKind::City, None), unit("a", UnitKind::District, None)]);
        assert!(dup.unwrap_err().to_string().contains("“a”重复"));
        let orphan = OrgTree::new(vec![unit("a", UnitKind::District, Some("nowhere"))]);
        assert!(orphan.unwrap_err().to_string().contains("nowhere"));
        let cycle =
            OrgTree::new(vec![unit("a", UnitKind::District, Some("b")), unit("b", UnitKind::District, Some("a"))]);
        assert!(cycle.unwrap_err().to_string().contains("成环"));
    }

    #[test]
    fn kinds_parse_from_code_or_chinese() {
        assert_eq!("street".parse::<UnitKind>().unwrap(), UnitKind::Street);
        assert_eq!("街道".parse::<UnitKind>().unwrap(), UnitKind::Street);
        assert!("村".parse::<UnitKind>().is_err());
        assert_eq!(UnitKind::District.whole_zh(), "全区");
    }
}
