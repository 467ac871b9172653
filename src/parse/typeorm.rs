//! TypeORM reader: migration classes in TypeScript or compiled JavaScript.
//! (Interface stub; the TypeORM reader work fills it in.)

use super::ReadOptions;
use crate::ir::Migration;
use crate::source::SourceFile;

/// Every migration class in the file (a file may hold several).
pub fn read_typeorm_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    let _ = (file, opts);
    Vec::new()
}
