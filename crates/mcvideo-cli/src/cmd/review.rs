//! `mcvideo review DIR`: the browser page to review and correct scored clips, or
//! `--export` to rewrite the tables with the corrections and write the agreement files.

use anyhow::Context;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// Arguments of `mcvideo review`.
#[derive(clap::Args)]
pub struct Args {
    /// A batch output folder, or a folder of `score --out` results beside their clips.
    dir: PathBuf,
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// Where the clips are, when not where the batch read them (run.json's input) or beside
    /// the score files.
    #[arg(long)]
    clips: Option<PathBuf>,
    /// Rewrite sites.csv and patients.csv with the corrected values and `reviewed`, write
    /// review/agreement.csv and review/confusion.csv, and exit (no server, no browser).
    #[arg(long)]
    export: bool,
}

/// Runs `mcvideo review`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let catalog = mcvideo_review::Catalog::open(&args.dir, args.clips.as_deref())?;
    let store = mcvideo_review::Store::new(catalog);
    if args.export {
        let summary = mcvideo_review::export(&store)?;
        println!(
            "review export: {} clips, {} reviewed{} -> {}",
            summary.clips,
            summary.reviewed,
            if summary.tables_rewritten {
                "; sites.csv and patients.csv rewritten"
            } else {
                ""
            },
            args.dir.join("review").join("agreement.csv").display()
        );
        if !summary.stale.is_empty() {
            eprintln!(
                "warning: re-scored after their corrections (check them in the page): {}",
                summary.stale.join(", ")
            );
        }
        return Ok(());
    }
    let running = mcvideo_review::serve(
        store,
        mcvideo_review::ServeOptions {
            port: args.port,
            ..Default::default()
        },
    )?;
    let url = running.url();
    println!("review: {url}");
    println!("(Ctrl-C stops the server; corrections are saved as you make them)");
    let stop = running.stop_flag();
    ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    if args.open {
        if let Err(e) = webbrowser::open(&url) {
            eprintln!("warning: cannot open a browser ({e}); open the address above yourself");
        }
    }
    running.join();
    println!("review stopped");
    Ok(())
}
