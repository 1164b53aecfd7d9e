//! The one Erqi fixture of the test suites: a fresh database (SQLite, or PostgreSQL when
//! `TAIZHANG_TEST_PG` is set) holding the catalogue, the Erqi world and the accounts a test
//! names, each with [`PASSWORD`].

use taizhang_core::access::Role;
use taizhang_core::indicator::Catalogue;
use taizhang_core::world::World;
use taizhang_store::Store;
pub use taizhang_store::testing::{TestDatabase, fresh_database, postgres_url};

use crate::{NewUser, Result};

/// The password of every fixture account.
pub const PASSWORD: &str = "password-123";

/// An account of a fixture: name, role and unit (unit roles).
pub type Account<'a> = (&'a str, Role, Option<&'a str>);

/// A fresh database with the Erqi world and `accounts`; the database lives as long as the
/// returned [`TestDatabase`].
pub async fn erqi(accounts: &[Account<'_>]) -> Result<(Store, TestDatabase)> {
    let db = fresh_database().await?;
    let store = Store::open(&db.url).await?;
    let catalogue = Catalogue::standard()?;
    let world = World::parse(crate::demo::FILES, &catalogue)?;
    let mut tx = store.begin().await?;
    tx.install_catalogue(&catalogue).await?;
    tx.write_world(&world, "fixture").await?;
    for &(username, role, unit) in accounts {
        let user = NewUser {
            username: username.into(),
            display_name: username.into(),
            password: PASSWORD.into(),
            role,
            unit: unit.map(Into::into),
        };
        tx.upsert_user(&user).await?;
    }
    tx.commit().await?;
    Ok((store, db))
}

/// Each project's 年初至报告期累计 (万元) reported for one month, by project code.
pub async fn month_ytd(
    store: &Store,
    period: taizhang_core::period::Period,
) -> Result<std::collections::HashMap<String, taizhang_core::Decimal>> {
    let month = period.closing_month();
    let rows = store.progress_rows(month.year(), Some(month.month_of_year()), None).await?;
    Ok(rows.into_iter().filter(|g| g.period == month).map(|g| (g.project, g.ytd_wan)).collect())
}
