//! Committed executables and compiled artifacts, recognised by magic number first and by
//! extension second.
//!
//! Severity follows what a reviewer can't see: native executables outside test fixtures are
//! high (a Windows program the README tells you to download and run is the classic "download
//! my sniper bot" payload: critical, see `escalate_promoted`); native shared libraries (`.so`, `.dylib`, Windows DLLs by their PE header's DLL
//! flag, such as go-ethereum's installer plugin) and opaque bytecode that runs with the
//! project (`.jar`, `.pyc`) are medium; `.wasm` and `.class` are low (often generated
//! outputs committed for convenience). Artifacts under build outputs (`target/`, `dist/`,
//! `build/`, `out/`) and test fixtures cost nothing.

use super::classify;
use super::finding::ScamFinding;
use crate::result::Severity;

/// What a binary is, from its first bytes (and its name where the bytes are shared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    WindowsExe,
    NativeExe(&'static str),
    SharedLib(&'static str),
    Bytecode(&'static str),
    /// WebAssembly, Java classes: low.
    Generated(&'static str),
}

fn pe(path: &str, data: &[u8]) -> bool {
    // "MZ" also starts ordinary text; a PE file points at its "PE\0\0" header from 0x3c.
    let ext = classify::extension(path);
    let pe_header = data
        .get(0x3c..0x40)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .and_then(|off| data.get(off..off + 4))
        == Some(b"PE\0\0");
    pe_header
        || (matches!(ext.as_str(), "exe" | "dll" | "scr" | "msi" | "sys" | "pif" | "cpl")
            && memchr::memchr(0, data).is_some())
}

/// The COFF `Characteristics` of a PE file: 18 bytes after the `PE\0\0` signature's end.
fn pe_characteristics(data: &[u8]) -> Option<u16> {
    let off = data
        .get(0x3c..0x40)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)?;
    (data.get(off..off + 4)? == b"PE\0\0")
        .then(|| data.get(off + 22..off + 24).map(|b| u16::from_le_bytes([b[0], b[1]])))
        .flatten()
}

/// `libfoo.so`, `libfoo.so.1.2`, `libfoo.dylib`.
fn shared_lib_name(path: &str) -> bool {
    let name = classify::file_name(path).to_ascii_lowercase();
    name.ends_with(".so") || name.contains(".so.") || name.ends_with(".dylib")
}

fn format_of(path: &str, data: &[u8]) -> Option<Format> {
    let ext = classify::extension(path);
    let binary = memchr::memchr(0, &data[..data.len().min(8000)]).is_some();
    let macho = data.starts_with(&[0xfe, 0xed, 0xfa, 0xce])
        || data.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
        || data.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
        || data.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]);
    if data.starts_with(b"MZ") {
        if !pe(path, data) {
            return None;
        }
        // A DLL is a library loaded by a program, not a program to run: the COFF header's
        // IMAGE_FILE_DLL flag (or the name, when the header is damaged) says which.
        let dll = pe_characteristics(data).map_or(ext == "dll", |c| c & 0x2000 != 0);
        return Some(if dll {
            Format::SharedLib("Windows")
        } else {
            Format::WindowsExe
        });
    }
    if data.starts_with(b"\x7fELF") || macho {
        let os = if macho { "macOS" } else { "Linux" };
        return Some(if shared_lib_name(path) {
            Format::SharedLib(os)
        } else {
            Format::NativeExe(os)
        });
    }
    // Magic numbers whose meaning needs the extension: PK is any zip, CAFEBABE is also a
    // Mach-O universal binary, a .pyc starts with a version-specific number then CR LF.
    match ext.as_str() {
        "jar" | "war" | "aar" if data.starts_with(b"PK\x03\x04") => return Some(Format::Bytecode("Java archive")),
        "pyc" | "pyo" if data.get(2..4) == Some(b"\r\n") => return Some(Format::Bytecode("compiled Python module")),
        "class" if data.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) => {
            return Some(Format::Generated("compiled Java class"))
        }
        "wasm" if data.starts_with(b"\0asm") => return Some(Format::Generated("WebAssembly module")),
        _ => {}
    }
    if data.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) && ext != "class" && binary {
        return Some(Format::NativeExe("macOS universal"));
    }
    // Extension as the secondary signal: binary content under a library/bytecode name whose
    // magic we did not recognise (stripped or damaged headers are still not reviewable).
    if binary {
        return match ext.as_str() {
            "dll" => Some(Format::SharedLib("Windows")),
            "so" | "dylib" => Some(Format::SharedLib("native")),
            "jar" | "pyc" => Some(Format::Bytecode("compiled bytecode")),
            _ if shared_lib_name(path) => Some(Format::SharedLib("native")),
            _ => None,
        };
    }
    None
}

/// Build outputs committed by accident: not the project's sources.
fn build_output(path: &str) -> bool {
    path.split('/').rev().skip(1).any(|c| {
        matches!(
            c,
            "target" | "dist" | "build" | "out" | "node_modules" | "bin_debug" | "obj"
        )
    })
}

const WINDOWS_EXE_TITLE: &str = "Ships a prebuilt Windows executable";

/// A README that tells readers to download or run an executable turns the committed Windows
/// programs into the classic "run my sniper bot" payload: critical.
pub fn escalate_promoted(findings: &mut [ScamFinding]) {
    for f in findings
        .iter_mut()
        .filter(|f| f.title == WINDOWS_EXE_TITLE && f.severity == Severity::High)
    {
        f.severity = Severity::Critical;
        f.detail.push_str(" The README tells readers to download and run it.");
    }
}

/// Committed executables and compiled artifacts (see the module doc for severities).
pub fn executable(path: &str, data: &[u8]) -> Option<ScamFinding> {
    let fmt = format_of(path, data)?;
    let in_tests = classify::test_path(path);
    let generated_place = in_tests || build_output(path);
    let (severity, title, what) = match fmt {
        // Executables keep their severity wherever they sit outside tests (a `dist/` with a
        // Windows binary is still a Windows binary to run).
        // High, like any program no one can review: setuptools and pip ship Windows launcher
        // stubs. The "download and run my bot.exe" scam is the README telling you to run it,
        // which `escalate_promoted` makes critical.
        Format::WindowsExe => (
            if in_tests { Severity::Low } else { Severity::High },
            WINDOWS_EXE_TITLE,
            "a Windows executable".to_string(),
        ),
        Format::NativeExe(os) => (
            if in_tests { Severity::Low } else { Severity::High },
            "Ships a prebuilt executable",
            format!("a {os} executable"),
        ),
        Format::SharedLib(os) => (
            if generated_place {
                Severity::Low
            } else {
                Severity::Medium
            },
            "Ships a prebuilt native library",
            format!("a {os} shared library"),
        ),
        Format::Bytecode(kind) => (
            if generated_place {
                Severity::Low
            } else {
                Severity::Medium
            },
            "Ships compiled bytecode",
            format!("a {kind}"),
        ),
        Format::Generated(kind) => {
            if generated_place {
                return None;
            }
            (Severity::Low, "Ships a compiled artifact", format!("a {kind}"))
        }
    };
    let title = if in_tests && severity == Severity::Low && matches!(fmt, Format::WindowsExe | Format::NativeExe(_)) {
        "Executable in test fixtures"
    } else {
        title
    };
    Some(ScamFinding::new(
        "scam.executables",
        severity,
        title,
        path,
        0,
        format!("{path} is {what} committed to the repository; its behaviour can't be reviewed from source."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(path: &str, data: &[u8]) -> Option<Severity> {
        executable(path, data).map(|f| f.severity)
    }

    fn pe_bytes() -> Vec<u8> {
        let mut pe = vec![0u8; 0x100];
        pe[0] = b'M';
        pe[1] = b'Z';
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe
    }

    #[test]
    fn magic_numbers_first() {
        let pe = pe_bytes();
        // Programs are high (setuptools' `cli-64.exe` launcher stubs, a bot's `.exe`)...
        assert_eq!(sev("bot/Sniper.exe", &pe), Some(Severity::High));
        assert_eq!(sev("setuptools/cli-64.exe", &pe), Some(Severity::High));
        // ...a program named .dll is still a program...
        assert_eq!(sev("lib/hook.dll", &pe), Some(Severity::High));
        // ...and pip's vendored launchers are third-party code, not scanned.
        assert!(crate::analysis::classify::vendored("src/pip/_vendor/distlib/t64.exe"));
        // A real DLL (IMAGE_FILE_DLL in the COFF header) is a library: medium, low where
        // build files live (go-ethereum's `build/nsis.simplefc.dll` installer plugin).
        let mut dll = pe_bytes();
        dll[0x80 + 22..0x80 + 24].copy_from_slice(&0x2102u16.to_le_bytes());
        assert_eq!(sev("plugins/hook.dll", &dll), Some(Severity::Medium));
        assert_eq!(sev("build/nsis.simplefc.dll", &dll), Some(Severity::Low));
        assert_eq!(sev("bot/Sniper.exe", &dll), Some(Severity::Medium));
        assert_eq!(sev("tests/fixtures/sample.exe", &pe), Some(Severity::Low));
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0";
        assert_eq!(sev("bin/miner", elf), Some(Severity::High));
        assert_eq!(sev("native/libcore.so", elf), Some(Severity::Medium));
        assert_eq!(sev("native/libcore.so.1.2", elf), Some(Severity::Medium));
        assert_eq!(sev("target/release/libcore.so", elf), Some(Severity::Low));
        let macho = [0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1];
        assert_eq!(sev("Frameworks/libx.dylib", &macho), Some(Severity::Medium));
        assert_eq!(sev("bin/tool", &macho), Some(Severity::High));
    }

    #[test]
    fn bytecode_by_magic_and_extension() {
        let jar = b"PK\x03\x04\x14\0\x08\0";
        assert_eq!(sev("libs/payload.jar", jar), Some(Severity::Medium));
        assert_eq!(sev("build/libs/app.jar", jar), Some(Severity::Low));
        // A zip is not a jar, and gradle's wrapper jar in a test tree is a fixture.
        assert_eq!(sev("assets/archive.zip", jar), None);
        assert_eq!(sev("src/test/resources/x.jar", jar), Some(Severity::Low));
        let pyc = b"\x55\x0d\r\n\0\0\0\0";
        assert_eq!(sev("pkg/__init__.pyc", pyc), Some(Severity::Medium));
        assert_eq!(sev("pkg/notes.pyc", b"just text\n"), None);
        let class = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34];
        assert_eq!(sev("src/Main.class", &class), Some(Severity::Low));
        assert_eq!(sev("out/production/Main.class", &class), None);
        assert_eq!(sev("web/pkg/app_bg.wasm", b"\0asm\x01\0\0\0"), Some(Severity::Low));
        assert_eq!(sev("dist/app_bg.wasm", b"\0asm\x01\0\0\0"), None);
        // Extension second: binary content under a library name.
        assert_eq!(sev("plugins/x.dll", b"\x01\x02\0\0garbage"), Some(Severity::Medium));
        // Text under a library name (a git-lfs pointer) is not a binary.
        assert_eq!(
            sev("plugins/x.so", b"version https://git-lfs.github.com/spec/v1\n"),
            None
        );
        assert_eq!(sev("README.md", b"MZ is a nice place"), None);
    }
}
