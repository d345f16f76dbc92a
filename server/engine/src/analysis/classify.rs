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
        "json" | "yaml" | "yml" | "toml" | "xml" | "csv" | "tsv" | "po" | "pot" | "ini" | "cfg" | "lock" | "svg"
        | "html" | "htm" | "css" | "scss" | "sum" | "mod" => return Kind::Data,
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
                // pip's vendored dependencies (`src/pip/_vendor/`).
                | "_vendor"
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

/// Directory names that hold tests, test data or test doubles in the common ecosystems
/// (compared lower-cased: Swift's `Tests/`, .NET's `Test/` too). Java/Kotlin `src/test/` and
/// Foundry's `test/` are `test`; Go's `testdata/` and Python's `tests/` are listed; `certora/`
/// holds the Certora prover's specifications and the harness contracts they verify (Aave's
/// `certora/harness/ATokenHarness.sol`), never deployed.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "_tests",
    "__tests__",
    "spec",
    "specs",
    "__specs__",
    "testdata",
    "fixtures",
    "fixture",
    "__fixtures__",
    "mocks",
    "__mocks__",
    "__snapshots__",
    "e2e",
    "testing",
    "cypress",
    "certora",
];

/// A directory named as tests by a separator-delimited affix: `test_data`, `test-utils`,
/// `integration_tests`, `e2e-test`, `MyApp.Tests`. The separator is required so that
/// `latest/`, `contest/`, `protest/` and `testnet/` stay code.
fn test_dir(c: &str) -> bool {
    let c = c.to_ascii_lowercase();
    if TEST_DIRS.contains(&c.as_str()) {
        return true;
    }
    ["test_", "test-", "tests_", "tests-"].iter().any(|p| c.starts_with(p))
        || ["_test", "-test", ".test", "_tests", "-tests", ".tests"]
            .iter()
            .any(|s| c.ends_with(s))
}

/// Test code by the conventions of the common ecosystems: a test directory anywhere in the
/// path, or a test file name (`*_test.go`, `*.test.ts`, `*.spec.js`, `test_*.py`,
/// `conftest.py`, `*_tests.rs`, `FooTest.java`, Foundry's `*.t.sol`).
pub fn test_path(path: &str) -> bool {
    let mut comps = path.split('/');
    let name = comps.next_back().unwrap_or("");
    if comps.any(test_dir) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or("");
    name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".tests.")
        || name.ends_with(".t.sol")
        || name == "conftest.py"
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("-test")
        || stem.starts_with("test_")
        || stem.ends_with("_spec")
        || stem.ends_with("-spec")
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
}

/// Directory names of example, sample, demo and documentation material.
const SAMPLE_DIRS: &[&str] = &[
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "docs",
    "doc",
    "documentation",
    "tutorial",
    "tutorials",
];

/// Example and sample code: committed sample keys there are demo material, so secret
/// findings count one severity lower (scam findings do not: scams hide anywhere).
pub fn sample_path(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|c| SAMPLE_DIRS.contains(&c.to_ascii_lowercase().as_str()))
}

/// Prose documentation: READMEs of any extension and markup files (`.md`, `.rst`, ...). Plain
/// `.txt` is not included: `requirements.txt` and `CMakeLists.txt` are build inputs.
pub fn doc_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    name.starts_with("readme")
        || matches!(
            extension(path).as_str(),
            "md" | "markdown" | "mdx" | "rst" | "adoc" | "asciidoc" | "org"
        )
}

/// Examples in docs rather than code the project runs: anything under an examples, samples,
/// demo or docs directory, and every README or markup document. Checks that judge what code
/// *does* (a `curl | sh` line, a hard-coded key) use it to tell a quoted example from a live
/// one; it is not a licence to skip scam detectors, whose payloads can sit anywhere.
pub fn example_or_doc(path: &str) -> bool {
    sample_path(path) || doc_file(path)
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

    #[test]
    fn test_paths() {
        // Positives: one per convention, side by side with the near misses below.
        for p in [
            "tests/it.rs",
            "src/foo_test.go",
            "src/app.test.ts",
            "src/app.spec.js",
            "pkg/test_utils.py",
            "conftest.py",
            "pkg/conftest.py",
            "src/parser_tests.rs",
            "lib/wallet-test.js",
            "crates/core/tests/it.rs",
            "src/__tests__/wallet.ts",
            "pkg/_tests/a.py",
            "pkg/testdata/key.pem",
            "pkg/test_data/sample.json",
            "pkg/test-data/sample.json",
            "web/__mocks__/fs.js",
            "web/mocks/server.ts",
            "web/__fixtures__/tx.json",
            "web/fixtures/tx.json",
            "certora/harness/ATokenHarness.sol",
            "web/__snapshots__/a.snap",
            "spec/models/user_spec.rb",
            "specs/a.ts",
            "src/test/java/org/x/WalletTest.java",
            "src/main/java/org/x/WalletTest.java",
            "contracts/test/Vault.t.sol",
            "contracts/src/Vault.t.sol",
            "integration_tests/a.rs",
            "e2e-tests/login.ts",
            "Tests/KitTests/KitTests.swift",
            "src/MyApp.Tests/WalletFacts.cs",
            "packages/test-utils/index.ts",
        ] {
            assert!(test_path(p), "{p} is a test path");
        }
        for p in [
            "src/contest.rs",
            "src/attestation.ts",
            "src/latest/index.ts",
            "protest/main.go",
            "src/testnet/config.ts",
            "src/latest.rs",
            "src/attest_tx.py",
            "contracts/script/Deploy.s.sol",
            "contracts/src/Vault.sol",
            "benches/hash.rs",
            "src/mock.rs",
            "src/specification.md",
            "src/testimony.py",
            "src/backtest/engine.py",
            "src/conftest_helpers/x.py",
        ] {
            assert!(!test_path(p), "{p} is not a test path");
        }
    }

    #[test]
    fn examples_and_docs() {
        for p in [
            "examples/wallet.ts",
            "Examples/wallet.ts",
            "packages/sdk/example/index.js",
            "samples/a.py",
            "demo/app.js",
            "docs/guide/setup.sh",
            "doc/api.rs",
            "README.md",
            "pkg/README",
            "readme.rst",
            "CONTRIBUTING.md",
            "guide.mdx",
        ] {
            assert!(example_or_doc(p), "{p} is an example or doc");
        }
        for p in [
            "src/examples.rs",
            "src/demo.ts",
            "src/docs.ts",
            "requirements.txt",
            "CMakeLists.txt",
            "src/index.ts",
            "scripts/install.sh",
            "docs",
        ] {
            assert!(!example_or_doc(p), "{p} is code");
        }
        assert!(sample_path("examples/a.ts"));
        assert!(!sample_path("README.md"));
    }
}
