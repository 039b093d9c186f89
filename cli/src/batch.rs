//! `sealpost open --batch -i FILE… -o OUTPUT [MANIFEST]`: opens every record of a platform
//! manifest (NDJSON or CSV), streaming, on all cores, keeping the input order.
//!
//! - The manifest is read and opened in chunks by `manifest.rs`; each chunk's audit records
//!   are appended and synced, then its rows are written in input order.
//! - Addresses go to a 0600 temporary file next to OUTPUT (`.NAME.XXXXXX.partial`), renamed to
//!   OUTPUT only when everything was read, opened, audited and synced. Rejects go the same way
//!   to the reject file, with the manifest line and the error code.
//! - `read = opened + rejected`; the exit code is 7 if anything was rejected.

use std::sync::atomic::Ordering;

use sealpost::Address;

use crate::{
    auditlog::Event,
    cli::OpenArgs,
    error::Result,
    manifest::{self, detect, usage, Manifest, Outcome, Output, Source, Tail, TempOut},
};

pub fn run(args: OpenArgs) -> Result<()> {
    let output = args
        .output
        .clone()
        .ok_or_else(|| usage("open --batch needs --output FILE for the opened addresses"))?;
    let out_format = args
        .output_format
        .or_else(|| detect(Some(&output)))
        .unwrap_or_else(|| manifest::input_format(args.format, args.input.as_deref()));
    let rejects = manifest::rejects_path(&output, args.rejects.as_deref())?;
    for path in [&output, &rejects] {
        manifest::refuse_existing(
            path,
            args.force,
            "choose another name, or pass --force to replace it when the batch completes",
        )?;
    }

    let (mut log, identities, expired) = manifest::unlock(
        &args.identity,
        &args.audit,
        &args.passphrase,
        "open --batch",
    )?;
    for (u, _) in identities.iter().zip(&expired).filter(|(_, e)| **e) {
        eprintln!(
            "sealpost: warning: identity {} (key id {}) is past its not-after date {}{}",
            u.path.display(),
            u.key_id(),
            u.not_after.map(|t| t.to_string()).unwrap_or_default(),
            if args.allow_expired {
                ""
            } else {
                "; records only it can open are rejected (key_expired)"
            }
        );
    }
    let source = Source {
        input: args.input.as_deref(),
        format: args.format,
        order_column: &args.order_column,
        envelope_column: Some(&args.envelope_column),
        allow_expired: args.allow_expired,
        jobs: args.jobs,
    };
    let mut manifest = Manifest::open(&source, &identities, expired)?;

    // CSV manifest: its columns without the envelope pass through; NDJSON: the order only
    let passthrough = manifest.header.as_ref().map(|h| {
        h.iter()
            .filter(|c| *c != &args.envelope_column)
            .cloned()
            .collect()
    });
    let mut out = Output::create(
        &output,
        out_format,
        passthrough,
        &args.order_column,
        Address::csv_columns(),
        "address",
    )?;
    let mut rej = TempOut::create(&rejects)?;
    let progress = manifest::progress_bar(args.quiet, manifest.total);
    let (mut read, mut opened, mut rejected, mut expired_opened) = (0u64, 0u64, 0u64, 0u64);
    manifest.pipeline(manifest::process, |done, manifest| {
        let events: Vec<Event> = done
            .iter()
            .map(|d| manifest::event(d, &identities))
            .collect();
        log.append(&events)?;
        for d in &done {
            read += 1;
            match &d.outcome {
                Outcome::Opened {
                    address, expired, ..
                } => {
                    opened += 1;
                    expired_opened += u64::from(*expired);
                    out.write(&d.item, Tail::Address(address))?;
                }
                Outcome::Rejected { code, message } => {
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
    })?;
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    // every record is audited and synced; now the outputs become visible
    manifest::publish(
        &output,
        || out.finish(&output, args.force),
        rej,
        &rejects,
        args.force,
    )?;

    eprintln!(
        "sealpost: read {} from {}: {opened} opened, {rejected} rejected",
        manifest.records_read(read),
        manifest.input_name
    );
    eprintln!(
        "sealpost: wrote {opened} addresses to {} ({}), rejects to {}; {read} audit records in {}",
        output.display(),
        manifest::format_name(out_format),
        rejects.display(),
        log.path().display()
    );
    if expired_opened > 0 {
        eprintln!(
            "sealpost: warning: {expired_opened} records were opened with an identity past its \
             not-after date (--allow-expired)"
        );
    }
    if rejected > 0 {
        return Err(manifest::rejected(
            format!("{rejected} of {read} records could not be opened"),
            &rejects,
        ));
    }
    Ok(())
}
