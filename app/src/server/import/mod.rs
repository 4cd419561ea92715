//! Reading spreadsheets of projects: `read` turns a file into cells,
//! `analyse` turns cells into a verdict per row (`services::imports` keeps
//! the file and writes what passed).
pub mod analyse;
pub mod read;
