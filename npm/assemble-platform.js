#!/usr/bin/env node
// Builds the platform package `@migguard/<platform>-<arch>` around one migguard binary:
//   node npm/assemble-platform.js --binary target/x86_64-unknown-linux-musl/release/migguard \
//        --platform linux --arch x64 --out target/npm
// prints the package folder; `npm pack` / `npm publish` it. Platform and arch default
// to this machine's. The version is the main package's (npm/migguard/package.json), so
// the optional dependencies the launcher relies on always match.
"use strict";

const fs = require("fs");
const path = require("path");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  process.stderr.write(`error: --${name} is required\n`);
  process.exit(2);
}

const binary = arg("binary");
const platform = arg("platform", process.platform);
const arch = arg("arch", process.arch);
const outRoot = arg("out");
const main = JSON.parse(fs.readFileSync(path.join(__dirname, "migguard", "package.json"), "utf8"));
const name = `@migguard/${platform}-${arch}`;
if (!(name in main.optionalDependencies)) {
  process.stderr.write(`error: ${name} is not an optional dependency of npm/migguard/package.json\n`);
  process.exit(2);
}
const exe = platform === "win32" ? "migguard.exe" : "migguard";
const dir = path.join(outRoot, `${platform}-${arch}`);
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
fs.copyFileSync(binary, path.join(dir, "bin", exe));
fs.chmodSync(path.join(dir, "bin", exe), 0o755);
const pkg = {
  name,
  version: main.version,
  description: `The ${platform}-${arch} binary of migguard (installed by the migguard package).`,
  license: main.license,
  os: [platform],
  cpu: [arch],
  files: [`bin/${exe}`],
  preferUnplugged: true,
};
fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
process.stdout.write(dir + "\n");
