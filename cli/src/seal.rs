//! `sealpost seal --to PUBKEY… --order REF [--disclose none|country|region] < address.json`

use sealpost::{address::shape_error_message, Address, Disclosure, Envelope, PublicKey};

use crate::{
    cli::SealArgs,
    error::{CliError, Code, Result},
    input,
};

pub fn run(args: SealArgs) -> Result<()> {
    let recipients = args
        .to
        .iter()
        .map(|text| {
            text.parse::<PublicKey>().map_err(|e| {
                CliError::from(e).hint(format!("the key given was \"{}\"", abbreviate(text)))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let disclosure: Disclosure = args.disclose.parse()?;
    let json = input::read_text(None, "address JSON")?;
    let address: Address = serde_json::from_str(&json).map_err(|e| {
        let msg = if e.is_syntax() || e.is_eof() {
            format!("address is not valid JSON (line {}, column {})", e.line(), e.column())
        } else {
            shape_error_message(&e.to_string())
        };
        CliError::new(Code::InvalidAddress, msg)
            .hint("fields: name, phone, country, addressLevel1-3, streetLines (array), postalCode, company, deliveryNote")
    })?;
    let envelope = Envelope::seal(&address, &recipients, &args.order, disclosure)?;
    println!("{envelope}");
    Ok(())
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
