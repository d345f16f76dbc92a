//! The widget's page (server side): a small document around the server-rendered widget that
//! loads the widget's own bundle, not the application's. The widget's props travel in the
//! page as JSON (a data block, never executed) so the bundle hydrates exactly the tree the
//! server rendered.

use leptos::prelude::*;

use crate::{model::Props, view::Widget, JS_URL, STATE_ID, WASM_URL};

/// `"` `&` `<` `>` escaped, for an attribute value.
fn push_attr(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// The widget's HTML document. `nonce` is the request's CSP nonce (the module script that
/// starts the bundle carries it); `stylesheet` the site's stylesheet URL.
pub fn render(props: &Props, nonce: Option<&str>, stylesheet: &str) -> String {
    let owner = Owner::new();
    let body = owner.with(|| {
        let props = props.clone();
        view! { <Widget props=props/> }.to_html()
    });
    drop(owner);
    let state = props.to_json();

    let mut html = String::with_capacity(body.len() + state.len() + 1024);
    html.push_str(
        "<!DOCTYPE html><html lang=\"en\" data-theme=\"dark\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>Scan · AuraSecurity</title><link rel=\"stylesheet\" id=\"leptos\" href=\"",
    );
    push_attr(&mut html, stylesheet);
    html.push_str(
        "\"/><link rel=\"icon\" href=\"/favicon.svg\"/><meta name=\"theme-color\" content=\"#0b0f17\"/>\
         <link rel=\"modulepreload\" href=\"",
    );
    html.push_str(JS_URL);
    html.push_str("\"/><link rel=\"preload\" href=\"");
    html.push_str(WASM_URL);
    html.push_str(
        "\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"\"/><script type=\"application/json\" id=\"",
    );
    html.push_str(STATE_ID);
    html.push_str("\">");
    // `Props::to_json` escapes `<`, `>` and `&`: nothing in it can end this element.
    html.push_str(&state);
    html.push_str("</script><script type=\"module\"");
    if let Some(nonce) = nonce {
        html.push_str(" nonce=\"");
        push_attr(&mut html, nonce);
        html.push('"');
    }
    html.push_str(">import init,{hydrate}from\"");
    html.push_str(JS_URL);
    html.push_str("\";init({module_or_path:\"");
    html.push_str(WASM_URL);
    html.push_str("\"}).then(()=>hydrate())</script></head><body>");
    html.push_str(&body);
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{top_flags, State, Verdict};

    use crate::model::tests::scan as props;

    #[test]
    fn the_page_loads_the_widget_bundle_with_the_nonce() {
        let html = render(
            &props(State::Live {
                progress: 37,
                queued: false,
            }),
            Some("n0nce"),
            "/pkg/aurasecurity.css",
        );
        assert!(
            html.contains("<script type=\"module\" nonce=\"n0nce\">import init,{hydrate}from\"/widget/pkg/widget.js\"")
        );
        assert!(html.contains("href=\"/pkg/aurasecurity.css\""));
        assert!(!html.contains("/pkg/aurasecurity.js") && !html.contains("/pkg/aurasecurity.wasm"));
        assert!(html.contains("data-testid=\"live-progress\""), "{html}");
        assert!(html.contains("class=\"embed compact\""), "{html}");
        assert!(html.contains("data-theme=\"light\""));
        assert!(html.contains("aria-valuenow=\"37\""), "{html}");
        assert!(html.contains("width:37%") || html.contains("width: 37%"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        // The state the bundle reads back.
        let start = html.find("id=\"aura-widget-state\">").unwrap() + "id=\"aura-widget-state\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let back = Props::from_json(&html[start..end]).unwrap();
        assert_eq!(
            back,
            props(State::Live {
                progress: 37,
                queued: false
            })
        );
    }

    #[test]
    fn a_verdict_is_rendered_as_text() {
        let html = render(
            &props(State::Done(Verdict {
                score: 42,
                grade: "D".into(),
                verdict: "RISKY".into(),
                flags: top_flags([("critical", "<img src=x onerror=alert(1)>")], [], 3),
            })),
            None,
            "/pkg/aurasecurity.css",
        );
        // (Leptos writes `class` after the other attributes.)
        assert!(
            html.contains("data-testid=\"embed-score\" class=\"embed-num v-risky\">42<"),
            "{html}"
        );
        assert!(
            html.contains("data-testid=\"embed-verdict\" class=\"pill v-risky\">RISKY<"),
            "{html}"
        );
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("href=\"https://aura.example/report/0123abcd\" target=\"_blank\" rel=\"noopener\""));
        assert!(html.contains("<script type=\"module\">"), "no nonce, no attribute");
    }
}
