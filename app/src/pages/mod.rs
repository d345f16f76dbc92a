//! One module per page.

pub mod admin;
pub mod auth;
pub mod dashboard;
/// The widget's page (server side; the widget is `aura_widget`).
#[cfg(feature = "ssr")]
pub mod embed;
pub mod invite;
pub mod landing;
pub mod not_found;
pub mod report;
