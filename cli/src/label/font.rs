//! The fonts a PDF label is set in: a fallback chain. First the primary font (`--font`, else
//! `$SEALPOST_LABEL_FONT`, else the first CJK system font found: Han keeps its mainland
//! forms), then fonts for the scripts the primary lacks (Arabic, Hebrew, Thai, Devanagari, …):
//! the configured list (`--fallback-font`, else `$SEALPOST_LABEL_FONTS`) when one is given,
//! else whatever installed font fontconfig (`fc-list`) names for the character.
//!
//! Fallback fonts are loaded only when a character needs one, so a Chinese-only batch reads
//! one font. Every character is checked against the chain before anything is drawn: a label
//! never shows a missing-glyph box (tofu); it is refused only when no font has the character.

use std::{
    collections::{HashMap, VecDeque},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, Mutex, PoisonError},
};

use skrifa::{charmap::Charmap, string::StringId, FontRef, MetadataProvider};

use crate::error::{CliError, Code, Result};

/// Environment variable naming the label font.
pub const ENV_FONT: &str = "SEALPOST_LABEL_FONT";

/// Environment variable with the fallback fonts, colon-separated (`FILE` or `FILE#INDEX` for a
/// face of a collection). When set, even to nothing, it is the whole list: no discovery.
pub const ENV_FONTS: &str = "SEALPOST_LABEL_FONTS";

/// Looked up in this order when neither `--font` nor `$SEALPOST_LABEL_FONT` is given. Debian:
/// `fonts-noto-cjk`, `fonts-wqy-microhei`, `fonts-wqy-zenhei`.
pub const SYSTEM_FONTS: [&str; 5] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// Tried in this order when `fc-list` cannot be run (a machine without fontconfig, such as a
/// container running the static binary): Debian's `fonts-noto-core`, `fonts-hanazono` and
/// `fonts-symbola`.
const KNOWN_FALLBACKS: [&str; 12] = [
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansTamil-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArmenian-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansGeorgian-Regular.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
];

/// One loaded face of a font file. The file's bytes live as long as the process (a run makes
/// one chain and keeps it to the end), so the parsed face is kept with them: building
/// rustybuzz's face (lookup digests of the whole GSUB/GPOS) per line cost 6 ms per label.
pub struct Face {
    pub path: PathBuf,
    pub index: u32,
    /// The face's character map (looked up for every character of every label).
    charmap: Charmap<'static>,
    shaper: rustybuzz::Face<'static>,
    /// Shaping plans by the properties of the text (direction, script, language): building a
    /// plan looks up the face's whole GSUB/GPOS feature list, ~40 % of a waybill's time when
    /// it was made for every run.
    plans: Mutex<HashMap<PlanKey, Arc<rustybuzz::ShapePlan>>>,
    /// The face, for krilla (which embeds the subset of it that is drawn).
    pub pdf: krilla::text::Font,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("path", &self.path)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

fn unusable(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::new(Code::FontUnusable, format!("{}: {why}", path.display()))
        .hint("pass --font with a TrueType/OpenType font (or .ttc collection) that covers Chinese")
}

impl Face {
    /// Reads a font file; `index` None: the Simplified Chinese face of a collection, else 0.
    fn load(path: &Path, index: Option<u32>) -> Result<Face> {
        Face::load_covering(path, index, None)?.ok_or_else(|| unusable(path, "no usable face"))
    }

    /// [`Face::load`], but None (nothing kept) if the face lacks a character of `needed`.
    fn load_covering(
        path: &Path,
        index: Option<u32>,
        needed: Option<&str>,
    ) -> Result<Option<Face>> {
        let bytes = std::fs::read(path).map_err(|e| {
            CliError::io(Code::FontUnavailable, path, &e).hint(format!(
                "pass --font FILE or set ${ENV_FONT} to a font that exists"
            ))
        })?;
        let index = match index {
            Some(i) => i,
            None => simplified_chinese_face(&bytes).unwrap_or(0),
        };
        let probe = FontRef::from_index(&bytes, index)
            .map_err(|e| unusable(path, format_args!("face {index}: {e}")))?;
        if needed.is_some_and(|text| !covers(&probe.charmap(), text)) {
            return Ok(None);
        }
        // kept to the end of the process, with the faces parsed from it (see above)
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let charmap = FontRef::from_index(bytes, index)
            .map_err(|e| unusable(path, format_args!("face {index}: {e}")))?
            .charmap();
        let shaper = rustybuzz::Face::from_slice(bytes, index)
            .ok_or_else(|| unusable(path, format_args!("face {index} cannot be shaped")))?;
        let data = krilla::Data::from(
            std::sync::Arc::new(bytes) as std::sync::Arc<dyn AsRef<[u8]> + Send + Sync>
        );
        let pdf = krilla::text::Font::new(data, index)
            .ok_or_else(|| unusable(path, format_args!("face {index} cannot be embedded")))?;
        Ok(Some(Face {
            path: path.to_path_buf(),
            index,
            charmap,
            shaper,
            plans: Mutex::default(),
            pdf,
        }))
    }

    /// The face for shaping.
    pub fn shaper(&self) -> &rustybuzz::Face<'static> {
        &self.shaper
    }

    /// `buffer` shaped, with the plan for its properties made once per face.
    pub fn shape(&self, buffer: rustybuzz::UnicodeBuffer) -> rustybuzz::GlyphBuffer {
        let key = (buffer.direction(), buffer.script(), buffer.language());
        let plan = {
            let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(
                plans
                    .entry(key)
                    .or_insert_with_key(|(direction, script, language)| {
                        Arc::new(rustybuzz::ShapePlan::new(
                            &self.shaper,
                            *direction,
                            Some(*script),
                            language.as_ref(),
                            &[],
                        ))
                    }),
            )
        };
        rustybuzz::shape_with_plan(&self.shaper, &plan, buffer)
    }

    /// Whether the face has a glyph for every character of `cluster` that needs one.
    pub fn has_all(&self, cluster: &str) -> bool {
        covers(&self.charmap, cluster)
    }
}

/// What a shaping plan depends on (besides the face).
type PlanKey = (
    rustybuzz::Direction,
    rustybuzz::Script,
    Option<rustybuzz::Language>,
);

fn covers(charmap: &Charmap<'_>, text: &str) -> bool {
    text.chars()
        .filter(|c| needs_glyph(*c))
        .all(|c| charmap.map(c).is_some_and(|g| g.to_u32() != 0))
}

/// Whether a character must have a glyph of its own: not whitespace and not a default-ignorable
/// format character (joiners, direction marks, variation selectors, soft hyphen), which shaping
/// consumes.
pub fn needs_glyph(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(c as u32, 0xAD | 0x34F | 0x61C | 0x180B..=0x180F | 0x200B..=0x200F
            | 0x202A..=0x202E | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xE0000..=0xE0FFF)
}

/// Where fonts after the loaded ones come from.
#[derive(Debug)]
enum More {
    /// The configured list: these, in order, not yet loaded.
    Configured(VecDeque<(PathBuf, Option<u32>)>),
    /// Installed fonts, asked for by character.
    Discover,
}

#[derive(Debug)]
struct Chain {
    /// Loaded faces in chain order; the primary first.
    faces: Vec<Arc<Face>>,
    more: More,
    /// Installed fonts already looked at (path, face), so discovery tries each once.
    seen: Vec<(PathBuf, u32)>,
    /// The first face of the chain with each character looked up (None: no font has it).
    first: HashMap<char, Option<usize>>,
    /// The fallbacks were configured (not discovered).
    pinned: bool,
}

/// The font chain of a PDF label.
#[derive(Debug)]
pub struct LabelFont {
    primary: Arc<Face>,
    chain: Mutex<Chain>,
}

impl LabelFont {
    /// `--font` (with `--font-index`), else `$SEALPOST_LABEL_FONT`, else [`SYSTEM_FONTS`];
    /// then `fallbacks` (`--fallback-font`), else `$SEALPOST_LABEL_FONTS`, else discovery.
    pub fn find(
        arg: Option<&Path>,
        index: Option<u32>,
        fallbacks: &[PathBuf],
    ) -> Result<LabelFont> {
        let env = std::env::var_os(ENV_FONT)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let primary = if let Some(path) = arg.map(Path::to_path_buf).or(env) {
            Face::load(&path, index)?
        } else {
            match SYSTEM_FONTS.iter().map(Path::new).find(|p| p.is_file()) {
                Some(path) => Face::load(path, None)?,
                None => return Err(CliError::new(Code::FontUnavailable, "no font for Chinese text was found")
                .hint(format!(
                    "install Debian's fonts-noto-cjk (looked for {}), or pass --font FILE / set ${ENV_FONT}",
                    SYSTEM_FONTS.join(", ")
                ))),
            }
        };
        let configured: Option<Vec<(PathBuf, Option<u32>)>> = if fallbacks.is_empty() {
            std::env::var_os(ENV_FONTS).map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(|p| split_index(&p))
                    .collect()
            })
        } else {
            Some(fallbacks.iter().map(|p| split_index(p)).collect())
        };
        let more = match configured {
            Some(list) => {
                for (path, _) in &list {
                    if let Err(e) = std::fs::metadata(path) {
                        return Err(CliError::io(Code::FontUnavailable, path, &e).hint(format!(
                            "--fallback-font and ${ENV_FONTS} must name font files that exist"
                        )));
                    }
                }
                More::Configured(list.into())
            }
            None => More::Discover,
        };
        Ok(LabelFont::with_chain(primary, more))
    }

    fn with_chain(primary: Face, more: More) -> LabelFont {
        let primary = Arc::new(primary);
        let pinned = matches!(more, More::Configured(_));
        LabelFont {
            primary: primary.clone(),
            chain: Mutex::new(Chain {
                seen: vec![(canonical(&primary.path), primary.index)],
                faces: vec![primary],
                more,
                first: HashMap::new(),
                pinned,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first character of `text` that no font of the chain has a glyph for.
    pub fn missing(&self, text: &str) -> Option<char> {
        let mut chain = self.lock();
        text.chars()
            .filter(|c| needs_glyph(*c))
            .find(|c| chain.first_having(*c).is_none())
    }

    /// The face to set a word or grapheme cluster in: the first face of the chain that has all
    /// its characters; None if no one face has them all.
    pub fn face_with_all(&self, text: &str) -> Option<Arc<Face>> {
        let mut chain = self.lock();
        let mut from = usize::MAX;
        for c in text.chars().filter(|c| needs_glyph(*c)) {
            // loads a fallback for each character the loaded faces lack
            from = from.min(chain.first_having(c)?);
        }
        let from = if from == usize::MAX { 0 } else { from };
        chain
            .faces
            .iter()
            .skip(from)
            .find(|f| f.has_all(text))
            .cloned()
    }

    /// The face to set a grapheme cluster in: the first of the chain that has all its
    /// characters, else the first that has its base character, else the primary (the
    /// cluster was refused by [`LabelFont::missing`] before anything is drawn).
    pub fn face_for(&self, cluster: &str) -> Arc<Face> {
        if let Some(face) = self.face_with_all(cluster) {
            return face;
        }
        let mut chain = self.lock();
        cluster
            .chars()
            .find(|c| needs_glyph(*c))
            .and_then(|c| chain.first_having(c))
            .and_then(|at| chain.faces.get(at).cloned())
            .unwrap_or_else(|| self.primary.clone())
    }

    /// Width of `text` at `size` points: the advances of the shaped glyphs, as drawn.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        super::text::width(self, text, size)
    }

    /// Draws one line of `text` with its left end at `x` and the top of its line box at `top`.
    pub fn draw(
        &self,
        surface: &mut krilla::surface::Surface<'_>,
        x: f32,
        top: f32,
        size: f32,
        text: &str,
    ) {
        super::text::draw(self, surface, x, top, size, text);
    }

    /// `missing_glyph` for a character no font has: names the character and a package that
    /// has it, nothing else of the address.
    pub fn refusal(&self, c: char, order: &str, field: &str) -> CliError {
        let pinned = self.lock().pinned;
        let shown = if c.is_control() || !needs_glyph(c) {
            String::new()
        } else {
            format!(" '{c}'")
        };
        let fonts = if pinned {
            "the configured fonts (--font, --fallback-font) have"
        } else {
            "no installed font has"
        };
        let no = if pinned { "no " } else { "a " };
        let message = format!(
            "order {order:?}: {fonts} {no}glyph for U+{:04X}{shown} in the {field}",
            c as u32
        );
        let hint = match package_for(c) {
            Some(package) => format!(
                "install a font that has it (Debian: {package}), or name one with --fallback-font FILE"
            ),
            None => "a private-use or control character, which no font package covers: correct \
                     the address, or name a font that has it with --fallback-font FILE"
                .to_owned(),
        };
        CliError::new(Code::MissingGlyph, message).hint(hint)
    }
}

impl Chain {
    /// Index of the first face that has `c`, loading fallback fonts as needed.
    fn first_having(&mut self, c: char) -> Option<usize> {
        if let Some(at) = self.first.get(&c) {
            return *at;
        }
        let cluster = c.to_string();
        let mut at = self.faces.iter().position(|f| f.has_all(&cluster));
        if at.is_none() {
            at = self.load_for(c, &cluster);
        }
        self.first.insert(c, at);
        at
    }

    /// Loads the next font that has `c` and appends it to the chain.
    fn load_for(&mut self, c: char, cluster: &str) -> Option<usize> {
        let candidates: Vec<(PathBuf, Option<u32>)> = match &mut self.more {
            More::Configured(pending) => {
                // load in list order up to the first that has it; the rest stay unloaded
                while let Some((path, index)) = pending.pop_front() {
                    if let Ok(face) = Face::load(&path, index) {
                        let has = face.has_all(cluster);
                        self.faces.push(Arc::new(face));
                        if has {
                            return Some(self.faces.len() - 1);
                        }
                    }
                }
                return None;
            }
            More::Discover => match fontconfig_candidates(c) {
                Some(list) => list,
                None => {
                    // no fontconfig (a container running the static binary): the known
                    // Debian paths, loaded in order like a configured list
                    self.more = More::Configured(
                        KNOWN_FALLBACKS
                            .iter()
                            .map(PathBuf::from)
                            .filter(|p| p.is_file())
                            .map(|p| (p, Some(0)))
                            .collect(),
                    );
                    return self.load_for(c, cluster);
                }
            },
        };
        for (path, index) in candidates {
            let key = (canonical(&path), index.unwrap_or(0));
            if self.seen.contains(&key) {
                continue;
            }
            self.seen.push(key);
            // only a font that has it is kept (its bytes live to the end of the process)
            if let Ok(Some(face)) = Face::load_covering(&path, index, Some(cluster)) {
                self.faces.push(Arc::new(face));
                return Some(self.faces.len() - 1);
            }
        }
        None
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `FILE#N` names face N of a collection.
fn split_index(path: &Path) -> (PathBuf, Option<u32>) {
    let s = path.to_string_lossy();
    if let Some((file, n)) = s.rsplit_once('#') {
        if let Ok(n) = n.parse::<u32>() {
            if !Path::new(file).as_os_str().is_empty() && !path.is_file() {
                return (PathBuf::from(file), Some(n));
            }
        }
    }
    (path.to_path_buf(), None)
}

/// Installed outline fonts that have `c`, best first: fontconfig's `fc-list :charset=…`, ranked
/// regular style, then Noto Sans (designed per script), then plain families (no UI, Mono,
/// Looped, Display, Condensed), then the shortest family name, then the path. None when
/// `fc-list` cannot be run.
fn fontconfig_candidates(c: char) -> Option<Vec<(PathBuf, Option<u32>)>> {
    let out = Command::new("fc-list")
        .arg("--format")
        .arg("%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n")
        // no colour fonts: their bitmap glyphs (Noto Color Emoji) would be drawn empty
        .arg(format!(":charset={:x}:scalable=true:color=false", c as u32))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // (not regular, not Noto Sans, not plain, family length, file) sorts best first
    type Rank = (bool, bool, bool, usize, String);
    let mut found: Vec<(Rank, PathBuf, u32)> = text
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let file = cells.next()?;
            let index = cells.next()?.parse::<u32>().ok()?;
            let family = cells.next().unwrap_or_default();
            let style = cells.next().unwrap_or_default();
            let regular = matches!(style, "Regular" | "Book" | "Normal" | "Roman");
            let noto = family.starts_with("Noto Sans") && !family.contains("Mono");
            let plain = !["UI", "Mono", "Looped", "Display", "Condensed", "Emoji"]
                .iter()
                .any(|w| family.split(' ').any(|f| f == *w));
            let rank = (!regular, !noto, !plain, family.len(), file.to_owned());
            Some((rank, PathBuf::from(file), index))
        })
        .collect();
    found.sort();
    Some(
        found
            .into_iter()
            .map(|(_, path, index)| (path, Some(index)))
            .collect(),
    )
}

/// A Debian package with a font that has `c`; None for private-use and control characters.
pub fn package_for(c: char) -> Option<&'static str> {
    Some(match c as u32 {
        0xE000..=0xF8FF | 0xF0000..=0x10FFFF => return None,
        _ if c.is_control() => return None,
        // Han extensions B and beyond (HanaMinB), and A (HanaMinA)
        0x20000..=0x3FFFF => "fonts-hanazono",
        0x3400..=0x4DBF => "fonts-noto-cjk or fonts-hanazono",
        0x2E80..=0x2FFF
        | 0x3000..=0x33FF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF => "fonts-noto-cjk",
        // outlines: a colour bitmap font (fonts-noto-color-emoji) cannot be drawn
        0x1F000..=0x1FAFF | 0x2600..=0x27BF => "fonts-symbola",
        _ => "fonts-noto-core",
    })
}

/// The face of a collection whose family name marks it Simplified Chinese (Noto Sans CJK SC),
/// so that shared Han code points take their mainland forms.
fn simplified_chinese_face(bytes: &[u8]) -> Option<u32> {
    (0..64u32)
        .map_while(|i| FontRef::from_index(bytes, i).ok().map(|f| (i, f)))
        .find(|(_, f)| {
            f.localized_strings(StringId::FAMILY_NAME)
                .english_or_first()
                .is_some_and(|name| {
                    let name = name.to_string();
                    name.ends_with(" SC") || name.contains(" SC ")
                })
        })
        .map(|(i, _)| i)
}
