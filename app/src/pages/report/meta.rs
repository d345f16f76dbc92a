//! The report's `<head>`: OpenGraph and Twitter cards exactly as the contract words them
//! (`og:title` = `AuraSecurity: {target} — {score}/100 {verdict}`), the canonical URL and the
//! oEmbed discovery link. Values are attribute-escaped by the renderer.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::reports::Report;

#[component]
pub fn ReportMeta(report: Report) -> impl IntoView {
    let title = report.share_title();
    let description = report.share_description();
    // leptos_meta writes `<title>` text unescaped; `<` could close the element early, so it
    // becomes a look-alike there (attributes below are escaped properly).
    let page_title = title
        .trim_start_matches("AuraSecurity: ")
        .replace('<', "‹")
        .replace('>', "›");
    view! {
        <Title text=page_title/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=report.report_url.clone()/>
        <Link rel="alternate" type_="application/json+oembed" href=report.oembed_url.clone() title=title.clone()/>
        <Meta property="og:site_name" content="AuraSecurity"/>
        <Meta property="og:type" content="website"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:url" content=report.report_url.clone()/>
        <Meta property="og:image" content=report.card_url.clone()/>
        <Meta property="og:image:type" content="image/png"/>
        <Meta property="og:image:width" content="1200"/>
        <Meta property="og:image:height" content="630"/>
        <Meta property="og:image:alt" content=title.clone()/>
        <Meta name="twitter:card" content="summary_large_image"/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
        <Meta name="twitter:image" content=report.card_url/>
    }
}
