//! `cargo xtask dist`: what a courier hub installs, built into `target/dist/`:
//!
//! - `sealpost-VERSION-x86_64-unknown-linux-musl`: the CLI as one static Linux binary (release
//!   profile, musl target; the target is added with `rustup target add` when missing; the CLI's
//!   dependencies are pure Rust, so no musl C toolchain is needed);
//! - `sealpost_VERSION-1_amd64.deb`: that binary as `/usr/bin/sealpost`, the man pages
//!   (`sealpost.1` and one per subcommand), the bash, zsh and fish completions, and the licences,
//!   staged here and packed with `dpkg-deb` (no packaging tool to install);
//! - `SHA256SUMS` of both, in `sha256sum -c` format.
//!
//! The man pages and completions are generated from the clap definitions by the shipped binary
//! itself (`sealpost generate-docs DIR`, hidden; cli/src/docs.rs).
//!
//! [`test`] (a step of `cargo xtask test`) builds them and checks them for real: the static
//! binary opens every committed envelope vector as expected; the package's control fields and
//! contents, installed with `dpkg` into a scratch root: the binary's `--version`, the man page
//! rendered by `man`, the bash completion completing a subcommand; `sha256sum -c`; and the
//! README's `cargo install --path cli --locked` (reusing the build).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use crate::{cargo, private, root, run, Result};

/// The static binary's target.
pub const TARGET: &str = "x86_64-unknown-linux-musl";

/// Where each generated file goes in the package (file written by `generate-docs`, path).
const COMPLETIONS: [(&str, &str); 3] = [
    (
        "sealpost.bash",
        "usr/share/bash-completion/completions/sealpost",
    ),
    ("_sealpost", "usr/share/zsh/vendor-completions/_sealpost"),
    (
        "sealpost.fish",
        "usr/share/fish/vendor_completions.d/sealpost.fish",
    ),
];
const DOC_DIR: &str = "usr/share/doc/sealpost";
const MAN_DIR: &str = "usr/share/man/man1";

/// The files of a `dist` build.
#[derive(Debug)]
pub struct Artifacts {
    version: String,
    binary: PathBuf,
    deb: PathBuf,
    sums: PathBuf,
}

/// `cargo xtask dist`; `--check` also runs the checks of `cargo xtask test`'s step ([`test`]).
pub fn command(args: &[String]) -> Result {
    match args {
        [] => {}
        [check] if check == "--check" => return test(),
        _ => return Err("usage: cargo xtask dist [--check]".into()),
    }
    let a = build()?;
    for file in [&a.binary, &a.deb, &a.sums] {
        eprintln!("xtask: {} ({})", file.display(), size(file)?);
    }
    Ok(())
}

/// The CLI package's version and its `[package.metadata.deb]`, from `cargo metadata`.
struct Package {
    version: String,
    description: String,
    license: String,
    deb: serde_json::Value,
}

fn package() -> Result<Package> {
    let out = cargo()
        .current_dir(root())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let cli = meta["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "sealpost-cli"))
        .ok_or("cargo metadata: no sealpost-cli package")?;
    let text = |v: &serde_json::Value, what: &str| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("cli/Cargo.toml: no {what}"))
    };
    Ok(Package {
        version: text(&cli["version"], "version")?,
        description: text(&cli["description"], "description")?,
        license: text(&cli["license"], "license")?,
        deb: cli["metadata"]["deb"].clone(),
    })
}

/// Builds the static binary, the .deb and SHA256SUMS into `target/dist/` (emptied first).
pub fn build() -> Result<Artifacts> {
    musl_target()?;
    let pkg = package()?;
    run(cargo().args([
        "build",
        "--release",
        "--locked",
        "--target",
        TARGET,
        "-p",
        "sealpost-cli",
        "--bin",
        "sealpost",
    ]))?;
    let built = root().join("target").join(TARGET).join("release/sealpost");
    check_static(&built)?;

    let dist = root().join("target/dist");
    let stage = root().join("target/dist-stage");
    for dir in [&dist, &stage] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        mkdir(dir)?;
    }
    let binary = dist.join(format!("sealpost-{}-{TARGET}", pkg.version));
    copy(&built, &binary, 0o755)?;
    // without the symbol table (8.4 → 7.1 MiB); `strip` comes with the linker Rust uses
    run(Command::new("strip").arg(&binary))?;
    let stripped = std::fs::read(&binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    if stripped.windows(8).any(|w| w == b".symtab\0") {
        return Err(format!("{} still has a symbol table", binary.display()));
    }

    // the man pages and completions, from the binary that ships
    let docs = stage.join("docs");
    run(Command::new(&binary).arg("generate-docs").arg(&docs))?;

    let deb = dist.join(format!("sealpost_{}-1_amd64.deb", pkg.version));
    build_deb(&pkg, &binary, &docs, &stage.join("deb"), &deb)?;

    let sums = dist.join("SHA256SUMS");
    let mut text = String::new();
    for file in [&binary, &deb] {
        use sha2::Digest as _;
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let hex: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        text.push_str(&format!("{hex}  {}\n", file_name(file)));
    }
    std::fs::write(&sums, text).map_err(|e| format!("{}: {e}", sums.display()))?;
    Ok(Artifacts {
        version: pkg.version,
        binary,
        deb,
        sums,
    })
}

/// `rustup target add x86_64-unknown-linux-musl`, unless it is installed.
fn musl_target() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if installed.lines().any(|l| l.trim() == TARGET) {
        eprintln!("xtask: {TARGET} target: present");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", TARGET]))
}

/// Refuses a binary that needs a dynamic loader: no `PT_INTERP` program header, and `ldd`
/// agrees ("not a dynamic executable", or "statically linked" for a static PIE).
fn check_static(binary: &Path) -> Result {
    let bytes = std::fs::read(binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    if interpreter(&bytes)? {
        return Err(format!(
            "{} has a program interpreter: it is not static",
            binary.display()
        ));
    }
    let out = Command::new("ldd")
        .arg(binary)
        .output()
        .map_err(|e| format!("ldd: {e}"))?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !said.contains("not a dynamic executable") && !said.contains("statically linked") {
        return Err(format!(
            "ldd does not call {} static: {}",
            binary.display(),
            said.trim()
        ));
    }
    eprintln!(
        "xtask: {} is static (no program interpreter; ldd: {})",
        file_name(binary),
        said.trim()
    );
    Ok(())
}

/// Whether a 64-bit little-endian ELF file has a `PT_INTERP` program header.
fn interpreter(elf: &[u8]) -> Result<bool> {
    let u16_at = |at: usize| -> Option<usize> {
        Some(u16::from_le_bytes(elf.get(at..at + 2)?.try_into().ok()?).into())
    };
    let u64_at = |at: usize| -> Option<usize> {
        usize::try_from(u64::from_le_bytes(elf.get(at..at + 8)?.try_into().ok()?)).ok()
    };
    if elf.get(..6) != Some(b"\x7fELF\x02\x01".as_slice()) {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    else {
        return Err("truncated ELF header".into());
    };
    const PT_INTERP: u32 = 3;
    for i in 0..phnum {
        let at = phoff + i * phentsize;
        let kind = elf
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or("truncated ELF program headers")?;
        if kind == PT_INTERP {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Stages the package's tree in `tree` and packs it into `deb` with `dpkg-deb`.
fn build_deb(pkg: &Package, binary: &Path, docs: &Path, tree: &Path, deb: &Path) -> Result {
    copy(binary, &tree.join("usr/bin/sealpost"), 0o755)?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs)
        .map_err(|e| format!("{}: {e}", docs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .collect();
    pages.sort();
    if !pages.iter().any(|p| file_name(p) == "sealpost.1") {
        return Err("generate-docs wrote no sealpost.1".into());
    }
    for page in &pages {
        let text = std::fs::read(page).map_err(|e| format!("{}: {e}", page.display()))?;
        let gz = tree.join(MAN_DIR).join(format!("{}.gz", file_name(page)));
        write(&gz, &gzip(&text)?, 0o644)?;
    }
    for (file, path) in COMPLETIONS {
        copy(&docs.join(file), &tree.join(path), 0o644)?;
    }
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        copy(
            &root().join(licence),
            &tree.join(DOC_DIR).join(licence),
            0o644,
        )?;
    }
    let copyright = format!(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
         Upstream-Name: sealpost\n\n\
         Files: *\n\
         Copyright: the sealpost authors\n\
         License: {}\n \
         The texts are in /{DOC_DIR}/LICENSE-MIT and /{DOC_DIR}/LICENSE-APACHE.\n",
        pkg.license
    );
    write(
        &tree.join(DOC_DIR).join("copyright"),
        copyright.as_bytes(),
        0o644,
    )?;

    // md5sums of every file (dpkg --verify), and the size for Installed-Size
    let mut files = Vec::new();
    walk(tree, &mut files)?;
    let files: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(tree).ok())
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    let md5 = Command::new("md5sum")
        .current_dir(tree)
        .args(&files)
        .output()
        .map_err(|e| format!("md5sum: {e}"))?;
    if !md5.status.success() {
        return Err(format!(
            "md5sum: {}",
            String::from_utf8_lossy(&md5.stderr).trim()
        ));
    }
    let mut bytes = 0;
    for f in &files {
        bytes += std::fs::metadata(tree.join(f))
            .map_err(|e| format!("{f}: {e}"))?
            .len();
    }
    let field = |name: &str| pkg.deb[name].as_str().unwrap_or_default().to_owned();
    // continuation lines start with a space
    let long: String = field("extended-description")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n ");
    let control = format!(
        "Package: sealpost\n\
         Version: {}-1\n\
         Architecture: amd64\n\
         Maintainer: {}\n\
         Installed-Size: {}\n\
         Section: {}\n\
         Priority: {}\n\
         Description: {}\n {}\n",
        pkg.version,
        field("maintainer"),
        bytes.div_ceil(1024),
        field("section"),
        field("priority"),
        pkg.description,
        long
    );
    write(&tree.join("DEBIAN/control"), control.as_bytes(), 0o644)?;
    write(&tree.join("DEBIAN/md5sums"), &md5.stdout, 0o644)?;
    run(Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(tree)
        .arg(deb))
}

/// gzip -9n: no name, no time stamp (Debian policy for man pages).
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let mut gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).map_err(|e| format!("gzip: {e}"))?;
    gz.finish().map_err(|e| format!("gzip: {e}"))
}

fn gunzip(bytes: &[u8]) -> Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| format!("gunzip: {e}"))?;
    Ok(text)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if file_name(&path) != "DEBIAN" {
                walk(&path, files)?;
            }
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// `create_dir_all` with mode 0755 for each directory it makes, whatever the umask.
fn mkdir(dir: &Path) -> Result {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        mkdir(parent)?;
    }
    std::fs::create_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    chmod(dir, 0o755)
}

fn chmod(path: &Path, mode: u32) -> Result {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8], mode: u32) -> Result {
    if let Some(parent) = path.parent() {
        mkdir(parent)?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    chmod(path, mode)
}

fn copy(from: &Path, to: &Path, mode: u32) -> Result {
    let bytes = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    write(to, &bytes, mode)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn size(path: &Path) -> Result<String> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    Ok(format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0))
}

/// A command's output; fails on a non-zero exit.
fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `cargo xtask test` step: builds the artifacts and checks each for real.
pub fn test() -> Result {
    let started = Instant::now();
    let a = build()?;
    let built = started.elapsed().as_secs_f64();
    let check = root().join("target/dist-check");
    if check.exists() {
        std::fs::remove_dir_all(&check).map_err(|e| format!("{}: {e}", check.display()))?;
    }
    mkdir(&check)?;
    opens_the_vectors(&a.binary, &check)?;
    deb_contents(&a, &check)?;
    cargo_install(&check)?;
    let sums = output(
        Command::new("sha256sum")
            .current_dir(root().join("target/dist"))
            .args(["-c", "SHA256SUMS"]),
    )?;
    eprint!("xtask: sha256sum -c SHA256SUMS:\n{sums}");
    sums_catch_a_changed_file(&a, &check)?;
    eprintln!(
        "xtask: dist: {} {}, {} {}; built in {built:.0} s, checked in {:.0} s",
        file_name(&a.binary),
        size(&a.binary)?,
        file_name(&a.deb),
        size(&a.deb)?,
        started.elapsed().as_secs_f64() - built
    );
    Ok(())
}

/// `sha256sum -c SHA256SUMS` fails for a binary with one byte changed and a missing .deb.
fn sums_catch_a_changed_file(a: &Artifacts, check: &Path) -> Result {
    let dir = check.join("sums");
    mkdir(&dir)?;
    copy(&a.sums, &dir.join("SHA256SUMS"), 0o644)?;
    let mut bytes = std::fs::read(&a.binary).map_err(|e| format!("{}: {e}", a.binary.display()))?;
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    write(&dir.join(file_name(&a.binary)), &bytes, 0o755)?;
    let out = Command::new("sha256sum")
        .current_dir(&dir)
        .args(["-c", "SHA256SUMS"])
        .output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    let said = String::from_utf8_lossy(&out.stdout);
    let changed = format!("{}: FAILED", file_name(&a.binary));
    if out.status.success() || !said.lines().any(|l| l == changed) {
        return Err(format!(
            "sha256sum -c accepted a changed binary or a missing .deb ({}): {said}",
            out.status
        ));
    }
    eprintln!("xtask: sha256sum -c refuses a changed binary and a missing .deb");
    Ok(())
}

/// The static binary opens every vector of `tests/vectors/envelope/` as it expects (the
/// address, or the error code), through a fresh audit log, which then verifies.
fn opens_the_vectors(binary: &Path, check: &Path) -> Result {
    let log = check.join("audit.log");
    let cli = || {
        let mut cmd = Command::new(binary);
        cmd.env("SEALPOST_AUDIT_LOG", &log)
            .env("SEALPOST_OPERATOR", "xtask-dist")
            .env_remove("SEALPOST_PASSPHRASE");
        cmd
    };
    output(cli().args(["audit", "init"]))?;
    let dir = root().join("tests/vectors/envelope");
    let mut vectors: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    vectors.sort();
    let (mut opened, mut refused) = (0, 0);
    for path in &vectors {
        let name = file_name(path);
        let v = crate::read_json(path)?;
        let key = check.join("id.key");
        let envelope = check.join("envelope.txt");
        std::fs::write(&key, v["identity"].as_str().unwrap_or_default())
            .map_err(|e| format!("{}: {e}", key.display()))?;
        private(&key)?;
        std::fs::write(&envelope, v["envelope"].as_str().unwrap_or_default())
            .map_err(|e| format!("{}: {e}", envelope.display()))?;
        let mut cmd = cli();
        cmd.args(["open", "-i"]).arg(&key);
        if let Some(order) = v["expectedOrder"].as_str() {
            cmd.args(["--order", order]);
        }
        let out = cmd
            .arg(&envelope)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        match v["expect"]["error"].as_str() {
            None => {
                let got: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .map_err(|e| format!("{name}: {e}; stderr: {}", stderr.trim()))?;
                if !out.status.success() || got != v["expect"]["address"] {
                    return Err(format!(
                        "{name}: opened {got} ({}), expected {}",
                        out.status, v["expect"]["address"]
                    ));
                }
                opened += 1;
            }
            Some(code) => {
                let said = stderr
                    .lines()
                    .find_map(|l| l.strip_prefix("sealpost: error: "))
                    .and_then(|l| l.split(':').next());
                if out.status.success() || !out.stdout.is_empty() || said != Some(code) {
                    return Err(format!(
                        "{name}: expected {code}, got {} {}",
                        out.status,
                        stderr.trim()
                    ));
                }
                refused += 1;
            }
        }
    }
    output(cli().args(["audit", "verify"]))?;
    eprintln!(
        "xtask: the static binary opened {opened} vectors and refused {refused} with the expected codes; its audit log verifies"
    );
    if opened == 0 || refused == 0 {
        return Err(format!("no vectors in {}", dir.display()));
    }
    Ok(())
}

/// `dpkg -i` into a scratch root (`--root`: its own file tree and package database; no
/// maintainer scripts to run): the installed files `dpkg -L` lists; returns the root.
fn dpkg_install(deb: &Path, check: &Path) -> Result<PathBuf> {
    let scratch = check.join("root");
    let admin = scratch.join("var/lib/dpkg");
    mkdir(&admin.join("updates"))?;
    mkdir(&admin.join("info"))?;
    write(&admin.join("status"), b"", 0o644)?;
    let dpkg = |args: &[&str]| {
        let mut cmd = Command::new("dpkg");
        cmd.arg(format!("--root={}", scratch.display()))
            .arg(format!("--log={}", check.join("dpkg.log").display()))
            .arg("--force-not-root")
            .args(args);
        cmd
    };
    run(dpkg(&["--install"]).arg(deb))?;
    let listed = output(&mut dpkg(&["--listfiles", "sealpost"]))?;
    if !listed.lines().any(|l| l == "/usr/bin/sealpost") {
        return Err(format!(
            "dpkg -L sealpost lacks /usr/bin/sealpost:\n{listed}"
        ));
    }
    eprintln!(
        "xtask: dpkg --root {} -i: {} paths installed",
        scratch.display(),
        listed.lines().count()
    );
    Ok(scratch)
}

/// README's `cargo install --path cli --locked`, into a scratch root, for the musl target and
/// with the workspace's target directory so that it reuses the build above (and its downloaded
/// crates: `--offline`): it installs `sealpost`, and nothing else.
fn cargo_install(check: &Path) -> Result {
    let into = check.join("cargo-install");
    run(cargo()
        .args([
            "install",
            "--path",
            "cli",
            "--locked",
            "--offline",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(root().join("target"))
        .arg("--root")
        .arg(&into))?;
    let bin = into.join("bin");
    let mut installed: Vec<String> = std::fs::read_dir(&bin)
        .map_err(|e| format!("{}: {e}", bin.display()))?
        .filter_map(|e| e.ok().map(|e| file_name(&e.path())))
        .collect();
    installed.sort();
    if installed != ["sealpost"] {
        return Err(format!("cargo install installed {installed:?}"));
    }
    let version = output(Command::new(bin.join("sealpost")).arg("--version"))?;
    eprintln!(
        "xtask: cargo install --path cli --locked: {}",
        version.trim()
    );
    Ok(())
}

/// The .deb's control fields and file list; installed into a scratch root, its binary (the
/// static one, byte for byte) runs, its man page renders, its bash completion completes.
fn deb_contents(a: &Artifacts, check: &Path) -> Result {
    let info = output(Command::new("dpkg-deb").arg("--info").arg(&a.deb))?;
    for field in [
        "Package: sealpost".to_owned(),
        format!("Version: {}-1", a.version),
        "Architecture: amd64".to_owned(),
    ] {
        if !info.lines().any(|l| l.trim() == field) {
            return Err(format!("dpkg-deb --info lacks `{field}`:\n{info}"));
        }
    }
    let contents = output(Command::new("dpkg-deb").arg("--contents").arg(&a.deb))?;
    // `-rwxr-xr-x root/root  123 2026-12-01 00:00 ./usr/bin/sealpost`
    let listed = |path: &str| {
        contents
            .lines()
            .find(|l| l.ends_with(&format!(" ./{path}")))
    };
    let mut wanted: Vec<String> = vec![
        "usr/bin/sealpost".into(),
        format!("{MAN_DIR}/sealpost.1.gz"),
        format!("{MAN_DIR}/sealpost-open.1.gz"),
        format!("{MAN_DIR}/sealpost-audit-verify.1.gz"),
        format!("{DOC_DIR}/copyright"),
        format!("{DOC_DIR}/LICENSE-MIT"),
        format!("{DOC_DIR}/LICENSE-APACHE"),
    ];
    wanted.extend(COMPLETIONS.map(|(_, path)| path.to_owned()));
    for path in &wanted {
        let line = listed(path).ok_or_else(|| format!("the .deb lacks /{path}:\n{contents}"))?;
        let mode = if path == "usr/bin/sealpost" {
            "-rwxr-xr-x root/root"
        } else {
            "-rw-r--r-- root/root"
        };
        if !line.starts_with(mode) {
            return Err(format!("/{path} is not {mode}: {line}"));
        }
    }

    let scratch = dpkg_install(&a.deb, check)?;
    let packaged = scratch.join("usr/bin/sealpost");
    let same = std::fs::read(&packaged).map_err(|e| format!("{}: {e}", packaged.display()))?
        == std::fs::read(&a.binary).map_err(|e| format!("{}: {e}", a.binary.display()))?;
    if !same {
        return Err("the .deb's /usr/bin/sealpost differs from the static binary".into());
    }
    let version = output(Command::new(&packaged).arg("--version"))?;
    if !version.starts_with(&format!("sealpost {} (address data ", a.version)) {
        return Err(format!("/usr/bin/sealpost --version: {version}"));
    }
    eprintln!(
        "xtask: extracted /usr/bin/sealpost --version: {}",
        version.trim()
    );

    // the man pages: roff, and what `man` renders
    let man = scratch.join(MAN_DIR).join("sealpost.1.gz");
    let roff = gunzip(&std::fs::read(&man).map_err(|e| format!("{}: {e}", man.display()))?)?;
    // clap_mangen's page: a quote-character preamble, then the title line
    if !roff.lines().any(|l| l.starts_with(".TH sealpost 1 "))
        || !roff.contains("sealpost\\-open(1)")
    {
        return Err(format!(
            "sealpost.1 is not the expected man page:\n{}",
            roff.lines().take(5).collect::<Vec<_>>().join("\n")
        ));
    }
    if Command::new("man").arg("--version").output().is_ok() {
        let page = output(
            Command::new("man")
                .env("MANWIDTH", "100")
                .env("MANPAGER", "cat")
                .env("PAGER", "cat")
                .arg("-l")
                .arg(&man),
        )?;
        for heading in ["NAME", "SYNOPSIS", "SUBCOMMANDS", "VERSION"] {
            if !page.lines().any(|l| l.trim() == heading) {
                return Err(format!("man -l sealpost.1.gz has no {heading}:\n{page}"));
            }
        }
        eprintln!(
            "xtask: man -l sealpost.1.gz renders ({} lines)",
            page.lines().count()
        );
    } else {
        eprintln!("xtask: man is not installed: sealpost.1.gz checked as roff only");
    }

    // the bash completion completes `sealpost op` to `open`, `sealpost open --ba` to `--batch`
    let bash = scratch.join(COMPLETIONS[0].1);
    for (words, want) in [("sealpost op", "open"), ("sealpost open --ba", "--batch")] {
        let script = format!(
            "source \"$1\"; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             COMP_LINE=\"{words}\"; COMP_POINT=${{#COMP_LINE}}; \
             _sealpost sealpost \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let got = output(
            Command::new("bash")
                .args(["--norc", "--noprofile", "-c", &script, "bash"])
                .arg(&bash),
        )?;
        if !got.lines().any(|l| l.trim() == want) {
            return Err(format!(
                "bash completion of `{words}` does not offer {want}: {got:?}"
            ));
        }
    }
    eprintln!("xtask: bash completion: `sealpost op` → open, `sealpost open --ba` → --batch");
    for (_, path) in &COMPLETIONS[1..] {
        let text =
            std::fs::read_to_string(scratch.join(path)).map_err(|e| format!("/{path}: {e}"))?;
        if !text.contains("sealpost") || !text.contains("batch") {
            return Err(format!("/{path} does not complete sealpost's options"));
        }
    }
    // the hidden packaging command is in none of them
    let mut files = Vec::new();
    walk(&scratch.join("usr/share"), &mut files)?;
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let text = if file.extension().is_some_and(|x| x == "gz") {
            gunzip(&bytes)?
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        if text.contains("generate-docs") || text.contains("generate\\-docs") {
            return Err(format!("{} mentions generate-docs", file.display()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dynamic_executable_has_an_interpreter() {
        // /bin/sh of the build machine: a dynamic executable (glibc)
        let sh = std::fs::read("/bin/sh").unwrap_or_default();
        assert_eq!(super::interpreter(&sh), Ok(true));
        assert!(super::interpreter(b"#!/bin/sh").is_err());
    }
}
