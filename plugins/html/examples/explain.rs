//! `cargo run --release -p morgue-plugin-html --example explain -- PAGE NEEDLE`
#![allow(missing_docs)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let page = std::fs::read_to_string(&args[1]).expect("page");
    print!("{}", morgue_plugin_html::explain(&page, &args[2]));
}
