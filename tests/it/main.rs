//! Integration tests through the HTTP application. One binary; every test gets a fresh
//! database (SQLite by default, PostgreSQL when `INNOLAB_TEST_DATABASE_URL` is set).

mod abuse;
mod access_matrix;
mod accounts;
mod api;
mod api_flow;
mod audit;
mod backup;
mod blind_review;
mod challenges_flow;
mod cli;
mod evaluation_flow;
mod files;
mod form_builder;
mod kinds;
mod module_graph;
mod operations;
mod organisations;
mod pages;
mod personal_data;
mod pilots_flow;
mod proposals_flow;
mod read_models;
mod relevance;
mod round_trip;
mod s3_server;
mod search;
mod security;
mod sql_budget;
mod submission_forms;
mod support;
mod topics;
mod visibility;
