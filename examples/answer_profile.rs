//! Profiling aid: the answer-recording benchmark alone (`threads` and `answers` as arguments).
fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let total = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let project = ksbquiz::project::Project::new(env!("CARGO_MANIFEST_DIR"));
    println!(
        "{}",
        ksbquiz::bench::answers_only(&project, threads, total)?
    );
    Ok(())
}
