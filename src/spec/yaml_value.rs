//! The spec's YAML read into serde_yaml's `Value` in one pass of yaml-rust2, the same pass
//! that guards against deep nesting.
//!
//! libyaml (under serde_yaml) takes time growing with the square of the nesting depth, so every
//! spec is first read by yaml-rust2 to refuse deep input. Reading it a second time with
//! serde_yaml cost three times that first pass (25 of the 45 ms that a 500-environment spec
//! took to load). So the first pass also builds the document, exactly as
//! `serde_yaml::from_str::<Value>` would. Whatever it is not sure to read the same way (an
//! alias, a tag, a duplicate or complex key, an integer beyond 64 bits, a second document, a
//! syntax error) it leaves to serde_yaml, which then also words the error. Specs use none of
//! these, so they are read once; a test compares the two readers on random documents.

use serde_yaml::{Mapping, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diagnostic::Position;
use crate::spec::source_map::{self, MAX_INDEXED_DEPTH, Stop, Until};

/// What one pass over the spec made of it.
#[derive(Debug, PartialEq)]
pub enum Read {
    /// The document, as `serde_yaml::from_str::<Value>` reads it.
    Value(Value),
    /// Nodes start deeper than `MAX_INDEXED_DEPTH` levels, first at this position: not a spec,
    /// and not to be given to libyaml.
    TooDeep(Position),
    /// Not deep, but for serde_yaml to read (see the module's documentation).
    LeftToSerdeYaml,
}

/// Reads `source` (see [`Read`]).
pub fn read(source: &str) -> Read {
    let mut reader = Reader {
        text: Text::new(source),
        depth: 0,
        too_deep: None,
        building: if in_common_yaml(source) {
            Building::Empty
        } else {
            Building::GivenUp
        },
    };
    let stop = source_map::feed(source, &mut reader, Until::StreamEnd);
    if let Stop::NestingLimit(at) = stop {
        reader.too_deep.get_or_insert(at);
    }
    if let Some(at) = reader.too_deep {
        return Read::TooDeep(at);
    }
    match (stop, reader.building) {
        (Stop::SyntaxError, _) => Read::LeftToSerdeYaml,
        (_, Building::Done(value)) => Read::Value(value),
        (_, Building::Empty) => Read::Value(Value::Null),
        (_, Building::Open(_) | Building::GivenUp) => Read::LeftToSerdeYaml,
    }
}

impl Read {
    /// Where the document first nests too deep, if it does.
    pub fn too_deep(&self) -> Option<Position> {
        match self {
            Read::TooDeep(at) => Some(*at),
            _ => None,
        }
    }
}

/// Whether `source` keeps to the characters and lines both parsers read alike: no tab (the
/// spec's own whitespace rules differ around it), no control character, no line or paragraph
/// separator, next-line or byte order mark (line breaks or errors to libyaml's YAML 1.1,
/// plain characters to yaml-rust2's 1.2), no directive (`%YAML`).
fn in_common_yaml(source: &str) -> bool {
    let characters = if source.is_ascii() {
        source
            .bytes()
            .all(|b| matches!(b, b'\n' | b'\r' | b' '..=b'~'))
    } else {
        source.chars().all(|c| {
            matches!(c, '\n' | '\r' | ' '..='~')
                || (c >= '\u{a0}'
                    && !matches!(
                        c,
                        '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                    ))
        })
    };
    characters && !source.starts_with('%') && !source.contains("\n%")
}

struct Reader<'s> {
    text: Text<'s>,
    /// Open mappings and sequences, whether or not the document is still being built.
    depth: usize,
    too_deep: Option<Position>,
    building: Building,
}

#[derive(Default)]
enum Building {
    /// No node read yet.
    #[default]
    Empty,
    /// The open collections, outermost first.
    Open(Vec<Level>),
    /// The document's root node, complete.
    Done(Value),
    /// Something left to serde_yaml: from here on only the depth is followed.
    GivenUp,
}

/// An open collection and how it was written.
struct Level {
    /// In flow style (`{...}`, `[...]`) rather than block style.
    flow: bool,
    collection: Collection,
}

enum Collection {
    /// `key` is the key of the entry whose value comes next.
    Mapping {
        map: Mapping,
        key: Option<Value>,
    },
    Sequence(Vec<Value>),
}

/// The source, addressed as yaml-rust2's markers address it: by the count of characters before.
struct Text<'s> {
    source: &'s str,
    /// Where each character starts, for a source that is not all ASCII (where the count of
    /// characters is the count of bytes).
    starts: Option<Vec<usize>>,
}

impl<'s> Text<'s> {
    fn new(source: &'s str) -> Self {
        let starts = (!source.is_ascii()).then(|| {
            let mut starts: Vec<usize> = source.char_indices().map(|(at, _)| at).collect();
            starts.push(source.len());
            starts
        });
        Text { source, starts }
    }

    /// The text from the `index`th character on.
    fn from(&self, index: usize) -> Option<&'s str> {
        let at = match &self.starts {
            None => index,
            Some(starts) => *starts.get(index)?,
        };
        self.source.get(at..)
    }
}

impl MarkedEventReceiver for Reader<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
        );
        if starts_node && self.depth > MAX_INDEXED_DEPTH {
            self.too_deep.get_or_insert(source_map::position(mark));
        }
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => self.depth += 1,
            Event::MappingEnd | Event::SequenceEnd => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if self.too_deep.is_some() {
            self.building = Building::GivenUp;
        }
        if !matches!(self.building, Building::GivenUp) && !self.build(event, mark) {
            self.building = Building::GivenUp; // frees what was built
        }
    }
}

impl source_map::Receiver for Reader<'_> {
    fn has_seen_enough(&self) -> bool {
        self.too_deep.is_some()
    }
}

impl Reader<'_> {
    /// Adds `event` (which starts at `mark`) to the document; false if serde_yaml is to read
    /// it instead.
    fn build(&mut self, event: Event, mark: Marker) -> bool {
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => true,
            // A second document is an error for serde_yaml.
            Event::DocumentStart => matches!(self.building, Building::Empty),
            Event::Alias(_) => false,
            // The parsers differ on anchor names; specs have no use for anchors or tags.
            Event::Scalar(_, _, anchor, tag)
            | Event::MappingStart(anchor, tag)
            | Event::SequenceStart(anchor, tag)
                if anchor != 0 || tag.is_some() =>
            {
                false
            }
            Event::Scalar(text, style, ..) => {
                let value = match style {
                    TScalarStyle::Plain if self.written_plainly(&text, mark) => {
                        match plain_scalar(text) {
                            Some(value) => value,
                            None => return false,
                        }
                    }
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => Value::String(text),
                    // The two parsers differ on the edges of block scalars (an empty one, one
                    // at the document's own indentation).
                    _ => return false,
                };
                self.add(value)
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let flow = match self.text.from(mark.index()).and_then(|t| t.chars().next()) {
                    Some('{' | '[') => true,
                    Some(_) => false,
                    None => return false,
                };
                let collection = match event {
                    Event::MappingStart(..) => Collection::Mapping {
                        map: Mapping::new(),
                        key: None,
                    },
                    _ => Collection::Sequence(Vec::new()),
                };
                self.open(Level { flow, collection })
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Building::Open(stack) = &mut self.building else {
                    return false;
                };
                match stack.pop().map(|level| level.collection) {
                    Some(Collection::Mapping { map, key: None }) => self.add(Value::Mapping(map)),
                    Some(Collection::Sequence(items)) => self.add(Value::Sequence(items)),
                    _ => false,
                }
            }
        }
    }

    /// Whether the plain scalar `text` (starting at `mark`) is one that both parsers read
    /// alike: written on one line exactly as read, or an empty value in block style. The
    /// parsers differ at the edges: a scalar that starts with an indicator (`[|]`), a document
    /// marker inside a flow collection (`{---}`), a colon or empty entry in a flow collection.
    fn written_plainly(&mut self, text: &str, mark: Marker) -> bool {
        let in_flow =
            matches!(&self.building, Building::Open(stack) if stack.iter().any(|l| l.flow));
        let Some(written) = self.text.from(mark.index()) else {
            return false;
        };
        if text.is_empty() {
            // An empty node (`key:`), which in a flow collection (`[a, , b]`) is an error.
            return !in_flow;
        }
        if !written.starts_with(text) {
            return false; // folded over lines
        }
        let mut chars = text.chars();
        let first = chars.next();
        let second = chars.next();
        let starts_with_indicator = match first {
            Some('[' | ']' | '{' | '}' | ',' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"')
            | Some('%' | '@' | '`')
            | None => true,
            Some('-' | '?' | ':') => {
                second.is_none_or(|c| c.is_whitespace() || ",[]{}".contains(c))
            }
            Some(_) => false,
        };
        !(starts_with_indicator
            || text.starts_with("---")
            || text.starts_with("...")
            || text.contains(['\t', '\n', '\r'])
            || text.contains(" #")
            || text.contains(": ")
            || text.ends_with(':')
            || (in_flow && text.contains([',', '[', ']', '{', '}', ':', '#'])))
    }

    fn open(&mut self, level: Level) -> bool {
        match &mut self.building {
            Building::Empty => {
                self.building = Building::Open(vec![level]);
                true
            }
            Building::Open(stack) => {
                // Only scalars are read as keys here (a collection as a key is rare enough).
                if let Some(Collection::Mapping { key: None, .. }) =
                    stack.last().map(|l| &l.collection)
                {
                    return false;
                }
                stack.push(level);
                true
            }
            Building::Done(_) | Building::GivenUp => false,
        }
    }

    /// Adds a complete node to the innermost open collection (or makes it the document).
    fn add(&mut self, value: Value) -> bool {
        let stack = match &mut self.building {
            Building::Empty => {
                self.building = Building::Done(value);
                return true;
            }
            Building::Open(stack) if stack.is_empty() => {
                self.building = Building::Done(value);
                return true;
            }
            Building::Open(stack) => stack,
            Building::Done(_) | Building::GivenUp => return false,
        };
        match stack.last_mut().map(|l| &mut l.collection) {
            Some(Collection::Sequence(items)) => items.push(value),
            Some(Collection::Mapping { map, key }) => match key.take() {
                Some(key) => {
                    // A key written twice is an error for serde_yaml.
                    if map.insert(key, value).is_some() {
                        return false;
                    }
                }
                // A float as a key could be NaN, which equals no key.
                None if matches!(&value, Value::Number(n) if n.is_f64()) => return false,
                // An empty key (`: v`), which yaml-rust2 reads as null and libyaml refuses.
                None if value.is_null() => return false,
                None => *key = Some(value),
            },
            None => unreachable!("an empty stack was handled above"),
        }
        true
    }
}

/// The value of a plain (unquoted) scalar as serde_yaml resolves it, or None where serde_yaml
/// refuses it (an integer that needs more than 64 bits).
fn plain_scalar(text: String) -> Option<Value> {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    // Every number starts with a digit, a sign or a dot; most scalars of a spec do not.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Some(Value::String(text));
    }
    if let Some(n) = unsigned(&text, u64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if let Some(n) = negative(&text, i64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if unsigned(&text, u128::from_str_radix).is_some()
        || negative(&text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !zero_padded_digits(&text)
        && let Some(float) = float(&text)
    {
        return Some(Value::Number(Number::from(float)));
    }
    Some(Value::String(text))
}

type FromStrRadix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

/// Radix prefixes of YAML integers.
const RADIXES: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

/// A non-negative integer: decimal, or `0x`, `0o`, `0b`; an optional `+` in front.
fn unsigned<T>(text: &str, parse: FromStrRadix<T>) -> Option<T> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    for (prefix, radix) in RADIXES {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = parse(rest, radix) {
                return Some(n);
            }
        }
    }
    if digits.starts_with(['+', '-']) || zero_padded_digits(text) {
        return None;
    }
    parse(digits, 10).ok()
}

/// A negative integer: decimal, or `-0x`, `-0o`, `-0b`.
fn negative<T>(text: &str, parse: FromStrRadix<T>) -> Option<T> {
    for (prefix, radix) in RADIXES {
        if let Some(rest) = text.strip_prefix('-').and_then(|t| t.strip_prefix(prefix))
            && let Ok(n) = parse(&format!("-{rest}"), radix)
        {
            return Some(n);
        }
    }
    if zero_padded_digits(text) {
        return None;
    }
    parse(text, 10).ok()
}

/// A finite decimal number, or one of YAML's infinities and NaNs.
fn float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match (unsigned, text) {
        (".inf" | ".Inf" | ".INF", _) => Some(f64::INFINITY),
        (_, "-.inf" | "-.Inf" | "-.INF") => Some(f64::NEG_INFINITY),
        (_, ".nan" | ".NaN" | ".NAN") => Some(f64::NAN),
        _ => unsigned.parse::<f64>().ok().filter(|f| f.is_finite()),
    }
}

/// Digits with a leading zero (`0755`, `-012`): a string in YAML 1.2, not a number.
fn zero_padded_digits(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// serde_yaml's reading of `text`, or None where it fails.
    fn serde_yaml_reads(text: &str) -> Option<Value> {
        serde_yaml::from_str::<Value>(text).ok()
    }

    /// The property the module promises: whatever is read here, serde_yaml reads the same,
    /// in the same order (`==` on mappings ignores order; their YAML text does not).
    fn check_same(text: &str) -> Read {
        // The same document with Windows line ends reads the same way too.
        let crlf = text.replace('\n', "\r\n");
        if crlf != text {
            check_same_as_written(&crlf);
        }
        check_same_as_written(text)
    }

    fn check_same_as_written(text: &str) -> Read {
        let read = read(text);
        if let Read::Value(value) = &read {
            let theirs = serde_yaml_reads(text);
            assert_eq!(Some(value), theirs.as_ref(), "{text:?}");
            assert_eq!(
                serde_yaml::to_string(value).unwrap(),
                serde_yaml::to_string(&theirs.unwrap()).unwrap(),
                "{text:?}"
            );
        }
        read
    }

    #[test]
    fn every_example_spec_is_read_once_and_the_same() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    matches!(check_same(&text), Read::Value(_)),
                    "{}",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen >= 2);
    }

    #[test]
    fn scalars_resolve_as_serde_yaml_resolves_them() {
        let scalars = [
            "",
            "~",
            "null",
            "NULL",
            "nUll",
            "true",
            "True",
            "tRue",
            "false",
            "FALSE",
            "yes",
            "on",
            "0",
            "-0",
            "+0",
            "00",
            "007",
            "-007",
            "+007",
            "08",
            "0.5",
            "00.5",
            "1",
            "+1",
            "-1",
            "12",
            "123456789012",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999999999999999999999",
            "0x1F",
            "0x1f",
            "+0x1F",
            "-0x1F",
            "0x-1",
            "0x+1",
            "0x",
            "0xZZ",
            "0o17",
            "-0o17",
            "0o8",
            "0b101",
            "-0b101",
            "0b2",
            "+-1",
            "-+1",
            "--1",
            "++1",
            "1.5",
            "-1.5",
            "+1.5",
            ".5",
            "-.5",
            "5.",
            "1e3",
            "1E-3",
            "-1e3",
            "1e400",
            "-1e400",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            "-.INF",
            ".nan",
            ".NaN",
            "-.nan",
            "+.nan",
            "inf",
            "nan",
            "NaN",
            "infinity",
            "1_000",
            "1,000",
            "10.0.0.0/16",
            "1.2.3",
            "16",
            "-",
            "+",
            ".",
            "-.",
            "1-2",
            "0.0",
            "-0.0",
            "1.0e+3",
            "0x1.8p1",
            "2001:db8::1",
            "12:30",
            "1:2:3",
        ];
        for scalar in scalars {
            for text in [
                format!("{scalar}\n"),
                format!("k: {scalar}\n"),
                format!("{scalar}: v\n"),
            ] {
                check_same(&text);
            }
            assert!(
                matches!(check_same(&format!("k: '{scalar}'\n")), Read::Value(_)),
                "{scalar}"
            );
        }
    }

    #[test]
    fn what_serde_yaml_reads_differently_is_left_to_it() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !Tag 1\n",
            "a: !!str 1\n",
            "a: 1\na: 2\n",
            "1: a\n1: b\n",
            "? [a]\n: 1\n",
            "? {a: 1}\n: 1\n",
            "1.5: a\n",
            "a: 1\n---\nb: 2\n",
            "a: [1\n",
            "k: 99999999999999999999\n",
            "[|\n]",
            "a:\tb\n",
            "a: b\tc\n",
            "a: \"b\u{1}\"\n",
            "a: b\u{2028}c\n",
            "\u{feff}a: b\n",
            "a: b\u{85}c\n",
            "%YAML 1.2\n---\na: b\n",
            "{---\na:}",
            "[a, , b]\n",
            "a: [b:c]\n",
            "a: &x 1\n",
            "a: &^ 1\n",
            "a: |\n  text\n",
            "a: >-\n  text\n",
            ": v\n",
        ] {
            assert_eq!(read(text), Read::LeftToSerdeYaml, "{text:?}");
        }
        for text in [
            "",
            "# only a comment\n",
            "---\n",
            "---\na: 1\n...\n",
            "é: x\nb:\n  - 1\n  - c: 'd'\n    e: \"f\"\n",
            "a: {b: 1}\n",
            "a: [1, 2]\n",
            "é: {b: 1}\n",
            "ééé: x\nb: [1]\nc:\n- 2\n",
        ] {
            assert!(matches!(check_same(text), Read::Value(_)), "{text:?}");
        }
    }

    #[test]
    fn nesting_is_measured_even_after_giving_up() {
        let deep = format!("a: &x 1\nb: *x\nc: {}1{}\n", "[".repeat(40), "]".repeat(40));
        assert!(matches!(read(&deep), Read::TooDeep(_)));
        use crate::spec::source_map::nested_texts::{block, flow as nested};
        assert!(matches!(
            check_same(&block(MAX_INDEXED_DEPTH - 1)),
            Read::Value(_)
        ));
        assert!(matches!(
            read(&block(MAX_INDEXED_DEPTH + 3)),
            Read::TooDeep(_)
        ));
        assert!(matches!(
            check_same(&nested(MAX_INDEXED_DEPTH)),
            Read::Value(_)
        ));
        assert!(matches!(
            read(&nested(MAX_INDEXED_DEPTH + 2)),
            Read::TooDeep(_)
        ));
        assert!(matches!(read(&nested(100_000)), Read::TooDeep(_)));
    }

    /// Text built from pieces of YAML syntax, scalars and spec lines: mostly valid documents,
    /// often odd ones.
    fn yaml_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just(": ".to_string()),
            Just("- ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(", ".to_string()),
            Just("? ".to_string()),
            Just("'".to_string()),
            Just("\"".to_string()),
            Just("|\n".to_string()),
            Just(">-\n".to_string()),
            Just("# c\n".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            Just("!t ".to_string()),
            Just("---\n".to_string()),
            Just("\t".to_string()),
            Just("\r\n".to_string()),
            Just("\u{2028}".to_string()),
            "[a-z]{1,6}",
            "[0-9._+xobe-]{1,8}",
            "(~|null|true|False|\\.inf|\\.NaN|0x1F|-0o7|1e3|007)",
            "[ -~]{0,12}",
        ];
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    /// A random document as serde_yaml writes it (block style), with pieces of YAML syntax
    /// inserted at random places.
    fn written_document() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<f64>().prop_map(|n| Value::Number(n.into())),
            "[ -~]{0,10}".prop_map(Value::String),
            "[a-z0-9.:/-]{0,10}".prop_map(Value::String),
        ];
        let value = leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Sequence),
                prop::collection::vec(("[a-z_0-9]{1,6}", inner), 0..5).prop_map(|entries| {
                    Value::Mapping(
                        entries
                            .into_iter()
                            .map(|(k, v)| (Value::String(k), v))
                            .collect(),
                    )
                }),
            ]
        });
        let edits = prop::collection::vec((any::<prop::sample::Index>(), yaml_text()), 0..3);
        (value, edits).prop_map(|(value, edits)| {
            let mut text = serde_yaml::to_string(&value).unwrap();
            for (at, piece) in edits {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, &piece.chars().take(8).collect::<String>());
            }
            text
        })
    }

    /// Line-level mutations of a spec.
    fn mutated_spec() -> impl Strategy<Value = String> {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/team-task.yaml"))
                .unwrap();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let edits = prop::collection::vec((0usize..lines.len(), 0u8..3, "[ -~]{0,16}"), 1..6);
        edits.prop_map(move |edits| {
            let mut lines = lines.clone();
            for (at, kind, text) in edits {
                let i = at % lines.len();
                match kind {
                    0 => {
                        let key = lines[i].split(':').next().unwrap_or("").to_string();
                        lines[i] = format!("{key}: {text}");
                    }
                    1 => lines.insert(i, lines[i].clone()),
                    _ => lines[i].push_str(&text),
                }
            }
            lines.join("\n")
        })
    }

    /// Cases per property: 512 in a normal `cargo test`, `PROPTEST_CASES` for long runs.
    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(512)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn random_text_is_read_as_serde_yaml_reads_it(text in yaml_text()) {
            check_same(&text);
        }

        #[test]
        fn written_documents_are_read_as_serde_yaml_reads_them(text in written_document()) {
            check_same(&text);
        }

        #[test]
        fn mutated_specs_are_read_as_serde_yaml_reads_them(text in mutated_spec()) {
            check_same(&text);
        }
    }
}
