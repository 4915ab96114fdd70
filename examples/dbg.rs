fn main() {
    let p = std::env::args().nth(1).unwrap();
    let raw = std::fs::read_to_string(&p).unwrap();
    let side: Option<ksbquiz::standards::Sidecar> = std::fs::read_to_string(
        ksbquiz::standards::meta::sidecar_path(std::path::Path::new(&p)),
    )
    .ok()
    .map(|s| toml::from_str(&s).unwrap());
    match ksbquiz::standards::parse(&raw, &p, side.as_ref()) {
        Ok(s) => {
            println!("{:?}", s.standard);
            for it in &s.items {
                println!(
                    "{} [{}] {}",
                    it.id,
                    it.section.as_deref().unwrap_or(""),
                    it.text
                )
            }
        }
        Err(e) => println!("{e}"),
    }
}
