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

/// The unit a chart is read in: 万元 past a hundred million shown as 亿元.
fn reading_unit(chart: &Chart) -> (String, f64) {
    let max = chart.series.iter().flat_map(|(_, v)| v.iter()).filter_map(|d| d.to_f64()).fold(0.0_f64, f64::max);
    if chart.unit == "万元" && max >= 10_000.0 { ("亿元".into(), 10_000.0) } else { (chart.unit.clone(), 1.0) }
}

/// A tick as people write it: 20, not 20.0; 2.5 where a half is meant.
// Floats here are axis positions, not figures.
#[allow(clippy::float_arithmetic)]
fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// The top of an axis at a round number: 1, 2 or 5 times a power of ten above `max`.
#[allow(clippy::float_arithmetic)]
fn round_top(max: f64) -> f64 {
    let max = max.max(1.0);
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|t| *t >= max * 1.05).unwrap_or(10.0 * power)
}

/// The colour of a series or bar: lights in their own colours, other series in turn.
fn colour_of(name: &str, index: usize) -> RGBColor {
    match name {
        "红灯" => RGBColor(211, 47, 47),
        "黄灯" => RGBColor(249, 168, 37),
        "绿灯" => RGBColor(46, 125, 50),
        _ => [RGBColor(91, 143, 201), RGBColor(183, 28, 28), RGBColor(92, 184, 92), RGBColor(240, 173, 78)][index % 4],
    }
}

/// A bar chart as SVG: one group of bars per label, one bar per series; the axis in the
/// unit people read (亿元 for large 万元 figures) with round ticks, the legend above the
/// plot, labels of 12 px and more, a viewBox so that it scales to its box. Bars labelled
/// 红灯/黄灯/绿灯 take their light's colour.
// Floats here are pixel geometry of the drawing; the figures stay exact in the tables.
#[allow(clippy::float_arithmetic)]
pub fn bar_chart_svg(chart: &Chart) -> Result<String, String> {
    const SIZE: (u32, u32) = (860, 420);
    let (unit, divisor) = reading_unit(chart);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, plot) = root.split_vertically(64);
        top.draw(&Text::new(format!("{}（{unit}）", chart.title), (10, 8), ("sans-serif", 22).into_font()))
            .map_err(|e| e.to_string())?;
        // The legend in its own strip, never over the bars.
        let lit = chart.series.len() == 1 && chart.labels.iter().all(|l| l.ends_with("灯"));
        if !lit {
            let mut x = 10;
            for (s, (name, _)) in chart.series.iter().enumerate() {
                let colour = colour_of(name, s);
                top.draw(&Rectangle::new([(x, 40), (x + 14, 52)], colour.filled())).map_err(|e| e.to_string())?;
                top.draw(&Text::new(name.clone(), (x + 20, 38), ("sans-serif", 16).into_font()))
                    .map_err(|e| e.to_string())?;
                x += 40 + 16 * name.chars().count() as i32;
            }
        }
        let max = chart.series.iter().flat_map(|(_, v)| v.iter()).filter_map(|d| d.to_f64()).fold(0.0_f64, f64::max)
            / divisor;
        let n = chart.labels.len().max(1);
        let mut ctx = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..round_top(max))
            .map_err(|e| e.to_string())?;
        let labels = chart.labels.clone();
        ctx.configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| tick(*v))
            .y_labels(6)
            .label_style(("sans-serif", 16))
            .draw()
            .map_err(|e| e.to_string())?;
        let k = chart.series.len().max(1) as f64;
        for (s, (name, values)) in chart.series.iter().enumerate() {
            let labels = &chart.labels;
            let bars = values.iter().enumerate().map(move |(i, v)| {
                let v = v.to_f64().unwrap_or_default() / divisor;
                let colour = if lit { colour_of(&labels[i], i) } else { colour_of(name, s) };
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
            ctx.draw_series(bars).map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    // Scales to its box: a viewBox, and the fixed size left to CSS.
    let (w, h) = SIZE;
    Ok(svg.replacen(&format!("width=\"{w}\" height=\"{h}\""), &format!("viewBox=\"0 0 {w} {h}\" width=\"{w}\""), 1))
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
    use rust_decimal::Decimal;
    use taizhang_core::report::{DocSection, Table};

    #[test]
    fn charts_read_in_yi_yuan_with_round_ticks_lights_in_their_colours_and_scale() {
        let chart = Chart {
            title: "分类别完成投资".into(),
            unit: "万元".into(),
            labels: vec!["产业发展".into(), "城市建设".into()],
            series: vec![("年度计划".into(), vec!["1746560".parse().unwrap(), "1843776".parse().unwrap()])],
        };
        let svg = bar_chart_svg(&chart).unwrap();
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        assert!(svg.contains("（亿元）") && texts.contains(&"200"), "ticks in 亿元: {svg}");
        assert!(!texts.iter().any(|t| t.ends_with(".0")), "no .0 on a tick: {svg}");
        // plotters writes a font of n as 0.806·n px: every label at least 12 px.
        for size in svg.split("font-size=\"").skip(1).filter_map(|s| s.split('"').next()) {
            assert!(size.parse::<f64>().unwrap() >= 12.0, "a label of {size} px");
        }
        assert!(svg.contains("viewBox=\"0 0 860 420\""), "scales to its box");
        let lights = Chart {
            title: "红黄绿灯".into(),
            unit: "个".into(),
            labels: vec!["红灯".into(), "黄灯".into(), "绿灯".into()],
            series: vec![("数量".into(), vec![Decimal::from(3), Decimal::from(5), Decimal::from(9)])],
        };
        let svg = bar_chart_svg(&lights).unwrap();
        for colour in ["#D32F2F", "#F9A825", "#2E7D32"] {
            assert!(svg.to_uppercase().contains(colour), "{colour} in {svg}");
        }
    }

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
