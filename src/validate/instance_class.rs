//! RDS instance classes, judged by their form and a table of families rather than a short
//! allow-list, so every class AWS sells for Postgres is accepted.
//!
//! A class is `db.FAMILY.SIZE`. FAMILY is a base family (series letters + generation, with
//! `g` for Graviton or `i`/`a` for Intel/AMD) and an optional variant (`d` local NVMe, `n`
//! network, `b` block storage, `e`/`z` memory/frequency): `r7g`, `m6gd`, `r6idn`, `x2iedn`.
//! To add a family AWS launches, add its base to [`RDS_BASE_FAMILIES`]; its variants follow.

/// Base families RDS offers for Postgres (checked 2026-12-02 against the RDS "Supported DB
/// engines for DB instance classes" table). Burstable `t`, general purpose `m`, memory
/// optimised `r` and `x`, compute `c` (Multi-AZ DB clusters).
pub const RDS_BASE_FAMILIES: [&str; 23] = [
    "t3", "t4g", // burstable
    "m5", "m6g", "m6i", "m7g", "m7i", "m8g", // general purpose
    "r5", "r6g", "r6i", "r7g", "r7i", "r8g", // memory optimised
    "x1", "x1e", "x2g", "x2i", "z1", // large memory, high frequency
    "c6g", "c6i", "c7g", "c8g", // compute (Multi-AZ DB clusters)
];

/// Variant suffixes that may follow a base family: local NVMe (`d`), network (`n`, `dn`),
/// block storage (`b`), and the `x2i` memory variants (`edn`, `ezn`, `en`).
const VARIANTS: [&str; 8] = ["", "d", "n", "dn", "b", "en", "edn", "ezn"];

/// Whether `family` is a base family followed by a known variant.
pub fn is_rds_family(family: &str) -> bool {
    RDS_BASE_FAMILIES.iter().any(|base| {
        family
            .strip_prefix(base)
            .is_some_and(|variant| VARIANTS.contains(&variant))
    })
}

/// `micro`, `small`, `medium`, `large`, `xlarge`, `NxlARGE` (N 2-48), `metal`, `metal-NNxl`.
pub fn is_instance_size(size: &str) -> bool {
    if matches!(
        size,
        "micro" | "small" | "medium" | "large" | "xlarge" | "metal"
    ) {
        return true;
    }
    let multiple =
        |n: &str| !n.starts_with('0') && n.parse::<u32>().is_ok_and(|n| (2..=48).contains(&n));
    if let Some(n) = size.strip_suffix("xlarge") {
        return multiple(n);
    }
    size.strip_prefix("metal-")
        .and_then(|rest| rest.strip_suffix("xl"))
        .is_some_and(multiple)
}

/// Why `class` is not an RDS instance class, or `None` when it is one.
pub fn rds_class_problem(class: &str) -> Option<String> {
    let parts: Vec<&str> = class.split('.').collect();
    let [db, family, size] = parts.as_slice() else {
        return Some("an RDS instance class has the form db.FAMILY.SIZE".into());
    };
    if *db != "db" {
        return Some("an RDS instance class starts with `db.`".into());
    }
    if !is_rds_family(family) {
        return Some(format!(
            "`{}` is not an RDS instance family",
            family.escape_debug()
        ));
    }
    if !is_instance_size(size) {
        return Some(format!("`{}` is not an instance size", size.escape_debug()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_current_family_and_its_variants_are_accepted() {
        for class in [
            "db.t4g.micro",
            "db.t3.small",
            "db.m5d.large",
            "db.m6gd.xlarge",
            "db.m6idn.2xlarge",
            "db.m7g.large",
            "db.m7i.48xlarge",
            "db.m8g.medium",
            "db.m8gd.large",
            "db.r5b.4xlarge",
            "db.r6gd.large",
            "db.r6in.large",
            "db.r7g.large",
            "db.r7i.large",
            "db.r8g.large",
            "db.r8gd.12xlarge",
            "db.x2g.large",
            "db.x2idn.16xlarge",
            "db.x2iedn.xlarge",
            "db.x2iezn.2xlarge",
            "db.c6gd.medium",
            "db.m7i.metal-24xl",
            "db.r6i.metal",
        ] {
            assert_eq!(rds_class_problem(class), None, "{class}");
        }
    }

    #[test]
    fn classes_of_the_wrong_form_are_refused() {
        for class in [
            "t4g.micro",
            "db.t4g",
            "cache.t4g.micro",
            "db.q9.large",
            "db.r7gx.large",
            "db.r7g.huge",
            "db.r7g.1xlarge",
            "db.r7g.02xlarge",
            "db.r7g.large.extra",
            "db.serverless",
            "db.R7g.large",
        ] {
            assert!(rds_class_problem(class).is_some(), "{class}");
        }
    }
}
