//! Entry point: frontend/build.sh builds this binary for wasm32; the loader in
//! index.html calls `main` on load.

fn main() {
    #[cfg(target_arch = "wasm32")]
    lazo_frontend::start();
}
