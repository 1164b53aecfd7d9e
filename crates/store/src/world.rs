//! Writing whole worlds and catalogues in one transaction.

use taizhang_core::indicator::Catalogue;
use taizhang_core::world::World;

use crate::{ProgressRow, Result, Tx};

impl Tx {
    /// Installs (or updates) a catalogue: report sections, then indicators with aliases.
    pub async fn install_catalogue(&mut self, catalogue: &Catalogue) -> Result<()> {
        for (order, section) in catalogue.sections.iter().enumerate() {
            self.upsert_section(section, order as i64).await?;
        }
        for indicator in &catalogue.indicators {
            self.upsert_indicator(indicator).await?;
        }
        Ok(())
    }

    /// Writes every record of a world, parents before children. Records are upserted by
    /// their codes, so loading the same world twice changes nothing; a changed figure gets a
    /// version recorded by `by`.
    pub async fn write_world(&mut self, world: &World, by: &str) -> Result<()> {
        for (order, unit) in world.units.iter().enumerate() {
            self.upsert_unit(unit, order as i64).await?;
        }
        for value in &world.values {
            self.upsert_value(value, by).await?;
        }
        for target in &world.targets {
            self.upsert_target(target).await?;
        }
        for honour in &world.honours {
            self.upsert_honour(honour).await?;
        }
        for node in &world.plan {
            self.upsert_plan_node(node).await?;
        }
        for milestone in &world.milestones {
            self.upsert_milestone(milestone).await?;
        }
        let mut rows = Vec::new();
        for record in &world.projects {
            let id = self.upsert_project(&record.project).await?;
            for plan in &record.plans {
                self.upsert_year_plan(plan).await?;
            }
            for progress in &record.progress {
                progress.validate(&record.project)?;
                rows.push(ProgressRow { project_id: id, progress: progress.clone() });
            }
        }
        self.insert_progress_rows(&rows).await?;
        for plan in &world.month_plans {
            self.upsert_month_plan(plan).await?;
        }
        for task in &world.tasks {
            self.upsert_task(task).await?;
        }
        Ok(())
    }
}
