//! Progress on stderr: a bar with rate and time left on a terminal, plain periodic lines
//! otherwise, nothing with `--quiet`. Also the interrupt flag set by Ctrl-C or SIGTERM.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

static STOP: AtomicBool = AtomicBool::new(false);
static HANDLER: OnceLock<()> = OnceLock::new();

/// The flag set when SIGINT or SIGTERM arrives (the handler is installed on first use).
pub fn stop_flag() -> &'static AtomicBool {
    HANDLER.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                // a second signal: give up at once
                std::process::exit(130);
            }
            super::note("interrupt: finishing the units in progress, then stopping (press again to stop at once)");
        });
    });
    &STOP
}

/// Counts finished units and shows it.
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: Option<Mutex<(Instant, Instant)>>,
    done: AtomicU64,
    total: u64,
    label: String,
}

impl Progress {
    pub fn new(total: u64, label: &str, quiet: bool) -> Progress {
        let tty = std::io::stderr().is_terminal();
        let show = !quiet && total > 1;
        let bar = (show && tty).then(|| {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} replications, {per_sec}, {eta} left")
                    .expect("template")
                    .progress_chars("=> "),
            );
            b.set_message(label.to_string());
            b
        });
        let now = Instant::now();
        let plain = (show && !tty).then(|| Mutex::new((now, now)));
        Progress { bar, plain, done: AtomicU64::new(0), total, label: label.to_string() }
    }

    /// One more unit finished.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(b) = &self.bar {
            b.inc(1);
        }
        if let Some(p) = &self.plain {
            let mut g = p.lock().expect("progress lock");
            let now = Instant::now();
            if now.duration_since(g.1) >= Duration::from_secs(10) || done == self.total {
                g.1 = now;
                let secs = now.duration_since(g.0).as_secs_f64();
                let rate = done as f64 / secs.max(1e-9);
                let left = (self.total - done) as f64 / rate.max(1e-9);
                super::note(&format!("{}: {done}/{} replications, {rate:.1}/s, about {left:.0} s left", self.label, self.total));
            }
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
