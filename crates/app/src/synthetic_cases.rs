//! `taizhang case gen`: a reproducible synthetic year of 数字城管 for benchmarks — square grid
//! cells laid out per street, a handful of classes, and cases spread over the year's working
//! hours with the outcomes cities see (declined, hung up, open, closed on time or late, some
//! reworked), written through the same path as an old system's cases (`import_historic_cases`),
//! one transaction a chunk.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use taizhang_core::calendar::{WorkCalendar, WorkingHours};
use taizhang_core::cases::{CaseClass, HistoricCase};
use taizhang_core::grid::{GridCell, shape_from_wkt};
use taizhang_core::org::UnitKind;
use taizhang_core::project::Date;

use crate::{Acting, Error, Moment, Result};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct CaseGenSpec {
    pub cells_per_street: u32,
    pub cases: u32,
    pub year: i32,
    pub seed: u64,
}

/// Cases written a transaction at a time.
const CHUNK: usize = 20_000;

/// The generated classes: (code, kind, 大类, name, limit, hours or days).
const CLASSES: [(&str, &str, &str, &str, u32, &str); 6] = [
    ("G-SR-01", "事件", "市容环境", "暴露垃圾", 2, "hours"),
    ("G-JM-01", "事件", "街面秩序", "占道经营", 4, "hours"),
    ("G-SG-01", "事件", "施工管理", "施工围挡破损", 1, "days"),
    ("G-GY-01", "部件", "公用设施", "井盖破损", 4, "hours"),
    ("G-DL-01", "部件", "道路交通", "路灯损坏", 3, "days"),
    ("G-YL-01", "部件", "园林绿化", "绿地脏乱", 2, "days"),
];

fn deg(milli: i64) -> Decimal {
    Decimal::new(milli, 3)
}

impl Acting<'_> {
    /// Generates grid cells for every street and a year of cases (admins); the cases written.
    pub async fn generate_cases(&self, spec: CaseGenSpec, on_chunk: &(dyn Fn(usize) + Sync)) -> Result<usize> {
        let streets: Vec<String> =
            self.tree.units().iter().filter(|u| u.kind == UnitKind::Street).map(|u| u.code.to_string()).collect();
        if streets.is_empty() || spec.cells_per_street == 0 || spec.cells_per_street > 100 {
            return Err(Error::Invalid("case gen 需要至少一个街道，每个街道1到100个网格".into()));
        }
        // Street i's cells fill a 0.1° block, 10 × 10 cells of 0.01°.
        let mut cells = Vec::new();
        for (i, street) in streets.iter().enumerate() {
            let (bx, by) = (113_000 + (i as i64 % 100) * 100, 30_000 + (i as i64 / 100) * 100);
            for j in 0..i64::from(spec.cells_per_street) {
                let (x, y) = (bx + (j % 10) * 10, by + (j / 10) * 10);
                let wkt = format!(
                    "POLYGON (({} {}, {} {}, {} {}, {} {}, {} {}))",
                    deg(x),
                    deg(y),
                    deg(x + 10),
                    deg(y),
                    deg(x + 10),
                    deg(y + 10),
                    deg(x),
                    deg(y + 10),
                    deg(x),
                    deg(y)
                );
                cells.push(GridCell {
                    code: format!("{street}-g{j:02}"),
                    name: format!("{}第{}网格", self.unit_name(street), j + 1),
                    street: street.clone(),
                    community: format!("{}第{}社区", self.unit_name(street), j / 10 + 1),
                    shape: shape_from_wkt(&wkt)?,
                });
            }
        }
        self.save_grid(&cells, true).await?;
        let classes: Vec<CaseClass> = CLASSES
            .iter()
            .map(|(code, kind, major, name, limit, unit)| CaseClass {
                code: code.to_string(),
                kind: kind.to_string(),
                major: major.to_string(),
                name: name.to_string(),
                file_rule: "（示例）现场可见".into(),
                close_rule: "（示例）处置完毕".into(),
                time_limit: *limit,
                limit_unit: unit.to_string(),
                default_unit: None,
                street_units: Default::default(),
            })
            .collect();
        self.save_case_classes(&classes).await?;

        let calendar = WorkCalendar::national();
        let hours = WorkingHours::default();
        let days: Vec<Date> = {
            let (first, last) = (Date::new(spec.year, 1, 1)?, Date::new(spec.year, 12, 31)?);
            let mut all = vec![];
            let mut d = first;
            while d <= last {
                if calendar.is_working_day(d) {
                    all.push(d);
                }
                d = d.plus_days(1)?;
            }
            all
        };
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let mut written = 0;
        let mut chunk = Vec::with_capacity(CHUNK);
        for n in 0..spec.cases {
            let cell = &cells[rng.random_range(0..cells.len())];
            let (x, y) = (cell.shape[0].outer[0].0, cell.shape[0].outer[0].1);
            let lon = x + Decimal::new(rng.random_range(1..100), 4);
            let lat = y + Decimal::new(rng.random_range(1..100), 4);
            let class = &classes[rng.random_range(0..classes.len())];
            let day = days[rng.random_range(0..days.len())];
            let at = |minute: u16| Moment { day, minute };
            let reported = at(rng.random_range(510..1050));
            let filed = Moment { minute: reported.minute + 5, ..reported };
            let dispatched = Moment { minute: filed.minute + 5, ..filed };
            let due = crate::due_after(&calendar, &hours, dispatched, class)?;
            let roll: u32 = rng.random_range(0..100);
            // 5 declined, 3 hung up, 7 still with their unit, 85 closed: two in three on time.
            let (declined, suspended, closed, late) =
                (roll < 5, (5..8).contains(&roll), roll >= 15, (15..43).contains(&roll));
            // On time: halfway to a same-day deadline, else half an hour before it; late: a
            // working day after it.
            let disposed_at = closed.then(|| match (late, due.day == dispatched.day) {
                (true, _) => Moment { day: calendar.add_working_days(due.day, 1), minute: due.minute },
                (false, true) => Moment { minute: (dispatched.minute + due.minute) / 2, ..dispatched },
                (false, false) => Moment { minute: due.minute.saturating_sub(30), ..due },
            });
            let closed_at = disposed_at.map(|d| Moment { day: calendar.add_working_days(d.day, 1), minute: d.minute });
            let unit = if rng.random_range(0..2) == 0 {
                cell.street.clone()
            } else {
                // The street's district's 城市管理局 (the generated city's department b04).
                cell.street.rsplit_once('-').map_or(cell.street.clone(), |(d, _)| format!("{d}-b04"))
            };
            let unit = if self.tree.get(&unit).is_some() { unit } else { cell.street.clone() };
            let open = !declined;
            chunk.push(HistoricCase {
                row: n + 2,
                old_id: format!("GEN{n:07}"),
                class: class.code.clone(),
                lon,
                lat,
                address: String::new(),
                description: format!("（示例）{}", class.name),
                reported_by: "（示例）监督员".into(),
                reported_at: reported.text(),
                filed_at: open.then(|| filed.text()),
                dispatched_at: open.then(|| dispatched.text()),
                unit: open.then_some(unit),
                due_at: open.then(|| due.text()),
                disposed_at: disposed_at.filter(|_| !suspended).map(Moment::text),
                closed_at: closed_at.filter(|_| !suspended).map(Moment::text),
                reworks: u32::from(closed && rng.random_range(0..10) == 0),
                declined,
                suspended,
            });
            if chunk.len() == CHUNK {
                written += self.import_historic_cases(&chunk, true).await?;
                chunk.clear();
                on_chunk(written);
            }
        }
        if !chunk.is_empty() {
            written += self.import_historic_cases(&chunk, true).await?;
            on_chunk(written);
        }
        Ok(written)
    }
}
