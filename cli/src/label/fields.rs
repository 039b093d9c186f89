//! Where the fields of a waybill template get their values: `--set FIELD=TEXT`, `--carrier`,
//! `--field FIELD=COLUMN` (a manifest column, checked against a CSV header before anything is
//! opened), the template's default `[columns]`, the courier directory (`carrier`: the name of
//! the courier whose key opened the envelope), and the print time. The fallbacks (`waybill`:
//! the order reference; `sort_code`: a 大头笔 from the address) are [`Label::field`]'s.

use std::collections::BTreeMap;

use sealpost::KeyId;
use serde_json::Value;

use super::{
    content::Label,
    template::{self, Template},
};
use crate::{
    cli::LabelArgs,
    error::{CliError, Code, Result},
    manifest::{self, Rest},
};

/// Longest field value printed (longer values are cut here; the box may refuse it anyway).
const MAX_VALUE: usize = 200;

/// A template with the sources of its fields.
#[derive(Debug, Clone)]
pub struct Waybill {
    pub template: Template,
    /// Fixed values: `--set`, `--carrier`, `printed`.
    fixed: BTreeMap<String, String>,
    /// `--field`: field → column; the column must exist.
    named: BTreeMap<String, String>,
    /// `--directory`: the carrier name of each key the verified directory lists.
    carriers: BTreeMap<KeyId, String>,
}

fn pair(arg: &str, flag: &str, what: &str) -> Result<(String, String)> {
    let (field, value) = arg
        .split_once('=')
        .ok_or_else(|| manifest::usage(format!("{flag} {arg:?}: expected FIELD={what}")))?;
    let field = field.trim();
    if !template::is_field_name(field) {
        return Err(manifest::usage(format!(
            "{flag} {arg:?}: a field name is lowercase letters, digits and _"
        )));
    }
    if template::OWN_FIELDS.contains(&field) {
        return Err(manifest::usage(format!(
            "{flag} {arg:?}: sealpost fills the {field} field itself"
        )));
    }
    Ok((field.to_owned(), value.to_owned()))
}

/// A value as printed: control characters (a newline in a cell) as spaces, at most
/// [`MAX_VALUE`] characters.
fn clean(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_VALUE)
        .collect()
}

/// The print time: `$SOURCE_DATE_EPOCH` (reproducible output) or now, `2026-12-02 05:54 UTC`.
fn printed() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or_else(std::time::SystemTime::now, |s| {
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(s)
        });
    let stamp = humantime::format_rfc3339_seconds(now).to_string();
    format!(
        "{} UTC",
        stamp.get(..16).unwrap_or(&stamp).replace('T', " ")
    )
}

impl Waybill {
    /// `--template` with `--field`, `--set`, `--carrier`; `None` without `--template`.
    pub fn new(args: &LabelArgs) -> Result<Option<Waybill>> {
        let Some(name) = &args.template else {
            return Ok(None);
        };
        let template = Template::load(name)?;
        let mut fixed = BTreeMap::new();
        fixed.insert("printed".to_owned(), printed());
        if let Some(carrier) = &args.carrier {
            fixed.insert("carrier".to_owned(), clean(carrier));
        }
        for arg in &args.set {
            let (field, value) = pair(arg, "--set", "TEXT")?;
            fixed.insert(field, clean(&value));
        }
        let mut named = BTreeMap::new();
        for arg in &args.field {
            let (field, column) = pair(arg, "--field", "COLUMN")?;
            if column.is_empty() {
                return Err(manifest::usage(format!("--field {arg:?}: no column named")));
            }
            if fixed.contains_key(&field) {
                return Err(manifest::usage(format!(
                    "--field {arg:?}: {field} is already set by --set or --carrier"
                )));
            }
            named.insert(field, column);
        }
        if !named.is_empty() && !args.batch {
            return Err(manifest::usage(
                "--field reads manifest columns: it needs --batch (use --set FIELD=TEXT for one label)",
            ));
        }
        let carriers = match &args.directory {
            Some(path) => carriers(path, args.platform_key.clone())?,
            None => BTreeMap::new(),
        };
        Ok(Some(Waybill {
            template,
            fixed,
            named,
            carriers,
        }))
    }

    /// A CSV manifest must have every column `--field` names: checked on the header, before
    /// anything is opened or audited.
    pub fn check_header(&self, header: &[String], input_name: &str) -> Result<()> {
        for (field, column) in &self.named {
            if !header
                .iter()
                .any(|h| h.trim_start_matches('\u{feff}') == column)
            {
                return Err(CliError::new(
                    Code::Usage,
                    format!(
                        "--field {field}={column}: {input_name} has no {column:?} column; nothing was opened"
                    ),
                )
                .hint(format!("the header is: {}", header.join(","))));
            }
        }
        Ok(())
    }

    /// Fills the label's fields; `column` looks a manifest column up in the label's record.
    /// `key`: the identity that opened the envelope (`None` for an opened record).
    pub fn fill(
        &self,
        label: &mut Label,
        column: impl Fn(&str) -> Option<String>,
        key: Option<KeyId>,
    ) {
        for (field, value) in &self.fixed {
            label.fields.insert(field.clone(), value.clone());
        }
        for (field, col) in &self.named {
            let v = column(col).map(|v| clean(&v)).unwrap_or_default();
            label.fields.insert(field.clone(), v);
        }
        for (field, col) in &self.template.columns {
            if self.fixed.contains_key(field) || self.named.contains_key(field) {
                continue;
            }
            if let Some(v) = column(col) {
                label.fields.insert(field.clone(), clean(&v));
            }
        }
        // the directory's courier for the key that opened it, then the template's carrier,
        // when neither --carrier nor a column named one
        if let Some(name) = key.and_then(|k| self.carriers.get(&k)) {
            if label.field("carrier").is_empty() {
                label.fields.insert("carrier".to_owned(), name.clone());
            }
        }
        if label.field("carrier").is_empty() {
            label
                .fields
                .insert("carrier".to_owned(), clean(&self.template.carrier));
        }
    }
}

/// The carrier name of every key a signed directory lists, the directory verified with the
/// pinned platform key (its signature; not its expiry: a label names who carries the parcel).
fn carriers(
    path: &std::path::Path,
    platform_key: Option<String>,
) -> Result<BTreeMap<KeyId, String>> {
    let pinned =
        crate::directory::require_pinned(&crate::directory::args::PinnedKeyArg { platform_key })?;
    let signed = crate::directory::read_signed(Some(path))?;
    let directory = signed.verify(&pinned)?;
    Ok(directory
        .couriers
        .iter()
        .flat_map(|c| {
            // both names, as waybills print them: 顺丰速运 SF Express
            let name = match (c.name_zh.trim(), c.name_en.trim()) {
                (zh, en) if zh.is_empty() || zh == en => clean(en),
                (zh, "") => clean(zh),
                (zh, en) => clean(&format!("{zh} {en}")),
            };
            c.keys
                .iter()
                .map(move |k| (k.public_key.key_id(), name.clone()))
        })
        .collect())
}

/// A JSON value as printed in a field: a string as is, a number or boolean as written.
fn json_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A column of a manifest record: `rest` with the names of its CSV cells (`columns`: the
/// header without the envelope column).
pub fn lookup<'a>(rest: &'a Rest, columns: &'a [String]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| match rest {
        Rest::Json(object) => object.get(name).and_then(json_text),
        Rest::Csv(cells) => columns
            .iter()
            .position(|c| c.trim_start_matches('\u{feff}') == name)
            .and_then(|i| cells.get(i))
            .map(|c| manifest::unguard(c).to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn print_time_is_reproducible() {
        // SOURCE_DATE_EPOCH is read by printed(); the format is fixed
        let s = humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH).to_string();
        assert_eq!(s, "1970-01-01T00:00:00Z");
        assert!(printed().ends_with(" UTC"));
    }

    #[test]
    fn values_lose_control_characters() {
        assert_eq!(clean(" 1.2\nkg\t"), "1.2 kg");
        assert_eq!(clean(&"x".repeat(500)).len(), MAX_VALUE);
    }

    #[test]
    fn columns_of_csv_and_json() {
        let cols = vec!["orderRef".to_owned(), "wt".to_owned()];
        let rest = Rest::Csv(vec!["O-1".into(), "'=1.5".into()]);
        assert_eq!(lookup(&rest, &cols)("wt").as_deref(), Some("=1.5"));
        assert_eq!(lookup(&rest, &cols)("nope"), None);
        let mut o = serde_json::Map::new();
        o.insert("wt".into(), serde_json::json!(1.5));
        let rest = Rest::Json(o);
        assert_eq!(lookup(&rest, &cols)("wt").as_deref(), Some("1.5"));
    }
}
