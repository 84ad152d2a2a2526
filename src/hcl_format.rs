//! The `=` alignment of `terraform fmt`, applied to rendered HCL.
//!
//! Templates are written in canonical layout, but the width of keys such as tag names or
//! environment variables comes from the spec, so alignment can only be done after rendering.
//! This follows hclwrite's `formatCells`: a line is an "assignment" when its first lone `=`
//! (not `==`, `<=`, `>=`, `!=`, `=>`) is not its first token and everything after it opens no
//! bracket it does not close. Consecutive assignment lines form a chain; each chain's `=` signs
//! are aligned one space after its longest left-hand side. Any other line (blank, comment,
//! block header, closing brace, a multi-line value's first line) ends the chain. Heredoc bodies
//! are left untouched. hcl-rs does not do this, so it is done here, by hand.

/// One classified line: where its `=` is and how wide its left-hand side is.
struct Assign {
    /// Byte offset of the `=` in the line.
    eq: usize,
    /// Display width of the text before it, trailing spaces removed.
    lead_width: usize,
    lead_end: usize,
}

/// Re-aligns `=` in every chain of assignment lines of `text`. Trailing whitespace is removed.
pub fn align(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut classified: Vec<Option<Assign>> = Vec::with_capacity(lines.len());
    let mut openers: Vec<Option<Assign>> = Vec::with_capacity(lines.len());
    let mut heredoc_end: Option<String> = None;
    for line in &lines {
        if let Some(marker) = &heredoc_end {
            if line.trim() == marker {
                heredoc_end = None;
            }
            classified.push(None);
            openers.push(None);
            continue;
        }
        let scan = scan_line(line);
        heredoc_end = scan.heredoc;
        classified.push(scan.assign);
        openers.push(scan.opener);
    }

    // The width of each line's chain (0 outside chains), then one pass writing the output
    // into one buffer (files are rendered by the thousand; a string per line adds up).
    let mut widths = vec![0usize; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if classified[i].is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && classified[i].is_some() {
            i += 1;
        }
        let width = classified[start..i]
            .iter()
            .map(|a| a.as_ref().map_or(0, |a| a.lead_width))
            .max()
            .unwrap_or(0);
        widths[start..i].fill(width);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if let Some(a) = &classified[i] {
            out.push_str(&line[..a.lead_end]);
            for _ in 0..widths[i] - a.lead_width + 1 {
                out.push(' ');
            }
            out.push_str(line[a.eq..].trim_end());
        } else if let Some(a) = &openers[i] {
            out.push_str(&line[..a.lead_end]);
            out.push(' ');
            out.push_str(line[a.eq..].trim_end());
        } else {
            out.push_str(line.trim_end());
        }
    }
    out
}

struct LineScan {
    assign: Option<Assign>,
    /// A lone `=` whose value continues on later lines: not aligned, but spaced like any
    /// other token (one space before it).
    opener: Option<Assign>,
    /// The closing marker when the line opens a heredoc.
    heredoc: Option<String>,
}

fn scan_line(line: &str) -> LineScan {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut tokens_before = 0usize;
    let mut eq: Option<usize> = None;
    let mut net = 0i32;
    let mut heredoc = None;
    let mut in_token = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                // Skip the quoted string (with escapes and nested interpolations).
                i = skip_string(bytes, i + 1);
                tokens_before += 1;
                in_token = false;
                continue;
            }
            b'#' => break,
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                let rest = &line[i + 2..];
                let rest = rest.strip_prefix('-').unwrap_or(rest);
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !marker.is_empty() {
                    heredoc = Some(marker);
                    break;
                }
                i += 2;
                continue;
            }
            b'=' => {
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                let lone =
                    !matches!(prev, b'=' | b'!' | b'<' | b'>') && !matches!(next, b'=' | b'>');
                if lone && eq.is_none() && tokens_before > 0 {
                    eq = Some(i);
                    net = 0;
                } else if eq.is_none() {
                    tokens_before += 1;
                }
                in_token = false;
            }
            b'{' | b'[' | b'(' => {
                if eq.is_some() {
                    net += 1;
                } else {
                    tokens_before += 1;
                }
                in_token = false;
            }
            b'}' | b']' | b')' => {
                if eq.is_some() {
                    net -= 1;
                } else {
                    tokens_before += 1;
                }
                in_token = false;
            }
            b' ' | b'\t' => in_token = false,
            _ => {
                if !in_token && eq.is_none() {
                    tokens_before += 1;
                }
                in_token = true;
            }
        }
        i += 1;
    }
    let cell = eq.map(|eq| {
        let lead = line[..eq].trim_end();
        Assign {
            eq,
            lead_width: lead.chars().count(),
            lead_end: lead.len(),
        }
    });
    let (assign, opener) = if net == 0 { (cell, None) } else { (None, cell) };
    LineScan {
        assign,
        opener,
        heredoc,
    }
}

/// Index just after the closing quote of a string starting at `i` (after the opening quote).
pub(crate) fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                if i > 0 && bytes[i - 1] == bytes[i] {
                    // `$${` is an escaped literal, not an interpolation.
                } else {
                    depth += 1;
                    i += 1;
                }
            }
            b'"' if depth > 0 => {
                i = skip_string(bytes, i + 1);
                continue;
            }
            b'}' if depth > 0 => depth -= 1,
            b'"' => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn aligns_consecutive_assignments_only() {
        let input = "a = 1\nlonger_name = 2\n\nb = {\n  x = 1\n  yy = \"=\"\n}\n";
        let expected = "a           = 1\nlonger_name = 2\n\nb = {\n  x  = 1\n  yy = \"=\"\n}\n";
        assert_eq!(align(input), expected);
    }

    #[test]
    fn multi_line_values_and_operators_break_chains() {
        let input =
            "a = 1\nlist = [\n  1,\n]\ncond = a == b ? 1 : 2\nm = { for k, v in x : k => v }\n";
        let expected =
            "a = 1\nlist = [\n  1,\n]\ncond = a == b ? 1 : 2\nm    = { for k, v in x : k => v }\n";
        assert_eq!(align(input), expected);
    }

    #[test]
    fn strings_with_equals_and_interpolation_do_not_confuse_it() {
        let input = "\"a=b\" = \"${x == \"}\"}\"\nc = 2\n";
        let expected = "\"a=b\" = \"${x == \"}\"}\"\nc     = 2\n";
        assert_eq!(align(input), expected);
    }

    #[test]
    fn multi_line_openers_get_one_space() {
        assert_eq!(
            align("a    = 1\ntags      = {\n  k = 1\n}\n"),
            "a = 1\ntags = {\n  k = 1\n}\n"
        );
    }

    #[test]
    fn heredoc_bodies_are_untouched() {
        let input = "a = <<EOT\nx = 1\nEOT\nbb = 2\n";
        assert_eq!(align(input), input);
    }
}
