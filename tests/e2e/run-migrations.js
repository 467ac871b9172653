// Runs TypeORM migrations (TypeScript, via ts-node) against DATABASE_URL, exactly as
// `typeorm migration:run` would: TypeORM writes its own history table.
// Usage: node run-migrations.js GLOB_OR_FILE... ; MIGRATIONS_TABLE (optional, may be
// schema-qualified like core._typeorm_migrations) names the history table.
require("reflect-metadata");
require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs", target: "es2020", experimentalDecorators: true } });
const { DataSource } = require("typeorm");

const migrations = process.argv.slice(2);
const ds = new DataSource({
  type: "postgres",
  url: process.env.DATABASE_URL,
  migrations,
  ...(process.env.MIGRATIONS_TABLE ? { migrationsTableName: process.env.MIGRATIONS_TABLE } : {}),
  migrationsTransactionMode: "each",
  logging: false,
});

ds.initialize()
  .then(() => ds.runMigrations({ transaction: "each" }))
  .then((ran) => {
    console.log(`ran ${ran.length} migrations: ${ran.map((m) => m.name).join(", ")}`);
    return ds.destroy();
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
