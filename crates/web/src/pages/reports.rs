//! 报表: every report a reader may ask for — the 调度通报, the 年度总结, a 综合考核 scheme's
//! table, the project ledger, a project's 档案 — with its pickers, read on the page or
//! downloaded as Word, Excel or (where LibreOffice is installed) PDF, named as offices name them.

use taizhang_app::{Report, ReportKind, ReportRequest};
use taizhang_core::report::Document;

use super::*;

#[derive(Debug, Deserialize, Default)]
pub struct ReportQuery {
    pub kind: Option<String>,
    pub period: Option<String>,
    pub year: Option<i32>,
    pub unit: Option<String>,
    pub scheme: Option<String>,
    pub project: Option<String>,
    /// html (default), docx, xlsx, pdf or md.
    pub format: Option<String>,
}

impl ReportQuery {
    /// The request the app composes, on `today`.
    pub(crate) fn request(&self, kind: ReportKind) -> Result<ReportRequest, AppError> {
        let period = match self.period.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(p.parse::<Period>().map_err(|e| AppError::BadRequest(e.to_string()))?),
            None => None,
        };
        Ok(ReportRequest {
            kind,
            period,
            year: self.year,
            unit: self.unit.clone().filter(|u| !u.is_empty()),
            scheme: self.scheme.clone(),
            project: self.project.clone().filter(|p| !p.is_empty()),
            today: taizhang_app::clock::today(),
            issued_by: None,
        })
    }
}

/// A composed report as a file: Word, Excel (the ledger's own print-ready workbook), PDF or
/// Markdown; `None` for a format that is a page.
pub(crate) fn report_file(report: &Report, format: &str) -> Result<Option<Response>, AppError> {
    let stem = &report.file_stem;
    let internal = |e: String| {
        tracing::error!(error = %e, "report file");
        AppError::Internal
    };
    let file = match format {
        "docx" => download(
            taizhang_office::report::docx_with(&report.document, &report.style).map_err(internal)?,
            &format!("{stem}.docx"),
        ),
        "xlsx" => {
            let bytes = match &report.ledger {
                Some((title, period, lines)) => taizhang_office::export::ledger(title, *period, lines),
                None => taizhang_office::report::xlsx(&report.document),
            }
            .map_err(|e| internal(e.to_string()))?;
            download(bytes, &format!("{stem}.xlsx"))
        }
        "pdf" => {
            if !taizhang_office::report::pdf_available() {
                return Err(AppError::NotFound("PDF（服务器未安装 LibreOffice）".into()));
            }
            let docx = taizhang_office::report::docx_with(&report.document, &report.style).map_err(internal)?;
            let pdf = taizhang_office::report::pdf(&docx).map_err(internal)?;
            let mut response = download(pdf, &format!("{stem}.pdf"));
            response
                .headers_mut()
                .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/pdf"));
            response
        }
        "md" => {
            let mut response = download(report.document.to_markdown().into_bytes(), &format!("{stem}.md"));
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("text/markdown; charset=utf-8"),
            );
            response
        }
        "html" | "" => return Ok(None),
        other => return Err(AppError::BadRequest(format!("不支持的格式“{other}”（可选 html、docx、xlsx、pdf、md）"))),
    };
    Ok(Some(file))
}

/// The 报表 page: a picker per report, or the report asked for.
pub async fn reports(Signed { state, user, .. }: Signed, Query(q): Query<ReportQuery>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let Some(kind) = q.kind.as_deref().filter(|k| !k.is_empty()) else {
        let mut page = Page::open(&acting, &user, "报表").await;
        pickers(&acting, &mut page).await?;
        return Ok(render(&page));
    };
    let kind: ReportKind = kind.parse()?;
    let report = acting.report(&q.request(kind)?).await?;
    if let Some(file) = report_file(&report, q.format.as_deref().unwrap_or("html"))? {
        return Ok(file);
    }
    let mut page = Page::open(&acting, &user, report.document.title.clone()).await;
    let here = |format: &str| {
        let mut query: Vec<(String, String)> = vec![("kind".into(), kind.code().into())];
        for (k, v) in [("period", &q.period), ("unit", &q.unit), ("scheme", &q.scheme), ("project", &q.project)] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                query.push((k.into(), v.clone()));
            }
        }
        if let Some(y) = q.year {
            query.push(("year".into(), y.to_string()));
        }
        query.push(("format".into(), format.into()));
        let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
        format!("/reports?{}", pairs.join("&"))
    };
    let mut links = vec![(here("docx"), "下载 Word".to_string()), (here("xlsx"), "下载 Excel".to_string())];
    if taizhang_office::report::pdf_available() {
        links.push((here("pdf"), "下载 PDF".into()));
    }
    links.push(("/reports".into(), "其他报表".into()));
    page.push(Block::Links(links));
    document_blocks(&mut page, &report.document)?;
    Ok(render(&page))
}

/// A document's text, charts and tables as page blocks.
pub(crate) fn document_blocks(page: &mut Page, doc: &Document) -> Result<(), AppError> {
    if let Some(sub) = &doc.subtitle {
        page.para(sub.clone());
    }
    for s in &doc.sections {
        if !s.heading.is_empty() {
            page.heading(s.heading.clone());
        }
        for p in &s.paragraphs {
            page.para(p.clone());
        }
        for c in s.charts.iter().filter(|c| !c.labels.is_empty()) {
            page.push(Block::Svg(crate::report::bar_chart_svg(c).map_err(|_| AppError::Internal)?));
        }
        for t in &s.tables {
            page.table(TableView::from_table(t));
        }
    }
    Ok(())
}

/// One picker per report, each offering only what the account may ask for.
async fn pickers(acting: &Acting<'_>, page: &mut Page) -> Result<(), AppError> {
    let period = period_of(acting, None).await?;
    let own = acting.reach(None)?;
    let units = readable_units(acting).await?;
    let unit_field = || field("unit", "单位", FieldKind::Select(units.clone()), own.clone().unwrap_or_default());
    let formats = || {
        let mut f = vec![
            ("html".to_string(), "网页".to_string()),
            ("docx".into(), "Word".into()),
            ("xlsx".into(), "Excel".into()),
        ];
        if taizhang_office::report::pdf_available() {
            f.push(("pdf".into(), "PDF".into()));
        }
        field("format", "格式", FieldKind::Select(f), "html")
    };
    let kind = |k: ReportKind| field("kind", "", FieldKind::Hidden, k.code());
    let month = || field("period", "月份（如 2018-05）", FieldKind::Text, period.key());
    page.heading("重点项目调度通报");
    page.get_form("/reports", vec![kind(ReportKind::Briefing), month(), unit_field(), formats()], "生成");
    page.heading("年度总结");
    let year = field("year", "年度", FieldKind::Text, (period.year() - 1).to_string());
    page.get_form("/reports", vec![kind(ReportKind::Annual), year, unit_field(), formats()], "生成");
    if acting.check_read(&acting.top_unit()?.code).is_ok() {
        page.heading("综合考核");
        let schemes: Vec<(String, String)> =
            acting.assessment_schemes()?.into_iter().map(|s| (s.name.clone(), s.name)).collect();
        let first = schemes.first().map(|s| s.0.clone()).unwrap_or_default();
        page.get_form(
            "/reports",
            vec![
                kind(ReportKind::Assessment),
                field("scheme", "考核方案", FieldKind::Select(schemes), first),
                formats(),
            ],
            "生成",
        );
    }
    page.heading("数字城管通报");
    page.get_form("/reports", vec![kind(ReportKind::CityCases), month(), unit_field(), formats()], "生成");
    page.heading("基层党建报告");
    let party_year = field("year", "考评年度", FieldKind::Text, (period.year()).to_string());
    let party_month = field("period", "三会一课月份（如 2018-11）", FieldKind::Text, period.key());
    page.get_form("/reports", vec![kind(ReportKind::Party), party_year, party_month, formats()], "生成");
    page.heading("重点项目台账");
    page.get_form("/reports", vec![kind(ReportKind::Ledger), month(), unit_field(), formats()], "生成");
    page.heading("项目档案");
    page.get_form(
        "/reports",
        vec![
            kind(ReportKind::Dossier),
            field("project", "项目编码", FieldKind::Text, ""),
            field("year", "年度", FieldKind::Text, period.year().to_string()),
            formats(),
        ],
        "生成",
    );
    Ok(())
}
