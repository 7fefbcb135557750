// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let started = std::time::Instant::now();
    let system_locale = sys_locale::get_locale().unwrap_or_else(|| "en-US".into());
    let launch = match mercator_api::parse_args(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(cfg) => cfg,
        Err(e) => {
            let lang = mercator_i18n::negotiate(&system_locale);
            eprintln!("mercator: {}", mercator_i18n::error_message(lang, &e));
            std::process::exit(2);
        }
    };
    mercator_app::run(launch, system_locale, started);
}
