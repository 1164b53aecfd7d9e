//! What a workbook import checks against, read from the ledger once: shared by the web's
//! uploads and the CLI's `taizhang import` (which both read workbooks and write batches).

use std::collections::HashMap;

use rust_decimal::Decimal;
use taizhang_core::indicator::Catalogue;
use taizhang_core::org::OrgTree;
use taizhang_core::period::Period;
use taizhang_core::plan::{PlanNode, TaskStatus};
use taizhang_office::sheet::Table;
use taizhang_office::{Context, Kind};
use taizhang_store::{Store, StoreError};

#[derive(Debug)]
pub struct ImportContext {
    catalogue: Catalogue,
    units: OrgTree,
    top: Option<String>,
    totals: HashMap<String, Decimal>,
    ytd: HashMap<(String, Period), Decimal>,
    plan_nodes: Vec<PlanNode>,
    task_status: HashMap<String, TaskStatus>,
    year: i32,
}

impl ImportContext {
    /// Reads what rows of `kind` are checked against; `table` gives the years progress covers.
    pub async fn load(store: &Store, kind: Kind, table: &Table, year: i32) -> Result<Self, StoreError> {
        let catalogue = store.catalogue().await?;
        let units = store.org_tree().await?;
        let top = units.roots().next().map(|u| u.code.clone());
        let (totals, ytd) = match kind {
            Kind::Progress => store.progress_context(&taizhang_office::years_in(table)).await?,
            Kind::Projects => store.progress_context(&[]).await?,
            _ => (HashMap::new(), HashMap::new()),
        };
        let (plan_nodes, task_status) = match kind {
            Kind::Tasks => (store.all_plan_nodes().await?, store.task_statuses().await?),
            _ => (vec![], HashMap::new()),
        };
        Ok(Self { catalogue, units, top, totals, ytd, plan_nodes, task_status, year })
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            catalogue: &self.catalogue,
            units: &self.units,
            top_unit: self.top.as_deref(),
            project_totals: &self.totals,
            stored_ytd: &self.ytd,
            plan_nodes: &self.plan_nodes,
            task_status: &self.task_status,
            default_year: self.year,
        }
    }
}
