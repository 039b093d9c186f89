//! `sealpost seal --batch --to PUBKEY… -o OUTPUT [MANIFEST]`: seals every address of a manifest
//! (NDJSON or CSV) into a manifest of envelopes that `open --batch` reads as it is: the order
//! reference and the envelope, plus the manifest's own fields.
//!
//! The manifest pipeline is `open --batch`'s (`manifest.rs`): read on a thread in chunks (memory
//! flat), each chunk sealed on the pool's threads, written in input order to 0600 `.partial`
//! files renamed when complete; every record that cannot be sealed goes to the reject file with
//! its line and code. Each address is checked and made canonical as single `seal` does
//! (`addrdata::canonical`, SPEC.md §4.2), with the same codes. Nothing is opened, so nothing is
//! audited.

use std::sync::atomic::Ordering;

use sealpost::{
    address::shape_error_message, envelope::Encapsulation, Address, Disclosure, Envelope, PublicKey,
};
use serde::Deserialize;
use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use crate::{
    addrdata,
    cli::SealArgs,
    error::{CliError, Code, Result},
    manifest::{self, detect, usage, Item, Manifest, Output, Rest, Source, Tail, TempOut},
    seal,
};

/// An address that passes every check of the core, used once to check the keys (count,
/// duplicates) before reading: a bad key list is one error, not one reject per record.
const KEY_CHECK_ADDRESS: &str =
    r#"{"name":"x","phone":"123456","country":"DE","streetLines":["x"]}"#;

/// The address columns a CSV manifest must have (every address needs them); the others are
/// empty when absent.
const REQUIRED_COLUMNS: [&str; 3] = ["name", "phone", "country"];

/// What every record is sealed with.
struct Sealing<'a> {
    recipients: &'a [PublicKey],
    disclosure: Disclosure,
    order_column: &'a str,
    /// CSV: each column's place among the address columns (`None`: passed through).
    columns: Option<Vec<Option<String>>>,
}

/// One record: passed-through fields in `item.rest`, and the envelope or why not.
struct Sealed {
    item: Item,
    outcome: std::result::Result<String, (&'static str, String)>,
}

pub fn run(args: SealArgs) -> Result<()> {
    let output = args
        .output
        .clone()
        .ok_or_else(|| usage("seal --batch needs --output FILE for the envelopes"))?;
    let in_format = manifest::input_format(args.format, args.input.as_deref());
    let out_format = args
        .output_format
        .or_else(|| detect(Some(&output)))
        .unwrap_or(in_format);
    if args.order_column == args.envelope_column
        || Address::field_names().any(|f| f == args.order_column || f == args.envelope_column)
    {
        return Err(usage(
            "--order-column and --envelope-column must differ from each other and from the \
             address fields",
        ));
    }
    let rejects = manifest::rejects_path(&output, args.rejects.as_deref())?;
    for path in [&output, &rejects] {
        manifest::refuse_existing(
            path,
            args.force,
            "choose another name, or pass --force to replace it when the batch completes",
        )?;
    }
    let recipients = seal::parse_keys(&args.to)?;
    let disclosure: Disclosure = args.disclose.parse()?;
    let check: Address = serde_json::from_str(KEY_CHECK_ADDRESS)
        .map_err(|e| CliError::new(Code::InternalError, e))?;
    Envelope::check_seal(&check, &recipients, "ORD-1", disclosure)?;

    let source = Source {
        input: args.input.as_deref(),
        format: Some(in_format),
        order_column: &args.order_column,
        envelope_column: None,
        allow_expired: false,
        jobs: args.jobs,
    };
    let mut manifest = Manifest::open(&source, &[], Vec::new())?;
    let address_columns = Address::csv_columns();
    let columns = match &manifest.header {
        Some(header) => {
            let missing: Vec<&str> = REQUIRED_COLUMNS
                .into_iter()
                .filter(|c| !header.iter().any(|h| h == c))
                .collect();
            if !missing.is_empty() {
                return Err(CliError::new(
                    Code::MissingColumn,
                    format!(
                        "{}: the header has no {} column",
                        manifest.input_name,
                        missing
                            .iter()
                            .map(|c| format!("{c:?}"))
                            .collect::<Vec<_>>()
                            .join(" and no ")
                    ),
                )
                .hint(format!(
                    "the header is: {}; the address columns are {} (only name, phone and \
                     country must be there)",
                    header.join(","),
                    address_columns.join(",")
                )));
            }
            Some(
                header
                    .iter()
                    .map(|h| address_columns.iter().find(|c| *c == h).cloned())
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    // CSV manifest: its columns other than the address (and an old envelope column) pass
    // through; NDJSON: the object's fields other than the address
    let passthrough = manifest.header.as_ref().map(|h| {
        h.iter()
            .filter(|c| !address_columns.contains(c) && **c != args.envelope_column)
            .cloned()
            .collect::<Vec<_>>()
    });
    if let Some(p) = passthrough.as_ref().filter(|p| p.len() > 1) {
        let others: Vec<&str> = p
            .iter()
            .map(String::as_str)
            .filter(|c| *c != args.order_column)
            .collect();
        eprintln!(
            "sealpost: note: columns copied to the output in clear: {}",
            others.join(", ")
        );
    }
    let sealing = Sealing {
        recipients: &recipients,
        disclosure,
        order_column: &args.order_column,
        columns,
    };
    let mut out = Output::create(
        &output,
        out_format,
        passthrough,
        &args.order_column,
        vec![args.envelope_column.clone()],
        &args.envelope_column,
    )?;
    let mut rej = TempOut::create(&rejects)?;
    let progress = manifest::progress_bar(args.quiet, manifest.total);
    let (mut read, mut sealed, mut rejected) = (0u64, 0u64, 0u64);
    manifest.pipeline(
        |item, _| seal_item(item, &sealing),
        |done, manifest| {
            for d in done {
                read += 1;
                match &d.outcome {
                    Ok(text) => {
                        sealed += 1;
                        out.write(&d.item, Tail::Envelope(text))?;
                    }
                    Err((code, message)) => {
                        rejected += 1;
                        rej.write_reject(&d.item, code, message)?;
                    }
                }
            }
            if let Some(bar) = &progress {
                bar.set_position(manifest.consumed.load(Ordering::Relaxed));
                let rate = read as f64 / bar.elapsed().as_secs_f64().max(0.001);
                bar.set_message(format!("{read} records, {rate:.0}/s, {rejected} rejected"));
            }
            Ok(())
        },
    )?;
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    manifest::publish(
        &output,
        || out.finish(&output, args.force),
        rej,
        &rejects,
        args.force,
    )?;
    eprintln!(
        "sealpost: read {} from {}: {sealed} sealed, {rejected} rejected",
        manifest.records_read(read),
        manifest.input_name
    );
    eprintln!(
        "sealpost: wrote {sealed} envelopes to {} ({}), rejects to {}",
        output.display(),
        manifest::format_name(out_format),
        rejects.display(),
    );
    if rejected > 0 {
        return Err(manifest::rejected(
            format!("{rejected} of {read} records could not be sealed"),
            &rejects,
        ));
    }
    Ok(())
}

/// Seals one record as single `seal` does: the order reference, then the address's checks
/// and canonical form with the built-in data, then the keys. The address fields are removed
/// from `item.rest` (and wiped), what is left passes through.
fn seal_item(mut item: Item, s: &Sealing<'_>) -> Sealed {
    let parsed = take_address(&mut item, s);
    let outcome = match (&item.bad, parsed) {
        (Some((code, message)), _) => Err((*code, message.clone())),
        (None, Err(e)) => Err(e),
        (None, Ok(address)) => seal_one(&address, item.order.as_deref(), s),
    };
    Sealed { item, outcome }
}

fn seal_one(
    address: &Address,
    order: Option<&str>,
    s: &Sealing<'_>,
) -> std::result::Result<String, (&'static str, String)> {
    let from = |e: CliError| (e.code(), e.message().to_owned());
    let Some(order) = order.filter(|o| !o.is_empty()) else {
        return Err((
            Code::MissingOrder.as_str(),
            format!("no order reference in {:?}", s.order_column),
        ));
    };
    sealpost::envelope::validate_order_ref(order).map_err(|e| from(e.into()))?;
    let address = addrdata::canonical(address).map_err(from)?;
    let encapsulations = s
        .recipients
        .iter()
        .map(encapsulate)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| from(e.into()))?;
    Envelope::seal_encapsulated(&address, s.recipients, order, s.disclosure, &encapsulations)
        .map(|e| e.to_string())
        .map_err(|e| from(e.into()))
}

/// RFC 9180 `Encap`'s key pair and DH for `pk`: a fresh ephemeral key (`GenerateKeyPair`: 32
/// bytes of the OS's CSPRNG), its public key (one fixed-base multiplication, with the
/// precomputed table), and `DH(skE, pkR)` (one multiplication); the core runs the rest of
/// `SetupBaseS` (`Envelope::seal_encapsulated`, refusing an all-zero DH) and the envelope is
/// the one `Envelope::seal` makes (SPEC.md §3.3). Not `Envelope::seal`: the `hpke` crate's
/// `encap` computes the ephemeral public key twice (a second fixed-base multiplication, about
/// 7 % of a seal measured with perf).
fn encapsulate(pk: &PublicKey) -> std::result::Result<Encapsulation, sealpost::Error> {
    let mut seed = Zeroizing::new([0u8; 32]);
    sealpost::random::fill(&mut *seed)?;
    // StaticSecret and SharedSecret are wiped on drop (x25519-dalek's `zeroize`)
    let secret = x25519_dalek::StaticSecret::from(*seed);
    let enc = x25519_dalek::PublicKey::from(&secret).to_bytes();
    let dh = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*pk.as_bytes()));
    Ok(Encapsulation {
        enc,
        dh: Zeroizing::new(dh.to_bytes()),
    })
}

/// The record's address, taken out of `item.rest`:
/// - NDJSON: the object's `address` object if it has one (the shape of `open --batch`'s
///   output), the other fields passing through; else the object's own address keys, where
///   any field but those and the order is refused as by single `seal` (so a misspelt address
///   key is never copied to the output in clear).
/// - CSV: the address columns by name (`'` formula guards of `open --batch`'s CSV undone).
fn take_address(
    item: &mut Item,
    s: &Sealing<'_>,
) -> std::result::Result<Address, (&'static str, String)> {
    let not_an_address = |e: &serde_json::Error| {
        (
            Code::InvalidAddress.as_str(),
            shape_error_message(&e.to_string()),
        )
    };
    match &mut item.rest {
        Rest::Json(object) => {
            let mut value = match object.remove("address") {
                Some(nested) => nested,
                None => {
                    let order = object.remove(s.order_column);
                    let all = std::mem::take(object);
                    if let Some(order) = order {
                        object.insert(s.order_column.to_owned(), order);
                    }
                    Value::Object(all)
                }
            };
            let parsed = Address::deserialize(&value);
            wipe(&mut value);
            parsed.map_err(|e| not_an_address(&e))
        }
        Rest::Csv(cells) => {
            let Some(columns) = &s.columns else {
                return Err((
                    Code::MalformedRecord.as_str(),
                    "not a CSV record".to_owned(),
                ));
            };
            let address = Address::from_csv_cells(|name| {
                columns
                    .iter()
                    .position(|c| c.as_deref() == Some(name))
                    .and_then(|i| cells.get(i))
                    .map_or("", |c| manifest::unguard(c))
            });
            let mut kept = Vec::with_capacity(cells.len());
            for (cell, column) in cells.drain(..).zip(columns) {
                match column {
                    None => kept.push(cell),
                    Some(_) => {
                        let mut cell = cell;
                        cell.zeroize();
                    }
                }
            }
            // NDJSON output names them by the header (`Output`)
            *cells = kept;
            Ok(address)
        }
    }
}

/// Overwrites every string of a JSON value (an address read from the manifest).
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(wipe),
        Value::Object(o) => o.values_mut().for_each(wipe),
        _ => {}
    }
}

/// Only the line, the order and the outcome's code: never the address.
impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("item", &self.item)
            .field("code", &self.outcome.as_ref().err().map(|(c, _)| c))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealing(keys: &[PublicKey]) -> Sealing<'_> {
        Sealing {
            recipients: keys,
            disclosure: Disclosure::None,
            order_column: "orderRef",
            columns: None,
        }
    }

    fn json_item(text: &str) -> Item {
        let Value::Object(o) = serde_json::from_str(text).unwrap() else {
            panic!("not an object")
        };
        Item {
            line: 3,
            order: o.get("orderRef").and_then(Value::as_str).map(str::to_owned),
            envelope: None,
            rest: Rest::Json(o),
            bad: None,
        }
    }

    #[test]
    fn nested_address_passes_the_other_fields_through() {
        let key = sealpost::Identity::derive(&[7; 32]).unwrap();
        let keys = [key.public_key().clone()];
        let d = seal_item(
            json_item(
                r#"{"orderRef":"ORD-1","weight":"1.5","address":{"name":"Jane Roe",
                "phone":"+44 20 7946 0000","country":"GB","addressLevel2":"London",
                "streetLines":["10 Downing St"],"postalCode":"sw1a 2aa"}}"#,
            ),
            &sealing(&keys),
        );
        let text = d.outcome.unwrap();
        let opened = text
            .parse::<Envelope>()
            .unwrap()
            .open(&[key], Some("ORD-1"))
            .unwrap();
        assert_eq!(opened.postal_code, "SW1A 2AA");
        let Rest::Json(rest) = &d.item.rest else {
            panic!()
        };
        assert_eq!(
            rest.keys().collect::<Vec<_>>(),
            ["orderRef", "weight"],
            "{rest:?}"
        );
    }

    #[test]
    fn flat_record_refuses_unknown_fields_without_their_values() {
        let key = sealpost::Identity::derive(&[7; 32]).unwrap();
        let keys = [key.public_key().clone()];
        let d = seal_item(
            json_item(
                r#"{"orderRef":"ORD-2","name":"Jane Roe","phone":"+44 20 7946 0000",
                "country":"GB","streetLines":["10 Downing St"],"postcode":"SW1A 2AA"}"#,
            ),
            &sealing(&keys),
        );
        let (code, message) = d.outcome.clone().unwrap_err();
        assert_eq!(code, "invalid_address");
        assert!(message.contains("postcode"), "{message}");
        assert!(
            !message.contains("SW1A") && !message.contains("Jane"),
            "{message}"
        );
        let debug = format!("{d:?}");
        assert!(
            !debug.contains("Jane") && debug.contains("invalid_address"),
            "{debug}"
        );
    }
}
