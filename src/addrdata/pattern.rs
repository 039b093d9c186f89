//! Whole-string matching of the postal-code patterns in libaddressinput's data (`zip`): the
//! regular-expression subset they use (literals, `\d`, `\b`, `^`, `$`, classes with ranges,
//! groups, `(?:…)`, `|`, and the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`). A
//! backtracking matcher over characters: the patterns are short and fixed (pinned by hash), the
//! values at most 12 characters, so no regex crate in the browser module. `tests/data.rs`
//! checks it against the `regex` crate on every pattern in the data.

/// Whether `pattern` matches the whole of `value`. A pattern outside the subset matches
/// nothing (`None` from [`compile`]), so bad data refuses codes instead of accepting them.
pub fn matches_whole(pattern: &str, value: &str) -> Option<bool> {
    let node = compile(pattern)?;
    let chars: Vec<char> = value.chars().collect();
    let mut steps = 0usize;
    Some(m(&node, &chars, 0, &mut steps, &mut |i, _| {
        i == chars.len()
    }))
}

#[derive(Debug)]
enum Node {
    Char(char),
    Class(Vec<(char, char)>, bool),
    Digit,
    Start,
    End,
    WordBoundary,
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, usize, usize),
}

fn compile(pattern: &str) -> Option<Node> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let node = alt(&chars, &mut i, 0)?;
    (i == chars.len()).then_some(node)
}

fn alt(p: &[char], i: &mut usize, depth: usize) -> Option<Node> {
    if depth > 16 {
        return None;
    }
    let mut branches = vec![seq(p, i, depth)?];
    while p.get(*i) == Some(&'|') {
        *i += 1;
        branches.push(seq(p, i, depth)?);
    }
    Some(if branches.len() == 1 {
        branches.pop()?
    } else {
        Node::Alt(branches)
    })
}

fn seq(p: &[char], i: &mut usize, depth: usize) -> Option<Node> {
    let mut items = Vec::new();
    while let Some(&c) = p.get(*i) {
        let atom = match c {
            '|' | ')' => break,
            '(' => {
                *i += 1;
                if p.get(*i) == Some(&'?') {
                    if p.get(*i + 1) != Some(&':') {
                        return None;
                    }
                    *i += 2;
                }
                let inner = alt(p, i, depth + 1)?;
                if p.get(*i) != Some(&')') {
                    return None;
                }
                *i += 1;
                inner
            }
            '[' => class(p, i)?,
            '\\' => {
                let e = *p.get(*i + 1)?;
                *i += 2;
                match e {
                    'd' => Node::Digit,
                    'b' => Node::WordBoundary,
                    c if c.is_ascii_alphanumeric() => return None,
                    c => Node::Char(c),
                }
            }
            '^' => {
                *i += 1;
                Node::Start
            }
            '$' => {
                *i += 1;
                Node::End
            }
            '.' | '*' | '+' | '?' | '{' | '}' | ']' => return None,
            c => {
                *i += 1;
                Node::Char(c)
            }
        };
        items.push(quantified(p, i, atom)?);
    }
    Some(Node::Seq(items))
}

fn quantified(p: &[char], i: &mut usize, atom: Node) -> Option<Node> {
    let (lo, hi) = match p.get(*i) {
        Some('?') => (0, 1),
        Some('*') => (0, usize::MAX),
        Some('+') => (1, usize::MAX),
        Some('{') => {
            let close = p.get(*i..)?.iter().position(|&c| c == '}')? + *i;
            let body: String = p.get(*i + 1..close)?.iter().collect();
            *i = close;
            let num = |s: &str| s.parse::<usize>().ok().filter(|n| *n <= 64);
            match body.split_once(',') {
                None => {
                    let n = num(&body)?;
                    (n, n)
                }
                Some((a, "")) => (num(a)?, usize::MAX),
                Some((a, b)) => (num(a)?, num(b)?),
            }
        }
        _ => return Some(atom),
    };
    *i += 1;
    if lo > hi || matches!(p.get(*i), Some('?' | '*' | '+' | '{')) {
        return None;
    }
    Some(Node::Repeat(Box::new(atom), lo, hi))
}

fn class(p: &[char], i: &mut usize) -> Option<Node> {
    *i += 1;
    let negated = p.get(*i) == Some(&'^');
    if negated {
        *i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *p.get(*i)?;
        if c == ']' && !first {
            *i += 1;
            return Some(Node::Class(ranges, negated));
        }
        first = false;
        let lo = if c == '\\' {
            let e = *p.get(*i + 1)?;
            *i += 2;
            if e == 'd' {
                ranges.push(('0', '9'));
                continue;
            }
            if e.is_ascii_alphanumeric() {
                return None;
            }
            e
        } else {
            *i += 1;
            c
        };
        if p.get(*i) == Some(&'-') && p.get(*i + 1).is_some_and(|&n| n != ']') {
            let hi = *p.get(*i + 1)?;
            if hi == '\\' || hi < lo {
                return None;
            }
            *i += 2;
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
}

/// Continuation-passing backtracking: `k(next, steps)` is called at every position where
/// `node` can end. Bounded by a step budget, so no input can make it run long.
fn m(
    node: &Node,
    s: &[char],
    i: usize,
    steps: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    *steps += 1;
    if *steps > 100_000 {
        return false;
    }
    match node {
        Node::Char(c) => s.get(i) == Some(c) && k(i + 1, steps),
        Node::Digit => s.get(i).is_some_and(char::is_ascii_digit) && k(i + 1, steps),
        Node::Class(ranges, negated) => {
            s.get(i)
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| (lo..=hi).contains(&c)) != *negated)
                && k(i + 1, steps)
        }
        Node::Start => i == 0 && k(i, steps),
        Node::End => i == s.len() && k(i, steps),
        Node::WordBoundary => {
            let before = i.checked_sub(1).and_then(|j| s.get(j));
            is_word(before) != is_word(s.get(i)) && k(i, steps)
        }
        Node::Seq(items) => seq_from(items, s, i, steps, k),
        Node::Alt(branches) => branches.iter().any(|b| m(b, s, i, steps, k)),
        Node::Repeat(inner, lo, hi) => repeat(inner, *lo, *hi, s, i, steps, k),
    }
}

fn seq_from(
    items: &[Node],
    s: &[char],
    i: usize,
    steps: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    match items.split_first() {
        None => k(i, steps),
        Some((first, rest)) => m(first, s, i, steps, &mut |j, st| seq_from(rest, s, j, st, k)),
    }
}

fn repeat(
    inner: &Node,
    lo: usize,
    hi: usize,
    s: &[char],
    i: usize,
    steps: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    // greedy: one more first, then stop (an empty iteration ends the loop)
    if hi > 0
        && m(inner, s, i, steps, &mut |j, st| {
            j > i && repeat(inner, lo.saturating_sub(1), hi - 1, s, j, st, k)
        })
    {
        return true;
    }
    lo == 0 && k(i, steps)
}

#[cfg(test)]
mod tests {
    use super::matches_whole;

    #[test]
    fn the_subset() {
        let t = |p: &str, v: &str| matches_whole(p, v);
        assert_eq!(t(r"\d{5}", "12345"), Some(true));
        assert_eq!(t(r"\d{5}", "1234"), Some(false));
        assert_eq!(t(r"\d{5}", "123456"), Some(false));
        assert_eq!(t(r"(\d{5})(?:[ \-](\d{4}))?", "12345-6789"), Some(true));
        assert_eq!(t(r"(\d{5})(?:[ \-](\d{4}))?", "12345 678"), Some(false));
        assert_eq!(
            t(r"[1-9]\d{3} ?(?:[A-RT-Z][A-Z]|S[BCE-RT-Z])", "1234 AB"),
            Some(true)
        );
        assert_eq!(
            t(r"[1-9]\d{3} ?(?:[A-RT-Z][A-Z]|S[BCE-RT-Z])", "1234SA"),
            Some(false)
        );
        assert_eq!(
            t(r"(?:^|\b)(?:1[0-2]|[1-9])\d{2}(?:$|\b)", "123"),
            Some(true)
        );
        assert_eq!(t(r"GIR ?0AA|BFPO ?\d{1,4}", "BFPO 12"), Some(true));
        assert_eq!(t(r"a+b*c", "aaac"), Some(true));
        assert_eq!(t(r"[^0-9]{2,}", "ab"), Some(true));
        for bad in ["(", "[a", r"\w", "a{2", "a**", ".", "[z-a]", "a{3,1}"] {
            assert_eq!(t(bad, "a"), None, "{bad}");
        }
        // catastrophic patterns stop at the step budget instead of running long
        assert_eq!(t("(a*)*b", &"a".repeat(40)), Some(false));
    }
}
