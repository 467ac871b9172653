//! Rendering findings: human, json, sarif, github (placeholder).
