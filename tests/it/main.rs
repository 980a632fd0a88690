//! Integration tests through the HTTP application. One binary; every test gets a fresh
//! database (SQLite by default, PostgreSQL when `INNOLAB_TEST_DATABASE_URL` is set).

mod access_matrix;
mod accounts;
mod api;
mod audit;
mod cli;
mod organisations;
mod pages;
mod security;
mod support;
