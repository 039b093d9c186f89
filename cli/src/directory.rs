//! `sealpost directory init | add-courier | add-key | revoke-key | sign | verify | show |
//! check-envelope`: the platform's certified courier directory (SPEC.md §9).
//!
//! The platform edits an unsigned JSON draft (`add-courier`, `add-key`, `revoke-key`), then
//! `sign` issues it as `spdir1.…` with the next serial number. The format and its checks live
//! in the core (`sealpost::directory`); the signing key is sealed under a passphrase with the
//! same code as identities (`protect.rs`).

pub mod args;

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use sealpost::{
    directory::{
        check_rollback, parse_platform_key_file, platform_key_file_text, platform_key_line_prefix,
        Courier, CourierKey, Directory, PlatformPublicKey, PlatformSigningKey, SignedDirectory,
    },
    keys::{KdfParams, UtcSeconds},
    Envelope, KeyId, PublicKey,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{
    error::{CliError, Code, Result},
    input, keygen, passphrase, protect,
};
use args::*;

/// Environment variable with the pinned platform public key.
const ENV_PLATFORM_KEY: &str = "SEALPOST_PLATFORM_KEY";
/// `format` of a draft file.
const DRAFT_FORMAT: &str = "sealpost-directory-draft-1";
/// How long a signed directory is used when `sign` is not given `--expires`.
const DEFAULT_VALIDITY_DAYS: u64 = 90;

pub fn run(command: DirectoryCommand) -> Result<()> {
    match command {
        DirectoryCommand::Init(a) => init(a),
        DirectoryCommand::AddCourier(a) => add_courier(a),
        DirectoryCommand::AddKey(a) => add_key(a),
        DirectoryCommand::RevokeKey(a) => revoke_key(a),
        DirectoryCommand::Sign(a) => sign(a),
        DirectoryCommand::Verify(a) => verify(a),
        DirectoryCommand::Show(a) => show(a),
        DirectoryCommand::CheckEnvelope(a) => check_envelope(a),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON: the draft, and `show`'s output (the same shape plus key status).

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Draft {
    format: String,
    /// The platform key that will sign it (checked by `sign`).
    platform_key: String,
    /// The serial of the last signed issue (0: never signed).
    serial: u64,
    couriers: Vec<CourierJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CourierJson {
    id: String,
    name: NamesJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    logo: Option<String>,
    keys: Vec<KeyJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesJson {
    #[serde(rename = "zh-CN")]
    zh_cn: String,
    en: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KeyJson {
    /// Informative (derived from the public key).
    key_id: String,
    public_key: String,
    valid_from: String,
    valid_until: String,
    /// Only in `show` output: `valid`, `expired` or `not_yet_valid` now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

fn courier_to_json(c: &Courier, now: Option<UtcSeconds>) -> CourierJson {
    CourierJson {
        id: c.id.clone(),
        name: NamesJson {
            zh_cn: c.name_zh.clone(),
            en: c.name_en.clone(),
        },
        logo: c.logo.clone(),
        keys: c
            .keys
            .iter()
            .map(|k| KeyJson {
                key_id: k.public_key.key_id().to_hex(),
                public_key: k.public_key.to_string(),
                valid_from: k.valid_from.to_string(),
                valid_until: k.valid_until.to_string(),
                status: now.map(|t| k.status(t).as_str().to_owned()),
            })
            .collect(),
    }
}

fn invalid_draft(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::new(
        Code::InvalidDirectory,
        format!("draft {}: {why}", path.display()),
    )
}

fn courier_from_json(path: &Path, c: &CourierJson) -> Result<Courier> {
    let time = |t: &str| {
        UtcSeconds::parse(t).ok_or_else(|| invalid_draft(path, format!("{t:?} is not a time")))
    };
    let keys = c
        .keys
        .iter()
        .map(|k| {
            Ok(CourierKey {
                public_key: k.public_key.parse()?,
                valid_from: time(&k.valid_from)?,
                valid_until: time(&k.valid_until)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Courier {
        id: c.id.clone(),
        name_zh: c.name.zh_cn.clone(),
        name_en: c.name.en.clone(),
        logo: c.logo.clone(),
        keys,
    })
}

/// A draft read and checked: the directory it describes (serial and issue time not yet set).
struct Loaded {
    path: PathBuf,
    platform_key: PlatformPublicKey,
    serial: u64,
    couriers: Vec<Courier>,
}

impl Loaded {
    fn read(path: &Path) -> Result<Loaded> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::io(Code::UnreadableInput, path, &e))?;
        let draft: Draft =
            serde_json::from_str(&text).map_err(|e| invalid_draft(path, format!("{e}")))?;
        if draft.format != DRAFT_FORMAT {
            return Err(invalid_draft(
                path,
                format!("format is not {DRAFT_FORMAT:?}"),
            ));
        }
        let couriers = draft
            .couriers
            .iter()
            .map(|c| courier_from_json(path, c))
            .collect::<Result<Vec<_>>>()?;
        let loaded = Loaded {
            path: path.to_owned(),
            platform_key: draft.platform_key.parse()?,
            serial: draft.serial,
            couriers,
        };
        loaded.draft_check()?;
        Ok(loaded)
    }

    fn directory(&self, serial: u64, issued: UtcSeconds, expires: UtcSeconds) -> Directory {
        let mut d = Directory {
            serial,
            issued,
            expires,
            couriers: self.couriers.clone(),
        };
        d.canonicalize();
        d
    }

    /// Checks the couriers and keys as `sign` will.
    fn draft_check(&self) -> Result<()> {
        Ok(self
            .directory(self.serial.max(1), UtcSeconds(0), UtcSeconds(1))
            .check()?)
    }

    /// Checks the edited draft and writes it back (to a temporary file, then renamed).
    fn write(&self) -> Result<()> {
        self.draft_check()?;
        let mut couriers = self.couriers.clone();
        couriers.sort_by(|a, b| a.id.cmp(&b.id));
        let draft = Draft {
            format: DRAFT_FORMAT.to_owned(),
            platform_key: self.platform_key.to_string(),
            serial: self.serial,
            couriers: couriers.iter().map(|c| courier_to_json(c, None)).collect(),
        };
        write_replacing(&self.path, &(to_json(&draft)? + "\n"))
    }
}

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| CliError::new(Code::CannotWriteOutput, e))
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees half a file.
fn write_replacing(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| CliError::io(Code::CannotWriteOutput, path, &e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| CliError::io(Code::CannotWriteOutput, path, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .map_err(|e| CliError::io(Code::CannotWriteOutput, path, &e.error))?;
    Ok(())
}

/// `YYYY-MM-DD` (from the start of the day, or through its end with `end_of_day`) or
/// `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_date(flag: &str, text: &str, end_of_day: bool) -> Result<UtcSeconds> {
    let full = match (text.len(), end_of_day) {
        (10, true) => format!("{text}T23:59:59Z"),
        (10, false) => format!("{text}T00:00:00Z"),
        _ => text.to_owned(),
    };
    UtcSeconds::parse(&full).ok_or_else(|| {
        CliError::new(Code::InvalidDate, format!("{flag} {text:?} is not a date"))
            .hint("write YYYY-MM-DD (UTC) or YYYY-MM-DDTHH:MM:SSZ")
    })
}

fn pinned_key(arg: &PinnedKeyArg) -> Result<Option<PlatformPublicKey>> {
    let text = arg
        .platform_key
        .clone()
        .or_else(|| std::env::var(ENV_PLATFORM_KEY).ok());
    Ok(text.map(|t| t.parse()).transpose()?)
}

pub(crate) fn require_pinned(arg: &PinnedKeyArg) -> Result<PlatformPublicKey> {
    pinned_key(arg)?.ok_or_else(|| {
        CliError::new(
            Code::InvalidPlatformKey,
            "no platform key to verify the directory with",
        )
        .hint(format!(
            "pass --platform-key spp1… (printed by `sealpost directory init`) or set \
             ${ENV_PLATFORM_KEY}"
        ))
    })
}

pub(crate) fn read_signed(path: Option<&Path>) -> Result<SignedDirectory> {
    let text = input::read_text(path, "directory")?;
    Ok(text.parse()?)
}

// ---------------------------------------------------------------------------------------------
// Platform commands.

fn init(args: InitArgs) -> Result<()> {
    let kdf = args.kdf.params()?;
    if args.draft.draft.exists() {
        return Err(CliError::new(
            Code::CannotWriteOutput,
            format!("{} already exists", args.draft.draft.display()),
        )
        .hint("sealpost never replaces a draft with an empty one; choose another file name"));
    }
    let public = new_signing_key_file(&args.key, kdf, &args.passphrase, None)?;
    Loaded {
        path: args.draft.draft,
        platform_key: public.clone(),
        serial: 0,
        couriers: Vec::new(),
    }
    .write()?;
    println!("{public}");
    Ok(())
}

/// A new Ed25519 signing key, written passphrase-protected (SPEC.md §9.4) to `path` (0600,
/// never overwritten): the platform's directory key, or with `comment` a hub's audit key.
pub fn new_signing_key_file(
    path: &Path,
    kdf: KdfParams,
    passphrase: &crate::cli::PassphraseArgs,
    comment: Option<&str>,
) -> Result<PlatformPublicKey> {
    let key = PlatformSigningKey::generate()?;
    let public = key.public_key();
    let source = passphrase::Source::new(passphrase.passphrase_file.clone(), passphrase::ENV);
    let pass = source.read_new(&public.key_id().to_string())?;
    let seed = key.to_seed();
    let (prefix, sealed) = protect::seal_secret(&seed, &pass, kdf, |salt, nonce| {
        platform_key_line_prefix(&public, kdf, salt, nonce)
    })?;
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let mut text = Zeroizing::new(platform_key_file_text(&public, &created, &prefix, &sealed));
    if let Some(comment) = comment {
        text = Zeroizing::new(format!("# {comment}\n{}", text.as_str()));
    }
    keygen::write_new_secret_file(path, &text)?;
    Ok(public)
}

/// Unlocks a signing key file written by [`new_signing_key_file`] with the passphrase from
/// `passphrase` (prompt, file or environment); `what` names the key in messages.
pub fn unlock_signing_key(
    path: &Path,
    passphrase: &crate::cli::PassphraseArgs,
    what: &str,
) -> Result<PlatformSigningKey> {
    let text = input::read_private(path, "identity file", 64 * 1024)?;
    let protected = parse_platform_key_file(&text)?;
    let source = passphrase::Source::new(passphrase.passphrase_file.clone(), passphrase::ENV);
    let pass = source.read(&format!("Passphrase for the {what}: "))?;
    let seed = protect::open_secret(
        &pass,
        protected.kdf,
        &protected.salt,
        &protected.nonce,
        protected.aad(),
        &protected.sealed_key,
    )?
    .ok_or_else(|| {
        CliError::new(
            Code::WrongPassphrase,
            format!(
                "{}: the passphrase does not unlock the {what}",
                path.display()
            ),
        )
    })?;
    let seed: [u8; 32] = seed
        .as_slice()
        .try_into()
        .map_err(|_| CliError::new(Code::InvalidPlatformKey, "corrupt key file"))?;
    let key = PlatformSigningKey::from_seed(&seed);
    if key.public_key() != protected.public_key {
        return Err(CliError::new(
            Code::InvalidPlatformKey,
            format!("{}: corrupt key file", path.display()),
        ));
    }
    Ok(key)
}

fn add_courier(args: AddCourierArgs) -> Result<()> {
    let mut draft = Loaded::read(&args.draft.draft)?;
    if draft.couriers.iter().any(|c| c.id == args.id) {
        return Err(CliError::new(
            Code::CourierExists,
            format!("the draft already lists courier {:?}", args.id),
        ));
    }
    let courier = Courier {
        id: args.id,
        name_zh: args.name_zh,
        name_en: args.name_en,
        logo: args.logo,
        keys: Vec::new(),
    };
    courier.check()?;
    draft.couriers.push(courier);
    draft.write()
}

fn add_key(args: AddKeyArgs) -> Result<()> {
    let mut draft = Loaded::read(&args.draft.draft)?;
    let public_key: PublicKey = args.key.parse()?;
    let valid_from = match &args.valid_from {
        Some(t) => parse_date("--valid-from", t, false)?,
        None => input::now(),
    };
    let valid_until = parse_date("--valid-until", &args.valid_until, true)?;
    let key_id = public_key.key_id();
    if let Some(owner) = draft
        .couriers
        .iter()
        .find(|c| c.keys.iter().any(|k| k.public_key.key_id() == key_id))
    {
        return Err(CliError::new(
            Code::KeyExists,
            format!("key {key_id} is already listed for courier {:?}", owner.id),
        ));
    }
    let courier = draft
        .couriers
        .iter_mut()
        .find(|c| c.id == args.courier)
        .ok_or_else(|| unknown_courier(&args.courier))?;
    courier.keys.push(CourierKey {
        public_key,
        valid_from,
        valid_until,
    });
    courier.check()?;
    draft.write()?;
    println!("{key_id}");
    Ok(())
}

fn unknown_courier(id: &str) -> CliError {
    CliError::new(
        Code::UnknownCourier,
        format!("the draft lists no courier {id:?}"),
    )
    .hint("add it first with `sealpost directory add-courier`")
}

fn revoke_key(args: RevokeKeyArgs) -> Result<()> {
    let mut draft = Loaded::read(&args.draft.draft)?;
    let wanted = parse_key_ref(&args.key)?;
    let mut removed = None;
    for c in &mut draft.couriers {
        let before = c.keys.len();
        c.keys.retain(|k| k.public_key.key_id() != wanted);
        if c.keys.len() != before {
            removed = Some(c.id.clone());
        }
    }
    let Some(courier) = removed else {
        return Err(CliError::new(
            Code::UnknownKey,
            format!("the draft lists no key {wanted}"),
        ));
    };
    draft.write()?;
    eprintln!(
        "sealpost: removed key {wanted} of courier {courier}; sign and publish the directory \
         so widgets stop sealing to it"
    );
    Ok(())
}

/// `sp1…` or a 16-hex-digit key id.
fn parse_key_ref(text: &str) -> Result<KeyId> {
    if let Ok(key) = text.parse::<PublicKey>() {
        return Ok(key.key_id());
    }
    sealpost::keys::unhex(text)
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map(KeyId)
        .ok_or_else(|| {
            CliError::new(
                Code::InvalidPublicKey,
                format!("{text:?} is neither a public key (sp1…) nor a key id (16 hex digits)"),
            )
        })
}

fn sign(args: SignArgs) -> Result<()> {
    let mut draft = Loaded::read(&args.draft.draft)?;
    let key = unlock_signing_key(&args.key, &args.passphrase, "platform signing key")?;
    if key.public_key() != draft.platform_key {
        return Err(CliError::new(
            Code::DirectoryWrongKey,
            format!(
                "{} holds platform key {}, but the draft is for {}",
                args.key.display(),
                key.public_key().key_id(),
                draft.platform_key.key_id()
            ),
        ));
    }
    let serial = draft
        .serial
        .checked_add(1)
        .ok_or_else(|| CliError::new(Code::InvalidDirectory, "serial number exhausted"))?;
    let issued = input::now();
    let expires = match &args.expires {
        Some(t) => parse_date("--expires", t, true)?,
        None => UtcSeconds(issued.0.saturating_add(DEFAULT_VALIDITY_DAYS * 86_400)),
    };
    if expires <= issued {
        return Err(CliError::new(
            Code::InvalidDate,
            format!("--expires {expires} is not after now ({issued})"),
        ));
    }
    let directory = draft.directory(serial, issued, expires);
    let signed = directory.sign(&key)?;
    // the text we publish must read back and verify
    let text = signed.to_string();
    text.parse::<SignedDirectory>()?.verify(&key.public_key())?;
    match &args.output {
        Some(path) => write_replacing(path, &(text.clone() + "\n"))?,
        None => println!("{text}"),
    }
    draft.serial = serial;
    draft.write()?;
    let keys: usize = directory.couriers.iter().map(|c| c.keys.len()).sum();
    eprintln!(
        "sealpost: signed directory serial {serial}: {} couriers, {keys} keys; expires {expires}",
        directory.couriers.len()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Checking.

fn read_seen(path: &Path, key: &PlatformPublicKey) -> Result<Option<u64>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::io(Code::UnreadableInput, path, &e)),
    };
    let mine = key.to_string();
    for line in text.lines() {
        let mut parts = line.split(' ');
        if parts.next() == Some(mine.as_str()) {
            return parts
                .next()
                .and_then(|n| n.parse().ok())
                .map(Some)
                .ok_or_else(|| {
                    CliError::new(
                        Code::InvalidInput,
                        format!("{}: expected lines `spp1… SERIAL`", path.display()),
                    )
                });
        }
    }
    Ok(None)
}

fn write_seen(path: &Path, key: &PlatformPublicKey, serial: u64) -> Result<()> {
    let mine = key.to_string();
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut text: String = old
        .lines()
        .filter(|l| l.split(' ').next() != Some(mine.as_str()))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(&format!("{mine} {serial}\n"));
    write_replacing(path, &text)
}

fn verify(args: VerifyArgs) -> Result<()> {
    let pinned = require_pinned(&args.pinned)?;
    let now = match &args.at {
        Some(t) => parse_date("--at", t, false)?,
        None => input::now(),
    };
    let signed = read_signed(args.input.as_deref())?;
    let directory = signed.verify(&pinned)?;
    let seen = match &args.seen {
        Some(path) => read_seen(path, &pinned)?,
        None => None,
    };
    check_rollback(directory.serial, seen).map_err(|e| {
        CliError::from(e).hint("someone is serving an old directory; fetch the current one")
    })?;
    let allowed = (!args.courier.is_empty()).then_some(args.courier.as_slice());
    let recipients = directory.recipients(now, allowed)?;
    if let Some(path) = &args.seen {
        if seen.is_none_or(|s| directory.serial > s) {
            write_seen(path, &pinned, directory.serial)?;
        }
    }
    eprintln!(
        "sealpost: directory serial {} issued {} expires {} verified with platform key {}",
        directory.serial,
        directory.issued,
        directory.expires,
        pinned.key_id()
    );
    for r in &recipients {
        println!("{} {} {}", r.courier, r.public_key.key_id(), r.public_key);
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShowJson {
    serial: u64,
    issued: String,
    expires: String,
    signer: String,
    verified: bool,
    couriers: Vec<CourierJson>,
}

fn show(args: ShowArgs) -> Result<()> {
    let pinned = pinned_key(&args.pinned)?;
    let signed = read_signed(args.input.as_deref())?;
    let directory = match &pinned {
        Some(key) => signed.verify(key)?,
        None => {
            eprintln!(
                "sealpost: warning: not verified (pass --platform-key spp1… to check the \
                 signature)"
            );
            signed.unverified()
        }
    };
    let now = input::now();
    let out = ShowJson {
        serial: directory.serial,
        issued: directory.issued.to_string(),
        expires: directory.expires.to_string(),
        signer: signed.signer().to_string(),
        verified: pinned.is_some(),
        couriers: directory
            .couriers
            .iter()
            .map(|c| courier_to_json(c, Some(now)))
            .collect(),
    };
    println!("{}", to_json(&out)?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Courier: was this envelope sealed to keys the directory still lists?

fn check_envelope(args: CheckEnvelopeArgs) -> Result<()> {
    let pinned = require_pinned(&args.pinned)?;
    let signed = read_signed(Some(&args.directory))?;
    let directory = signed.verify(&pinned)?;
    let text = input::read_text(args.input.as_deref(), "envelope")?;
    let envelope: Envelope = text.parse()?;
    let now = input::now();
    let mut unlisted = Vec::new();
    for r in envelope.recipients() {
        match directory.find_key(r.key_id) {
            Some((courier, key)) => println!(
                "{} listed {} {}",
                r.key_id,
                courier.id,
                key.status(now).as_str()
            ),
            None => {
                println!("{} not_listed", r.key_id);
                unlisted.push(r.key_id);
            }
        }
    }
    if unlisted.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = unlisted.iter().map(KeyId::to_hex).collect();
    let message = format!(
        "envelope for order {:?} was sealed to key id(s) {} that directory serial {} no longer \
         lists",
        envelope.order_ref(),
        ids.join(", "),
        directory.serial
    );
    let hint = "the key was revoked, or the page that sealed it used an old or forged directory; \
                check with the platform before shipping";
    if args.strict {
        return Err(CliError::new(Code::KeyNotListed, message).hint(hint));
    }
    eprintln!("sealpost: warning: {message}");
    eprintln!("sealpost: hint: {hint}");
    Ok(())
}
