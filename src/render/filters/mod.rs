//! Tera filters: the only way spec values reach generated files.

pub mod hcl;
pub mod json;
pub mod text;

/// Registers every filter by the name templates use.
pub fn register(tera: &mut tera::Tera) {
    tera.register_filter("hcl", hcl::filter);
    tera.register_filter("json", json::filter);
    tera.register_filter("comment", text::comment);
    tera.register_filter("ident", text::ident);
    tera.register_filter("shell", text::shell);
    tera.register_filter("markdown", text::markdown);
}
