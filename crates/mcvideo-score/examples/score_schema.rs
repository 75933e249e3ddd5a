//! Prints the JSON Schema of the score JSON: regenerates `docs/score.schema.json`.
//!
//! ```text
//! cargo run -p mcvideo-score --example score_schema > docs/score.schema.json
//! ```

fn main() {
    print!("{}", mcvideo_score::report::score_json_schema());
}
