//! `RuleSet::load` on arbitrary text: a bad rules file is an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migguard::ruleset::RuleSet;
use migguard::source::decode;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data) else { return };
    if let Ok(rules) = RuleSet::load(&text, "fuzz-rules.toml") {
        // What `migguard rules` prints from a loaded file.
        let _ = rules.reference_markdown();
    }
});
