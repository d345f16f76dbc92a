//! Where repository contents and metadata come from.

pub mod archive;
pub mod git;
pub mod github;
pub mod http;
pub mod osv;
