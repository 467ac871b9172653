#!/usr/bin/env node
// The `migguard` command of the npm package: finds the native binary of the platform
// package npm installed for this machine (`@migguard/<platform>-<arch>`, an optional
// dependency, like esbuild and squawk-cli) and runs it with the same arguments, the
// same stdio and the same exit code. It never decides anything itself: when no binary
// can be found it says why and exits 2 ("could not do its job"), never 0.
"use strict";

const { spawnSync } = require("child_process");
const path = require("path");

const COULD_NOT_RUN = 2;

function binaryPath() {
  // An explicit binary (a local build, an unsupported platform) wins.
  if (process.env.MIGGUARD_BINARY) {
    return process.env.MIGGUARD_BINARY;
  }
  const pkg = `@migguard/${process.platform}-${process.arch}`;
  const exe = process.platform === "win32" ? "migguard.exe" : "migguard";
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch (e) {
    process.stderr.write(
      `error: the migguard binary for ${process.platform}-${process.arch} is not installed ` +
        `(npm package ${pkg}). Reinstall without --no-optional / --omit=optional, ` +
        `or set MIGGUARD_BINARY to a migguard binary (cargo install migguard).\n`
    );
    process.exit(COULD_NOT_RUN);
  }
  return path.join(dir, "bin", exe);
}

const bin = binaryPath();
const result = spawnSync(bin, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`error: cannot run ${bin}: ${result.error.message}\n`);
  process.exit(COULD_NOT_RUN);
}
if (result.signal) {
  // Die of the same signal, so a CI runner sees what killed the binary.
  process.kill(process.pid, result.signal);
  // A signal that does not end this process (ignored here) still must not pass.
  process.exit(COULD_NOT_RUN);
}
process.exit(result.status === null ? COULD_NOT_RUN : result.status);
