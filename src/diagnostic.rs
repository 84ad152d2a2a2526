//! Spec errors that point at the place in the file they come from.
//!
//! Rendered like a compiler error:
//!
//! ```text
//! error: team-task.yaml:14:5: environments.production.network.public_subnets: the ALB needs ...
//!    |
//! 14 |     public_subnets: 1
//!    |     ^
//!    = hint: ...
//! ```

use std::fmt;

/// A position in the spec file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Field path such as `environments.production.network.azs` (empty for whole-file errors).
    pub field: String,
    pub position: Option<Position>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            field: field.into(),
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Every problem found in one spec file, with the file's text so each can show its line.
#[derive(Debug, Clone)]
pub struct SpecErrors {
    /// The spec path as the user gave it.
    pub file: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecErrors {
    pub fn new(
        file: impl Into<String>,
        source: impl Into<String>,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        let mut diagnostics = diagnostics;
        // Report in file order so the output reads top to bottom; unlocated ones last.
        diagnostics.sort_by_key(|d| (d.position.is_none(), d.position, d.field.clone()));
        diagnostics.dedup();
        SpecErrors {
            file: file.into(),
            source: source.into(),
            diagnostics,
        }
    }

    fn render_one(&self, d: &Diagnostic, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = match d.position {
            Some(p) => format!("{}:{}:{}", self.file, p.line, p.column),
            None => self.file.clone(),
        };
        if d.field.is_empty() {
            writeln!(out, "error: {location}: {}", d.message)?;
        } else {
            writeln!(out, "error: {location}: {}: {}", d.field, d.message)?;
        }
        if let Some(p) = d.position
            && let Some(line) = self.source.lines().nth(p.line.saturating_sub(1))
        {
            let number = p.line.to_string();
            let gutter = " ".repeat(number.len());
            // Long or binary-looking lines are cut so a hostile file cannot flood the terminal.
            let shown: String = line.chars().take(200).collect();
            let caret_pad: String = shown
                .chars()
                .take(p.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(out, "{gutter} |")?;
            writeln!(out, "{number} | {shown}")?;
            writeln!(out, "{gutter} | {caret_pad}^")?;
        }
        if let Some(hint) = &d.hint {
            writeln!(out, "  = hint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            self.render_one(d, out)?;
        }
        let n = self.diagnostics.len();
        write!(
            out,
            "{}: {n} error{} in spec; nothing was written",
            self.file,
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for SpecErrors {}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_caret_and_hint() {
        let src = "project: x\nstate:\n  bukcet: b\n";
        let d = Diagnostic::new("state.bukcet", "unknown field")
            .at(Some(Position { line: 3, column: 3 }))
            .with_hint("did you mean `bucket`?");
        let text = SpecErrors::new("s.yaml", src, vec![d]).to_string();
        assert_eq!(
            text,
            "error: s.yaml:3:3: state.bukcet: unknown field\n  |\n3 |   bukcet: b\n  |   ^\n  = hint: did you mean `bucket`?\ns.yaml: 1 error in spec; nothing was written"
        );
    }

    #[test]
    fn suggests_only_close_words() {
        assert_eq!(did_you_mean("bukcet", ["bucket", "region"]), Some("bucket"));
        assert_eq!(did_you_mean("zzz", ["bucket", "region"]), None);
    }
}
