//! Where each field of the spec was written.
//!
//! serde_yaml's typed values forget their positions, so the spec is read a second time as a
//! stream of YAML events (yaml-rust2 marks each with line and column) and every key is indexed
//! by its dotted field path (`environments.production.network.azs`, list items as `[0]`).
//! Validation rules then report problems at the line the person wrote.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::Position;

/// Field path -> where its key (or, for list items, its value) starts.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    positions: HashMap<String, Position>,
    /// Keys written twice in one mapping: the path and where the second one is.
    duplicates: Vec<(String, Position)>,
    /// The deepest nesting seen, and where it first went past `MAX_INDEXED_DEPTH`.
    too_deep: Option<Position>,
}

impl SourceMap {
    /// Indexes `source`. A YAML syntax error yields an empty map: the typed parse reports it.
    pub fn index(source: &str) -> SourceMap {
        let mut builder = Builder::default();
        if let Stop::NestingLimit(at) = feed(source, &mut builder, Until::FirstDocumentEnd) {
            builder.too_deep.get_or_insert(at);
        }
        SourceMap {
            positions: builder.positions,
            duplicates: builder.duplicates,
            too_deep: builder.too_deep,
        }
    }

    /// Where the document first nests deeper than any spec can (`MAX_INDEXED_DEPTH` levels).
    /// Such input is refused before serde_yaml sees it: libyaml's time grows with the square of
    /// the depth.
    pub fn too_deep(&self) -> Option<Position> {
        self.too_deep
    }

    /// The first key written twice in the same mapping, if any.
    pub fn first_duplicate(&self) -> Option<&(String, Position)> {
        self.duplicates.first()
    }

    /// The position of `path`, or of its nearest written ancestor.
    pub fn find(&self, path: &str) -> Option<Position> {
        let mut current = path;
        loop {
            if let Some(p) = self.positions.get(current) {
                return Some(*p);
            }
            let cut = current.rfind(['.', '['])?;
            current = &current[..cut];
        }
    }

    /// The position of `path` only if that exact field was written.
    pub fn exact(&self, path: &str) -> Option<Position> {
        self.positions.get(path).copied()
    }
}

/// How far [`feed`] reads.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Until {
    /// The end of the first document (all that the source map indexes).
    FirstDocumentEnd,
    /// The end of the stream: a later document, or a syntax error, matters to the reader.
    StreamEnd,
}

/// Why [`feed`] stopped.
#[derive(Debug, PartialEq)]
pub(super) enum Stop {
    /// At the end it was asked to read to, or because the receiver had seen enough.
    Done,
    /// At the parser's own nesting limit, here. The scanner reads a run of flow brackets before
    /// it emits their events, so very deep flow nesting shows up as this rather than as deep
    /// events.
    NestingLimit(Position),
    /// At a syntax error.
    SyntaxError,
}

/// Feeds the YAML events of `source` to `receiver`, up to `until`.
pub(super) fn feed(source: &str, receiver: &mut impl Receiver, until: Until) -> Stop {
    // One event at a time: yaml-rust2's `Parser::load` calls itself once per level of
    // nesting, and block sequences written compactly (`- - - - x`, which its flow-level limit
    // does not cover) overflowed the stack.
    let mut parser = Parser::new_from_str(source);
    loop {
        match parser.next_token() {
            Ok((event, mark)) => {
                let last = match event {
                    Event::StreamEnd => true,
                    Event::DocumentEnd => until == Until::FirstDocumentEnd,
                    _ => false,
                };
                receiver.on_event(event, mark);
                if last || receiver.has_seen_enough() {
                    return Stop::Done;
                }
            }
            Err(e) if e.info().contains("recursion limit") => {
                return Stop::NestingLimit(position(*e.marker()));
            }
            Err(_) => return Stop::SyntaxError,
        }
    }
}

/// What [`feed`] gives events to.
pub(super) trait Receiver: MarkedEventReceiver {
    /// Whether the rest of the document can change nothing the receiver reports.
    fn has_seen_enough(&self) -> bool {
        false
    }
}

impl Receiver for Builder {}

/// The source map of a spec, made on first use: a spec that loads and validates cleanly
/// never needs a position, and indexing every key of a large spec cost a third of loading it.
#[derive(Debug, Clone, Default)]
pub struct LazySourceMap {
    map: std::sync::OnceLock<SourceMap>,
}

impl LazySourceMap {
    /// The map of `source` (which must be the text this value was first asked about).
    pub fn get(&self, source: &str) -> &SourceMap {
        self.map.get_or_init(|| SourceMap::index(source))
    }
}

enum Frame {
    /// In a mapping; `key` is set once the key scalar of the current entry was read.
    Mapping {
        key: Option<String>,
    },
    Sequence {
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Frame, String)>,
    positions: HashMap<String, Position>,
    duplicates: Vec<(String, Position)>,
    too_deep: Option<Position>,
}

pub(super) fn position(mark: Marker) -> Position {
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Specs nest a few levels deep; deeper nodes (only in hostile or broken files) are not
/// indexed, which keeps memory linear in the file size instead of quadratic in its depth.
pub const MAX_INDEXED_DEPTH: usize = 32;

impl Builder {
    /// Handles a node that starts at `mark`; returns the path of the node if it is a value.
    fn node(&mut self, mark: Marker, scalar: Option<&str>) -> Option<String> {
        let depth = self.stack.len();
        let Some((frame, parent)) = self.stack.last_mut() else {
            return Some(String::new());
        };
        if depth > MAX_INDEXED_DEPTH {
            self.too_deep.get_or_insert(position(mark));
            // Keep the frame's key/value alternation right, but record nothing.
            if let Frame::Mapping { key } = frame {
                *key = if key.is_some() {
                    None
                } else {
                    Some(String::new())
                };
            }
            return Some(String::new());
        }
        match frame {
            Frame::Mapping { key } => match key.take() {
                None => {
                    // A key. Only scalar keys have a path; complex keys are left unindexed.
                    let name = scalar.unwrap_or("?").to_string();
                    let path = join(parent, &name);
                    match self.positions.entry(path) {
                        std::collections::hash_map::Entry::Occupied(e) => {
                            self.duplicates.push((e.key().clone(), position(mark)));
                        }
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(position(mark));
                        }
                    }
                    *key = Some(name);
                    None
                }
                Some(name) => Some(join(parent, &name)),
            },
            Frame::Sequence { index } => {
                let path = format!("{parent}[{index}]");
                *index += 1;
                self.positions.entry(path.clone()).or_insert(position(mark));
                Some(path)
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.node(mark, Some(&value));
            }
            Event::Alias(_) => {
                self.node(mark, None);
            }
            Event::MappingStart(..) => {
                let path = self.node(mark, None).unwrap_or_else(|| "?".into());
                self.stack.push((Frame::Mapping { key: None }, path));
            }
            Event::SequenceStart(..) => {
                let path = self.node(mark, None).unwrap_or_else(|| "?".into());
                self.stack.push((Frame::Sequence { index: 0 }, path));
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Texts nested `n` levels deep, for the tests of the depth checks here and in `yaml_value`.
#[cfg(test)]
pub(crate) mod nested_texts {
    /// `[[[...1...]]]`: flow sequences.
    pub(crate) fn flow(n: usize) -> String {
        format!("{}1{}", "[".repeat(n), "]".repeat(n))
    }

    /// `k0:` / `  k1:` ... `v: 1`: block mappings.
    pub(crate) fn block(n: usize) -> String {
        (0..n)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect::<String>()
            + &"  ".repeat(n)
            + "v: 1\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_keys_and_list_items() {
        let map = SourceMap::index("a:\n  b: 1\n  c:\n    - x\n    - y\nd: 2\n");
        assert_eq!(map.exact("a"), Some(Position { line: 1, column: 1 }));
        assert_eq!(map.exact("a.b"), Some(Position { line: 2, column: 3 }));
        assert_eq!(map.exact("a.c[1]"), Some(Position { line: 5, column: 7 }));
        assert_eq!(map.exact("d"), Some(Position { line: 6, column: 1 }));
        assert_eq!(map.find("a.b.zzz"), Some(Position { line: 2, column: 3 }));
        assert_eq!(map.exact("a.zzz"), None);
    }

    #[test]
    fn duplicate_keys_are_found_where_they_repeat() {
        let map = SourceMap::index("a: 1\nb:\n  c: 1\n  c: 2\n");
        assert_eq!(
            map.first_duplicate(),
            Some(&("b.c".to_string(), Position { line: 4, column: 3 }))
        );
    }

    /// Compact block sequences nest without a flow level: 200,000 of them once overflowed
    /// the stack (yaml-rust2's `load` recursed per level). Run on a thread with a small stack.
    #[test]
    fn compact_block_nesting_is_refused_without_recursion() {
        let text = format!("{}x\n", "- ".repeat(200_000));
        let found = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                (
                    crate::spec::yaml_value::read(&text).too_deep(),
                    SourceMap::index(&text).too_deep(),
                )
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        let expected = Some(Position {
            line: 1,
            column: 2 * MAX_INDEXED_DEPTH + 3,
        });
        assert_eq!(found.0, expected);
        assert_eq!(found.1, expected);
    }

    #[test]
    fn deep_nesting_is_not_indexed_past_the_limit() {
        let text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let map = SourceMap::index(&text);
        assert!(map.positions.len() <= MAX_INDEXED_DEPTH + 2);
        assert!(map.too_deep().is_some());
        assert!(SourceMap::index("a: [[1]]").too_deep().is_none());
    }

    #[test]
    fn the_depth_pass_finds_what_the_index_finds() {
        use super::nested_texts::{block, flow as nested};
        for text in [
            nested(10_000),
            nested(MAX_INDEXED_DEPTH),
            nested(MAX_INDEXED_DEPTH + 2),
            block(MAX_INDEXED_DEPTH - 1),
            block(MAX_INDEXED_DEPTH + 3),
            "a: [[1]]".to_string(),
            "a: 1\nb: [\n".to_string(),
        ] {
            assert_eq!(
                crate::spec::yaml_value::read(&text).too_deep(),
                SourceMap::index(&text).too_deep(),
                "{text:.60}"
            );
        }
        assert!(
            crate::spec::yaml_value::read(&block(MAX_INDEXED_DEPTH + 3))
                .too_deep()
                .is_some()
        );
    }

    #[test]
    fn syntax_errors_give_a_partial_map() {
        let map = SourceMap::index("a: 1\nb: [\n");
        assert_eq!(map.exact("a"), Some(Position { line: 1, column: 1 }));
    }
}
