//! The C ABI over `mrrc-core` (filled in by the C ABI issue).
