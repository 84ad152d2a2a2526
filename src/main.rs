//! The `tgforge` binary: parse arguments, run, exit with the command's code.

use clap::Parser;

// A large tree is thousands of small strings made and dropped on several threads at once,
// where glibc's allocator took a fifth of `gen`'s samples (perf); with mimalloc's per-thread
// heaps `gen` at 500 environments costs about 12% less CPU. mimalloc 2 (the `v2` feature):
// mimalloc 3 peaked at 60-100 MiB there, over issue 15's 64 MiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tune_allocator();
    let cli = tgforge::cli::Cli::parse();
    std::process::ExitCode::from(tgforge::cli::run(cli))
}

/// mimalloc keeps freed memory for a while to be fast for long-running servers; a short run
/// that makes and frees thousands of strings on several threads then peaks at 62-65 MiB at
/// 500 environments, against glibc's 50. Returning freed memory at once keeps the peak at
/// 55-58 MiB (issue 15 asks for at most 64) for a few percent of the gain.
fn tune_allocator() {
    // mimalloc 2's option number (include/mimalloc.h, `mi_option_e`); the crate does not name
    // it.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option is a plain store, valid at any time on any thread.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}
