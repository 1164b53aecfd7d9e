//! Reports as standalone HTML pages: the composed document through a template (every text
//! escaped), charts drawn on the server as SVG with plotters, their numbers in tables too.

use askama::Template;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use taizhang_core::report::{Chart, Document, TableCell};

struct HtmlTable {
    caption: String,
    headers: Vec<String>,
    /// (text, is a number)
    rows: Vec<Vec<(String, bool)>>,
}

struct HtmlSection {
    heading: String,
    paragraphs: Vec<String>,
    /// SVG markup drawn here from the document's own figures.
    charts: Vec<String>,
    tables: Vec<HtmlTable>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    doc: &'a Document,
    sections: Vec<HtmlSection>,
}

/// A bar chart as SVG: one group of bars per label, one bar per series.
// Floats here are pixel geometry of the drawing; the figures stay exact in the tables.
#[allow(clippy::float_arithmetic)]
pub fn bar_chart_svg(chart: &Chart) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (860, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max =
            chart.series.iter().flat_map(|(_, v)| v.iter()).filter_map(|d| d.to_f64()).fold(0.0_f64, f64::max).max(1.0);
        let n = chart.labels.len().max(1);
        let mut ctx = ChartBuilder::on(&root)
            .caption(format!("{}（{}）", chart.title, chart.unit), ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..max * 1.1)
            .map_err(|e| e.to_string())?;
        let labels = chart.labels.clone();
        ctx.configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let colours = [RGBColor(91, 143, 201), RGBColor(217, 83, 79), RGBColor(92, 184, 92), RGBColor(240, 173, 78)];
        let k = chart.series.len().max(1) as f64;
        for (s, (name, values)) in chart.series.iter().enumerate() {
            let colour = colours[s % colours.len()];
            let bars = values.iter().enumerate().map(move |(i, v)| {
                let v = v.to_f64().unwrap_or_default();
                // Each label's segment is shared by the series, side by side.
                let mut bar =
                    Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)], colour.filled());
                bar.set_margin(
                    0,
                    0,
                    (8.0 + 60.0 * s as f64 / k) as u32,
                    (8.0 + 60.0 * (k - 1.0 - s as f64) / k) as u32,
                );
                bar
            });
            ctx.draw_series(bars)
                .map_err(|e| e.to_string())?
                .label(name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        }
        ctx.configure_series_labels().border_style(BLACK).background_style(WHITE).draw().map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The document as a standalone HTML page.
pub fn html(doc: &Document) -> Result<String, String> {
    let mut sections = Vec::new();
    for s in &doc.sections {
        let charts =
            s.charts.iter().filter(|c| !c.labels.is_empty()).map(bar_chart_svg).collect::<Result<Vec<_>, _>>()?;
        let tables = s
            .tables
            .iter()
            .map(|t| HtmlTable {
                caption: t.caption.clone(),
                headers: t.headers.clone(),
                rows: t
                    .rows
                    .iter()
                    .zip(t.texts())
                    .map(|(r, texts)| {
                        r.iter().zip(texts).map(|(c, text)| (text, matches!(c, TableCell::Number(..)))).collect()
                    })
                    .collect(),
            })
            .collect();
        sections.push(HtmlSection { heading: s.heading.clone(), paragraphs: s.paragraphs.clone(), charts, tables });
    }
    ReportPage { doc, sections }.render().map_err(|e| format!("生成 HTML 失败：{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use taizhang_core::report::{DocSection, Table};

    #[test]
    fn a_report_page_escapes_text_and_draws_its_charts() {
        let mut section = DocSection::new("总体情况", vec!["完成<script>alert(1)</script>投资".into()]);
        section.tables.push(Table {
            caption: "分类别".into(),
            headers: vec!["类别".into(), "完成".into()],
            rows: vec![vec![TableCell::Text("<b>产业</b>".into()), TableCell::Number("12.5".parse().unwrap(), 1)]],
        });
        section.charts.push(Chart {
            title: "完成投资".into(),
            unit: "万元".into(),
            labels: vec!["产业<x>".into(), "民生".into()],
            series: vec![("计划".into(), vec!["10".parse().unwrap(), "20".parse().unwrap()])],
        });
        let doc = Document {
            title: "通报".into(),
            subtitle: Some("二七区".into()),
            sections: vec![section],
            signature: None,
        };
        let page = html(&doc).unwrap();
        assert!(!page.contains("<script>alert"), "text is escaped");
        assert!(page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"), "{page}");
        assert!(!page.contains("<b>产业</b>"));
        assert!(page.contains("<svg") && page.contains("</svg>"), "the chart is drawn");
        assert!(!page.contains("产业<x>"), "chart labels are escaped too");
        assert!(page.contains("<td class=\"num\">12.5</td>"));
    }
}
