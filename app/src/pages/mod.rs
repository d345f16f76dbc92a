//! One module per page.

pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod embed;
pub mod invite;
pub mod landing;
pub mod not_found;
pub mod report;
