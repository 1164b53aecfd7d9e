//! Finding things as people type them: part of a name, its characters in order (住建 finds
//! 区住房城乡建设局), or its 拼音 initials (dhj finds 德化街); names sorted in 拼音 order.

use pinyin::ToPinyin;

/// The 拼音 initials of a text: 德化街 → dhj; other characters as they are, lower-cased.
pub fn initials(text: &str) -> String {
    text.chars()
        .zip(text.to_pinyin())
        .flat_map(|(c, p)| match p {
            Some(p) => p.first_letter().chars().next().into_iter().collect::<Vec<_>>(),
            None => c.to_lowercase().collect(),
        })
        .collect()
}

/// A key that sorts names in 拼音 order (区住建局 by qu-zhu-jian-ju), ties by the text.
pub fn pinyin_key(text: &str) -> String {
    text.chars()
        .zip(text.to_pinyin())
        .map(|(c, p)| match p {
            Some(p) => format!("{} ", p.plain()),
            None => c.to_lowercase().collect(),
        })
        .collect()
}

/// Whether `needle`'s characters appear in `hay` in order.
fn in_order(needle: &str, hay: &str) -> bool {
    let mut rest = hay.chars();
    needle.chars().all(|n| rest.any(|h| h == n))
}

/// Whether a query finds a text: part of it (any case), its characters in order, or its
/// 拼音 initials; an empty query finds everything.
pub fn finds(query: &str, text: &str) -> bool {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return true;
    }
    let text_lower = text.to_lowercase();
    text_lower.contains(&query)
        || (query.chars().count() > 1 && in_order(&query, &text_lower))
        || (query.chars().all(|c| c.is_ascii_alphabetic()) && initials(text).contains(&query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_as_people_type_them() {
        let cases = [
            ("dhj", "德化街街道", true),
            ("德化", "德化街街道", true),
            ("住建", "区住房城乡建设局", true),
            ("zfcxjsj", "区住房城乡建设局", true),
            ("zd2018", "ZD2018-001", true),
            ("", "任何", true),
            ("建住", "区住房城乡建设局", false),
            ("xyz", "德化街街道", false),
        ];
        for (query, text, found) in cases {
            assert_eq!(finds(query, text), found, "{query} in {text}");
        }
    }

    #[test]
    fn names_sort_in_pinyin_order() {
        let mut names = vec!["马寨镇", "大学路街道", "区住房城乡建设局", "德化街街道", "淮河路街道"];
        names.sort_by_key(|n| pinyin_key(n));
        assert_eq!(names, ["大学路街道", "德化街街道", "淮河路街道", "马寨镇", "区住房城乡建设局"]);
    }
}
