//! Entry point: trunk builds this binary for wasm32 and calls `main` on load.

fn main() {
    #[cfg(target_arch = "wasm32")]
    lazo_frontend::start();
}
