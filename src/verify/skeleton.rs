//! The skeleton of an HCL text: what is left when the plain text inside quoted strings and
//! `#` comments is blotted out. Two texts with the same skeleton parse alike, so parsing one of
//! them back answers for all (500 environments' `terragrunt.hcl` of one unit differ only in
//! names inside strings and comments).
//!
//! Why that holds (hcl-edit's grammar, `parser/string.rs` and `parser/trivia.rs`):
//! - a quoted string's literal text ends only at `"`, `\`, `${`, `%{`, or the `$${`/`%%{`
//!   escapes; any run of printable ASCII without `"`, `\`, `$`, `%`, `{`, `}` is one literal
//!   fragment however it is spelled, and replacing it by another such run (never by nothing:
//!   each run becomes one [`RUN`] mark) cannot start or end anything;
//! - a `#` comment runs to the end of its line whatever it holds; a run of printable ASCII in
//!   it is only that.
//!
//! What the scanner does not model exactly, it gives up on (`None`: the text is parsed on its
//! own): heredocs, `/* */` comments, `$$`/`%%` in strings, a NUL byte (the mark itself), an
//! unterminated string or unbalanced braces. Everything outside a run is kept byte for byte, so
//! the scanner's state at every point is the same in two texts of one skeleton; the only claim
//! that rests on the scanner is that where it blots a run, hcl-edit is inside a string literal
//! or a `#` comment too, and the only places either can start are the `"` and `#` the scanner
//! sees outside strings and comments.

/// What a blotted run becomes (a byte no text may hold: see [`skeleton`]).
const RUN: char = '\0';

/// Where the scanner is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Expression syntax: at the top level, or inside `${ }` / `%{ }` (with the depth of `{`
    /// opened inside it, so the right `}` ends it).
    Code { depth: usize },
    /// The literal text of a quoted string.
    Str,
}

/// What a blotted run was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Run {
    /// Plain text of a quoted string (see [`string_safe`]).
    Str,
    /// Text of a `#` comment (see [`comment_safe`]).
    Comment,
}

/// The skeleton of `text`, or `None` when it uses something the scanner does not model.
pub fn skeleton(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() / 2);
    // Start of the text kept since the last run (copied in slices, not byte by byte).
    let mut kept = 0;
    scan(text, |_, from, to| {
        out.push_str(&text[kept..from]);
        out.push(RUN);
        kept = to;
    })?;
    out.push_str(&text[kept..]);
    Some(out)
}

/// Calls `blot(kind, from, to)` for each run of `text` to blot, in order; `None` (having
/// called it for some) when `text` uses something the scanner does not model.
pub(super) fn scan(text: &str, mut blot: impl FnMut(Run, usize, usize)) -> Option<()> {
    if text.contains(RUN) {
        return None;
    }
    let bytes = text.as_bytes();
    // Places entered and not yet left; the top-level code is the bottom.
    let mut stack = vec![Place::Code { depth: 0 }];
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match *stack.last()? {
            Place::Str => match b {
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'\\' => {
                    // The escape is kept as it is: the escaped character, and the hex digits
                    // of `\u` (4) and `\U` (8), as many as hcl-edit reads.
                    let digits = match bytes.get(i + 1) {
                        Some(b'u') => 4,
                        Some(b'U') => 8,
                        _ => 0,
                    };
                    i += 2;
                    let hex = bytes.get(i..)?.iter().take(digits);
                    i += hex.take_while(|b| b.is_ascii_hexdigit()).count();
                }
                b'$' | b'%' => match bytes.get(i + 1) {
                    Some(b'{') => {
                        stack.push(Place::Code { depth: 0 });
                        i += 2;
                    }
                    Some(b'$' | b'%') => return None,
                    _ => i += 1,
                },
                b'\n' | b'\r' => return None,
                _ if string_safe(b) => {
                    let end = run_end(bytes, i, string_safe);
                    blot(Run::Str, i, end);
                    i = end;
                }
                _ => i += 1,
            },
            Place::Code { depth } => match b {
                b'"' => {
                    stack.push(Place::Str);
                    i += 1;
                }
                b'#' => {
                    i += 1;
                    let end = run_end(bytes, i, comment_safe);
                    if end > i {
                        blot(Run::Comment, i, end);
                    }
                    // Whatever else the line holds is kept, up to its end.
                    i = line_end(bytes, end);
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
                b'/' if bytes.get(i + 1) == Some(&b'*') => return None,
                b'<' if bytes.get(i + 1) == Some(&b'<') => return None,
                b'{' => {
                    set_depth(&mut stack, depth + 1);
                    i += 1;
                }
                b'}' => {
                    if depth > 0 {
                        set_depth(&mut stack, depth - 1);
                    } else if stack.len() > 1 {
                        // The end of an interpolation or directive: back in its string.
                        stack.pop();
                    }
                    i += 1;
                }
                _ => i += 1,
            },
        }
    }
    (stack.len() == 1).then_some(())
}

fn set_depth(stack: &mut [Place], depth: usize) {
    if let Some(top) = stack.last_mut() {
        *top = Place::Code { depth };
    }
}

/// Printable ASCII that is plain literal text in a quoted string, wherever it stands.
pub(super) fn string_safe(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'$' | b'%' | b'{' | b'}')
}

/// Printable ASCII (comment text ends only at a line end).
pub(super) fn comment_safe(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

fn run_end(bytes: &[u8], from: usize, safe: fn(u8) -> bool) -> usize {
    from + bytes[from..].iter().take_while(|b| safe(**b)).count()
}

/// Index of the `\n` ending the line that `from` is on (or the end of the text).
fn line_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len() - from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_strings_and_comments_are_blotted_and_nothing_else() {
        let a = "# env-001 settings\nlocals {\n  name = \"team-env-001\" # x\n  n    = 1\n}\n";
        let b = "# env-002 settings, longer\nlocals {\n  name = \"t-2\" # y\n  n    = 1\n}\n";
        assert_eq!(skeleton(a), skeleton(b));
        assert_eq!(
            skeleton(a).unwrap(),
            "#\0\nlocals {\n  name = \"\0\" #\0\n  n    = 1\n}\n"
        );
        // Anything outside strings and comments counts.
        assert_ne!(skeleton(a), skeleton(&a.replace("n    = 1", "n    = 2")));
        assert_ne!(skeleton(a), skeleton(&a.replace("locals", "local")));
    }

    #[test]
    fn interpolations_escapes_and_empty_strings_are_kept() {
        let a = r#"a = "x-${var.env}-${ {b = "c"}["b"] }-\u00e9\n" "#;
        let s = skeleton(a).unwrap();
        assert_eq!(
            s,
            "a = \"\0${var.env}\0${ {b = \"\0\"}[\"\0\"] }\0\\u00e9\\n\" "
        );
        // An empty string is not a blotted one: `"$"` + `{` differs from `"${`.
        assert_ne!(skeleton(r#"a = """#), skeleton(r#"a = "x""#));
        assert_eq!(skeleton(r#"a = "$ {""#).unwrap(), "a = \"$\0{\"");
        assert_eq!(
            skeleton("a = \"%{ if x }y%{ endif }\"\n").unwrap(),
            "a = \"%{ if x }\0%{ endif }\"\n"
        );
    }

    #[test]
    fn what_is_not_modelled_is_given_up() {
        for text in [
            "a = <<EOF\nx\nEOF\n",
            "/* c */\na = 1\n",
            "a = \"$${x}\"\n",
            "a = \"%%{x}\"\n",
            "a = \"x\n",
            "a = \"x\ny\"\n",
            "a = \"${x\"\n",
            "a = \"\0\"\n",
        ] {
            assert_eq!(skeleton(text), None, "{text:?}");
        }
        assert!(skeleton("a = b // c \"d\n").is_some());
    }
}
