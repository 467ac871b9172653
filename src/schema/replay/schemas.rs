//! Replay of namespace-level DDL: schemas (a dropped schema takes its objects along;
//! a renamed one is not followed) and extensions.

use super::Replayer;
use crate::ir::names::fold_sql_ident;
use crate::parse::sql::lexical::blank_comments_and_strings;
use crate::schema::model::Extension;

impl Replayer<'_> {
    pub(super) fn create_extension(
        &mut self,
        name: &str,
        schema: &Option<String>,
        if_not_exists: bool,
        text: &str,
    ) {
        if if_not_exists && self.model.extensions.contains_key(name) {
            return;
        }
        self.model.extensions.insert(
            name.to_string(),
            Extension {
                comment: None,
                name: name.to_string(),
                schema: schema.clone().or_else(|| Some(self.ds.clone())),
                version: quoted_after_keyword(text, &["version"]),
            },
        );
    }

    /// `ALTER EXTENSION name UPDATE [TO 'v'] | SET SCHEMA s | ADD|DROP member`, read
    /// from the statement's text: an update without `TO` goes to the server's default
    /// version (unpinned); members are outside the model.
    pub(super) fn alter_extension(&mut self, text: &str) {
        let blanked = blank_comments_and_strings(text);
        let words: Vec<&str> = blanked.split_whitespace().collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let Some(name) = words
            .get(2)
            .map(|w| fold_sql_ident(w.trim_end_matches(';')))
        else {
            return;
        };
        let action: Vec<&str> = lower
            .iter()
            .skip(3)
            .map(|w| w.trim_end_matches(';'))
            .collect();
        let Some(ext) = self.model.extensions.get_mut(&name) else {
            if !matches!(action.first(), Some(&"add") | Some(&"drop")) {
                self.conflict(
                    name.clone(),
                    format!("ALTER EXTENSION {name}: not installed"),
                );
            }
            return;
        };
        match action.as_slice() {
            ["update", "to", ..] => ext.version = quoted_after_keyword(text, &["update", "to"]),
            ["update"] => ext.version = None,
            ["set", "schema", schema, ..] => {
                let at = words.iter().position(|w| w.eq_ignore_ascii_case("schema"));
                let written = at.and_then(|i| words.get(i + 1)).unwrap_or(schema);
                ext.schema = Some(fold_sql_ident(written.trim_end_matches(';')));
            }
            ["add", ..] | ["drop", ..] => {}
            _ => {
                let why = format!(
                    "ALTER EXTENSION in {}: migguard does not replay this change",
                    self.migration
                );
                self.uncertain(format!("extension {name}"), why);
            }
        }
    }

    pub(super) fn drop_extension(&mut self, name: &str, if_exists: bool) {
        if self.model.extensions.remove(name).is_none() && !if_exists {
            self.conflict(
                name.to_string(),
                format!("DROP EXTENSION {name}: not installed"),
            );
        }
    }

    pub(super) fn create_schema(&mut self, name: &str, if_not_exists: bool) {
        if !self.model.schemas.insert(name.to_string()) && !if_not_exists {
            self.conflict(
                name.to_string(),
                format!("CREATE SCHEMA {name}: already exists"),
            );
        }
    }

    pub(super) fn drop_schema(&mut self, name: &str, if_exists: bool) {
        if !self.model.schemas.remove(name) && !if_exists {
            self.conflict(
                name.to_string(),
                format!("DROP SCHEMA {name}: no such schema"),
            );
        }
        let n = name.to_string();
        self.model.schema_comments.remove(&n);
        self.model.tables.retain(|k, _| k.schema != n);
        self.model.indexes.retain(|k, _| k.schema != n);
        self.model.enums.retain(|k, _| k.schema != n);
        self.model.sequences.retain(|k, _| k.schema != n);
        self.model.views.retain(|k, _| k.schema != n);
        self.model.functions.retain(|_, f| f.name.schema != n);
    }

    pub(super) fn rename_schema(&mut self, name: &str, new_name: &str) {
        self.uncertain(
            name.to_string(),
            format!("ALTER SCHEMA {name} RENAME TO {new_name}: objects moved, not replayed"),
        );
    }
}

/// The string literal that follows `keywords` (outside comments and strings) in
/// `text`: `VERSION '1.4'` → `1.4`. `None` when they do not occur or no literal
/// follows (a bare word is taken as written, folded like an identifier).
fn quoted_after_keyword(text: &str, keywords: &[&str]) -> Option<String> {
    let blanked = blank_comments_and_strings(text);
    let mut words = Vec::new();
    let mut at = 0;
    for w in blanked.split_whitespace() {
        let start = at + blanked[at..].find(w).unwrap_or(0);
        at = start + w.len();
        words.push((start, w));
    }
    let k = keywords.len();
    let i = (0..words.len().saturating_sub(k - 1))
        .find(|&i| (0..k).all(|j| words[i + j].1.eq_ignore_ascii_case(keywords[j])))?;
    let after = words[i + k - 1].0 + words[i + k - 1].1.len();
    let rest = text[after..].trim_start();
    if let Some(body) = rest.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    return Some(out);
                }
            }
            out.push(c);
        }
        return None;
    }
    let word = rest
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .filter(|w| !w.is_empty())?;
    Some(fold_sql_ident(word))
}

#[cfg(test)]
mod tests {
    use super::quoted_after_keyword;

    #[test]
    fn a_version_is_read_after_its_keyword() {
        let sql = "CREATE EXTENSION x /* version '9' */ SCHEMA s VERSION 'it''s 1.4';";
        assert_eq!(
            quoted_after_keyword(sql, &["version"]).as_deref(),
            Some("it's 1.4")
        );
        let upd = "ALTER EXTENSION x UPDATE TO \"1.5\";";
        assert_eq!(
            quoted_after_keyword(upd, &["update", "to"]).as_deref(),
            Some("1.5")
        );
        assert_eq!(
            quoted_after_keyword("CREATE EXTENSION x", &["version"]),
            None
        );
    }
}
