//! A unit: one Terragrunt folder (`<env>/infrastructure/<name>/terragrunt.hcl`) running one
//! module. Built-in units (decided by `plan::units`) and the spec's own units (`units:`,
//! resolved by `validate::units`) are the same type, so everything that follows a unit (the
//! render plan, its dependency block and mocks, the graph, `affected`, the override checks)
//! handles both the same way.

use serde_json::{Value, json};

/// Where a unit's module comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Module {
    /// A module tgforge generates, `Modules/<name>/`.
    Generated(&'static str),
    /// A folder of the repository, relative to the tree's root (`Modules/Jobs_Queue`):
    /// validated as `/`-separated identifiers, never `..`.
    Local(String),
    /// A folder of a git repository at a pinned ref.
    Git {
        url: String,
        git_ref: String,
        subdir: Option<String>,
    },
    /// A Terraform registry module (`NAMESPACE/NAME/PROVIDER`, or with a host in front) at a
    /// version.
    Registry { address: String, version: String },
}

impl Module {
    /// The `terraform.source` of a remote module (`git::…?ref=…`, `tfr:///…?version=…`);
    /// `None` for a folder of the tree, whose source the unit header builds from the root.
    pub fn remote_source(&self) -> Option<String> {
        match self {
            Module::Generated(_) | Module::Local(_) => None,
            Module::Git {
                url,
                git_ref,
                subdir,
            } => {
                let url = if url.starts_with("git::") {
                    url.clone()
                } else {
                    format!("git::{url}")
                };
                let subdir = subdir
                    .as_deref()
                    .map(|s| format!("//{s}"))
                    .unwrap_or_default();
                Some(format!("{url}{subdir}?ref={git_ref}"))
            }
            Module::Registry { address, version } => {
                // `tfr:///` is the public registry; an address with a host keeps its host.
                let slashes = if address.split('/').count() == 4 {
                    "//"
                } else {
                    "///"
                };
                Some(format!("tfr:{slashes}{address}?version={version}"))
            }
        }
    }

    /// The folder in the tree holding the module, for a generated or local module.
    pub fn folder(&self) -> Option<String> {
        match self {
            Module::Generated(name) => Some(format!("Modules/{name}")),
            Module::Local(path) => Some(path.clone()),
            Module::Git { .. } | Module::Registry { .. } => None,
        }
    }

    /// The generated module's name, if tgforge writes it.
    pub fn generated(&self) -> Option<&'static str> {
        match self {
            Module::Generated(name) => Some(name),
            _ => None,
        }
    }

    /// How the module is named to people (graph labels, messages).
    pub fn display(&self) -> String {
        match self {
            Module::Generated(name) => name.to_string(),
            Module::Local(path) => path.clone(),
            Module::Git { url, git_ref, .. } => format!("{url}@{git_ref}"),
            Module::Registry { address, version } => format!("{address} {version}"),
        }
    }
}

/// One input of a unit whose inputs are listed (a unit of the spec's own).
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The module variable it sets.
    pub name: String,
    pub value: InputValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    /// A value from the spec, written through the `hcl` filter.
    Literal(Value),
    /// An output of another unit of the environment (a dependency of this one).
    Output { unit: String, output: String },
}

/// How a unit's inputs reach its `terragrunt.hcl`.
#[derive(Debug, Clone, PartialEq)]
pub enum Inputs {
    /// Its own template, `templates/units/<name>.hcl.tera`, lays out inputs decided in the
    /// environment's context (a built-in unit).
    Template,
    /// Listed one by one, laid out by `templates/units/custom.hcl.tera`.
    Listed(Vec<Input>),
}

/// One unit of an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Folder name under `<env>/infrastructure/`, also the dependency name others use.
    pub name: String,
    pub module: Module,
    /// One line for the unit's header comment.
    pub description: String,
    /// Units whose outputs this one reads, in apply order.
    pub dependencies: Vec<String>,
    /// Mock outputs for the units that read this one (its dependency block): an object of
    /// every output, shaped like the real ones where that is known.
    pub mock_outputs: Value,
    pub inputs: Inputs,
}

impl Unit {
    /// `self` with `mocks` as its mock outputs.
    pub fn with_mocks(mut self, mocks: Value) -> Unit {
        self.mock_outputs = mocks;
        self
    }

    /// The template of its `terragrunt.hcl`, under `templates/`.
    pub fn template(&self) -> String {
        match self.inputs {
            Inputs::Template => format!("units/{}.hcl.tera", self.name),
            Inputs::Listed(_) => "units/custom.hcl.tera".to_string(),
        }
    }

    /// What its template sees as `unit`.
    pub fn to_context(&self) -> Value {
        // A folder of the tree is split into the folder Terragrunt copies and the module in
        // it (`<root>/Modules//AWS_VPC`), each part an identifier the template checks again.
        let (folder, module) = match self.module.folder() {
            Some(path) => match path.rsplit_once('/') {
                Some((folder, module)) => (
                    folder.split('/').map(str::to_string).collect::<Vec<_>>(),
                    module.to_string(),
                ),
                None => (Vec::new(), path),
            },
            None => (Vec::new(), String::new()),
        };
        let inputs: Vec<Value> = match &self.inputs {
            Inputs::Template => Vec::new(),
            Inputs::Listed(inputs) => inputs
                .iter()
                .map(|input| match &input.value {
                    InputValue::Literal(value) => json!({ "name": input.name, "value": value }),
                    InputValue::Output { unit, output } => {
                        json!({ "name": input.name, "from": unit, "output": output })
                    }
                })
                .collect(),
        };
        json!({
            "name": self.name,
            "module": module,
            "folder": folder,
            "remote_source": self.module.remote_source(),
            "description": self.description,
            "dependencies": self.dependencies,
            "inputs": inputs,
        })
    }
}
