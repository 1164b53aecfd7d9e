//! The dashboard's charts as SVG, drawn on the server with plotters from stored figures;
//! every chart's numbers are also in a table on the same page.

use plotters::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use taizhang_core::briefing::Totals;
use taizhang_core::period::Period;
use taizhang_core::report::Chart;

use crate::AppError;

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or_default()
}

fn err<E: std::fmt::Display>(e: E) -> AppError {
    tracing::error!(error = %e, "chart failed");
    AppError::Internal
}

/// Year-to-date investment by month against the plan line (annual plan × m/12), in 亿元.
// Floats here are pixel geometry and plot coordinates; the figures stay exact in the tables.
#[allow(clippy::float_arithmetic)]
pub fn ytd_line_svg(ytd_by_month: &[Decimal], planned_wan: Decimal, period: Period) -> Result<String, AppError> {
    let months = u32::from(period.month_of_year()).max(1);
    let yi = |wan: Decimal| f(wan) / 10_000.0;
    let plan = yi(planned_wan);
    let top = ytd_by_month.iter().map(|d| yi(*d)).fold(plan * f64::from(months) / 12.0, f64::max).max(1.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(format!("{}年1-{}月累计完成投资与序时计划（亿元）", period.year(), months), ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(1u32..months.max(2), 0.0..top * 1.1)
            .map_err(err)?;
        ctx.configure_mesh()
            .x_label_formatter(&|m| format!("{m}月"))
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(err)?;
        ctx.draw_series(LineSeries::new(
            (1..=months).map(|m| (m, plan * f64::from(m) / 12.0)),
            &RGBColor(120, 120, 120),
        ))
        .map_err(err)?
        .label("序时计划")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RGBColor(120, 120, 120)));
        let red = RGBColor(183, 28, 28);
        ctx.draw_series(LineSeries::new(
            ytd_by_month.iter().enumerate().map(|(i, d)| (i as u32 + 1, yi(*d))),
            red.stroke_width(2),
        ))
        .map_err(err)?
        .label("累计完成")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], red.stroke_width(2)));
        // Upper left, where the lines start low: the legend covers no data.
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", 15))
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg.replacen("width=\"640\" height=\"320\"", "viewBox=\"0 0 640 320\" width=\"640\"", 1))
}

/// Plan and year-to-date by category.
pub fn category_bars_svg(by_category: &[Totals], period: Period) -> Result<String, AppError> {
    let chart = Chart {
        title: format!("{}分类别完成投资与年度计划", period.label_zh(true)),
        unit: "万元".into(),
        labels: by_category.iter().map(|t| t.label.clone()).collect(),
        series: vec![
            ("年度计划".into(), by_category.iter().map(|t| t.planned_wan).collect()),
            ("年初至报告期累计".into(), by_category.iter().map(|t| t.ytd_wan).collect()),
        ],
    };
    if chart.labels.is_empty() {
        return Ok(String::new());
    }
    crate::report::bar_chart_svg(&chart).map_err(err)
}

/// The red / yellow / green breakdown.
pub fn lights_svg(red: usize, yellow: usize, green: usize) -> Result<String, AppError> {
    let chart = Chart {
        title: "红黄绿灯".into(),
        unit: "个".into(),
        labels: vec!["红灯".into(), "黄灯".into(), "绿灯".into()],
        series: vec![("数量".into(), [red, yellow, green].iter().map(|n| Decimal::from(*n as u64)).collect())],
    };
    crate::report::bar_chart_svg(&chart).map_err(err)
}

/// Each core indicator's completion of its annual target (%), beside 序时进度.
pub fn indicator_bars_svg(completion: &[(String, Decimal)], period: Period) -> Result<String, AppError> {
    let time = period.time_progress() * Decimal::ONE_HUNDRED;
    let chart = Chart {
        title: format!("{}核心指标完成年度目标", period.label_zh(true)),
        unit: "%".into(),
        labels: completion.iter().map(|(n, _)| n.clone()).collect(),
        series: vec![
            ("完成目标".into(), completion.iter().map(|(_, d)| *d).collect()),
            ("序时进度".into(), completion.iter().map(|_| time.round_dp(1)).collect()),
        ],
    };
    crate::report::bar_chart_svg(&chart).map_err(err)
}

/// The grid as a map: each cell's outline (lon/lat scaled to the page, a degree of longitude
/// narrower by the cosine of the latitude) shaded by its count, the count written inside.
// Floats here are pixel geometry; the counts stay exact in the table beside.
#[allow(clippy::float_arithmetic)]
pub fn grid_map_svg(cells: &[(taizhang_core::grid::GridCell, u64)], caption: &str) -> Result<String, AppError> {
    let points = || cells.iter().flat_map(|(c, _)| c.shape.iter().flat_map(|p| p.outer.iter()));
    let (Some(min_x), Some(max_x), Some(min_y), Some(max_y)) = (
        points().map(|p| f(p.0)).reduce(f64::min),
        points().map(|p| f(p.0)).reduce(f64::max),
        points().map(|p| f(p.1)).reduce(f64::min),
        points().map(|p| f(p.1)).reduce(f64::max),
    ) else {
        return Ok(String::new());
    };
    let (width, height) = ((max_x - min_x).max(1e-6), (max_y - min_y).max(1e-6));
    let squeeze = ((min_y + max_y) / 2.0).to_radians().cos().max(0.1);
    let pixels_w = 640u32;
    let pixels_h = ((f64::from(pixels_w) * height / (width * squeeze)).round() as u32).clamp(160, 900) + 40;
    let most = cells.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (pixels_w, pixels_h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(8)
            .build_cartesian_2d(min_x..max_x, min_y..max_y)
            .map_err(err)?;
        for (cell, n) in cells {
            // White for none, deepening to the district's red for the most.
            let share = *n as f64 / most as f64;
            let shade = |full: u8| (255.0 - (255.0 - f64::from(full)) * share).round() as u8;
            let fill = RGBColor(shade(183), shade(28), shade(28));
            for polygon in &cell.shape {
                let ring: Vec<(f64, f64)> = polygon.outer.iter().map(|p| (f(p.0), f(p.1))).collect();
                ctx.draw_series(std::iter::once(Polygon::new(ring.clone(), fill.filled()))).map_err(err)?;
                let mut closed = ring.clone();
                closed.extend(ring.first().copied());
                ctx.draw_series(std::iter::once(PathElement::new(closed, RGBColor(90, 90, 90)))).map_err(err)?;
            }
            if let Some(outer) = cell.shape.first().map(|p| &p.outer).filter(|o| !o.is_empty()) {
                let centre = (
                    outer.iter().map(|p| f(p.0)).sum::<f64>() / outer.len() as f64,
                    outer.iter().map(|p| f(p.1)).sum::<f64>() / outer.len() as f64,
                );
                let ink = if share > 0.5 { WHITE } else { BLACK };
                let label = Text::new(n.to_string(), centre, ("sans-serif", 14).into_font().color(&ink));
                ctx.draw_series(std::iter::once(label)).map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
