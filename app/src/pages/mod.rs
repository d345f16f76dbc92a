//! One module per page.

pub mod embed;
pub mod landing;
pub mod not_found;
pub mod report;
