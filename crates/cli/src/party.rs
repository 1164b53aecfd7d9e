//! `taizhang party …`: 基层党建标准化 from the command line — the scheme and organisations
//! (区委组织部), Excel imports, a checklist scored and moved through its workflow, the 星级
//! rating and a month's 三会一课.

use taizhang_app::Acting;
use taizhang_app::party::{PartyImport, ScoreInput, change_text, party_event, rating_sentence};
use taizhang_core::period::Period;
use taizhang_core::project::Date;

use crate::{CliError, PartyCommand};

/// The most a scheme file may hold.
const MAX_SCHEME_BYTES: u64 = 1024 * 1024;

fn day_or_today(text: &Option<String>) -> Result<Date, CliError> {
    Ok(match text {
        Some(t) => Date::parse(t)?,
        None => taizhang_app::clock::today(),
    })
}

pub async fn run(acting: &Acting<'_>, cmd: &PartyCommand) -> Result<(), CliError> {
    use PartyCommand::*;
    match cmd {
        Scheme { file } => {
            let bytes = crate::read_limited(file, MAX_SCHEME_BYTES)?;
            let text =
                String::from_utf8(bytes).map_err(|_| CliError::Usage(format!("{} 不是 UTF-8 文本", file.display())))?;
            let year = acting.save_party_scheme(&text).await?;
            say!("已导入{year}年党建标准化考评方案");
        }
        Import { file, what, year, today } => {
            let bytes = crate::read_limited(file, taizhang_office::MAX_FILE_BYTES)?;
            let what = PartyImport::named(what, *year, day_or_today(today)?)?;
            let said = acting.import_party(&bytes, &file.display().to_string(), what).await?;
            say!("{said}");
        }
        Orgs => {
            say!("编码\t名称\t层级\t类型\t上级\t所属单位\t书记\t党员");
            for o in acting.party_orgs().await? {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    o.code,
                    o.name,
                    o.level.label_zh(),
                    o.kind.label_zh(),
                    o.parent.as_deref().unwrap_or("—"),
                    acting.unit_name(&o.unit),
                    o.secretary,
                    o.members
                );
            }
        }
        Sheet { org, year } => {
            let sheet = acting.party_sheet(org, *year).await?;
            say!("{} {}年考评（{}）", sheet.org.name, year, sheet.state().label_zh());
            for i in &sheet.scheme.items {
                let got = sheet.score(&i.key);
                say!(
                    "{}\t{}\t{}分\t{}\t{}\t{}",
                    i.key,
                    i.name,
                    i.points.normalize(),
                    got.map_or("—".into(), |s| format!("{}分", s.points.normalize())),
                    i.scorer.label_zh(),
                    got.map_or("", |s| s.evidence.as_str())
                );
            }
            for a in &sheet.scheme.adjustments {
                if let Some(s) = sheet.score(&a.key) {
                    say!("{}\t{}\t{}\t{}", a.key, a.name, s.points.normalize(), s.evidence);
                }
            }
            let zone = &acting.config().time_zone;
            for t in &sheet.trail {
                say!("{}", t.sentence(zone, &t.actor));
            }
        }
        Score { org, year, item, points, evidence } => {
            let points = taizhang_core::quantity::parse_number(points)
                .map_err(|_| CliError::Usage(format!("--points “{points}”不是数字")))?;
            let version = acting.party_sheet(org, *year).await?.version();
            let input = ScoreInput { item: item.clone(), points, evidence: evidence.clone() };
            let a = acting.save_party_scores(org, *year, &[input], version).await?;
            say!("已保存：{org} {item} {}分（{}）", points.normalize(), a.state.label_zh());
        }
        Step { org, step, year, reason } => {
            let event = party_event(step)?;
            let version = acting
                .party_sheet(org, *year)
                .await?
                .version()
                .ok_or_else(|| CliError::Usage(format!("{org}的{year}年考评还没有自评得分")))?;
            let a = acting.party_step(org, *year, event, reason, version).await?;
            say!("已办理：{org} {}年考评 {}", year, a.state.label_zh());
        }
        Rating { year } => {
            let rating = acting.party_rating(*year).await?;
            say!("{}", rating_sentence(&rating));
            say!("名次\t党组织\t所属单位\t得分\t星级\t上年\t变化\t整顿");
            for r in &rating.rated {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.rated.place,
                    r.rated.name,
                    r.unit_name,
                    r.rated.total.normalize(),
                    r.rated.star_text(),
                    r.rated.last_year.map_or("—".into(), |s| format!("{s}星")),
                    change_text(&r.rated),
                    r.rated.weak.as_deref().unwrap_or("")
                );
            }
            for (o, state) in &rating.pending {
                say!("—\t{}\t{}\t—\t待确认（{}）", o.name, acting.unit_name(&o.unit), state.label_zh());
            }
            let reviews = acting.party_reviews(*year).await?;
            if !reviews.is_empty() {
                say!("{}", taizhang_app::party::review_sentence(&rating.scheme, &reviews));
                for r in &reviews {
                    say!(
                        "{}\t{}\t{}／{}\t{}",
                        r.org.name,
                        r.org.secretary,
                        r.points.normalize(),
                        r.full.normalize(),
                        r.grade
                    );
                }
            }
        }
        Meetings { month, as_of } => {
            let month: Period = month.parse()?;
            if !matches!(month, Period::Month(..)) {
                return Err(CliError::Usage(format!("--month 应为月份（如 2018-06），而不是“{month}”")));
            }
            let as_of = day_or_today(as_of)?;
            say!("党组织\t所属单位\t灯色\t说明");
            for m in acting.party_completeness(month.year(), month, as_of).await? {
                say!(
                    "{}\t{}\t{}\t{}",
                    m.org.name,
                    acting.unit_name(&m.org.unit),
                    m.completeness.light.label_zh(),
                    m.completeness.reason()
                );
            }
        }
    }
    Ok(())
}
