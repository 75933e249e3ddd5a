//! Fuzz target: any bytes as a statistics table (`mcvideo_stats::data::Table::from_reader`),
//! then every column read as numbers, as text and as complete cases. Reading never panics, a
//! refusal names the file, and a number handed to a method is finite.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcvideo_stats::data::Table;

fuzz_target!(|data: &[u8]| {
    let table = match Table::from_reader(data, "fuzz.csv") {
        Ok(table) => table,
        Err(e) => {
            assert!(e.to_string().contains("fuzz.csv"), "{e}");
            return;
        }
    };
    let names: Vec<String> = table.column_names().to_vec();
    for name in &names {
        let text = table.text(name).expect("a listed column exists");
        assert_eq!(text.len(), table.n_rows());
        let _ = table.is_numeric(name);
        match table.numeric(name) {
            Ok(values) => assert!(values.iter().flatten().all(|v| v.is_finite())),
            Err(e) => assert!(e.to_string().contains("fuzz.csv"), "{e}"),
        }
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    if let Ok((columns, dropped)) = table.complete_numeric(&refs) {
        assert_eq!(columns[0].len() + dropped, table.n_rows());
    }
});
