//! Bad CSV input gives clear errors naming the file and the problem; missing values are dropped and counted.

use mcvideo_stats::data::Table;
use mcvideo_stats::StatsError;

fn load(text: &str) -> Result<Table, StatsError> {
    Table::from_reader(text.as_bytes(), "bad.csv")
}

#[test]
fn ragged_row_names_the_row() {
    let err = load("a,b,c\n1,2,3\n4,5\n6,7,8\n").unwrap_err();
    assert!(matches!(
        err,
        StatsError::RaggedRow {
            row: 2,
            found: 2,
            expected: 3,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "bad.csv: row 2 has 2 fields, the header has 3"
    );
    // blank lines are skipped and not counted as rows
    let err = load("a,b\n\n1,2\n\n3\n").unwrap_err();
    assert!(matches!(
        err,
        StatsError::RaggedRow {
            row: 2,
            found: 1,
            ..
        }
    ));
    let err = load("a,b\n1,2,3\n").unwrap_err();
    assert!(matches!(
        err,
        StatsError::RaggedRow {
            row: 1,
            found: 3,
            ..
        }
    ));
}

#[test]
fn text_in_a_numeric_column_names_file_row_and_column() {
    let table = load("dose,mfi\n0.2,3\n0.4,two\n").unwrap();
    let err = table.numeric("mfi").unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.csv: row 2, column `mfi`: `two` is not a number"
    );
    // the same through complete_numeric, the CLI's entry point
    let err = table.complete_numeric(&["dose", "mfi"]).unwrap_err();
    assert!(matches!(err, StatsError::NotNumeric { row: 2, ref column, .. } if column == "mfi"));
    // infinities are not data
    let table = load("x\n1\ninf\n").unwrap();
    assert!(matches!(
        table.numeric("x").unwrap_err(),
        StatsError::NotFinite { row: 2, .. }
    ));
}

#[test]
fn empty_file_and_header_only() {
    assert_eq!(
        load("").unwrap_err().to_string(),
        "bad.csv: the file is empty (no header row)"
    );
    assert!(matches!(
        load("\n\n").unwrap_err(),
        StatsError::EmptyFile { .. }
    ));
    assert_eq!(
        load("a,b\n").unwrap_err().to_string(),
        "bad.csv: the file has a header but no data rows"
    );
}

#[test]
fn empty_and_duplicate_column_names() {
    assert_eq!(
        load("a,,c\n1,2,3\n").unwrap_err().to_string(),
        "bad.csv: column 2 of the header has no name"
    );
    assert!(matches!(
        load("a,b,a\n1,2,3\n").unwrap_err(),
        StatsError::DuplicateColumn { ref name, .. } if name == "a"
    ));
}

#[test]
fn unknown_column_lists_the_columns() {
    let table = load("dose,mfi\n1,2\n").unwrap();
    let err = table.complete_numeric(&["dose", "ppv"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.csv: no column named `ppv` (columns: dose, mfi)"
    );
    assert!(table.text("nope").is_err());
}

#[test]
fn missing_values_are_dropped_and_counted() {
    let table = load("x,y,label\n1,2,a\nNA,3,b\n4,,c\n5,6,NA\n7, NA ,e\n8,9,f\n").unwrap();
    let (columns, dropped) = table.complete_numeric(&["x", "y"]).unwrap();
    assert_eq!(columns, vec![vec![1.0, 5.0, 8.0], vec![2.0, 6.0, 9.0]]);
    assert_eq!(dropped, 3);
    // a column not asked for does not drop rows
    let (columns, dropped) = table.complete_numeric(&["x"]).unwrap();
    assert_eq!((columns[0].len(), dropped), (5, 1));
    assert_eq!(table.text("label").unwrap()[3], None);
}

#[test]
fn non_finite_numbers_are_refused_not_dropped() {
    for cell in ["NaN", "nan", "inf", "-Infinity", "1e999"] {
        let table = load(&format!("x,y\n1,2\n3,{cell}\n")).unwrap();
        assert_eq!(
            table.complete_numeric(&["x", "y"]).unwrap_err().to_string(),
            format!(
                "bad.csv: row 2, column `y`: `{cell}` is not a finite number (a missing value is an empty cell or NA)"
            )
        );
        assert!(table.is_numeric("y").unwrap());
    }
}

#[test]
fn quoted_fields_and_unreadable_file() {
    let table = load("name,x\n\"Smith, J\",1\n").unwrap();
    assert_eq!(table.text("name").unwrap()[0].as_deref(), Some("Smith, J"));
    let missing = std::path::Path::new("/nonexistent/mcvideo/none.csv");
    let err = Table::from_path(missing).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("/nonexistent/mcvideo/none.csv: cannot read"));
}
