//! `migguard drift`: live schema vs the replay of all local migrations, each
//! difference reconciled against the pending migrations (see `drift`).

use crate::cli::{DriftArgs, GlobalArgs};
use crate::config::Config;
use crate::db::connect::{block_on_within, connect, describe};
use crate::db::history::{self, compare_with_checksums};
use crate::drift::{
    analyse_against, expected_schema, schemas_to_compare, DriftStatus, HistoryView, IgnoreList,
};
use crate::error::{Outcome, Result};
use crate::project::{load_project, migration_paths};
use crate::report::drift::render;

pub fn run(args: &DriftArgs, global: &GlobalArgs) -> Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let project = load_project(&migration_paths(&args.paths, &config)?, &config)?;
    let ds = config.default_schema().to_string();
    let entities = if args.entities || config.typeorm.entities {
        Some(crate::entities::load(&config)?)
    } else {
        None
    };
    let schemas = schemas_to_compare(
        &args.schemas,
        &project.migrations,
        &ds,
        entities.as_ref().map(|set| &set.model),
    );
    let opts = super::database::connect_options_from_env(
        args.db.database_url.as_deref(),
        &config.database,
    );
    let history_config = config.history.for_migrations(&project.migrations);
    let table = history_config.table_name().to_string();
    let read_database = || {
        block_on_within(&opts, async {
            let client = connect(&opts).await?;
            let h = history::read(&client, history_config.kind(), &table, |e| {
                describe(e, "the database")
            })
            .await?;
            let live = crate::db::introspect::introspect(&client, &schemas).await?;
            Ok::<_, crate::error::Error>((h, live))
        })
    };
    // Replaying the migrations needs no database: it runs while the catalog is read.
    let (expected, database) = std::thread::scope(|scope| {
        let replay =
            (entities.is_none()).then(|| scope.spawn(|| expected_schema(&project.migrations, &ds)));
        let database = read_database();
        let expected = replay.map(|r| r.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (expected, database)
    });
    let (h, live) = database?;
    let checksums = crate::source::flyway_checksums(&project.migrations);
    let cmp = compare_with_checksums(&project.migrations, &h, &checksums);
    let view = HistoryView::from(cmp);
    let ignore = IgnoreList::new(&table, &ds, &config.drift.ignore).with_schemas(&schemas);
    let mut report = match &entities {
        // The entities are what the deployed code expects.
        Some(set) => crate::entities::drift_report(set, &project.migrations, &live, view, &ignore),
        None => analyse_against(
            &expected.unwrap_or_else(|| expected_schema(&project.migrations, &ds)),
            &project.migrations,
            &live,
            view,
            &ds,
            &ignore,
        ),
    };
    // Typed literal defaults are stored in their type's output form: only the server's
    // input functions can tell whether the two sides are the same value.
    let questions = crate::drift::literals::literal_default_questions(&report, &live);
    if !questions.is_empty() {
        let sqls: Vec<String> = questions.iter().map(|q| q.sql()).collect();
        let answers = block_on_within(&opts, async {
            let client = connect(&opts).await?;
            crate::db::evaluate::boolean_answers(&client, &sqls).await
        })?;
        let equal: Vec<usize> = questions
            .iter()
            .zip(answers)
            .filter(|(_, same)| *same == Some(true))
            .map(|(q, _)| q.item)
            .collect();
        crate::drift::literals::drop_equal(&mut report, &equal);
    }
    if h.table_missing {
        eprintln!(
            "warning: history table `{table}` does not exist: treating every migration as pending"
        );
    }
    crate::report::write_stdout(|out| {
        render(&report, args.format, args.allow_pending_migrations, out)
    })?;
    Ok(match report.status {
        DriftStatus::Clean | DriftStatus::AheadOfBuild => Outcome::Pass,
        DriftStatus::Reconcilable if args.allow_pending_migrations => Outcome::Pass,
        _ => Outcome::Fail,
    })
}
