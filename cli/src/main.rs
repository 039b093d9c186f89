//! `sealpost`, the courier's companion CLI: keys, seal, open (single or batch), inspect, audit.
//! One file per command; `cli.rs` holds the arguments, `error.rs` how failures are shown.

mod addrdata;
mod audit;
mod auditlog;
mod batch;
mod checkpoint;
mod cli;
mod directory;
mod docs;
mod error;
mod identity;
mod input;
mod inspect;
mod keygen;
mod label;
mod manifest;
mod open;
mod passphrase;
mod protect;
mod pubkey;
mod seal;
mod sealbatch;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match docs::parse() {
        std::ops::ControlFlow::Continue(args) => args,
        std::ops::ControlFlow::Break(code) => return code,
    };
    let result = match args.command {
        cli::Command::Keygen(a) => keygen::run(a),
        cli::Command::Pubkey(a) => pubkey::run(a),
        cli::Command::Identity(cli::IdentityCommand::ExportRaw(a)) => identity::export_raw(a),
        cli::Command::Identity(cli::IdentityCommand::Protect(a)) => identity::protect(a),
        cli::Command::Seal(a) => seal::run(a),
        cli::Command::Open(a) => open::run(a),
        cli::Command::Inspect(a) => inspect::run(a),
        cli::Command::Audit(cli::AuditCommand::Init(a)) => audit::init(a),
        cli::Command::Audit(cli::AuditCommand::Verify(a)) => audit::verify(a),
        cli::Command::Audit(cli::AuditCommand::Keygen(a)) => checkpoint::keygen(a),
        cli::Command::Audit(cli::AuditCommand::Checkpoint(a)) => checkpoint::checkpoint(a),
        cli::Command::Audit(cli::AuditCommand::Witness(a)) => checkpoint::witness(a),
        cli::Command::Audit(cli::AuditCommand::Show(a)) => audit::show(a),
        cli::Command::Label(a) => label::run(*a),
        cli::Command::Directory(c) => directory::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
