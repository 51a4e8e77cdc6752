//! Runs one program and prints its peak RSS (KiB), CPU time (user + sys, seconds) and exit status
//! (128 + the signal if a signal ended it), on one line after the program's own output.
//!
//! Usage: `measure PROGRAM ARGS...` (the environment is passed on).
//!
//! Why a separate process: Linux charges a child's `ru_maxrss` with the RSS of the process that
//! spawned it, up to the `exec` (the old address space's high-water mark is kept). The runner holds
//! the server's buffers (tens of MiB), which would hide every program's own peak; this launcher
//! is small, so the peak it reports is the program's.

use std::process::Command;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let program = args.next().expect("usage: measure PROGRAM ARGS...");
    let child = Command::new(&program)
        .args(args)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not waited for yet; the pointers are to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    std::mem::forget(child);
    // A program that fails is measured all the same; its status is the third figure.
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    println!(
        "{} {:.6} {code}",
        usage.ru_maxrss,
        tv(usage.ru_utime) + tv(usage.ru_stime)
    );
}
