//! Just enough JSON for the widget: reading the state the server writes into the page, the
//! stream's `data:` objects and the scan object of `GET /v1/scan/{id}`; writing (server
//! only) the state. `serde_json` would cost the bundle tens of kilobytes for these few
//! fields.
//!
//! Numbers are read as integers (a fraction or exponent is skipped, the integer part kept):
//! every number the widget reads (`percent`, `progress`, `score`) is an integer.

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// Nesting deeper than this is refused (no input of ours comes near it; a stack overflow
/// would abort the bundle).
const MAX_DEPTH: u32 = 32;

impl Json {
    /// The value of `text`, or `None` if it is not one JSON value.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.at == p.s.len()).then_some(v)
    }

    /// The member `key` of an object (`None` for anything else).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Json::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of an array (none for anything else).
    pub fn items(&self) -> &[Json] {
        match self {
            Json::Arr(items) => items,
            _ => &[],
        }
    }

    /// `get(key)` then `str()`.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::str)
    }

    /// `get(key)` then `int()`.
    pub fn int_at(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Json::int)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Option<()> {
        if self.s.get(self.at..self.at + lit.len()) == Some(lit) {
            self.at += lit.len();
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'n' => self.eat(b"null").map(|_| Json::Null),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(Json::Arr(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    self.eat(b":")?;
                    members.push((key, self.value(depth + 1)?));
                    self.ws();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            return Some(Json::Obj(members));
                        }
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Json> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut n: i64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.saturating_mul(10).saturating_add(i64::from(d - b'0'));
            self.at += 1;
        }
        if self.at == start {
            return None;
        }
        // A fraction or an exponent: skipped (see the module's docs).
        while matches!(self.peek(), Some(b'.' | b'e' | b'E' | b'+' | b'-' | b'0'..=b'9')) {
            self.at += 1;
        }
        Some(Json::Int(if negative { -n } else { n }))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = char::from(self.peek()?).to_digit(16)?;
            v = v * 16 + d;
            self.at += 1;
        }
        Some(v)
    }

    /// A string, the opening quote at `self.at`.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote or escape as it is (valid UTF-8: the input is
            // a `&str` and the run ends at an ASCII byte).
            let run = self.at;
            while !matches!(self.peek()?, b'"' | b'\\') {
                if self.peek()? < 0x20 {
                    return None;
                }
                self.at += 1;
            }
            out.push_str(core::str::from_utf8(&self.s[run..self.at]).ok()?);
            if self.peek()? == b'"' {
                self.at += 1;
                return Some(out);
            }
            self.at += 1;
            let c = match self.peek()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    self.at += 1;
                    let hi = self.hex4()?;
                    let code = if (0xD800..0xDC00).contains(&hi) {
                        self.eat(b"\\u")?;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    out.push(char::from_u32(code)?);
                    continue;
                }
                _ => return None,
            };
            self.at += 1;
            out.push(c);
        }
    }
}

/// Writes `s` as a JSON string that is also safe inside an HTML `<script>` element: `<`,
/// `>` and `&` are escaped, so no text of a scan can close the element or start a comment.
#[cfg(any(feature = "ssr", test))]
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u");
                let code = c as u32;
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[((code >> shift) & 0xf) as usize]));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_server_and_the_stream_send() {
        let v = Json::parse(
            r#" {"percent": 42, "message":"Reading files…", "nested":{"a":[1,-2,3.5e2,true,false,null]}} "#,
        )
        .unwrap();
        assert_eq!(v.int_at("percent"), Some(42));
        assert_eq!(v.str_at("message"), Some("Reading files…"));
        let a = v.get("nested").unwrap().get("a").unwrap().items();
        assert_eq!(
            a,
            [
                Json::Int(1),
                Json::Int(-2),
                Json::Int(3),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]
        );
        assert_eq!(v.get("missing"), None);
        assert_eq!(Json::parse("[]"), Some(Json::Arr(vec![])));
        assert_eq!(Json::parse("{}"), Some(Json::Obj(vec![])));
    }

    #[test]
    fn strings_unescape() {
        let v = Json::parse(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00\u003cx""#).unwrap();
        assert_eq!(v.str(), Some("a\"b\\c/d\né😀<x"));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "\"open",
            "\"\\ud800\"",
            "\"\\q\"",
            "tru",
            "1 2",
            "\"a\u{1}b\"",
            "-",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(Json::parse(&deep), None);
    }

    #[test]
    fn written_strings_read_back_and_stay_inside_a_script_element() {
        let hostile = "</script><!-- \"quoted\" \\ & \u{1}\n\u{2028} é";
        let mut out = String::new();
        push_str(&mut out, hostile);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        assert_eq!(Json::parse(&out).unwrap().str(), Some(hostile));
    }
}
