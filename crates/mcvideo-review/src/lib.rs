//! Review and correction of scored clips in the browser, the way AVA's semi-automatic
//! workflow lets a rater see every vessel and fix what the software got wrong.
//!
//! [`Catalog`] indexes a batch output (or `score --out` folder); [`Store`] keeps each clip's
//! corrections in `review/<clip id>.json` beside the untouched score JSON;
//! [`corrections::apply`] turns them into corrected vessels and recomputes the metrics with
//! the scorer's own [`mcvideo_metrics::site_metrics`]; [`export::export`] rewrites the
//! batch tables and writes the agreement files; [`ava::import_ava`] compares the automatic
//! scoring with a lab's AVA 3.x or CCTools exports; [`server::serve`] is the local web server of
//! the page. Nothing outside the folder is read or written on a request's behalf
//! ([`paths::Confined`]).

pub mod agreement;
pub mod ava;
pub mod catalog;
pub mod corrections;
pub mod error;
pub mod export;
pub mod media;
pub mod paths;
pub mod server;
pub mod store;

pub use catalog::{Catalog, ClipEntry, ScoreData};
pub use error::ReviewError;
pub use export::{export, ExportSummary};
pub use paths::Confined;
pub use server::{serve, Running, ServeOptions};
pub use store::Store;
