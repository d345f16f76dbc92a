//! What the widget shows, and its one wire shape.
//!
//! The server renders the widget from [`Props`] and writes the same props into the page as
//! JSON ([`Props::to_json`], element [`crate::STATE_ID`]); the bundle reads them back
//! ([`Props::from_json`]) and hydrates the very same tree. A scan is written in the shape of
//! the contract's scan object (`scan_id`, `target`, `status`, `progress`, `error`, `result`
//! with `score`, `grade`, `verdict`, `red_flags`, `green_flags`), so one reader serves both
//! the page's state and `GET /v1/scan/{id}` once the scan completes.

use crate::{json::Json, text::severity_rank};

/// The widget's input.
#[derive(Clone, Debug, PartialEq)]
pub struct Props {
    /// `dark` or `light`.
    pub theme: String,
    /// Fits a 300×200 frame.
    pub compact: bool,
    pub content: Content,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    Scan(Scan),
    /// Why there is no scan (a message for the visitor).
    Problem(String),
    Nothing,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub id: String,
    pub target: String,
    /// Absolute URL of the scan's report page ("Powered by" links to it).
    pub report_url: String,
    pub state: State,
}

#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// Queued or running: the bar follows the event stream from `progress`.
    Live {
        progress: u8,
        queued: bool,
    },
    Failed(String),
    Done(Verdict),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub score: u8,
    pub grade: String,
    pub verdict: String,
    /// What a glance should show: [`top_flags`].
    pub flags: Vec<Flag>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flag {
    pub red: bool,
    /// A red flag's severity (empty for green flags).
    pub severity: String,
    pub title: String,
}

/// How many flags the widget shows.
pub const FLAGS_SHOWN: usize = 3;

/// Red flags by severity (worst first, otherwise in their order), then green flags, the
/// first `n` of them.
pub fn top_flags<'a>(
    red: impl IntoIterator<Item = (&'a str, &'a str)>,
    green: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<Flag> {
    let mut red: Vec<(&str, &str)> = red.into_iter().collect();
    red.sort_by_key(|&(severity, _)| core::cmp::Reverse(severity_rank(severity)));
    red.into_iter()
        .map(|(severity, title)| Flag {
            red: true,
            severity: severity.to_string(),
            title: title.to_string(),
        })
        .chain(green.into_iter().map(|title| Flag {
            red: false,
            severity: String::new(),
            title: title.to_string(),
        }))
        .take(n)
        .collect()
}

fn percent(v: Option<i64>) -> u8 {
    v.unwrap_or(0).clamp(0, 100) as u8
}

impl Scan {
    /// A scan object (the contract's shape); `report_url` when it carries none (the API's
    /// scan object does carry one, the same URL).
    pub fn from_json(v: &Json, report_url: &str) -> Option<Scan> {
        let status = v.str_at("status").unwrap_or("queued");
        let state = match v.get("result").filter(|r| matches!(r, Json::Obj(_))) {
            Some(r) => {
                let red = r
                    .get("red_flags")
                    .map(Json::items)
                    .unwrap_or_default()
                    .iter()
                    .map(|f| (f.str_at("severity").unwrap_or(""), f.str_at("title").unwrap_or("")));
                let green = r
                    .get("green_flags")
                    .map(Json::items)
                    .unwrap_or_default()
                    .iter()
                    .map(|f| f.str_at("title").unwrap_or(""));
                State::Done(Verdict {
                    score: percent(r.int_at("score")),
                    grade: r.str_at("grade").unwrap_or("").to_string(),
                    verdict: r.str_at("verdict").unwrap_or("").to_string(),
                    flags: top_flags(red, green, FLAGS_SHOWN),
                })
            }
            None if status == "failed" => State::Failed(v.str_at("error").unwrap_or("").to_string()),
            None => State::Live {
                progress: percent(v.int_at("progress")),
                queued: status == "queued",
            },
        };
        Some(Scan {
            id: v.str_at("scan_id")?.to_string(),
            target: v.str_at("target").unwrap_or("").to_string(),
            report_url: v.str_at("report_url").unwrap_or(report_url).to_string(),
            state,
        })
    }

    /// Where the browser follows the scan's events (relative: the origin that served the
    /// page, as the CSP's `connect-src 'self'` requires).
    pub fn stream_path(&self) -> String {
        let mut p = String::from("/v1/scan/");
        p.push_str(&self.id);
        p.push_str("/stream");
        p
    }
}

impl Props {
    pub fn from_json(text: &str) -> Option<Props> {
        let v = Json::parse(text)?;
        let content = match (v.get("scan"), v.str_at("problem")) {
            (Some(scan), _) => Content::Scan(Scan::from_json(scan, "")?),
            (None, Some(problem)) => Content::Problem(problem.to_string()),
            (None, None) => Content::Nothing,
        };
        Some(Props {
            theme: v.str_at("theme").unwrap_or("dark").to_string(),
            compact: v.get("compact").and_then(Json::bool).unwrap_or(false),
            content,
        })
    }
}

#[cfg(any(feature = "ssr", test))]
mod write {
    use super::*;
    use crate::json::push_str;
    use crate::text::num;

    fn key(out: &mut String, first: bool, name: &str) {
        if !first {
            out.push(',');
        }
        push_str(out, name);
        out.push(':');
    }

    impl Scan {
        fn write(&self, out: &mut String) {
            let status = match &self.state {
                State::Live { queued: true, .. } => "queued",
                State::Live { queued: false, .. } => "running",
                State::Failed(_) => "failed",
                State::Done(_) => "completed",
            };
            out.push('{');
            key(out, true, "scan_id");
            push_str(out, &self.id);
            key(out, false, "target");
            push_str(out, &self.target);
            key(out, false, "report_url");
            push_str(out, &self.report_url);
            key(out, false, "status");
            push_str(out, status);
            match &self.state {
                State::Live { progress, .. } => {
                    key(out, false, "progress");
                    out.push_str(&num(u32::from(*progress)));
                }
                State::Failed(error) => {
                    key(out, false, "error");
                    push_str(out, error);
                }
                State::Done(v) => {
                    key(out, false, "result");
                    out.push('{');
                    key(out, true, "score");
                    out.push_str(&num(u32::from(v.score)));
                    key(out, false, "grade");
                    push_str(out, &v.grade);
                    key(out, false, "verdict");
                    push_str(out, &v.verdict);
                    for (name, red) in [("red_flags", true), ("green_flags", false)] {
                        key(out, false, name);
                        out.push('[');
                        for (i, f) in v.flags.iter().filter(|f| f.red == red).enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            out.push('{');
                            key(out, true, "title");
                            push_str(out, &f.title);
                            if red {
                                key(out, false, "severity");
                                push_str(out, &f.severity);
                            }
                            out.push('}');
                        }
                        out.push(']');
                    }
                    out.push('}');
                }
            }
            out.push('}');
        }
    }

    impl Props {
        /// The props as JSON, safe to place inside a `<script type="application/json">`.
        pub fn to_json(&self) -> String {
            let mut out = String::from("{");
            key(&mut out, true, "theme");
            push_str(&mut out, &self.theme);
            key(&mut out, false, "compact");
            out.push_str(if self.compact { "true" } else { "false" });
            match &self.content {
                Content::Scan(scan) => {
                    key(&mut out, false, "scan");
                    scan.write(&mut out);
                }
                Content::Problem(p) => {
                    key(&mut out, false, "problem");
                    push_str(&mut out, p);
                }
                Content::Nothing => {}
            }
            out.push('}');
            out
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A scan of a repository whose name tries to inject markup (shared by the page's tests).
    pub(crate) fn scan(state: State) -> Props {
        Props {
            theme: "light".into(),
            compact: true,
            content: Content::Scan(Scan {
                id: "0123abcd".into(),
                target: "evil/<script>alert(1)</script>".into(),
                report_url: "https://aura.example/report/0123abcd".into(),
                state,
            }),
        }
    }

    #[test]
    fn props_read_back_as_written() {
        let done = Verdict {
            score: 42,
            grade: "D".into(),
            verdict: "RISKY".into(),
            flags: top_flags(
                [("low", "a low one"), ("critical", "<img src=x onerror=alert(1)>")],
                ["signed releases"],
                FLAGS_SHOWN,
            ),
        };
        for props in [
            scan(State::Live {
                progress: 37,
                queued: false,
            }),
            scan(State::Live {
                progress: 0,
                queued: true,
            }),
            scan(State::Failed("The repository is too large.".into())),
            scan(State::Done(done)),
            Props {
                theme: "dark".into(),
                compact: false,
                content: Content::Problem("Name a GitHub repository as owner/name.".into()),
            },
            Props {
                theme: "dark".into(),
                compact: false,
                content: Content::Nothing,
            },
        ] {
            let json = props.to_json();
            assert!(!json.contains('<'), "{json}");
            assert_eq!(Props::from_json(&json).as_ref(), Some(&props), "{json}");
        }
    }

    #[test]
    fn the_api_scan_object_reads_into_a_verdict() {
        let api = r##"{"scan_id":"abc","kind":"repo","target":"acme/orbit","status":"completed","progress":100,
            "created_at":"2026-01-01T00:00:00Z","completed_at":null,"report_url":"https://a.example/report/abc",
            "result":{"score":87,"grade":"B","verdict":"DYOR","summary":"…","tags":["#Established"],
              "red_flags":[{"id":"a","severity":"low","title":"L","detail":""},{"id":"b","severity":"high","title":"H","detail":""},
                           {"id":"c","severity":"medium","title":"M","detail":""}],
              "green_flags":[{"id":"g","severity":"info","title":"G","detail":""}],
              "checks":[{"id":"x","name":"X","status":"pass","points":10,"detail":""}]}}"##;
        let s = Scan::from_json(&Json::parse(api).unwrap(), "unused").unwrap();
        let State::Done(v) = &s.state else { panic!("{s:?}") };
        assert_eq!((v.score, v.grade.as_str(), v.verdict.as_str()), (87, "B", "DYOR"));
        let titles: Vec<&str> = v.flags.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["H", "M", "L"]);
        assert_eq!(s.report_url, "https://a.example/report/abc");
        assert_eq!(s.stream_path(), "/v1/scan/abc/stream");

        let running = Json::parse(r#"{"scan_id":"abc","status":"running","progress":140,"result":null}"#).unwrap();
        let s = Scan::from_json(&running, "https://a.example/report/abc").unwrap();
        assert_eq!(
            s.state,
            State::Live {
                progress: 100,
                queued: false
            }
        );
        assert_eq!(s.report_url, "https://a.example/report/abc");
        assert!(Scan::from_json(&Json::parse("{}").unwrap(), "").is_none());
    }

    #[test]
    fn greens_follow_reds() {
        let f = top_flags([("medium", "m")], ["g1", "g2", "g3"], 3);
        let got: Vec<(bool, &str)> = f.iter().map(|f| (f.red, f.title.as_str())).collect();
        assert_eq!(got, [(true, "m"), (false, "g1"), (false, "g2")]);
    }
}
