//! Reading inputs: stdin or a file with a size cap, and identity files (permissions checked,
//! protected identities unlocked with a passphrase).

use std::{
    io::Read,
    path::{Path, PathBuf},
};

use sealpost::{
    keys::{EntrySecret, IdentityEntry, UtcSeconds},
    Identity, KeyId,
};
use zeroize::Zeroizing;

use crate::{
    error::{CliError, Code, Result},
    passphrase,
    protect::{self, UnlockError},
};

/// Largest input accepted on stdin or from a file (an envelope is at most ~55 KB of text).
const MAX_INPUT: u64 = 1 << 20;
/// Largest identity file read.
const MAX_IDENTITY_FILE: u64 = 1 << 20;

/// Reads all of `path` (or stdin for `None` or `-`) as UTF-8 text.
pub fn read_text(path: Option<&Path>, what: &str) -> Result<Zeroizing<String>> {
    let mut buf = Zeroizing::new(String::new());
    let (name, result) = match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let file =
                std::fs::File::open(p).map_err(|e| CliError::io(Code::UnreadableInput, p, &e))?;
            (
                p.display().to_string(),
                file.take(MAX_INPUT + 1).read_to_string(&mut buf),
            )
        }
        None => (
            "stdin".to_owned(),
            std::io::stdin()
                .take(MAX_INPUT + 1)
                .read_to_string(&mut buf),
        ),
    };
    result.map_err(|e| CliError::new(Code::UnreadableInput, format!("{name}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(CliError::new(
            Code::InputTooLarge,
            format!("{what} on {name} is larger than 1 MiB"),
        ));
    }
    if buf.trim().is_empty() {
        return Err(CliError::new(
            Code::EmptyInput,
            format!("no {what} on {name}"),
        ));
    }
    Ok(buf)
}

/// The user this process runs as (the owner of `/proc/self`), where the system says.
#[cfg(unix)]
fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Reads a secret file (at most `limit` bytes) and checks the file it actually opened, not the
/// path (no window between the check and the read): a regular file, owned by the user running
/// sealpost, that no other user may read or write (as ssh does for private keys).
pub fn read_private(path: &Path, what: &str, limit: u64) -> Result<Zeroizing<String>> {
    let code = if what == "passphrase file" {
        Code::UnreadablePassphraseFile
    } else {
        Code::UnreadableIdentity
    };
    let file = std::fs::File::open(path).map_err(|e| CliError::io(code, path, &e))?;
    let meta = file.metadata().map_err(|e| CliError::io(code, path, &e))?;
    if !meta.is_file() {
        return Err(CliError::new(
            code,
            format!("{what} {} is not a regular file", path.display()),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CliError::new(
                Code::InsecurePermissions,
                format!(
                    "{what} {} can be read by other users (mode {mode:04o})",
                    path.display()
                ),
            )
            .hint(format!(
                "run `chmod 600 {}`; if others may have copied it, retire the key",
                path.display()
            )));
        }
        if let Some(uid) = current_uid().filter(|uid| *uid != meta.uid()) {
            return Err(CliError::new(Code::InsecureOwner, format!(
                    "{what} {} belongs to user {}, not to the user running sealpost ({uid})",
                    path.display(),
                    meta.uid()
                ))
            .hint("a secret file must be owned by the operator who uses it: `chown` it, or have its owner run sealpost"));
        }
    }
    let mut text = Zeroizing::new(String::new());
    file.take(limit)
        .read_to_string(&mut text)
        .map_err(|e| CliError::io(code, path, &e))?;
    Ok(text)
}

/// One identity as found in a file, before any passphrase.
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    pub entry: IdentityEntry,
    /// `-i FILE:PASSFILE`: this identity's own passphrase file.
    pub passphrase_file: Option<PathBuf>,
}

/// `-i FILE` or `-i FILE:PASSFILE` (the identity's own passphrase file, so identities under
/// different passphrases unlock unattended). A path that exists as given is always a file name.
fn identity_arg(arg: &Path) -> (PathBuf, Option<PathBuf>) {
    if arg.exists() {
        return (arg.to_path_buf(), None);
    }
    let text = arg.to_string_lossy();
    match text.rsplit_once(':') {
        Some((file, pass)) if !file.is_empty() && !pass.is_empty() && Path::new(file).exists() => {
            (PathBuf::from(file), Some(PathBuf::from(pass)))
        }
        _ => (arg.to_path_buf(), None),
    }
}

impl Found {
    /// `courier.key (key id 7ff4…)`, for messages.
    pub fn describe(&self) -> String {
        format!("{} (key id {})", self.path.display(), self.entry.key_id())
    }
}

/// An identity ready to open envelopes.
#[derive(Debug)]
pub struct Usable {
    pub identity: Identity,
    pub not_after: Option<UtcSeconds>,
    pub path: PathBuf,
}

impl Usable {
    pub fn key_id(&self) -> KeyId {
        self.identity.key_id()
    }

    /// Whether the identity is past its not-after date at `now`.
    pub fn expired_at(&self, now: UtcSeconds) -> bool {
        self.not_after.is_some_and(|t| now > t)
    }
}

/// Reads every identity entry from every file, in order, checking each file's permissions.
pub fn find_identities(paths: &[PathBuf]) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    for arg in paths {
        let (path, passphrase_file) = identity_arg(arg);
        let path = &path;
        let text = read_private(path, "identity file", MAX_IDENTITY_FILE)?;
        let entries = sealpost::keys::parse_identity_entries(&text).map_err(|e| {
            CliError::core(&e, format!("{}: {e}", path.display()))
                .hint("an identity file is what `sealpost keygen -o FILE` wrote")
        })?;
        out.extend(entries.into_iter().map(|entry| Found {
            path: path.clone(),
            entry,
            passphrase_file: passphrase_file.clone(),
        }));
    }
    Ok(out)
}

/// Unlocks the entries `wanted` selects. A passphrase is read once per file (the terminal asks
/// once per file; a passphrase file or the environment gives one passphrase for all files).
pub fn unlock(
    found: Vec<Found>,
    wanted: impl Fn(&KeyId) -> bool,
    source: &passphrase::Source,
) -> Result<Vec<Usable>> {
    let mut out = Vec::new();
    let mut cached: Option<(PathBuf, Zeroizing<String>)> = None;
    for f in found {
        if !wanted(&f.entry.key_id()) {
            continue;
        }
        let describe = f.describe();
        let own_source;
        let source = match &f.passphrase_file {
            Some(file) => {
                own_source = passphrase::Source::new(Some(file.clone()), passphrase::ENV);
                &own_source
            }
            None => source,
        };
        let identity = match f.entry.secret {
            EntrySecret::Plain(identity) => identity,
            EntrySecret::Protected(protected) => {
                let same_file = cached.as_ref().is_some_and(|(p, _)| *p == f.path);
                let mut attempts = if source.is_terminal() { 3 } else { 1 };
                loop {
                    let pass = match (&cached, same_file) {
                        (Some((_, pass)), true) => pass.clone(),
                        _ => {
                            let pass =
                                source.read(&format!("Passphrase for {}: ", f.path.display()))?;
                            cached = Some((f.path.clone(), pass.clone()));
                            pass
                        }
                    };
                    match protect::unlock(&protected, &f.entry.public_key, &pass)? {
                        Ok(identity) => break identity,
                        Err(UnlockError::Corrupt) => {
                            return Err(CliError::new(
                                Code::InvalidIdentity,
                                format!(
                                    "{describe}: the protected key is not the key its line names"
                                ),
                            ));
                        }
                        Err(UnlockError::WrongPassphrase) => {
                            attempts -= 1;
                            cached = None;
                            if attempts == 0 || same_file {
                                return Err(protect::wrong_passphrase(&describe, source));
                            }
                            eprintln!("sealpost: wrong passphrase, try again");
                        }
                    }
                }
            }
        };
        out.push(Usable {
            identity,
            not_after: f.entry.not_after,
            path: f.path,
        });
    }
    Ok(out)
}

/// Reads and unlocks every identity of every file (for commands that need all of them).
pub fn read_identities(paths: &[PathBuf], source: &passphrase::Source) -> Result<Vec<Usable>> {
    unlock(find_identities(paths)?, |_| true, source)
}

/// The current time, as the identity files write it.
pub fn now() -> UtcSeconds {
    UtcSeconds(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
}
