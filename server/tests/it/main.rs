//! Integration tests: the real app over HTTP on PostgreSQL and SQLite.
//! One test binary so everything links once.
mod support;

mod asked_documents;
mod assets;
mod assignee_filter;
mod assignments;
mod auth;
mod backup;
mod bucket;
mod calendar;
mod concurrency;
mod dashboard;
mod demo;
mod directory;
mod documents;
mod figures;
mod forms;
mod funding;
mod health;
mod hostile;
mod imports;
mod mail;
mod migrations;
mod operations;
mod pages;
mod permissions;
mod pg_cluster;
mod project_feeds;
mod projects;
mod read_cache;
mod shares;
mod shutdown;
mod territories;
