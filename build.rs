//! Rebuilds when a migration is added: `embed_migrations!` reads the folders at compile
//! time, and cargo does not otherwise know that a new folder there changes the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
