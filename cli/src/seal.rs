//! `sealpost seal --to PUBKEY… --order REF [--disclose none|country|region] < address.json`
//!
//! What is sealed is the address checked and made canonical with the built-in address data
//! (SPEC.md §4.2, `addrdata.rs`): the data's names, `divisionCode` filled in.

use sealpost::{address::shape_error_message, Address, Disclosure, Envelope, PublicKey};

use crate::{
    addrdata,
    cli::SealArgs,
    error::{CliError, Code, Result},
    input, sealbatch,
};

pub fn run(args: SealArgs) -> Result<()> {
    if args.batch {
        return sealbatch::run(args);
    }
    let order = args
        .order
        .clone()
        .ok_or_else(|| crate::manifest::usage("seal needs --order REF"))?;
    let recipients = parse_keys(&args.to)?;
    let disclosure: Disclosure = args.disclose.parse()?;
    let json = input::read_text(None, "address JSON")?;
    let address: Address = serde_json::from_str(&json).map_err(|e| {
        let msg = if e.is_syntax() || e.is_eof() {
            format!("address is not valid JSON (line {}, column {})", e.line(), e.column())
        } else {
            shape_error_message(&e.to_string())
        };
        CliError::new(Code::InvalidAddress, msg)
            .hint("fields: name, phone, country, addressLevel1-3, streetLines (array), postalCode, company, deliveryNote, divisionCode (filled in when empty)")
    })?;
    // the order reference first, as Envelope::seal checks it (SPEC.md §4 order of errors)
    sealpost::envelope::validate_order_ref(&order)?;
    // the built-in address data's checks and canonical names (SPEC.md §4.2)
    let address = addrdata::canonical(&address)?;
    let envelope = Envelope::seal(&address, &recipients, &order, disclosure)?;
    println!("{envelope}");
    Ok(())
}

/// The `--to` keys; a bad one names itself (abbreviated) in a hint.
pub fn parse_keys(to: &[String]) -> Result<Vec<PublicKey>> {
    to.iter()
        .map(|text| {
            text.parse::<PublicKey>().map_err(|e| {
                CliError::from(e).hint(format!("the key given was \"{}\"", abbreviate(text)))
            })
        })
        .collect()
}

/// A public key as the operator typed it, shortened for a hint.
fn abbreviate(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 20 {
        text.to_owned()
    } else {
        let head: String = chars.iter().take(10).collect();
        let tail: String = chars.iter().skip(chars.len() - 6).collect();
        format!("{head}…{tail}")
    }
}
