//! One module per page.

pub mod invite;
pub mod landing;
pub mod not_found;
