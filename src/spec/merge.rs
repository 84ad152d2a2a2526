//! Deep merge of `defaults` under an environment.

use serde_yaml::Value;

/// Merges `overlay` onto `base`: mappings merge key by key (recursively); any other value in
/// `overlay`, including lists and `null`, replaces the one in `base`.
pub fn deep_merge(base: Value, overlay: Value) -> Value {
    match (base, overlay) {
        (Value::Mapping(mut base), Value::Mapping(overlay)) => {
            for (key, value) in overlay {
                let merged = match base.remove(&key) {
                    Some(existing) => deep_merge(existing, value),
                    None => value,
                };
                base.insert(key, merged);
            }
            Value::Mapping(base)
        }
        (_, overlay) => overlay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn maps_merge_and_scalars_and_lists_replace() {
        let base = yaml("a: 1\nm: {x: 1, y: 2}\nl: [1, 2]\nkeep: k");
        let over = yaml("a: 2\nm: {y: 3, z: 4}\nl: [9]");
        let merged = deep_merge(base, over);
        assert_eq!(merged, yaml("a: 2\nm: {x: 1, y: 3, z: 4}\nl: [9]\nkeep: k"));
    }

    #[test]
    fn null_in_environment_clears_a_default() {
        let merged = deep_merge(yaml("domain: a.example.com"), yaml("domain: null"));
        assert_eq!(merged, yaml("domain: null"));
    }
}
