//! Reusable view pieces.

pub mod layout;
pub mod live;
