//! `sealpost pubkey -i FILE` / `sealpost pubkey --from-hex HEX`

use sealpost::PublicKey;

use crate::{cli::PubkeyArgs, error::Result, input};

/// Public keys are in clear in every identity file, so no passphrase is asked.
pub fn run(args: PubkeyArgs) -> Result<()> {
    if let Some(hex) = args.from_hex {
        println!("{}", PublicKey::from_hex(&hex)?);
    }
    if let Some(path) = args.identity {
        for found in input::find_identities(&[path])? {
            println!("{}", found.entry.public_key);
        }
    }
    Ok(())
}
