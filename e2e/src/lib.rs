//! End-to-end journeys. `tests/` drives the real `lazo` binary over HTTP the
//! way an integrator would; `browser/` drives the SPA in Chromium.
