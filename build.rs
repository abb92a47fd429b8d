// The migrations are embedded at compile time; rebuild when they change
// (a new migration folder is not noticed otherwise).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
