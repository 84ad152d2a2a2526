//! The imported spec as an ordered, commented YAML tree, and its text.
//!
//! Importers build a [`Map`] per environment in the order a person would read it, with
//! comments where a value needs explaining; [`factor_defaults`] moves what every environment
//! shares into `defaults`; [`Map::to_yaml`] prints it deterministically (keys in insertion
//! order, strings quoted by serde_yaml's own rules, so the text reads back to the same values).

/// One value of the spec.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Printed in flow style (`[a, b]`): only scalars go in lists.
    List(Vec<Node>),
    Map(Map),
}

impl From<&str> for Node {
    fn from(s: &str) -> Node {
        Node::Str(s.to_string())
    }
}
impl From<String> for Node {
    fn from(s: String) -> Node {
        Node::Str(s)
    }
}
impl From<&String> for Node {
    fn from(s: &String) -> Node {
        Node::Str(s.clone())
    }
}
impl From<i64> for Node {
    fn from(n: i64) -> Node {
        Node::Int(n)
    }
}
impl From<u32> for Node {
    fn from(n: u32) -> Node {
        Node::Int(i64::from(n))
    }
}
impl From<bool> for Node {
    fn from(b: bool) -> Node {
        Node::Bool(b)
    }
}
impl From<Map> for Node {
    fn from(m: Map) -> Node {
        Node::Map(m)
    }
}

/// A mapping that keeps its keys in insertion order, each with comment lines above it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    entries: Vec<Entry>,
    /// Print a blank line between entries (top-level sections, environments).
    spaced: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    value: Node,
    comments: Vec<String>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// A mapping printed with a blank line between its entries.
    pub fn spaced() -> Map {
        Map {
            spaced: true,
            ..Map::default()
        }
    }

    /// Sets `key` (replacing its value in place if present).
    pub fn set(&mut self, key: &str, value: impl Into<Node>) {
        self.set_commented(key, value, &[]);
    }

    /// Sets `key` with comment lines printed above it.
    pub fn set_commented(&mut self, key: &str, value: impl Into<Node>, comments: &[&str]) {
        let value = value.into();
        let comments: Vec<String> = comments.iter().map(|c| c.to_string()).collect();
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            e.value = value;
            e.comments.extend(comments);
        } else {
            self.entries.push(Entry {
                key: key.to_string(),
                value,
                comments,
            });
        }
    }

    /// Sets `key` when `value` is `Some`.
    pub fn set_opt<T: Into<Node>>(&mut self, key: &str, value: Option<T>) {
        if let Some(v) = value {
            self.set(key, v);
        }
    }

    /// Sets `key` to `map` unless it is empty.
    pub fn set_map(&mut self, key: &str, map: Map) {
        if !map.is_empty() {
            self.set(key, map);
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// The sub-mapping at `key`, created empty if missing.
    pub fn map_mut(&mut self, key: &str) -> &mut Map {
        if !matches!(self.get(key), Some(Node::Map(_))) {
            self.set(key, Map::new());
        }
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(Entry {
                value: Node::Map(m),
                ..
            }) => m,
            _ => unreachable!("just set to a map"),
        }
    }

    fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    /// Removes every empty sub-mapping, recursively.
    fn prune(&mut self) {
        for e in &mut self.entries {
            if let Node::Map(m) = &mut e.value {
                m.prune();
            }
        }
        self.entries
            .retain(|e| !matches!(&e.value, Node::Map(m) if m.is_empty()));
    }

    /// The YAML text of this mapping at the top level.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        for (i, e) in self.entries.iter().enumerate() {
            if self.spaced && i > 0 {
                out.push('\n');
            }
            for c in &e.comments {
                if c.is_empty() {
                    out.push_str(&format!("{pad}#\n"));
                } else {
                    out.push_str(&format!("{pad}# {c}\n"));
                }
            }
            let key = scalar_str(&e.key);
            match &e.value {
                Node::Map(m) if m.is_empty() => out.push_str(&format!("{pad}{key}: {{}}\n")),
                Node::Map(m) => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    m.write(out, indent + 2);
                }
                Node::List(items) => {
                    let items: Vec<String> = items.iter().map(flow_item).collect();
                    out.push_str(&format!("{pad}{key}: [{}]\n", items.join(", ")));
                }
                scalar => out.push_str(&format!("{pad}{key}: {}\n", scalar_text(scalar))),
            }
        }
    }
}

/// A scalar's YAML text.
fn scalar_text(node: &Node) -> String {
    match node {
        Node::Str(s) => scalar_str(s),
        Node::Int(n) => n.to_string(),
        Node::Float(f) => f.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::List(_) | Node::Map(_) => unreachable!("not a scalar"),
    }
}

/// A list item: strings always double-quoted (commas and brackets end plain scalars in flow
/// style).
fn flow_item(node: &Node) -> String {
    match node {
        Node::Str(s) => json_quoted(s),
        other => scalar_text(other),
    }
}

/// A string as serde_yaml quotes it (plain when it reads back as the same string), or
/// double-quoted JSON when it would need more than one line.
pub fn scalar_str(s: &str) -> String {
    if s.chars().any(|c| c.is_control()) {
        return json_quoted(s);
    }
    // YAML 1.1 readers (and people) take these for booleans or null; serde_yaml (YAML 1.2)
    // would leave them plain.
    const AMBIGUOUS: [&str; 8] = ["y", "n", "yes", "no", "on", "off", "~", "null"];
    if AMBIGUOUS.contains(&s.to_ascii_lowercase().as_str()) {
        return format!("'{s}'");
    }
    match serde_yaml::to_string(s) {
        Ok(text) => {
            let text = text.strip_suffix('\n').unwrap_or(&text);
            if text.contains('\n') || text.starts_with('|') || text.starts_with('>') {
                json_quoted(s)
            } else {
                text.to_string()
            }
        }
        Err(_) => json_quoted(s),
    }
}

fn json_quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// Moves every value all `envs` share into the returned `defaults` mapping (recursively for
/// mappings, whole for scalars and lists), which the loader deep-merges back under each
/// environment: the merged result is the same, and the spec says once what is common.
/// With fewer than two environments nothing moves.
pub fn factor_defaults(envs: &mut [&mut Map]) -> Map {
    let mut defaults = Map::new();
    if envs.len() < 2 {
        return defaults;
    }
    let keys: Vec<String> = envs[0].keys().map(str::to_string).collect();
    for key in keys {
        let (present, all_maps, all_equal) = {
            let values: Vec<Option<&Node>> = envs.iter().map(|m| m.get(&key)).collect();
            let first = values[0];
            (
                values.iter().all(Option::is_some),
                values.iter().all(|v| matches!(v, Some(Node::Map(_)))),
                values.iter().all(|v| *v == first),
            )
        };
        if !present {
            continue;
        }
        if all_maps {
            let mut subs: Vec<&mut Map> = Vec::new();
            // Borrow each environment's sub-map mutably, one per environment.
            for env in envs.iter_mut() {
                subs.push(env.map_mut(&key));
            }
            let sub_defaults = factor_defaults(&mut subs);
            if !sub_defaults.is_empty() {
                defaults.set(&key, sub_defaults);
            }
            continue;
        }
        if all_equal {
            let mut moved = None;
            for env in envs.iter_mut() {
                let e = env.remove(&key);
                moved.get_or_insert(e);
            }
            if let Some(Some(entry)) = moved {
                defaults.entries.push(entry);
            }
        }
    }
    for env in envs.iter_mut() {
        env.prune();
    }
    defaults
}

/// Writes `defaults` (what every environment shares, taken out of each) and `environments`,
/// in their order, into the spec document.
pub fn set_environments(doc: &mut Map, mut envs: Vec<(String, Map)>) {
    let mut maps: Vec<&mut Map> = envs.iter_mut().map(|(_, m)| m).collect();
    let defaults = factor_defaults(&mut maps);
    if !defaults.is_empty() {
        doc.set_commented(
            "defaults",
            defaults,
            &["What every environment shares (deep-merged under each one)."],
        );
    }
    let mut environments = Map::spaced();
    for (name, env) in envs {
        environments.set(&name, env);
    }
    doc.set("environments", environments);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_only_when_yaml_would_misread_them() {
        assert_eq!(scalar_str("plain"), "plain");
        assert_eq!(scalar_str("123"), "'123'");
        assert_eq!(scalar_str("true"), "'true'");
        assert_eq!(scalar_str("*"), "'*'");
        assert_eq!(scalar_str("on"), "'on'");
        assert_eq!(scalar_str("No"), "'No'");
        assert_eq!(scalar_str("a\nb"), "\"a\\nb\"");
    }

    #[test]
    fn shared_values_move_to_defaults_and_differences_stay() {
        let mut a = Map::new();
        a.set("region", "eu-west-1");
        a.map_mut("app").set("cpu", 256u32);
        a.map_mut("app").set("port", 8000u32);
        let mut b = Map::new();
        b.set("region", "eu-west-1");
        b.map_mut("app").set("cpu", 512u32);
        b.map_mut("app").set("port", 8000u32);
        let defaults = factor_defaults(&mut [&mut a, &mut b]);
        assert_eq!(
            defaults.to_yaml(),
            "region: eu-west-1\napp:\n  port: 8000\n"
        );
        assert_eq!(a.to_yaml(), "app:\n  cpu: 256\n");
        assert_eq!(b.to_yaml(), "app:\n  cpu: 512\n");
    }
}
