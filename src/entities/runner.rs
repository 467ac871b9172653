//! Running the bundled Node script (`node/entities.js`) under a deadline.
//!
//! The script is embedded in the binary and written to a temp file per run, so an
//! installed migguard needs nothing beside itself but Node and the project's own
//! `node_modules`. Node is looked up as `node` on `PATH` (or `MIGGUARD_NODE`); it
//! runs from the project folder (the nearest one with a `package.json` above the
//! DataSource module) so the project's `tsconfig.json` and packages are the ones used.
//! Every failure — Node missing, the module failing to load, the deadline passing —
//! is an error naming the reason (exit 2), never an empty entity set.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = include_str!("../../node/entities.js");

/// Default deadline for the whole Node run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub struct RunOptions {
    pub default_schema: String,
    pub server_version: String,
    pub timeout: Duration,
}

fn input_error(path: &Path, message: String) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message,
    }
}

/// The folder Node runs in: the nearest ancestor of the module holding a `package.json`.
fn project_dir(module: &Path) -> PathBuf {
    let start = module.parent().unwrap_or(Path::new("."));
    start
        .ancestors()
        .find(|d| d.join("package.json").is_file())
        .unwrap_or(start)
        .to_path_buf()
}

/// Run the script on `datasource` and return its JSON output.
pub fn run_script(datasource: &Path, opts: &RunOptions) -> Result<String> {
    if !datasource.is_file() {
        return Err(input_error(
            datasource,
            "the DataSource module ([typeorm] datasource) does not exist".into(),
        ));
    }
    let module = std::fs::canonicalize(datasource)
        .map_err(|e| Error::io(format!("{}", datasource.display()), e))?;
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let script = std::env::temp_dir().join(format!(
        "migguard-entities-{}-{nanos}-{}.js",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&script, SCRIPT)
        .map_err(|e| Error::io(format!("writing {}", script.display()), e))?;
    let result = run(&script, &module, opts);
    let _ = std::fs::remove_file(&script);
    result
}

fn run(script: &Path, module: &Path, opts: &RunOptions) -> Result<String> {
    let node = std::env::var_os("MIGGUARD_NODE").unwrap_or_else(|| "node".into());
    let mut child = Command::new(&node)
        .arg(script)
        .arg(module)
        .arg(&opts.default_schema)
        .arg(&opts.server_version)
        .current_dir(project_dir(module))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            input_error(
                module,
                format!(
                    "cannot run Node.js (`{}`) to read the entities: {e}; install Node.js or set MIGGUARD_NODE",
                    node.to_string_lossy()
                ),
            )
        })?;
    // Drain both pipes on their own threads: a full pipe would stall Node forever.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + opts.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(input_error(
                    module,
                    format!(
                        "reading the entities took longer than {} s (Node was stopped; raise [typeorm] entities_timeout_secs)",
                        opts.timeout.as_secs()
                    ),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(Error::io("waiting for Node", e)),
        }
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    if !status.success() {
        let reason = String::from_utf8_lossy(&err);
        let reason = reason
            .trim()
            .strip_prefix("migguard-entities: ")
            .unwrap_or(reason.trim());
        return Err(input_error(
            module,
            format!("reading the entities failed ({status}): {reason}"),
        ));
    }
    String::from_utf8(out)
        .map_err(|_| input_error(module, "the entity reader printed invalid UTF-8".into()))
}
