//! `Config::parse` on arbitrary text: a bad config is an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migguard::config::Config;
use migguard::source::decode;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data) else { return };
    if let Ok(config) = Config::parse(&text) {
        // What the commands derive from a loaded config.
        let history = config.history.for_migrations(&[]);
        let _ = (history.kind(), history.table_name(), history.table_parts());
        let _ = config.default_schema();
        let _ = migguard::commands::database::connect_options_from_env(None, &config.database);
    }
});
