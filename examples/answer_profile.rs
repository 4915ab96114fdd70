//! Profiling aid: the answer-recording benchmark alone (`threads`, `answers` and the bytes an
//! answer writes as arguments; `WORKLOAD=reviews` for a day of reviews instead of new items),
//! then the raw sled ceiling of the same size and durability, and their ratio
//! (`ANSWERS_ONLY=1` skips the ceiling).
fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let total = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let bytes = args.next().and_then(|a| a.parse().ok()).unwrap_or(177);
    let project = ksbquiz::project::Project::new(env!("CARGO_MANIFEST_DIR"));
    let workload = match std::env::var("WORKLOAD").as_deref() {
        Ok("reviews") => ksbquiz::bench::Workload::Reviews,
        _ => ksbquiz::bench::Workload::NewItems,
    };
    let ours = ksbquiz::bench::answers_only(&project, threads, total, workload)?;
    if std::env::var_os("ANSWERS_ONLY").is_some() {
        println!("{ours}");
        return Ok(());
    }
    let raw = ksbquiz::bench::raw_only(threads, total, bytes)?;
    let rate = ours["per_second"].as_f64().unwrap_or(0.0);
    let ceiling = raw["per_second"].as_f64().unwrap_or(f64::INFINITY);
    println!("{ours}");
    println!("raw {raw}, ratio {:.2}", rate / ceiling);
    Ok(())
}

/// The allocator `ksbquiz` itself uses (see `src/main.rs`), so figures here are its figures.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
