//! `migguard init` end to end: the real binary over scratch projects in temp dirs.
//! Every file `init` writes is loaded back with the config loader, and the TypeORM
//! project is then linted with it.

mod util;
use migguard::config::Config;
use migguard::db::history::HistoryKind;
use util::*;

const MIGRATION: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class CreateUser1700000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "user" ("id" SERIAL PRIMARY KEY)`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "user"`);
    }
}
"#;

const DATA_SOURCE: &str = r#"import "reflect-metadata";
import { DataSource } from "typeorm";

const migrationsTable = "typeorm_migrations";

export const AppDataSource = new DataSource({
    type: "postgres",
    url: process.env.DATABASE_URL,
    schema: "core",
    migrations: [__dirname + "/migrations/*{.ts,.js}"],
    migrationsTableName: migrationsTable,
    migrationsTransactionMode: "each",
});
"#;

fn typeorm_project() -> tempfile::TempDir {
    project(&[
        (
            "package.json",
            r#"{"name":"app","dependencies":{"typeorm":"0.3.20"}}"#,
        ),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "outDir": "./dist", "rootDir": "./src" } }"#,
        ),
        ("src/data-source.ts", DATA_SOURCE),
        ("src/migrations/1700000000000-CreateUser.ts", MIGRATION),
    ])
}

fn load(dir: &std::path::Path) -> Config {
    Config::load(&dir.join("migguard.toml")).expect("init wrote a file the loader accepts")
}

#[test]
fn typeorm_data_source_is_read_statically_and_the_gate_runs_with_it() {
    let p = typeorm_project();
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let config = load(p.path());
    assert_eq!(config.migrations, vec![p.path().join("src/migrations")]);
    assert_eq!(config.schema.as_deref(), Some("core"));
    assert_eq!(
        config.history.table.as_deref(),
        Some("core.typeorm_migrations")
    );
    assert_eq!(config.history.kind, Some(HistoryKind::Typeorm));
    // The three commands, with the compiled paths the release image has.
    assert!(
        r.stdout
            .contains("migguard lint --changed-since origin/main"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "migguard release-check dist/migrations && npx typeorm migration:run -d dist/data-source.js"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("migguard drift --allow-pending-migrations"),
        "{}",
        r.stdout
    );
    let lint = run_in(p.path(), &["lint", "--format", "json"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    assert_eq!(lint.json()["migrations"].as_array().unwrap().len(), 1);
}

#[test]
fn existing_config_is_refused_without_force_and_left_untouched() {
    let p = typeorm_project();
    std::fs::write(p.path().join("migguard.toml"), "migrations = [\"mine\"]\n").unwrap();
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(p.path().join("migguard.toml")).unwrap(),
        "migrations = [\"mine\"]\n"
    );
    let r = run_in(p.path(), &["init", "--force"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        load(p.path()).migrations,
        vec![p.path().join("src/migrations")]
    );
}

#[test]
fn literal_globs_ormconfig_and_unreadable_settings() {
    // A literal glob is relative to the project root; a path.join(__dirname, …) to the
    // file; an environment variable is reported, not guessed.
    let p = project(&[
        (
            "ormconfig.js",
            r#"module.exports = {
  type: "postgres",
  migrations: ["db/migrations/*.js", require("path").join(__dirname, "more", "*.js"), process.env.EXTRA],
  migrationsTableName: process.env.TABLE,
  migrationsTransactionMode: "none",
};"#,
        ),
        ("db/migrations/1700000000000-A.js", ""),
    ]);
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let config = load(p.path());
    assert_eq!(
        config.migrations,
        vec![p.path().join("db/migrations"), p.path().join("more")]
    );
    let text = std::fs::read_to_string(p.path().join("migguard.toml")).unwrap();
    assert!(text.contains("process.env.EXTRA"), "{text}");
    assert!(
        text.contains("`migrationsTableName: process.env.TABLE` is not a literal"),
        "{text}"
    );
    assert!(
        text.contains("migrationsTransactionMode: \"none\""),
        "{text}"
    );
    assert!(text.contains("`more` does not exist yet"), "{text}");
}

#[test]
fn ormconfig_json_names_the_default_connection() {
    let p = project(&[
        (
            "ormconfig.json",
            r#"[{"name": "reporting", "type": "postgres", "migrations": ["reporting/*.ts"]},
                {"name": "default", "type": "postgres", "migrations": ["src/migration/**/*.ts"],
                 "migrationsTableName": "schema_history"}]"#,
        ),
        ("src/migration/1700000000000-A.ts", MIGRATION),
    ]);
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let config = load(p.path());
    assert_eq!(config.migrations, vec![p.path().join("src/migration")]);
    assert_eq!(config.history.table.as_deref(), Some("schema_history"));
    let lint = run_in(p.path(), &["lint"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
}

/// Files of a project, the migrations folder `init` should find, and the history kind.
type LayoutCase<'a> = (&'a [(&'a str, &'a str)], &'a str, Option<HistoryKind>);

#[test]
fn sql_layouts_give_folder_and_history_kind() {
    let cases: &[LayoutCase] = &[
        (
            &[
                ("prisma/schema.prisma", ""),
                (
                    "prisma/migrations/20240101120000_init/migration.sql",
                    "CREATE TABLE a (id int);",
                ),
                ("prisma/migrations/migration_lock.toml", ""),
            ],
            "prisma/migrations",
            Some(HistoryKind::Prisma),
        ),
        (
            &[
                ("diesel.toml", ""),
                (
                    "migrations/2024-01-01-120000_create_a/up.sql",
                    "CREATE TABLE a (id int);",
                ),
                (
                    "migrations/2024-01-01-120000_create_a/down.sql",
                    "DROP TABLE a;",
                ),
            ],
            "migrations",
            Some(HistoryKind::Diesel),
        ),
        (
            &[
                (
                    "src/main/resources/db/migration/V1__init.sql",
                    "CREATE TABLE a (id int);",
                ),
                (
                    "src/main/resources/db/migration/V2__b.sql",
                    "CREATE TABLE b (id int);",
                ),
            ],
            "src/main/resources/db/migration",
            Some(HistoryKind::Flyway),
        ),
        (
            &[
                ("db/migrations/1_init.up.sql", "CREATE TABLE a (id int);"),
                ("db/migrations/1_init.down.sql", "DROP TABLE a;"),
                ("db/seed.sql", "INSERT INTO a VALUES (1);"),
            ],
            "db/migrations",
            Some(HistoryKind::GolangMigrate),
        ),
        (
            &[("sql/0001_init.sql", "CREATE TABLE a (id int);")],
            "sql",
            None,
        ),
    ];
    for (files, folder, kind) in cases {
        let p = project(files);
        let r = run_in(p.path(), &["init"]);
        assert_eq!(r.code, 0, "{folder}: {}{}", r.stdout, r.stderr);
        let config = load(p.path());
        assert_eq!(config.migrations, vec![p.path().join(folder)], "{folder}");
        assert_eq!(config.history.kind, *kind, "{folder}");
        // The written config is one `lint` runs with.
        let lint = run_in(p.path(), &["lint"]);
        assert_eq!(lint.code, 0, "{folder}: {}{}", lint.stdout, lint.stderr);
    }
}

#[test]
fn typeorm_migrations_without_a_readable_data_source_are_found_by_their_classes() {
    // NestJS: the options live in a module's forRootAsync factory, not a DataSource.
    let p = project(&[
        (
            "src/app.module.ts",
            "TypeOrmModule.forRootAsync({ useFactory: (c: ConfigService) => c.get('db') })",
        ),
        (
            "src/database/migrations/1700000000000-CreateUser.ts",
            MIGRATION,
        ),
        (
            "src/database/migrations/index.ts",
            "export * from './1700000000000-CreateUser';",
        ),
        ("src/users/user.entity.ts", "export class User {}"),
    ]);
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let config = load(p.path());
    assert_eq!(
        config.migrations,
        vec![p.path().join("src/database/migrations")]
    );
    assert_eq!(config.history.kind, Some(HistoryKind::Typeorm));
    let text = std::fs::read_to_string(p.path().join("migguard.toml")).unwrap();
    assert!(text.contains("no DataSource"), "{text}");
    let lint = run_in(p.path(), &["lint"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
}

#[test]
fn nothing_to_find_is_exit_2_and_writes_nothing() {
    let p = project(&[
        ("README.md", "hello"),
        ("node_modules/x/migrations/1_a.up.sql", ""),
    ]);
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no migrations found"), "{}", r.stderr);
    assert!(!p.path().join("migguard.toml").exists());
}

/// hmpps-activities-management-api (field trial): Flyway runs `common` plus one
/// environment's folder, as `spring.flyway.locations` says; `init` wrote only the
/// folder with the most files, so lint and drift missed the `prod` migrations.
#[test]
fn flyway_locations_come_from_the_spring_configuration() {
    let m = "src/main/resources/migrations";
    let files = [
        (format!("{m}/common/V1__a.sql"), "CREATE TABLE a (id int);"),
        (format!("{m}/common/V2__b.sql"), "CREATE TABLE b (id int);"),
        (format!("{m}/prod/V1_1__fix.sql"), "UPDATE a SET id = 1;"),
        (
            format!("{m}/dev/V1_1__seed.sql"),
            "INSERT INTO a VALUES (1);",
        ),
    ];
    let yml = "spring:\n  datasource:\n    url: x\n  flyway:\n    locations: classpath:/migrations/common,classpath:/migrations/prod\n    placeholders:\n      dpr_user: ${DPR_USER}\nserver:\n  port: 8080\n";
    let properties = "spring.flyway.locations=classpath:migrations/common, filesystem:src/main/resources/migrations/dev\n";
    let want_yml = vec![format!("{m}/common"), format!("{m}/prod")];
    let want_properties = vec![format!("{m}/common"), format!("{m}/dev")];
    for (name, text, want) in [
        ("application.yml", yml, want_yml),
        ("application.properties", properties, want_properties),
    ] {
        let mut all: Vec<(&str, &str)> = files.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let config_path = format!("src/main/resources/{name}");
        all.push((&config_path, text));
        let p = project(&all);
        let r = run_in(p.path(), &["init"]);
        assert_eq!(r.code, 0, "{name}: {}{}", r.stdout, r.stderr);
        let config = load(p.path());
        let want: Vec<_> = want.iter().map(|f| p.path().join(f)).collect();
        assert_eq!(config.migrations, want, "{name}");
        assert_eq!(config.history.kind, Some(HistoryKind::Flyway), "{name}");
    }
}

/// A diesel project that supports several databases keeps one migration folder per
/// backend (vaultwarden: `migrations/{mysql,postgresql,sqlite}`, the SQLite one the
/// largest). migguard guards PostgreSQL, so the PostgreSQL folder is the one to read,
/// whatever the file counts; the others are named in a note.
#[test]
fn the_postgresql_folder_of_a_multi_database_project_is_chosen() {
    let up = |backend: &str, n: usize| {
        (0..n)
            .map(|i| {
                (
                    format!("migrations/{backend}/2024-01-0{}-120000_m{i}/up.sql", i + 1),
                    format!("CREATE TABLE t{i} (id int);"),
                )
            })
            .collect::<Vec<_>>()
    };
    for postgres in ["postgresql", "postgres", "pg"] {
        let files: Vec<(String, String)> = [up("mysql", 3), up(postgres, 2), up("sqlite", 4)]
            .concat()
            .into_iter()
            .chain([("diesel.toml".to_string(), String::new())])
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let p = project(&refs);
        let r = run_in(p.path(), &["init"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let config = load(p.path());
        assert_eq!(
            config.migrations,
            vec![p.path().join(format!("migrations/{postgres}"))],
            "{}",
            r.stdout
        );
        assert_eq!(config.history.kind, Some(HistoryKind::Diesel));
        let written = std::fs::read_to_string(p.path().join("migguard.toml")).unwrap();
        assert!(
            written.contains("migrations/mysql") && written.contains("migrations/sqlite"),
            "{written}"
        );
    }
}

/// ever-gauzy (round 23): the only `new DataSource(…)` is built inside a function from
/// a spread of options computed elsewhere, so it names no `migrations`; `init` wrote
/// `migrations = []` and left the 278-class folder to be found by hand. The folder
/// holding the migration classes is taken instead, with a note saying how it was found;
/// the release command does not offer that file to `typeorm migration:run -d`.
#[test]
fn a_data_source_without_readable_migrations_falls_back_to_the_class_folder() {
    let p = project(&[
        (
            "packages/core/src/lib/database/migration-executor.ts",
            r#"import { DataSource, DataSourceOptions } from "typeorm";
export async function initializeDatabaseConnection(config: any): Promise<DataSource> {
    const { dbConnectionOptions } = config;
    const dataSource = new DataSource({
        ...dbConnectionOptions,
        subscribers: [],
        synchronize: false,
        migrationsRun: false,
    } as DataSourceOptions);
    await dataSource.initialize();
    return dataSource;
}
"#,
        ),
        (
            "packages/core/src/lib/database/migrations/1700000000000-CreateUser.ts",
            MIGRATION,
        ),
    ]);
    let r = run_in(p.path(), &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let config = load(p.path());
    assert_eq!(
        config.migrations,
        vec![p.path().join("packages/core/src/lib/database/migrations")]
    );
    assert_eq!(config.history.kind, Some(HistoryKind::Typeorm));
    let text = std::fs::read_to_string(p.path().join("migguard.toml")).unwrap();
    assert!(text.contains("sets no `migrations`"), "{text}");
    assert!(text.contains("found by its migration classes"), "{text}");
    // A DataSource built inside a function is no module `typeorm -d` can load.
    assert!(
        !r.stdout.contains("-d packages/core"),
        "release command names a module that exports no DataSource:\n{}",
        r.stdout
    );
    assert!(r.stdout.contains("<your DataSource file>"), "{}", r.stdout);
    let lint = run_in(p.path(), &["lint"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
}
