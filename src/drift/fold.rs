//! Folding of what replay could not vouch for: the differences found under an
//! uncertain object become one `unverifiable` difference, so migguard never calls
//! them clean nor guesses whether the unreadable migration explains them.

use super::diff::{Difference, Kind};
use super::ignore::IgnoreList;
use crate::schema::model::SchemaModel;

/// Replace the differences under each uncertain object with one `unverifiable`
/// difference naming them. `*` (a migration whose target migguard could not find)
/// absorbs nothing: its differences stay visible, each still real drift.
pub(super) fn fold_uncertain(
    diffs: Vec<Difference>,
    expected: &SchemaModel,
    ignore: &IgnoreList,
) -> Vec<Difference> {
    let under = |d: &Difference, u: &str| {
        d.object == u
            || d.table.as_deref() == Some(u)
            || d.object
                .strip_prefix(u)
                // `public.f(integer)` is under `public.f`: a routine by its name.
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('('))
    };
    let uncertain: Vec<(&String, &Vec<String>)> = expected
        .uncertain
        .iter()
        .filter(|(o, _)| {
            !ignore.matches(o)
                // `*` and `extension ${…}` belong to no schema: always in scope.
                && (!o.contains('.') || o.split('.').next().is_some_and(|s| ignore.in_scope(s)))
        })
        .collect();
    let mut absorbed: Vec<Vec<String>> = vec![Vec::new(); uncertain.len()];
    let mut out = Vec::with_capacity(diffs.len() + uncertain.len());
    for d in diffs {
        match uncertain
            .iter()
            .position(|(u, _)| u.as_str() != "*" && under(&d, u))
        {
            Some(i) => absorbed[i].push(format!("{} {}", d.kind, d.object)),
            None => out.push(d),
        }
    }
    for ((object, reasons), seen) in uncertain.into_iter().zip(absorbed) {
        let table = expected
            .tables
            .keys()
            .find(|t| object.starts_with(&format!("{t}.")))
            .map(|t| t.to_string());
        out.push(Difference {
            kind: Kind::Unverifiable,
            object: object.clone(),
            table,
            expected: None,
            actual: (!seen.is_empty()).then(|| seen.join("; ")),
            message: format!(
                "migguard cannot verify {}: {}; check it by hand, then list it under [drift] ignore",
                if object == "*" { "the schema" } else { object.as_str() },
                reasons.join("; ")
            ),
        });
    }
    out
}
