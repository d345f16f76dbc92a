pub fn fmt(msg: &str) -> String { format!("[log] {msg}") }
