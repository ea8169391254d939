//! API journeys against the real `lazo` binary live in `tests/`.
