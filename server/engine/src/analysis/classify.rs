//! What a path is: code (and which language), docs, data; vendored, lockfile, test file.
//! Pure path logic, so skipping decisions are cheap and explainable.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Code(&'static str),
    Doc,
    Data,
    Other,
}

impl Kind {
    pub fn is_code(self) -> bool {
        matches!(self, Kind::Code(_))
    }
}

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub fn extension(path: &str) -> String {
    let name = file_name(path);
    match name.rfind('.') {
        Some(i) if i > 0 => name[i + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

pub fn kind_of(path: &str) -> Kind {
    let lang = match extension(path).as_str() {
        "js" | "mjs" | "cjs" | "jsx" => "JavaScript",
        "ts" | "tsx" | "mts" | "cts" => "TypeScript",
        "py" | "pyw" => "Python",
        "rs" => "Rust",
        "go" => "Go",
        "sol" => "Solidity",
        "move" => "Move",
        "java" | "kt" | "kts" | "scala" => "JVM",
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" => "C/C++",
        "cs" => "C#",
        "rb" => "Ruby",
        "php" => "PHP",
        "swift" => "Swift",
        "dart" => "Dart",
        "vue" | "svelte" => "JavaScript",
        "sh" | "bash" | "zsh" | "ps1" | "bat" | "cmd" => "Shell",
        "lua" => "Lua",
        "zig" => "Zig",
        "ex" | "exs" => "Elixir",
        "hs" => "Haskell",
        "ml" | "mli" => "OCaml",
        "cairo" => "Cairo",
        "vy" => "Vyper",
        "md" | "markdown" | "rst" | "txt" | "adoc" | "org" => return Kind::Doc,
        "json" | "yaml" | "yml" | "toml" | "xml" | "csv" | "tsv" | "po" | "pot" | "ini" | "cfg"
        | "lock" | "svg" | "html" | "htm" | "css" | "scss" | "sum" | "mod" => return Kind::Data,
        _ => {
            let name = file_name(path);
            if name == "Makefile" || name == "Dockerfile" || name == "Jenkinsfile" {
                return Kind::Code("Build");
            }
            return Kind::Other;
        }
    };
    Kind::Code(lang)
}

/// Third-party code checked into the repository: not the project's own work.
pub fn vendored(path: &str) -> bool {
    path.split('/').any(|c| {
        matches!(
            c,
            "node_modules"
                | "vendor"
                | "vendored"
                | "third_party"
                | "third-party"
                | "thirdparty"
                | "bower_components"
                | ".yarn"
                | "Pods"
                | "venv"
                | ".venv"
                | "site-packages"
                | ".git"
        )
    })
}

pub fn lockfile(path: &str) -> bool {
    matches!(
        file_name(path),
        "package-lock.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "Cargo.lock"
            | "poetry.lock"
            | "Gemfile.lock"
            | "composer.lock"
            | "go.sum"
            | "Pipfile.lock"
            | "bun.lockb"
            | "uv.lock"
            | "flake.lock"
    )
}

pub fn minified(path: &str) -> bool {
    let n = file_name(path);
    n.ends_with(".min.js") || n.ends_with(".bundle.js") || n.ends_with(".min.css")
}

/// Test code by the conventions of the common ecosystems.
pub fn test_path(path: &str) -> bool {
    let mut comps = path.split('/');
    let name = comps.next_back().unwrap_or("");
    if path.split('/').rev().skip(1).any(|c| {
        matches!(
            c,
            "test"
                | "tests"
                | "__tests__"
                | "spec"
                | "specs"
                | "testdata"
                | "fixtures"
                | "e2e"
                | "testing"
                | "test-utils"
        )
    }) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or("");
    name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".tests.")
        || stem.ends_with("_test")
        || stem.starts_with("test_")
        || stem.ends_with("_spec")
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
}

/// Example and sample code: committed sample keys there are demo material, so secret
/// findings count one severity lower (scam findings do not: scams hide anywhere).
pub fn sample_path(path: &str) -> bool {
    path.split('/').rev().skip(1).any(|c| {
        matches!(
            c,
            "examples" | "example" | "samples" | "sample" | "demo" | "demos" | "docs"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of("src/main.rs"), Kind::Code("Rust"));
        assert_eq!(kind_of("README.md"), Kind::Doc);
        assert_eq!(kind_of("package.json"), Kind::Data);
        assert_eq!(kind_of("LICENSE"), Kind::Other);
        assert!(vendored("web/node_modules/x/index.js"));
        assert!(!vendored("src/vendors.js"));
        assert!(lockfile("a/Cargo.lock"));
        assert!(test_path("tests/it.rs"));
        assert!(test_path("src/foo_test.go"));
        assert!(test_path("src/app.test.ts"));
        assert!(test_path("pkg/test_utils.py"));
        assert!(!test_path("src/contest.rs"));
        assert!(!test_path("src/attestation.ts"));
    }
}
