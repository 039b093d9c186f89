//! `sealpost inspect [FILE]`

use sealpost::Envelope;

use crate::{
    cli::InspectArgs,
    error::{CliError, Result, EXIT_IO},
    input,
};

pub fn run(args: InspectArgs) -> Result<()> {
    let text = input::read_text(args.input.as_deref(), "envelope")?;
    let envelope: Envelope = text.parse()?;
    let json = serde_json::to_string_pretty(&envelope.inspect())
        .map_err(|e| CliError::new("cannot_write_output", e, EXIT_IO))?;
    println!("{json}");
    Ok(())
}
