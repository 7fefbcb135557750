// The locale files are compiled into the binary. A missing file must stop the
// build with a message that names it, not surface later as a blank label.
fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales");
    for lang in ["en-US", "zh-CN"] {
        for file in ["app.ftl", "errors.ftl"] {
            let p = root.join(lang).join(file);
            println!("cargo:rerun-if-changed={}", p.display());
            if !p.is_file() {
                panic!("missing locale file {} (every locale needs app.ftl and errors.ftl)", p.display());
            }
        }
    }
}
