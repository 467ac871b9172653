//! The SQL reader (statement splitter, sqlparser, lexical fallback) on arbitrary
//! text under every file layout migguard recognises; the layout is picked by the
//! input's length so seed files keep their text verbatim.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migguard::parse::{read_file, ReadOptions};
use migguard::source::{decode, FileKind, SourceFile};
use std::path::PathBuf;

/// One file name per layout (and one that follows none). Under a directory that
/// does not exist, so down siblings and tool settings are simply absent.
const NAMES: [&str; 9] = [
    "0001_fuzz.sql",
    "1_fuzz.up.sql",
    "1_fuzz.down.sql",
    "V1__fuzz.sql",
    "U1__fuzz.sql",
    "R__fuzz.sql",
    "2024-01-01-000000_fuzz/up.sql",
    "2024-01-01-000000_fuzz/down.sql",
    "fuzz.sql",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data) else { return };
    let name = NAMES[data.len() % NAMES.len()];
    let path = PathBuf::from("/nonexistent-migguard-fuzz").join(name);
    let file = SourceFile::new(path, text);
    let _ = read_file(&file, FileKind::Sql, &ReadOptions::default());
});
