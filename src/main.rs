//! The `tgforge` binary: parse arguments, run, exit with the command's code.

use clap::Parser;

// A large tree is thousands of small strings made and dropped on several threads at once,
// where glibc's allocator took a fifth of `gen`'s samples (perf); with mimalloc's per-thread
// heaps `gen` at 500 environments costs about 12% less CPU. mimalloc 2 (the `v2` feature):
// mimalloc 3 peaked at 60-100 MiB there, over issue 15's 64 MiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    #[cfg(not(target_os = "linux"))]
    tune_allocator();
    let cli = tgforge::cli::Cli::parse();
    std::process::ExitCode::from(tgforge::cli::run(cli))
}

// On Linux the settings are made before `main`, before the standard library's start-up code
// allocates for the first time: that first allocation maps mimalloc's first segment, and with
// huge pages still allowed the kernel zeroed 2 MiB for it (4-5% of `gen`'s samples at 10
// environments, perf). A function in `.init_array` runs as the process is loaded, before any
// Rust code; it may run before or after mimalloc's own constructor, which reads only options
// that were not set yet.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR_AT_LOAD: extern "C" fn() = {
    extern "C" fn at_load() {
        tune_allocator();
    }
    at_load
};

/// Settings of mimalloc for a short run that makes and frees thousands of strings on several
/// threads (issue 15: peak memory at most 64 MiB at 500 environments, speed):
/// - no transparent huge pages: mimalloc asks for them on its segments, and the kernel then
///   zeroes 2 MiB at each first touch (a tenth of `gen`'s CPU at 500 environments, perf) and
///   keeps whole huge pages resident;
/// - freed memory is kept, never purged: the process ends soon, and purging then touching
///   the memory again cost as much again in page faults. Peak 58 MiB at 500 environments
///   (purging at once: 46 MiB, 20% slower; huge pages and the default delay: 61-66 MiB).
fn tune_allocator() {
    // mimalloc 2's option numbers (include/mimalloc.h, `mi_option_e`); the crate does not name
    // them.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const ALLOW_THP: libmimalloc_sys::mi_option_t = 37;
    // SAFETY: setting an option is a plain store, valid at any time on any thread.
    unsafe {
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
    }
    // The option only stops later requests; memory mimalloc took before `main` may already be
    // marked for huge pages. This turns them off for the whole process (Linux 3.15+; an error
    // leaves things as they were).
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
