//! `sealpost inspect [FILE]`

use sealpost::Envelope;

use crate::{
    cli::InspectArgs,
    error::{CliError, Code, Result},
    input,
};

pub fn run(args: InspectArgs) -> Result<()> {
    let text = input::read_text(args.input.as_deref(), "envelope")?;
    let envelope: Envelope = text.parse()?;
    let json = serde_json::to_string_pretty(&envelope.inspect())
        .map_err(|e| CliError::new(Code::CannotWriteOutput, e))?;
    println!("{json}");
    Ok(())
}
