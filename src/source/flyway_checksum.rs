//! Flyway's script checksum, computed exactly as Flyway computes it, so that the
//! history can tell an edited script from an applied one.
//!
//! Flyway re-runs a repeatable script (`R__…sql`) whenever its checksum differs from
//! the latest row for that description, and refuses to migrate when an applied
//! versioned script's checksum changed (`validateOnMigrate`). Both decisions hinge on
//! this number. Flyway's `ChecksumCalculator`: read the script as text (UTF-8, the
//! default encoding), split it into lines with Java's `BufferedReader.readLine`
//! (terminators `\n`, `\r`, `\r\n`; no empty line after a final terminator), drop a
//! byte order mark at the start of the first line, and update one CRC-32 with each
//! line's UTF-8 bytes (no terminator). The stored value is the CRC as a signed
//! 32-bit integer.
//!
//! For a repeatable script with placeholder replacement on (Flyway's default) the
//! checksum is taken *after* `${…}` placeholders are replaced with values migguard
//! does not know: such a checksum is [`None`] (the caller fails closed).

/// CRC-32 (IEEE, reflected, as `java.util.zip.CRC32`) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// Continue the CRC-32 `crc` (0 to start) over `bytes`.
fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in bytes {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Lines as Java's `BufferedReader.readLine` returns them.
fn java_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Flyway's checksum of a script's text. Pure.
pub fn checksum_of_text(text: &str) -> i32 {
    let mut crc = 0u32;
    for (i, line) in java_lines(text).into_iter().enumerate() {
        let line = if i == 0 {
            line.strip_prefix('\u{FEFF}').unwrap_or(line)
        } else {
            line
        };
        crc = crc32_update(crc, line.as_bytes());
    }
    crc as i32
}

/// The checksum Flyway records for a script file's bytes, or `None` where migguard
/// cannot reproduce it: not UTF-8 (Flyway would decode with replacement characters
/// or another configured encoding), or a repeatable script with a `${` placeholder
/// (replaced before checksumming). Pure.
pub fn script_checksum(bytes: &[u8], repeatable: bool) -> Option<i32> {
    let text = std::str::from_utf8(bytes).ok()?;
    if repeatable && text.contains("${") {
        return None;
    }
    Some(checksum_of_text(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values come from running Flyway's algorithm on the JVM
    /// (`java.util.zip.CRC32` fed by `BufferedReader.readLine`, BOM filtered from
    /// the first line) on the same inputs.
    #[test]
    fn matches_flyway_on_the_jvm() {
        let cases: &[(&str, i32)] = &[
            ("", 0),
            ("CREATE TABLE t (id int);\n", 92137680),
            ("CREATE TABLE t (id int);", 92137680),
            ("CREATE TABLE t (id int);\r\n", 92137680),
            ("\u{FEFF}CREATE TABLE t (id int);\n", 92137680),
            ("a\rb\r\nc\n\nd", -310194927),
            ("CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n", -52122244),
            (
                "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\nDROP TABLE keep_me;\n",
                423864802,
            ),
            ("-- caf\u{e9} \u{2028} x\u{b}y\n\n\n", 722640576),
            ("a\n\r\nb", -1635563411),
        ];
        for (text, want) in cases {
            assert_eq!(checksum_of_text(text), *want, "{text:?}");
        }
    }

    #[test]
    fn placeholders_in_repeatables_and_non_utf8_are_unknown() {
        assert_eq!(script_checksum(b"SELECT '${schema}';", true), None);
        assert_eq!(
            script_checksum(b"SELECT '${schema}';", false),
            Some(checksum_of_text("SELECT '${schema}';"))
        );
        assert_eq!(script_checksum(b"SELECT '\xff';", false), None);
        assert_eq!(
            script_checksum(b"CREATE TABLE t (id int);\n", true),
            Some(92137680)
        );
    }
}
