//! `migguard.toml`: project settings (placeholder; implemented by the lint engine work).
