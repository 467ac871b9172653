// Runs TypeORM migrations (TypeScript, via ts-node) against DATABASE_URL, exactly as
// `typeorm migration:run` would: TypeORM writes its own history table.
require("reflect-metadata");
require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs", target: "es2020", experimentalDecorators: true } });
const { DataSource } = require("typeorm");

const [, , migrationsGlob] = process.argv;
const ds = new DataSource({
  type: "postgres",
  url: process.env.DATABASE_URL,
  migrations: [migrationsGlob],
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
