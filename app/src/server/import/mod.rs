//! Reading spreadsheets: `read` turns a file into cells, `analyse` turns
//! a projects file's cells into a verdict per row, `contacts` a contacts
//! file's, `lines` a funding lines file's (`services::imports` keeps the
//! file and writes what passed).
pub mod analyse;
pub mod contacts;
pub mod lines;
pub mod read;
