//! `mcvideo review DIR`: the browser page to review and correct scored clips, or
//! `--export` to rewrite the tables with the corrections and write the agreement files, or
//! `--import-ava` to compare the automatic scoring with a lab's AVA exports.

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
    /// A folder of AVA 3.x `<video>_Report1.txt` or CCTools text exports of the same clips:
    /// write review/agreement_ava.csv (automatic against AVA, matched by file stem),
    /// ava_clips.csv, ava_unmatched.csv and ava_warnings.csv, and exit.
    #[arg(long, value_name = "AVA_DIR")]
    import_ava: Option<PathBuf>,
}

/// Runs `mcvideo review`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let catalog = mcvideo_review::Catalog::open(&args.dir, args.clips.as_deref())?;
    let store = mcvideo_review::Store::new(catalog);
    if let Some(ava_dir) = &args.import_ava {
        let import = mcvideo_review::ava::import_ava(&store, ava_dir)
            .with_context(|| format!("importing AVA exports from {}", ava_dir.display()))?;
        for w in &import.warnings {
            match w.line {
                Some(line) => eprintln!("warning: {}:{line}: {}", w.file, w.problem),
                None => eprintln!("warning: {}: {}", w.file, w.problem),
            }
        }
        println!(
            "AVA import: {} exports read, {} matched to clips, {} clips without an export, {} exports without a clip -> {}",
            import.scorings,
            import.matched.len(),
            import.clips_without_ava.len(),
            import.ava_without_clip.len(),
            args.dir.join("review").join("agreement_ava.csv").display()
        );
        if !args.export {
            return Ok(());
        }
    }
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
    if args.open
        && let Err(e) = webbrowser::open(&url)
    {
        eprintln!("warning: cannot open a browser ({e}); open the address above yourself");
    }
    running.join();
    println!("review stopped");
    Ok(())
}

/// After a batch wrote `sites.csv` and `patients.csv` into `out`: when the folder has review
/// corrections, rewrites the tables with them (`reviewed` and the corrected values), as
/// `review --export` does, so a resumed batch never drops them.
pub fn keep_corrections(out: &std::path::Path) -> anyhow::Result<()> {
    if !out.join(mcvideo_review::store::REVIEW_DIR).is_dir() {
        return Ok(());
    }
    let catalog = mcvideo_review::Catalog::open(out, None)?;
    let summary = mcvideo_review::export(&mcvideo_review::Store::new(catalog))
        .with_context(|| format!("applying the review corrections in {}", out.display()))?;
    eprintln!(
        "review: the corrections of {} reviewed clips are in sites.csv and patients.csv",
        summary.reviewed
    );
    if !summary.stale.is_empty() {
        eprintln!(
            "warning: re-scored after their corrections (check them with `mcvideo review`): {}",
            summary.stale.join(", ")
        );
    }
    Ok(())
}
