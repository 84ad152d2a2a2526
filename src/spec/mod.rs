//! The spec: the YAML file a person writes, as read (`load`) and as typed (`model`).

pub mod load;
pub mod merge;
pub mod model;
pub mod schema;
pub mod source_map;
pub mod yaml_value;

pub use load::{LoadError, LoadedSpec, load_bytes, load_file};
