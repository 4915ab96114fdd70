//! Measurement aid: fills a database for the planning benchmark with N learners (first
//! argument) at a path (second argument); then `ksbquiz --db PATH bench-plan` plans it in a
//! process of its own and reports that process's peak memory.
fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let db = args.next().unwrap_or_else(|| "plan-bench-db".into());
    let project = ksbquiz::project::Project::new(env!("CARGO_MANIFEST_DIR"));
    println!(
        "{}",
        ksbquiz::bench::planning_only(&project, std::path::Path::new(&db), n)?
    );
    Ok(())
}
