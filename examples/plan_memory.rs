//! Measurement aid: daily planning alone for N learners (argument), with its own peak memory.
fn main() -> anyhow::Result<()> {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let project = ksbquiz::project::Project::new(env!("CARGO_MANIFEST_DIR"));
    println!("{}", ksbquiz::bench::planning_only(&project, n)?);
    Ok(())
}
