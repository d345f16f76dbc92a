//! Project hygiene facts read from the tree: licence, README substance, tests and their
//! share of the code, CI configuration, security policy, lines of code per language.

use super::classify::{file_name, Kind};
use super::scanner::ContentReport;
use crate::tree::FileTree;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectFacts {
    pub license: Option<String>,
    pub readme_words: usize,
    pub readme_has_usage: bool,
    pub readme_text: String,
    pub code_files: usize,
    pub code_lines: u64,
    pub test_files: usize,
    pub test_lines: u64,
    pub ci: Vec<String>,
    pub security_policy: Option<String>,
    /// (language, lines), largest first.
    pub languages: Vec<(String, u64)>,
    pub files_total: usize,
}

impl ProjectFacts {
    pub fn test_share(&self) -> f64 {
        let total = self.code_lines + self.test_lines;
        if total == 0 {
            0.0
        } else {
            self.test_lines as f64 / total as f64
        }
    }
}

/// Identify a licence text well enough for a trader ("MIT", "Apache-2.0", ...).
pub fn identify_license(text: &str) -> String {
    let t = text.to_ascii_lowercase();
    let has = |s: &str| t.contains(s);
    if has("gnu affero general public license") {
        "AGPL-3.0".into()
    } else if has("gnu lesser general public license") {
        "LGPL".into()
    } else if has("gnu general public license") {
        if has("version 3") {
            "GPL-3.0".into()
        } else {
            "GPL-2.0".into()
        }
    } else if has("apache license") {
        "Apache-2.0".into()
    } else if has("mozilla public license") {
        "MPL-2.0".into()
    } else if has("permission is hereby granted, free of charge") {
        "MIT".into()
    } else if has("permission to use, copy, modify, and/or distribute") {
        "ISC".into()
    } else if has("redistribution and use in source and binary forms") {
        "BSD".into()
    } else if has("free and unencumbered software") {
        "Unlicense".into()
    } else if has("creative commons") {
        "CC".into()
    } else {
        "custom".into()
    }
}

fn top_level(path: &str) -> bool {
    !path.contains('/')
}

pub fn ci_config(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.starts_with(".github/workflows/") && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || matches!(
            lower.as_str(),
            ".gitlab-ci.yml"
                | ".circleci/config.yml"
                | ".travis.yml"
                | "azure-pipelines.yml"
                | "jenkinsfile"
                | ".drone.yml"
                | "bitbucket-pipelines.yml"
                | ".woodpecker.yml"
                | "appveyor.yml"
                | ".cirrus.yml"
        )
        || lower.starts_with(".woodpecker/")
        || lower.starts_with(".buildkite/")
        || lower.starts_with(".forgejo/workflows/")
        || lower.starts_with(".gitea/workflows/")
}

pub fn facts(tree: &FileTree, report: &ContentReport) -> ProjectFacts {
    let mut f = ProjectFacts {
        files_total: tree.files.len(),
        ..Default::default()
    };
    for file in &tree.files {
        let p = file.path.as_str();
        let name = file_name(p).to_ascii_lowercase();
        if top_level(p)
            && (name.starts_with("license") || name.starts_with("licence") || name.starts_with("copying"))
            && f.license.is_none()
        {
            f.license = Some(identify_license(&String::from_utf8_lossy(&file.data)));
        }
        if top_level(p) && name.starts_with("readme") && f.readme_text.is_empty() {
            let text = String::from_utf8_lossy(&file.data[..file.data.len().min(256 * 1024)]).to_string();
            f.readme_words = text
                .split_whitespace()
                .filter(|w| w.chars().any(|c| c.is_alphabetic()))
                .count();
            let lower = text.to_ascii_lowercase();
            f.readme_has_usage = [
                "install",
                "usage",
                "getting started",
                "quick start",
                "quickstart",
                "build",
                "example",
            ]
            .iter()
            .any(|k| lower.contains(k))
                && (lower.contains("```") || lower.contains("\n    ") || lower.contains("\n#"));
            f.readme_text = text;
        }
        if ci_config(p) {
            f.ci.push(p.to_string());
        }
        let in_policy_dir = top_level(p) || p.starts_with(".github/") || p.starts_with("docs/");
        if in_policy_dir
            && (name == "security.md" || name == "security.txt" || name == "security")
            && f.security_policy.is_none()
        {
            f.security_policy = Some(p.to_string());
        }
    }
    let mut langs: std::collections::BTreeMap<&'static str, u64> = Default::default();
    for s in &report.files {
        if let Kind::Code(lang) = s.kind {
            if s.is_test {
                f.test_files += 1;
                f.test_lines += s.lines as u64;
            } else {
                f.code_files += 1;
                let own = (s.lines - s.test_lines) as u64;
                f.code_lines += own;
                f.test_lines += s.test_lines as u64;
                if s.test_lines > 0 {
                    f.test_files += 1;
                }
                *langs.entry(lang).or_default() += own;
            }
        }
    }
    f.languages = langs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    f.languages.sort_by_key(|l| std::cmp::Reverse(l.1));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licences() {
        assert_eq!(
            identify_license("MIT License\n\nPermission is hereby granted, free of charge, to any person"),
            "MIT"
        );
        assert_eq!(
            identify_license("Apache License\nVersion 2.0, January 2004"),
            "Apache-2.0"
        );
        assert_eq!(identify_license("GNU GENERAL PUBLIC LICENSE Version 3"), "GPL-3.0");
        assert_eq!(identify_license("All rights reserved."), "custom");
    }

    #[test]
    fn ci_paths() {
        assert!(ci_config(".github/workflows/ci.yml"));
        assert!(ci_config(".gitlab-ci.yml"));
        assert!(!ci_config("docs/ci.yml"));
    }
}
