//! Reusable view pieces.

pub mod forms;
pub mod layout;
pub mod list;
pub mod live;
