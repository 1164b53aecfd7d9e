//! Long lists a page at a time: the search, page and page size live in the URL (a list can be
//! bookmarked and sent), every link changes one thing and keeps the rest, and the workbook
//! export takes every row that matches.

use axum::extract::Query;
use axum::http::Uri;

use super::{Block, FieldKind, FieldView, Page, field, percent_encode};

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

/// The 每页 picker of a list's filter form.
pub(crate) fn size_field(size: usize) -> FieldView {
    field(
        "size",
        "每页",
        FieldKind::Select(
            [("20", "20条"), ("50", "50条"), ("100", "100条"), ("0", "全部")]
                .iter()
                .map(|(v, l)| (v.to_string(), l.to_string()))
                .collect(),
        ),
        size.to_string(),
    )
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
