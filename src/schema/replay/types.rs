//! Replay of user-defined types: enums (labels added and renamed, defaults following
//! a renamed label), composite types, renames that columns of the type follow, DROP
//! TYPE and DROP DOMAIN.

use super::Replayer;
use crate::ir::QualifiedName;
use crate::schema::model::{Attribute, CompositeType, EnumType};

impl Replayer<'_> {
    pub(super) fn create_enum(&mut self, name: &QualifiedName, labels: &[String]) {
        if self.model.enums.contains_key(name) {
            self.conflict(
                name.to_string(),
                format!("CREATE TYPE {name}: the type already exists"),
            );
            return;
        }
        self.model.enums.insert(
            name.clone(),
            EnumType {
                comment: None,
                name: name.clone(),
                labels: labels.to_vec(),
            },
        );
    }

    pub(super) fn create_composite(
        &mut self,
        name: &QualifiedName,
        attributes: &[(String, String)],
    ) {
        if self.model.enums.contains_key(name) || self.model.composites.contains_key(name) {
            self.conflict(
                name.to_string(),
                format!("CREATE TYPE {name}: the type already exists"),
            );
            return;
        }
        let attributes = attributes
            .iter()
            .map(|(n, t)| Attribute {
                name: n.clone(),
                data_type: self.norm_type(t),
            })
            .collect();
        self.model.composites.insert(
            name.clone(),
            CompositeType {
                comment: None,
                name: name.clone(),
                attributes,
            },
        );
    }

    pub(super) fn add_enum_value(
        &mut self,
        name: &QualifiedName,
        value: &str,
        before: &Option<String>,
        after: &Option<String>,
        if_not_exists: bool,
    ) {
        let Some(e) = self.model.enums.get_mut(name) else {
            self.conflict(
                name.to_string(),
                format!("ALTER TYPE {name} ADD VALUE: no such type"),
            );
            return;
        };
        if e.labels.iter().any(|l| l == value) {
            if !if_not_exists {
                self.conflict(
                    name.to_string(),
                    format!("enum label {value} already exists"),
                );
            }
            return;
        }
        let pos = match (before, after) {
            (Some(b), _) => e.labels.iter().position(|l| l == b),
            (_, Some(a)) => e.labels.iter().position(|l| l == a).map(|p| p + 1),
            _ => None,
        };
        match pos {
            Some(p) => e.labels.insert(p, value.to_string()),
            None => e.labels.push(value.to_string()),
        }
    }

    pub(super) fn rename_enum_value(&mut self, name: &QualifiedName, value: &str, new_value: &str) {
        if let Some(l) = self
            .model
            .enums
            .get_mut(name)
            .and_then(|e| e.labels.iter_mut().find(|l| *l == value))
        {
            *l = new_value.to_string();
            // A default of the type holds the label by OID: it prints renamed.
            let type_name = name.to_string();
            for t in self.model.tables.values_mut() {
                for c in &mut t.columns {
                    let array = match c.data_type.strip_prefix(type_name.as_str()) {
                        Some("") => false,
                        Some(rest) if rest.starts_with('[') => true,
                        _ => continue,
                    };
                    if let Some(d) = &mut c.default {
                        *d = rename_label_in_default(d, value, new_value, array);
                    }
                }
            }
        }
    }

    pub(super) fn drop_type(&mut self, name: &QualifiedName, if_exists: bool) {
        let dropped =
            self.model.enums.remove(name).is_some() || self.model.composites.remove(name).is_some();
        if !dropped && !if_exists {
            self.conflict(name.to_string(), format!("DROP TYPE {name}: no such type"));
        }
    }

    /// Domains are not modelled; with CASCADE the columns of the domain go too.
    pub(super) fn drop_domain(&mut self, name: &QualifiedName, cascade: bool) {
        if cascade {
            let domain = name.name.clone();
            for table in self.model.tables.values_mut() {
                table.columns.retain(|c| c.data_type != domain);
            }
        }
    }

    pub(super) fn rename_type(&mut self, name: &QualifiedName, new_name: &QualifiedName) {
        if let Some(mut c) = self.model.composites.remove(name) {
            c.name = new_name.clone();
            self.model.composites.insert(new_name.clone(), c);
            self.uncertain(
                new_name.to_string(),
                "columns of a renamed composite type are not followed".into(),
            );
        }
        if let Some(mut e) = self.model.enums.remove(name) {
            e.name = new_name.clone();
            self.model.enums.insert(new_name.clone(), e);
            // Columns of the type follow the rename.
            let (old, new) = (name.to_string(), new_name.to_string());
            for t in self.model.tables.values_mut() {
                for c in &mut t.columns {
                    if let Some(rest) = c.data_type.strip_prefix(&old) {
                        if rest.is_empty() || rest.starts_with('[') {
                            c.data_type = format!("{new}{rest}");
                        }
                    }
                }
            }
        }
    }
}

/// A default's enum literals (`'a'`, `'a'::mood`, an array's `'{a,b}'`) with the
/// label `old` renamed to `new`.
fn rename_label_in_default(default: &str, old: &str, new: &str, array: bool) -> String {
    let quote = |s: &str| s.replace('\'', "''");
    if !array {
        return default.replace(&format!("'{}'", quote(old)), &format!("'{}'", quote(new)));
    }
    let Some(start) = default.find("'{") else {
        return default.to_string();
    };
    let Some(len) = default[start..].find("}'") else {
        return default.to_string();
    };
    let inner = &default[start + 2..start + len];
    let renamed: Vec<String> = inner
        .split(',')
        .map(|e| {
            let bare = e.trim().trim_matches('"');
            if bare == quote(old) {
                quote(new)
            } else {
                e.to_string()
            }
        })
        .collect();
    format!(
        "{}'{{{}}}'{}",
        &default[..start],
        renamed.join(","),
        &default[start + len + 2..]
    )
}
