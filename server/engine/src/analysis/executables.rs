//! Committed executables, recognised by magic number.

use super::classify;
use super::scam::ScamFinding;
use crate::result::Severity;

/// Committed executables, by magic number (extension alone is not trusted either way).
pub fn executable(path: &str, data: &[u8]) -> Option<ScamFinding> {
    let fmt = if data.starts_with(b"MZ") {
        // "MZ" also starts ordinary text; a PE file points at its "PE\0\0" header from 0x3c.
        let ext = classify::extension(path);
        let pe_header = data
            .get(0x3c..0x40)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .and_then(|off| data.get(off..off + 4))
            == Some(b"PE\0\0");
        if pe_header
            || (matches!(
                ext.as_str(),
                "exe" | "dll" | "scr" | "msi" | "sys" | "pif" | "cpl"
            ) && memchr::memchr(0, data).is_some())
        {
            "Windows executable"
        } else {
            return None;
        }
    } else if data.starts_with(b"\x7fELF") {
        "Linux executable"
    } else if data.starts_with(&[0xfe, 0xed, 0xfa, 0xce])
        || data.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
        || data.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
        || data.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        "macOS executable"
    } else {
        return None;
    };
    let in_tests = classify::test_path(path);
    let severity = if in_tests {
        Severity::Low
    } else if fmt == "Windows executable" {
        Severity::Critical
    } else {
        Severity::High
    };
    Some(ScamFinding::new(
        "scam.executables",
        severity,
        if in_tests { "Executable in test fixtures" } else { "Ships a prebuilt executable" },
        path,
        0,
        format!("{path} is a {fmt} committed to the repository; its behaviour can't be reviewed from source."),
    ))
}
