// migguard entity reader: prints, as JSON on stdout, the entities of a TypeORM 0.3
// project and the SQL TypeORM's own schema builder would run to create them in an
// empty PostgreSQL database (what `typeorm migration:generate` writes for a fresh
// database), WITHOUT connecting to any database.
//
// usage: node entities.js <datasource module> <default schema> <server version>
//
// How it stays offline: the DataSource's PostgreSQL driver is built by the
// DataSource constructor but opens its pool only in `connect()`, which `initialize()`
// calls; this script never calls either (and turns both into errors, so a module
// that calls `initialize()` itself fails loudly instead of connecting). The schema
// builder's query runner gets a stand-in connection that answers the few catalog
// questions it asks (current schema, current database) as an empty database would,
// and its SQL is recorded ("sql in memory", the mode migration:generate uses).
"use strict";
const path = require("path");
const fs = require("fs");
const Module = require("module");

function fail(message) {
    process.stderr.write(`migguard-entities: ${message}\n`);
    process.exit(3);
}

const [modulePath, defaultSchema = "public", serverVersion = "15.0"] = process.argv.slice(2);
if (!modulePath) fail("no DataSource module given");
const absolute = path.resolve(modulePath);
if (!fs.existsSync(absolute)) fail(`${absolute} does not exist`);
const projectRequire = Module.createRequire(absolute);

function tryResolve(name) {
    try {
        return projectRequire.resolve(name);
    } catch (_) {
        return null;
    }
}

// TypeScript: the project's own ts-node, else its own typescript compiler.
if (/\.[cm]?tsx?$/.test(absolute)) {
    const compilerOptions = {
        module: "commonjs",
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
    };
    if (tryResolve("ts-node")) {
        projectRequire("ts-node").register({
            transpileOnly: true,
            compilerOptions,
        });
    } else if (tryResolve("typescript")) {
        const ts = projectRequire("typescript");
        const compile = (module, filename) => {
            const source = fs.readFileSync(filename, "utf8");
            const out = ts.transpileModule(source, {
                fileName: filename,
                compilerOptions: { ...compilerOptions, target: ts.ScriptTarget.ES2019, esModuleInterop: true },
            });
            module._compile(out.outputText, filename);
        };
        for (const ext of [".ts", ".tsx", ".mts", ".cts"]) require.extensions[ext] = compile;
    } else {
        fail(`${modulePath} is TypeScript, and neither ts-node nor typescript is installed in the project (npm install -D ts-node typescript), or point [typeorm] datasource at the compiled .js`);
    }
}

if (!tryResolve("typeorm")) fail(`typeorm is not installed where ${modulePath} can load it (run npm install)`);
const typeorm = projectRequire("typeorm");
if (!typeorm.DataSource) fail("the project's typeorm has no DataSource: migguard reads TypeORM 0.3 projects");

// Never connect: a module that initializes its DataSource on load fails here.
typeorm.DataSource.prototype.initialize = async function () {
    throw new Error("migguard reads entities without connecting: the DataSource module called initialize()");
};

function isDataSource(value) {
    return value instanceof typeorm.DataSource || (value && typeof value === "object" && typeof value.buildMetadatas === "function" && value.options);
}
function isOptions(value) {
    return value && typeof value === "object" && typeof value.type === "string" && !isDataSource(value);
}
function isPromise(value) {
    return value && typeof value.then === "function";
}

async function findDataSource(exported) {
    const candidates = [exported];
    if (exported && typeof exported === "object") {
        if ("default" in exported) candidates.push(exported.default);
        for (const key of Object.keys(exported)) if (key !== "default") candidates.push(exported[key]);
    }
    for (let value of candidates) {
        if (isPromise(value)) value = await value;
        if (isDataSource(value)) return value;
        if (isOptions(value)) return new typeorm.DataSource(value);
    }
    return null;
}

/** The stand-in connection: answers as an empty database would, never touches a network. */
function emptyDatabaseConnection(schema) {
    return {
        on() {},
        removeListener() {},
        async query(sql) {
            let rows = [];
            if (/current_schema\(\)/i.test(sql)) rows = [{ current_schema: schema }];
            else if (/current_database\(\)/i.test(sql)) rows = [{ current_database: "migguard" }];
            else if (/version\(\)/i.test(sql)) rows = [{ version: `PostgreSQL ${serverVersion} (migguard)` }];
            return { rows, rowCount: 0, command: "SELECT" };
        },
    };
}

/**
 * Every exported class of every loaded module, with the file that declares it (a
 * barrel `index.ts` re-exporting it is only used when no exporting file declares it).
 */
function classFiles() {
    const candidates = new Map();
    for (const [filename, mod] of Object.entries(require.cache)) {
        if (filename.includes(`${path.sep}node_modules${path.sep}`)) continue;
        const exported = mod && mod.exports;
        if (!exported) continue;
        const values = typeof exported === "function" ? [exported] : Object.values(exported);
        for (const v of values) {
            if (typeof v !== "function") continue;
            if (!candidates.has(v)) candidates.set(v, []);
            candidates.get(v).push(filename);
        }
    }
    const files = new Map();
    for (const [cls, names] of candidates) {
        files.set(cls, names.find((f) => classLine(f, cls.name) > 0) || names[0]);
    }
    return files;
}

const lineCache = new Map();
function linesOf(file) {
    if (!lineCache.has(file)) {
        let text = "";
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (_) {}
        lineCache.set(file, text.split(/\r?\n/));
    }
    return lineCache.get(file);
}
function escapeRegex(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
/** 1-based line of `class Name` in the file (0 when not found). */
function classLine(file, name) {
    const re = new RegExp(`\\bclass\\s+${escapeRegex(name)}\\b|\\b${escapeRegex(name)}\\s*=\\s*class\\b|\\bfunction\\s+${escapeRegex(name)}\\b`);
    const lines = linesOf(file);
    const i = lines.findIndex((l) => re.test(l));
    return i + 1;
}
/** 1-based line of a property declared after `fromLine` (TS declaration or tsc's __decorate key). */
function propertyLine(file, fromLine, property) {
    if (!property) return 0;
    const p = escapeRegex(property);
    const re = new RegExp(`^\\s*(?:(?:public|private|protected|readonly|declare|override)\\s+)*${p}\\s*[!?]?\\s*[:;=]|["']${p}["']\\s*,?\\s*(?:void 0|null)?\\s*\\)`);
    const lines = linesOf(file);
    for (let i = Math.max(0, fromLine - 1); i < lines.length; i++) if (re.test(lines[i])) return i + 1;
    return 0;
}

async function main() {
    let exported;
    try {
        exported = projectRequire(absolute);
    } catch (e) {
        fail(`loading ${modulePath} failed: ${e && e.stack ? e.stack : e}`);
    }
    const ds = await findDataSource(exported);
    if (!ds) fail(`${modulePath} exports no DataSource, DataSourceOptions or a promise of either`);
    if (ds.options.type !== "postgres") fail(`the DataSource's type is ${ds.options.type}; migguard reads PostgreSQL entities`);
    const driver = ds.driver;
    driver.connect = async () => {
        throw new Error("migguard reads entities without connecting");
    };
    // What afterConnect() learns from the server, taken from the configured version.
    driver.version = serverVersion;
    driver.isGeneratedColumnsSupported = Number(serverVersion.split(".")[0]) >= 12;
    const schema = driver.schema || defaultSchema;
    driver.obtainMasterConnection = async () => [emptyDatabaseConnection(schema), () => {}];
    driver.obtainSlaveConnection = driver.obtainMasterConnection;

    await ds.buildMetadatas();
    const memory = await driver.createSchemaBuilder().log();
    const sql = memory.upQueries.map((q) => ({ sql: q.query, parameters: q.parameters || [] }));

    const files = classFiles();
    /** Where a class-less table (a join table, a closure table) is declared: its owner. */
    function declaredAt(m) {
        if (typeof m.target === "function") {
            const file = files.get(m.target) || null;
            return [file, file ? classLine(file, m.target.name) : 0];
        }
        for (const owner of ds.entityMetadatas) {
            if (typeof owner.target !== "function") continue;
            const file = files.get(owner.target);
            if (!file) continue;
            const relation = owner.relations.find((r) => r.junctionEntityMetadata === m);
            if (relation) return [file, propertyLine(file, classLine(file, owner.target.name), relation.propertyName)];
            if (m.parentClosureEntityMetadata === owner) return [file, classLine(file, owner.target.name)];
        }
        return [null, 0];
    }
    const entities = ds.entityMetadatas.map((m) => {
        const [file, line] = declaredAt(m);
        const columns = m.columns.map((c) => {
            const owner = typeof c.target === "function" ? c.target : m.target;
            const ownerFile = files.get(owner) || file;
            const ownerLine = ownerFile && typeof owner === "function" ? classLine(ownerFile, owner.name) : line;
            const property = c.relationMetadata ? c.relationMetadata.propertyName : (c.embeddedMetadata ? c.embeddedMetadata.propertyPath.split(".")[0] : c.propertyName);
            const embeddedFile = c.embeddedMetadata ? file : ownerFile;
            return {
                name: c.databaseName,
                property: c.propertyPath,
                file: embeddedFile,
                line: (embeddedFile && propertyLine(embeddedFile, c.embeddedMetadata ? line : ownerLine, property)) || (c.embeddedMetadata ? line : ownerLine),
            };
        });
        return {
            class: typeof m.target === "function" ? m.target.name : String(m.target),
            table: m.tablePath,
            schema: m.schema || null,
            table_name: m.tableName,
            kind: m.tableType,
            synchronize: m.synchronize,
            file,
            line,
            columns,
            indices: m.indices.map((i) => i.name),
            uniques: m.uniques.map((u) => u.name),
            foreign_keys: m.foreignKeys.map((f) => f.name),
            checks: m.checks.map((c) => c.name),
            exclusions: m.exclusions.map((x) => x.name),
        };
    });
    process.stdout.write(JSON.stringify({ typeorm_version: typeormVersion(), schema, sql, entities }));
}

function typeormVersion() {
    try {
        return JSON.parse(fs.readFileSync(path.join(path.dirname(projectRequire.resolve("typeorm")), "package.json"), "utf8")).version;
    } catch (_) {
        return null;
    }
}

main().then(
    () => process.exit(0),
    (e) => fail(e && e.stack ? e.stack : String(e)),
);
