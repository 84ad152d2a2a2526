//! tgforge's end-to-end harness: a runner for the subset of Terragrunt that tgforge generates,
//! which plans, applies, re-plans and destroys generated trees against an AWS API emulator.
//! It reads the generated files as they are and never rewrites them.

pub mod config;
pub mod functions;
pub mod gaps;
pub mod moto;
pub mod prereq;
pub mod run;
pub mod stack;
pub mod terraform;
pub mod tfvars;
