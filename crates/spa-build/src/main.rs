//! The two wasm steps of `frontend/build.sh`, as the tools' own command
//! lines would run them:
//!
//! ```text
//! lazo-spa-build split   <linked.wasm> <out-dir> <name>
//!     # wasm-split-cli --target web --out-name <name> <linked.wasm> <out-dir>
//! lazo-spa-build bindgen <main.wasm> <out-dir> <name>
//!     # wasm-bindgen --target web --no-typescript --keep-lld-exports \
//!     #     --no-demangle --out-name <name> --out-dir <out-dir> <main.wasm>
//! ```

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [cmd, input, out_dir, name] if cmd == "split" => split(input, out_dir, name),
        [cmd, input, out_dir, name] if cmd == "bindgen" => bindgen(input, out_dir, name),
        _ => Err("usage: lazo-spa-build split|bindgen <input.wasm> <out-dir> <name>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lazo-spa-build: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Cuts the linked wasm (built with `--emit-relocs`) into `<name>.wasm`, the
/// main module for wasm-bindgen, the split and shared chunks, and
/// `__wasm_split.js`, their loader, which imports `initSync` from
/// `./<name>.js`. Also writes `prefetch.txt`, a line per split module: its
/// name, then the file stems it needs (the shared chunks, then its own), for
/// index.html to preload.
fn split(input: &str, out_dir: &str, name: &str) -> Result<(), String> {
    let wasm = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let out = Path::new(out_dir);
    let main_out = out.join(format!("{name}.wasm"));
    let main_module = format!("./{name}.js");
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = out;
    opts.main_out_path = &main_out;
    opts.main_module = &main_module;
    opts.target.web();
    let split =
        wasm_split_cli_support::transform(opts).map_err(|e| format!("split {input}: {e:#}"))?;
    let mut lines: Vec<String> = split
        .prefetch_map
        .iter()
        .map(|(module, files)| format!("{module} {}\n", files.join(" ")))
        .collect();
    lines.sort();
    let prefetch = out.join("prefetch.txt");
    std::fs::write(&prefetch, lines.concat()).map_err(|e| format!("{}: {e}", prefetch.display()))
}

/// The JS glue for the main module; `keep_lld_exports` keeps the exports
/// the chunks import, `demangle(false)` the names they import them by.
fn bindgen(input: &str, out_dir: &str, name: &str) -> Result<(), String> {
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    b.web(true)
        .map_err(|e| e.to_string())?
        .input_path(input)
        .typescript(false)
        .keep_lld_exports(true)
        .demangle(false)
        // As the command line does by default: `init()` without an argument
        // finds the wasm next to the JS (index.html passes it anyway).
        .omit_default_module_path(false)
        .out_name(name);
    b.generate(out_dir)
        .map_err(|e| format!("bindgen {input}: {e:#}"))
}
