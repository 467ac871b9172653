//! The TypeORM reader (tree-sitter, embedded SQL, concatenation) on arbitrary text:
//! it must never panic or hang, whatever a migration file holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migguard::parse::{read_file, ReadOptions};
use migguard::source::{decode, FileKind, SourceFile};
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    // Bytes reach the reader through the same decoding `source::load` applies.
    let Ok(text) = decode(data) else { return };
    // A directory that does not exist: the reader must not depend on neighbours.
    let path = PathBuf::from("/nonexistent-migguard-fuzz/1700000000000-Fuzz.ts");
    let file = SourceFile::new(path, text);
    let _ = read_file(&file, FileKind::Typeorm, &ReadOptions::default());
});
