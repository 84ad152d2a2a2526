//! The "shape" of an HCL text: the text with the content of every plain quoted string taken
//! out, so that texts differing only in such strings (an environment's name in the same unit
//! file of 500 environments) can share one parse.
//!
//! Why one parse then speaks for all: a plain string's content is printable ASCII without `"`,
//! `\`, `$`, `%`, `{` or `}`, so inside quotes it is literal text whatever it says; HCL reads
//! `"` + plain + `"` as one string literal, and putting other plain text between the same two
//! quotes changes that literal's value and nothing else. Two texts with equal shapes are equal
//! outside their masked contents, and their masked contents sit between corresponding quotes
//! (the scan below is a deterministic walk whose path does not depend on plain bytes). So
//! once hcl-edit has parsed one text of a shape, and its own spans show that every masked
//! range is the whole content of a quoted string literal ([`confirm`]), every other text of the
//! same shape parses too. The scan itself need not know HCL perfectly: where it is wrong
//! (a quote in a heredoc or comment taken for a string), [`confirm`] does not hold, and each
//! text of that shape is parsed on its own.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::visit::{self, Visit};

/// Stands for a masked string content in a shape. A text holding it is never shaped.
const MASK: u8 = 0;

/// Whether `b` may appear in a plain string: printable ASCII that starts no escape, no
/// template sequence and no nesting.
fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'$' | b'%' | b'{' | b'}')
}

/// A text's shape, and where in the text its masked contents were.
#[derive(Debug, Default)]
pub struct Shape {
    pub bytes: Vec<u8>,
    pub masked: Vec<Range<usize>>,
}

/// Writes the shape of `text` into `shape` (reused between texts); `false` when the text
/// has no shape (it holds a NUL byte, which stands for masked content).
pub fn shape_into(text: &str, shape: &mut Shape) -> bool {
    shape.bytes.clear();
    shape.masked.clear();
    let bytes = text.as_bytes();
    if bytes.contains(&MASK) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let verbatim_to = match bytes[i] {
            b'"' => {
                let start = i + 1;
                let end = start + bytes[start..].iter().take_while(|b| is_plain(**b)).count();
                if bytes.get(end) == Some(&b'"') {
                    shape.bytes.extend_from_slice(&[b'"', MASK, b'"']);
                    shape.masked.push(start..end);
                    i = end + 1;
                    continue;
                }
                crate::hcl_format::skip_string(bytes, start)
            }
            b'#' => line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                find(bytes, i + 2, b"*/").map_or(bytes.len(), |at| at + 2)
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => heredoc_end(bytes, i).unwrap_or(i + 2),
            // Up to the next byte that may start a string, a comment or a heredoc.
            _ => bytes[i + 1..]
                .iter()
                .position(|b| matches!(b, b'"' | b'#' | b'/' | b'<'))
                .map_or(bytes.len(), |at| i + 1 + at),
        };
        let verbatim_to = verbatim_to.clamp(i + 1, bytes.len());
        shape.bytes.extend_from_slice(&bytes[i..verbatim_to]);
        i = verbatim_to;
    }
    true
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    find(bytes, from, b"\n").unwrap_or(bytes.len())
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

/// The end of the heredoc opening at `at` (`<<EOT` or `<<-EOT`): just after its closing line.
fn heredoc_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 2;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    let marker_len = bytes[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if marker_len == 0 {
        return None;
    }
    let marker = &bytes[i..i + marker_len];
    let mut line_start = line_end(bytes, i) + 1;
    while line_start < bytes.len() {
        let end = line_end(bytes, line_start);
        if bytes[line_start..end].trim_ascii() == marker {
            return Some(end);
        }
        line_start = end + 1;
    }
    Some(bytes.len())
}

/// Whether every masked range of `shape` (made from `text`) is the whole content of a quoted
/// string literal in `body`, the parse of `text`.
pub fn confirm(text: &str, body: &hcl_edit::structure::Body, shape: &Shape) -> bool {
    let mut strings = StringContents {
        text: text.as_bytes(),
        ranges: Vec::new(),
        unknown: false,
    };
    strings.visit_body(body);
    if strings.unknown {
        return false;
    }
    strings.ranges.sort_unstable_by_key(|r| r.start);
    shape.masked.iter().all(|masked| {
        strings
            .ranges
            .binary_search_by_key(&masked.start, |r| r.start)
            .is_ok_and(|at| strings.ranges[at] == *masked)
    })
}

/// The contents (between the quotes) of the quoted string literals of a parse.
struct StringContents<'a> {
    text: &'a [u8],
    ranges: Vec<Range<usize>>,
    /// A string literal without a span: nothing can be confirmed.
    unknown: bool,
}

impl Visit for StringContents<'_> {
    fn visit_string(&mut self, node: &hcl_edit::Decorated<String>) {
        match node.span() {
            Some(span)
                if span.end >= span.start + 2
                    && self.text.get(span.start) == Some(&b'"')
                    && self.text.get(span.end - 1) == Some(&b'"') =>
            {
                self.ranges.push(span.start + 1..span.end - 1);
            }
            _ => self.unknown = true,
        }
    }

    fn visit_body(&mut self, node: &hcl_edit::structure::Body) {
        visit::visit_body(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Shape {
        let mut shape = Shape::default();
        assert!(shape_into(text, &mut shape));
        shape
    }

    fn confirmed(text: &str) -> bool {
        let body = hcl_edit::parser::parse_body(text).expect("test text parses");
        confirm(text, &body, &shape(text))
    }

    #[test]
    fn plain_string_contents_are_masked_and_the_rest_is_kept() {
        let a = shape("name = \"team-env-001\"\ntags = { Env = \"a b\" }\n");
        let b = shape("name = \"x\"\ntags = { Env = \"other/value:1\" }\n");
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.masked, vec![8..20, 38..41]);
        // Not plain: kept whole, so texts differing there have different shapes.
        for (x, y) in [
            ("a = \"${b}\"\n", "a = \"${c}\"\n"),
            ("a = \"x\\\"\"\n", "a = \"y\\\"\"\n"),
            ("a = \"100%\"\n", "a = \"99%\"\n"),
            ("a = \"{x}\"\n", "a = \"{y}\"\n"),
            ("a = \"é\"\n", "a = \"è\"\n"),
            ("a = \"x\"\n", "b = \"x\"\n"),
        ] {
            assert_ne!(shape(x).bytes, shape(y).bytes, "{x} / {y}");
        }
        // A text holding the mask byte has no shape.
        assert!(!shape_into("a = \"\0\"\n", &mut Shape::default()));
    }

    #[test]
    fn comments_and_heredocs_are_kept_verbatim() {
        let text = "# \"a\"\n// \"b\"\n/* \"c\" */\nx = <<EOT\n\"d\"\nEOT\ny = \"e\"\n";
        let s = shape(text);
        assert_eq!(s.masked.len(), 1, "only \"e\" is a string: {:?}", s.masked);
        assert!(confirmed(text));
    }

    #[test]
    fn the_parser_confirms_strings_everywhere_they_occur() {
        let text = concat!(
            "block \"label\" \"other\" {\n",
            "  a = [\"x\", \"y\"]\n",
            "  b = { \"quoted key\" = f(\"arg\", 1) }\n",
            "  c = cond ? \"yes\" : \"no\"\n",
            "  d = \"${var.x}-\\\"q\\\"\"\n",
            "  e = [for s in [\"p\"] : s]\n",
            "  f = local.m[\"k\"]\n",
            "}\n",
        );
        assert!(confirmed(text));
        assert!(shape(text).masked.len() >= 10);
    }

    #[test]
    fn a_range_the_parser_does_not_read_as_a_string_is_not_confirmed() {
        // A quote inside a heredoc whose marker the scan does not recognise.
        let text = "x = <<EOT\nEOTX \"s\"\nEOT\n";
        let body = hcl_edit::parser::parse_body(text).unwrap();
        let fake = Shape {
            bytes: Vec::new(),
            masked: std::iter::once(15..16).collect(),
        };
        assert!(!confirm(text, &body, &fake));
    }
}
