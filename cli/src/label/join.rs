//! One PDF from many: the labels of a batch are laid out in krilla documents of a few hundred
//! pages each ("parts"; krilla keeps every page of a document in memory until it is finished),
//! and each finished part is copied into the output file as it comes, its objects renumbered.
//! Only the page tree and the cross-reference table are written at the end, so memory stays
//! flat however many labels the batch has.
//!
//! This reads krilla's own output only (pdf-writer's layout: `N 0 obj … endobj` objects, one
//! classic cross-reference table, no object streams, stream lengths as direct integers), and
//! refuses anything else. Per part it keeps every object except the catalog, its XMP
//! metadata stream and the document information; the part's page tree becomes an
//! intermediate node under the one page tree of the output, so pages keep their order:
//!
//! ```text
//! 1 0 obj  << /Type /Pages /Count total /Kids [part nodes] >>    (written last)
//! 2 0 obj  << /Type /Catalog /Pages 1 0 R >>                      (written last)
//! part 1:  fonts, pages, content streams…, << /Type /Pages /Parent 1 0 R /Kids […] >>
//! part 2:  …
//! ```
//!
//! Each part embeds its own subset of the font (the glyphs its labels use): krilla numbers
//! the glyphs of a subset in the order they are first used, so subsets of different parts
//! cannot be shared without rewriting the content streams.

use std::io::{self, Write};

/// Object numbers the output reserves; the parts' objects follow.
const ROOT_PAGES: u32 = 1;
const CATALOG: u32 = 2;

/// The header krilla writes (PDF 1.7, binary marker), which the output keeps.
const HEADER: &[u8] = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n";

/// Why a part could not be joined.
#[derive(Debug)]
pub enum JoinError {
    /// Writing the output failed (disk full, …).
    Io(io::Error),
    /// The part is not laid out as krilla writes PDFs.
    Part(&'static str),
}

impl From<io::Error> for JoinError {
    fn from(e: io::Error) -> Self {
        JoinError::Io(e)
    }
}

/// A PDF being written to `W`, part by part.
pub struct Joiner<W: Write> {
    out: W,
    /// Bytes written so far: the offset of the next object.
    pos: u64,
    /// The byte offset of each object, by object number (0: the free-list head; 1 and 2 are
    /// filled in by `finish`).
    offsets: Vec<u64>,
    /// The page-tree node of each part, and its page count.
    nodes: Vec<(u32, usize)>,
    pages: usize,
    scratch: Vec<u8>,
}

impl<W: Write> Joiner<W> {
    /// Starts the output with the PDF header.
    pub fn new(out: W) -> Result<Self, JoinError> {
        let mut joiner = Joiner {
            out,
            pos: 0,
            offsets: vec![0; CATALOG as usize + 1],
            nodes: Vec::new(),
            pages: 0,
            scratch: Vec::new(),
        };
        joiner.put(HEADER)?;
        Ok(joiner)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// The next object number, at the current position.
    fn start_object(&mut self) -> Result<u32, JoinError> {
        let number =
            u32::try_from(self.offsets.len()).map_err(|_| JoinError::Part("too many objects"))?;
        self.offsets.push(self.pos);
        Ok(number)
    }

    /// Copies the pages of one finished krilla PDF (and the objects they use) to the output,
    /// after those of the parts before it; returns its page count.
    pub fn append(&mut self, part: &[u8]) -> Result<usize, JoinError> {
        if !part.starts_with(HEADER.get(..9).unwrap_or_default()) {
            return Err(JoinError::Part("not a PDF 1.7 file"));
        }
        let xref = Xref::parse(part).ok_or(JoinError::Part("no cross-reference table"))?;
        let root = ref_after(xref.trailer, b"/Root").ok_or(JoinError::Part("no /Root"))?;
        let info = ref_after(xref.trailer, b"/Info");
        let catalog = xref.body(part, root).ok_or(JoinError::Part("no catalog"))?;
        let tree = ref_after(catalog, b"/Pages").ok_or(JoinError::Part("no page tree"))?;
        let metadata = ref_after(catalog, b"/Metadata");
        let kids = refs(
            xref.body(part, tree)
                .ok_or(JoinError::Part("no page tree"))?,
        );
        if kids.is_empty() {
            return Err(JoinError::Part("no pages"));
        }

        // new numbers, in the order the objects are written
        let mut map = vec![0u32; xref.size];
        let mut next =
            u32::try_from(self.offsets.len()).map_err(|_| JoinError::Part("too many objects"))?;
        for &(_, number) in &xref.objects {
            let dropped = number == root || Some(number) == info || Some(number) == metadata;
            if let (false, Some(slot)) = (dropped, map.get_mut(number as usize)) {
                *slot = next;
                next = next
                    .checked_add(1)
                    .ok_or(JoinError::Part("too many objects"))?;
            }
        }
        let renumber = |old: u32| map.get(old as usize).copied().filter(|n| *n != 0);

        for (i, &(_, number)) in xref.objects.iter().enumerate() {
            let Some(new) = renumber(number) else {
                continue;
            };
            let body = xref
                .object(part, i)
                .ok_or(JoinError::Part("malformed object"))?;
            if self.start_object()? != new {
                return Err(JoinError::Part("objects out of order"));
            }
            let mut buf = std::mem::take(&mut self.scratch);
            buf.clear();
            buf.extend_from_slice(format!("{new} 0 obj\n").as_bytes());
            if number == tree {
                buf.extend_from_slice(
                    format!(
                        "<<\n  /Type /Pages\n  /Parent {ROOT_PAGES} 0 R\n  /Count {}\n  /Kids [",
                        kids.len()
                    )
                    .as_bytes(),
                );
                for (k, kid) in kids.iter().enumerate() {
                    let kid = renumber(*kid).ok_or(JoinError::Part("a page is missing"))?;
                    let sep = if k == 0 { "" } else { " " };
                    buf.extend_from_slice(format!("{sep}{kid} 0 R").as_bytes());
                }
                buf.extend_from_slice(b"]\n>>");
                self.nodes.push((new, kids.len()));
            } else {
                patch(body, &mut buf, &mut |old| renumber(old))
                    .ok_or(JoinError::Part("a reference to an object not in the part"))?;
            }
            buf.extend_from_slice(b"\nendobj\n\n");
            let result = self.put(&buf);
            self.scratch = buf;
            result?;
        }
        self.pages += kids.len();
        Ok(kids.len())
    }

    /// Writes the page tree, the catalog, the cross-reference table and the trailer; returns
    /// the writer (not flushed).
    pub fn finish(mut self) -> Result<W, JoinError> {
        let mut kids = String::new();
        for (i, (node, _)) in self.nodes.iter().enumerate() {
            kids.push_str(&format!("{}{node} 0 R", if i == 0 { "" } else { " " }));
        }
        let total: usize = self.nodes.iter().map(|(_, n)| n).sum();
        let at = self.pos;
        self.put(
            format!(
                "{ROOT_PAGES} 0 obj\n<<\n  /Type /Pages\n  /Count {total}\n  /Kids [{kids}]\n>>\nendobj\n\n"
            )
            .as_bytes(),
        )?;
        if let Some(slot) = self.offsets.get_mut(ROOT_PAGES as usize) {
            *slot = at;
        }
        let at = self.pos;
        self.put(
            format!(
                "{CATALOG} 0 obj\n<<\n  /Type /Catalog\n  /Pages {ROOT_PAGES} 0 R\n>>\nendobj\n\n"
            )
            .as_bytes(),
        )?;
        if let Some(slot) = self.offsets.get_mut(CATALOG as usize) {
            *slot = at;
        }

        let xref_at = self.pos;
        let size = self.offsets.len();
        let mut table = Vec::with_capacity(20 * size + 64);
        table.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f\r\n").as_bytes());
        for offset in self.offsets.iter().skip(1) {
            if *offset > 9_999_999_999 {
                return Err(JoinError::Part("output larger than 10 GB"));
            }
            table.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
        }
        table.extend_from_slice(
            format!(
                "trailer\n<<\n  /Size {size}\n  /Root {CATALOG} 0 R\n>>\nstartxref\n{xref_at}\n%%EOF\n"
            )
            .as_bytes(),
        );
        self.put(&table)?;
        Ok(self.out)
    }
}

/// The classic cross-reference table of a part: where each object starts.
struct Xref<'a> {
    /// (offset, object number) of each object in use, by offset.
    objects: Vec<(usize, u32)>,
    /// Where the table starts (the end of the last object).
    at: usize,
    /// `/Size`: one more than the highest object number.
    size: usize,
    trailer: &'a [u8],
}

impl<'a> Xref<'a> {
    fn parse(pdf: &'a [u8]) -> Option<Xref<'a>> {
        let start = rfind(pdf, b"startxref")?;
        let tail = pdf.get(start + b"startxref".len()..)?;
        let at: usize = number(trim_start(tail))?.0.try_into().ok()?;
        let table = pdf.get(at..start)?;
        let mut lines = table
            .split(|b| *b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        if lines.next()? != b"xref" {
            return None;
        }
        let mut objects = Vec::new();
        let mut size = 0usize;
        loop {
            let line = lines.next()?;
            if line.starts_with(b"trailer") {
                break;
            }
            // a subsection: first object number and count, then one line per object
            let (first, rest) = number(line)?;
            let (count, _) = number(trim_start(rest))?;
            for n in first..first.checked_add(count)? {
                let entry = lines.next()?;
                let (offset, rest) = number(entry)?;
                if entry.get(17) == Some(&b'n') || rest.trim_ascii_end().ends_with(b"n") {
                    objects.push((usize::try_from(offset).ok()?, u32::try_from(n).ok()?));
                }
                size = size.max(usize::try_from(n).ok()? + 1);
            }
        }
        let trailer_at = find(table, b"trailer")?;
        let trailer = table.get(trailer_at..)?;
        objects.sort_unstable();
        if objects.iter().any(|(offset, _)| *offset >= at) {
            return None;
        }
        Some(Xref {
            objects,
            at,
            size,
            trailer,
        })
    }

    /// The inside of the `i`th object (by offset): between `N 0 obj` and `endobj`.
    fn object(&self, pdf: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let (start, number) = *self.objects.get(i)?;
        let end = self.objects.get(i + 1).map_or(self.at, |(o, _)| *o);
        let slice = pdf.get(start..end)?;
        let head = format!("{number} 0 obj");
        let slice = trim_start(slice).strip_prefix(head.as_bytes())?;
        let tail = rfind(slice, b"endobj")?;
        Some(slice.get(..tail)?.trim_ascii())
    }

    /// The inside of object `number`.
    fn body(&self, pdf: &'a [u8], number: u32) -> Option<&'a [u8]> {
        let i = self.objects.iter().position(|(_, n)| *n == number)?;
        self.object(pdf, i)
    }
}

/// The indirect references in `body`, in order.
fn refs(body: &[u8]) -> Vec<u32> {
    let mut found = Vec::new();
    let mut sink = Vec::new();
    let _ = patch(body, &mut sink, &mut |r| {
        found.push(r);
        Some(r)
    });
    found
}

/// The object `key` refers to (`/Key N 0 R`) in a dictionary.
fn ref_after(dict: &[u8], key: &[u8]) -> Option<u32> {
    let mut from = 0;
    while let Some(i) = find(dict.get(from..)?, key) {
        let after = dict.get(from + i + key.len()..)?;
        // `/Pages` must not match `/PagesX`
        if after.first().is_some_and(|b| is_whitespace(*b)) {
            let (id, rest) = number(trim_start(after))?;
            let (_, rest) = number(trim_start(rest))?;
            return (trim_start(rest).first() == Some(&b'R'))
                .then(|| u32::try_from(id).ok())
                .flatten();
        }
        from += i + key.len();
    }
    None
}

/// Copies an object's inside to `out` with every indirect reference `N G R` renumbered by
/// `map` (None: a reference it does not know, the whole copy fails). Strings and comments
/// are skipped; a stream's data is copied as it is. After pdf-writer's `renumber`.
fn patch(body: &[u8], out: &mut Vec<u8>, map: &mut dyn FnMut(u32) -> Option<u32>) -> Option<()> {
    let mut written = 0;
    let mut seen = 0;
    while let Some(&byte) = body.get(seen) {
        match byte {
            b'R' => {
                let after = body.get(seen + 1).copied();
                if after.is_none_or(|b| is_whitespace(b) || is_delimiter(b)) {
                    if let Some((head, id, generation)) = reference_before(body.get(..seen)?) {
                        let new = map(id)?;
                        out.extend_from_slice(body.get(written..head)?);
                        out.extend_from_slice(format!("{new} {generation} R").as_bytes());
                        written = seen + 1;
                    }
                }
            }
            b'%' => {
                while body.get(seen).is_some_and(|b| *b != b'\n' && *b != b'\r') {
                    seen += 1;
                }
            }
            b'(' => {
                let mut depth = 0usize;
                while let Some(&b) = body.get(seen) {
                    match b {
                        b'(' => depth += 1,
                        b')' if depth <= 1 => break,
                        b')' => depth -= 1,
                        b'\\' => seen += 1,
                        _ => {}
                    }
                    seen += 1;
                }
            }
            b's' if body.get(seen..).is_some_and(|s| s.starts_with(b"stream"))
                && body
                    .get(..seen)
                    .is_some_and(|p| p.trim_ascii_end().ends_with(b">>")) =>
            {
                break;
            }
            _ => {}
        }
        seen += 1;
    }
    out.extend_from_slice(body.get(written..)?);
    Some(())
}

/// `N G` right before an `R`: (where `N` starts, N, G).
fn reference_before(prefix: &[u8]) -> Option<(usize, u32, u32)> {
    let (rest, generation) = number_rev(prefix.strip_suffix(b" ")?)?;
    let (rest, id) = number_rev(rest.strip_suffix(b" ")?)?;
    // the number must stand alone: `/F1 0 R` is no reference to object 1
    if rest
        .last()
        .is_some_and(|b| !is_whitespace(*b) && !is_delimiter(*b))
    {
        return None;
    }
    (id > 0).then_some((rest.len(), id, generation))
}

fn number_rev(s: &[u8]) -> Option<(&[u8], u32)> {
    let digits = s.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let (rest, n) = s.split_at(s.len() - digits);
    Some((rest, std::str::from_utf8(n).ok()?.parse().ok()?))
}

/// A leading unsigned decimal number and what follows it.
fn number(s: &[u8]) -> Option<(u64, &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 12 {
        return None;
    }
    let (n, rest) = s.split_at(digits);
    Some((std::str::from_utf8(n).ok()?.parse().ok()?, rest))
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| is_whitespace(**b)).count();
    s.get(n..).unwrap_or_default()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(labels: &[&str]) -> Vec<u8> {
        let mut doc = krilla::Document::new();
        let font = crate::label::font::LabelFont::find(None, None, &[]).unwrap();
        for text in labels {
            let mut page =
                doc.start_page_with(krilla::page::PageSettings::from_wh(200.0, 100.0).unwrap());
            let mut surface = page.surface();
            font.draw(&mut surface, 10.0, 40.0, 12.0, text);
            drop(surface);
            page.finish();
        }
        doc.finish().unwrap()
    }

    #[test]
    fn renumbers_references_but_not_look_alikes() {
        let mut out = Vec::new();
        let body = b"<<\n  /Font << /F1 0 R /f0 12 0 R >>\n  /Kids [3 0 R 4 0 R]\n  /T (5 0 R)\n>>";
        patch(body, &mut out, &mut |n| Some(n + 100)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<<\n  /Font << /F1 0 R /f0 112 0 R >>\n  /Kids [103 0 R 104 0 R]\n  /T (5 0 R)\n>>"
        );
        assert!(patch(b"<< /P 7 0 R >>", &mut Vec::new(), &mut |_| None).is_none());
    }

    #[test]
    fn stream_data_is_copied_as_it_is() {
        let mut out = Vec::new();
        let body = b"<<\n  /Length 9\n>>\nstream\n1 0 R 2 0\nendstream";
        patch(body, &mut out, &mut |n| Some(n + 1)).unwrap();
        assert_eq!(out, body);
    }

    #[test]
    fn finds_keys_whole() {
        let dict = b"<<\n  /PagesX 9 0 R\n  /Pages 1 0 R\n  /Metadata 14 0 R\n>>";
        assert_eq!(ref_after(dict, b"/Pages"), Some(1));
        assert_eq!(ref_after(dict, b"/Metadata"), Some(14));
        assert_eq!(ref_after(dict, b"/Info"), None);
    }

    #[test]
    fn joins_parts_in_order_under_one_page_tree() {
        let mut joiner = Joiner::new(Vec::new()).unwrap();
        assert_eq!(joiner.append(&render(&["一 one", "二 two"])).unwrap(), 2);
        assert_eq!(joiner.append(&render(&["三 three"])).unwrap(), 1);
        assert_eq!(joiner.pages, 3);
        let pdf = joiner.finish().unwrap();
        let xref = Xref::parse(&pdf).unwrap();
        assert_eq!(
            xref.size,
            xref.objects.len() + 1,
            "no gaps in the numbering"
        );
        assert_eq!(ref_after(xref.trailer, b"/Root"), Some(CATALOG));
        let root = xref.body(&pdf, ROOT_PAGES).unwrap();
        assert!(root.windows(8).any(|w| w == b"/Count 3"));
        let nodes = refs(root);
        assert_eq!(nodes.len(), 2);
        let pages: Vec<u32> = nodes
            .iter()
            .flat_map(|n| refs(xref.body(&pdf, *n).unwrap()).into_iter().skip(1))
            .collect();
        assert_eq!(pages.len(), 3);
        for (page, node) in pages.iter().zip([nodes[0], nodes[0], nodes[1]]) {
            let body = xref.body(&pdf, *page).unwrap();
            assert_eq!(ref_after(body, b"/Parent"), Some(node));
        }
        // every object's offset points at its own header
        for (offset, n) in &xref.objects {
            assert!(pdf[*offset..].starts_with(format!("{n} 0 obj").as_bytes()));
        }
        // no catalog or XMP metadata of a part is left
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(text.matches("/Type /Catalog").count(), 1);
        assert!(!text.contains("/Type /Metadata"));
    }

    #[test]
    fn refuses_what_krilla_does_not_write() {
        let mut joiner = Joiner::new(Vec::new()).unwrap();
        assert!(matches!(
            joiner.append(b"%PDF-1.4\n"),
            Err(JoinError::Part("not a PDF 1.7 file"))
        ));
        let mut cut = render(&["x"]);
        cut.truncate(cut.len() / 2);
        assert!(matches!(joiner.append(&cut), Err(JoinError::Part(_))));
        assert_eq!(joiner.pages, 0);
    }
}
