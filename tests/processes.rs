//! Tests that run real `innolab` processes against the test database. They are a test
//! binary of their own so that they run after the in-process suite rather than beside it:
//! their bar (a change found through another instance within 2 s) must not compete with
//! dozens of parallel tests for the machine's cores.

#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

#[path = "processes/abuse.rs"]
mod abuse;
#[path = "processes/search.rs"]
mod search;
#[path = "processes/server.rs"]
mod server;
