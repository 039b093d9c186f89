//! `sealpost pubkey -i FILE` / `sealpost pubkey --from-hex HEX`

use sealpost::PublicKey;

use crate::{cli::PubkeyArgs, error::Result, input};

pub fn run(args: PubkeyArgs) -> Result<()> {
    if let Some(hex) = args.from_hex {
        println!("{}", PublicKey::from_hex(&hex)?);
    }
    if let Some(path) = args.identity {
        for identity in input::read_identities(&[path])? {
            println!("{}", identity.public_key());
        }
    }
    Ok(())
}
