//! The font a PDF label is set in: `--font`, else `$SEALPOST_LABEL_FONT`, else the first
//! CJK-capable system font found. Every character is checked against the font's character map
//! before anything is drawn, so a label never shows a missing-glyph box (tofu).

use std::path::{Path, PathBuf};

use skrifa::{
    instance::{LocationRef, Size},
    string::StringId,
    FontRef, MetadataProvider,
};

use crate::error::{CliError, Code, Result};

/// Environment variable naming the label font.
pub const ENV_FONT: &str = "SEALPOST_LABEL_FONT";

/// Looked up in this order when neither `--font` nor `$SEALPOST_LABEL_FONT` is given. Debian:
/// `fonts-noto-cjk`, `fonts-wqy-microhei`, `fonts-wqy-zenhei`.
pub const SYSTEM_FONTS: [&str; 5] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// A font file and the face of it that is used.
#[derive(Clone)]
pub struct LabelFont {
    pub path: PathBuf,
    pub index: u32,
    pub data: krilla::Data,
    /// The face, for krilla.
    pub pdf: krilla::text::Font,
}

impl std::fmt::Debug for LabelFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelFont")
            .field("path", &self.path)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

fn unusable(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::new(Code::FontUnusable, format!("{}: {why}", path.display()))
        .hint("pass --font with a TrueType/OpenType font (or .ttc collection) that covers Chinese")
}

impl LabelFont {
    /// `--font` (with `--font-index`), else `$SEALPOST_LABEL_FONT`, else [`SYSTEM_FONTS`].
    pub fn find(arg: Option<&Path>, index: Option<u32>) -> Result<LabelFont> {
        let env = std::env::var_os(ENV_FONT)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        if let Some(path) = arg.map(Path::to_path_buf).or(env) {
            return LabelFont::load(&path, index);
        }
        match SYSTEM_FONTS.iter().map(Path::new).find(|p| p.is_file()) {
            Some(path) => LabelFont::load(path, None),
            None => Err(CliError::new(Code::FontUnavailable, "no font for Chinese text was found")
            .hint(format!(
                "install Debian's fonts-noto-cjk (looked for {}), or pass --font FILE / set ${ENV_FONT}",
                SYSTEM_FONTS.join(", ")
            ))),
        }
    }

    pub fn load(path: &Path, index: Option<u32>) -> Result<LabelFont> {
        let bytes = std::fs::read(path).map_err(|e| {
            CliError::io(Code::FontUnavailable, path, &e).hint(format!(
                "pass --font FILE or set ${ENV_FONT} to a font that exists"
            ))
        })?;
        let index = match index {
            Some(i) => i,
            None => simplified_chinese_face(&bytes).unwrap_or(0),
        };
        FontRef::from_index(&bytes, index)
            .map_err(|e| unusable(path, format_args!("face {index}: {e}")))?;
        let data = krilla::Data::from(bytes);
        let pdf = krilla::text::Font::new(data.clone(), index)
            .ok_or_else(|| unusable(path, format_args!("face {index} cannot be embedded")))?;
        Ok(LabelFont {
            path: path.to_path_buf(),
            index,
            data,
            pdf,
        })
    }

    fn face(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(self.data.as_ref(), self.index).ok()
    }

    /// The first character of `text` the font has no glyph for.
    pub fn missing(&self, text: &str) -> Option<char> {
        let Some(face) = self.face() else {
            return text.chars().next();
        };
        let charmap = face.charmap();
        text.chars()
            .filter(|c| !c.is_whitespace())
            .find(|c| charmap.map(*c).is_none_or(|g| g.to_u32() == 0))
    }

    /// Width of `text` at `size` points (no kerning: what krilla's simple text draws).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let Some(face) = self.face() else {
            return 0.0;
        };
        let charmap = face.charmap();
        let metrics = face.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size)
            })
            .sum()
    }
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
