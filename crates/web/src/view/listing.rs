//! Long lists a page at a time: the search, page and page size live in the URL (a list can be
//! bookmarked and sent), every link changes one thing and keeps the rest, and the workbook
//! export takes every row that matches.

use axum::extract::Query;
use axum::http::Uri;

use rust_decimal::Decimal;

use super::{Block, FieldKind, FieldView, Page, TableView, field, percent_encode};

/// Rows a page shows unless asked otherwise.
pub(crate) const PAGE_SIZE: usize = 50;

/// Where a page stands in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub total: usize,
    /// The page shown, from 1.
    pub at: usize,
    pub pages: usize,
    /// Rows a page, 0 for all.
    pub size: usize,
}

impl Paging {
    /// "共165个项目（第2/4页）", or without the page when there is one.
    pub(crate) fn caption(&self, what: &str) -> String {
        if self.pages > 1 {
            format!("共{}{what}（第{}/{}页）", self.total, self.at, self.pages)
        } else {
            format!("共{}{what}", self.total)
        }
    }
}

/// One page of `rows`: `page` from 1 (past the end shows the last), `size` rows (0: all;
/// default [`PAGE_SIZE`]); `whole` (a workbook export) keeps every row.
pub(crate) fn paginate<T>(rows: Vec<T>, page: Option<usize>, size: Option<usize>, whole: bool) -> (Vec<T>, Paging) {
    let total = rows.len();
    let size = size.unwrap_or(PAGE_SIZE);
    let pages = if size == 0 { 1 } else { total.div_ceil(size).max(1) };
    let at = page.unwrap_or(1).clamp(1, pages);
    let paging = Paging { total, at, pages, size };
    if size == 0 || whole {
        return (rows, paging);
    }
    (rows.into_iter().skip((at - 1) * size).take(size).collect(), paging)
}

/// The address `uri` with `changes` made to its query — a `None` or empty value drops the key —
/// and every other parameter kept in its order.
pub(crate) fn url_with(uri: &Uri, changes: &[(&str, Option<String>)]) -> String {
    // What the last form did was said once: the links onward do not say it again.
    let mut pairs: Vec<(String, String)> = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0.into_iter().filter(|(k, _)| k != "done").collect())
        .unwrap_or_default();
    for (key, value) in changes {
        match pairs.iter().position(|(k, _)| k == key) {
            Some(i) => match value {
                Some(v) if !v.is_empty() => pairs[i].1 = v.clone(),
                _ => {
                    pairs.retain(|(k, _)| k != key);
                }
            },
            None => {
                if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                    pairs.push((key.to_string(), v.clone()));
                }
            }
        }
    }
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    if query.is_empty() { uri.path().to_string() } else { format!("{}?{}", uri.path(), query.join("&")) }
}

/// What a list is ordered by: a number (an amount, a date as days, an age) by its value, a
/// text (a name, a unit) in 拼音 order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SortKey {
    Number(Decimal),
    Text(String),
}

impl SortKey {
    pub(crate) fn text(text: &str) -> Self {
        SortKey::Text(taizhang_core::search::pinyin_key(text))
    }
    pub(crate) fn number(n: impl Into<Decimal>) -> Self {
        SortKey::Number(n.into())
    }
    /// Lights as a leader reads them: red first, then yellow, then green.
    pub(crate) fn red_first(light: taizhang_core::lights::Light) -> Self {
        use taizhang_core::lights::Light;
        SortKey::number(match light {
            Light::Red => 0,
            Light::Yellow => 1,
            Light::Green => 2,
        })
    }
}

/// Orders `rows` by the column `sort` names (`-` before it: descending), through `key`, the
/// key of a row in a column (`None`: not a column one sorts by); the order stays as it was
/// where keys are equal, and an unknown column leaves it.
pub(crate) fn sort_rows<T>(rows: &mut [T], sort: Option<&str>, key: impl Fn(&T, &str) -> Option<SortKey>) {
    let Some(sort) = sort.filter(|s| !s.is_empty()) else { return };
    let (column, descending) = match sort.strip_prefix('-') {
        Some(c) => (c, true),
        None => (sort, false),
    };
    if rows.first().is_some_and(|r| key(r, column).is_none()) {
        return;
    }
    rows.sort_by_cached_key(|r| key(r, column));
    if descending {
        rows.reverse();
    }
}

impl TableView {
    /// Makes the headers of the columns named in `columns` (one per header, `None` for a
    /// column not sorted by) links that sort by them, from the first page; the column sorted
    /// by now links to its reverse and carries ▲ or ▼.
    pub(crate) fn sortable(mut self, uri: &Uri, columns: &[Option<&str>]) -> Self {
        let now: Option<String> = Query::<Vec<(String, String)>>::try_from_uri(uri)
            .ok()
            .and_then(|q| q.0.into_iter().find(|(k, _)| k == "sort").map(|(_, v)| v));
        for ((label, link), column) in self.headers.iter_mut().zip(columns) {
            let Some(column) = column else { continue };
            let (next, mark) = match now.as_deref() {
                Some(s) if s == *column => (format!("-{column}"), "▲"),
                Some(s) if s.strip_prefix('-') == Some(column) => (column.to_string(), "▼"),
                _ => (column.to_string(), ""),
            };
            label.push_str(mark);
            *link = Some(url_with(uri, &[("sort", Some(next)), ("page", None), ("format", None)]));
        }
        self
    }
}

/// The 每页 picker of a list's filter form: pages of 20, 50 or 100 rows, or all.
pub(crate) fn size_field(size: usize) -> FieldView {
    size_choice("每页", "条", [20, 50, 100], size)
}

/// A picker of how many a page shows (`what`: 条, 个), or all (0).
pub(crate) fn size_choice(label: &str, what: &str, sizes: [usize; 3], size: usize) -> FieldView {
    let mut choices: Vec<(String, String)> = sizes.iter().map(|n| (n.to_string(), format!("{n}{what}"))).collect();
    choices.push(("0".into(), "全部".into()));
    field("size", label, FieldKind::Select(choices), size.to_string())
}

impl Page {
    /// 上一页 / 下一页 under a list of more than one page.
    pub(crate) fn pager(&mut self, uri: &Uri, paging: &Paging) -> &mut Self {
        if paging.pages <= 1 {
            return self;
        }
        let mut links = Vec::new();
        if paging.at > 1 {
            links.push((url_with(uri, &[("page", Some((paging.at - 1).to_string()))]), "上一页".to_string()));
        }
        if paging.at < paging.pages {
            links.push((url_with(uri, &[("page", Some((paging.at + 1).to_string()))]), "下一页".to_string()));
        }
        self.push(Block::Links(links))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_its_slice_and_the_last_page_holds_the_rest() {
        let rows: Vec<u32> = (1..=45).collect();
        let (first, p) = paginate(rows.clone(), None, Some(20), false);
        assert_eq!((first.len(), p.pages, p.at), (20, 3, 1));
        let (last, p) = paginate(rows.clone(), Some(3), Some(20), false);
        assert_eq!((last, p.at), ((41..=45).collect::<Vec<_>>(), 3));
        // Past the end shows the last page; page 0 the first.
        assert_eq!(paginate(rows.clone(), Some(9), Some(20), false).1.at, 3);
        assert_eq!(paginate(rows.clone(), Some(0), Some(20), false).1.at, 1);
        // Size 0 and the workbook take every row.
        assert_eq!(paginate(rows.clone(), Some(2), Some(0), false).0.len(), 45);
        assert_eq!(paginate(rows.clone(), Some(2), Some(20), true).0.len(), 45);
        // An empty list is one empty page.
        let (none, p) = paginate(Vec::<u32>::new(), Some(4), None, false);
        assert_eq!((none.len(), p.pages, p.at, p.caption("个项目")), (0, 1, 1, "共0个项目".to_string()));
        assert_eq!(paginate(rows, Some(2), Some(20), false).1.caption("个项目"), "共45个项目（第2/3页）");
    }

    #[test]
    fn rows_sort_by_number_or_pinyin_either_way_and_an_unknown_column_leaves_them() {
        let rows = vec![("德化街", 30), ("二七区", 5), ("大学路", 12)];
        let key = |r: &(&str, i32), c: &str| match c {
            "name" => Some(SortKey::text(r.0)),
            "n" => Some(SortKey::number(r.1)),
            _ => None,
        };
        let sorted = |sort: &str| {
            let mut r = rows.clone();
            sort_rows(&mut r, Some(sort), key);
            r.iter().map(|x| x.0).collect::<Vec<_>>()
        };
        assert_eq!(sorted("name"), ["大学路", "德化街", "二七区"]);
        assert_eq!(sorted("-n"), ["德化街", "大学路", "二七区"]);
        assert_eq!(sorted("n"), ["二七区", "大学路", "德化街"]);
        assert_eq!(sorted("color"), ["德化街", "二七区", "大学路"]);
    }

    #[test]
    fn a_sorted_header_links_to_its_reverse() {
        let uri: Uri = "/problems?q=zq&sort=age&page=3".parse().unwrap();
        let t = TableView::new("", &["编号", "问题", "已历天数"]).sortable(&uri, &[Some("id"), None, Some("age")]);
        assert_eq!(t.headers[0], ("编号".to_string(), Some("/problems?q=zq&sort=id".to_string())));
        assert_eq!(t.headers[1].1, None);
        assert_eq!(t.headers[2], ("已历天数▲".to_string(), Some("/problems?q=zq&sort=-age".to_string())));
    }

    #[test]
    fn a_link_changes_one_parameter_and_keeps_the_others() {
        let uri: Uri = "/projects?q=%E5%BE%B7%E5%8C%96&unit=&page=2&sort=name".parse().unwrap();
        assert_eq!(url_with(&uri, &[("page", Some("3".into()))]), "/projects?q=%E5%BE%B7%E5%8C%96&page=3&sort=name");
        assert_eq!(
            url_with(&uri, &[("page", None), ("sort", Some("unit".into()))]),
            "/projects?q=%E5%BE%B7%E5%8C%96&sort=unit"
        );
        assert_eq!(url_with(&"/orders".parse().unwrap(), &[("format", Some("xlsx".into()))]), "/orders?format=xlsx");
        assert_eq!(url_with(&"/orders?page=2".parse().unwrap(), &[("page", None)]), "/orders");
    }
}
