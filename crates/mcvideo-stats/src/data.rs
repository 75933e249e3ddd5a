//! Data tables from CSV: a header row, numeric and categorical columns, missing values, complete cases.
//!
//! Every cell is kept as text; a column is read as numbers only when a method asks for it, so
//! the same file can hold numeric and categorical columns. Empty cells and `NA` are missing (as
//! R's `read.csv` writes and reads them). In a column asked for as numeric, text that is not a
//! number and a number that is not finite (`NaN`, `Inf`, `1e999`) are errors naming the file,
//! the data row (1-based, header and blank lines not counted) and the column: such a cell is no
//! measurement, and dropping it as missing would hide the computation that produced it.

use crate::error::StatsError;
use std::io::Read;
use std::path::Path;

/// A CSV table: column names and the text of every cell (`None` = missing).
#[derive(Debug, Clone)]
pub struct Table {
    name: String,
    columns: Vec<String>,
    /// `cells[column][row]`, trimmed; `None` for an empty cell or `NA`.
    cells: Vec<Vec<Option<String>>>,
    /// Number of data rows.
    rows: usize,
}

/// The cell texts that mean "missing".
fn is_missing(cell: &str) -> bool {
    cell.is_empty() || cell == "NA"
}

impl Table {
    /// Reads a CSV file with a header row.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join("mcvideo_stats_doc_from_path");
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("t.csv");
    /// std::fs::write(&path, "a,b\n1,x\n2,y\n").unwrap();
    /// let table = mcvideo_stats::data::Table::from_path(&path).unwrap();
    /// assert_eq!(table.n_rows(), 2);
    /// ```
    pub fn from_path(path: &Path) -> Result<Table, StatsError> {
        let file = std::fs::File::open(path).map_err(|source| StatsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Table::from_reader(std::io::BufReader::new(file), &path.display().to_string())
    }

    /// Reads CSV text with a header row; `name` is used in error messages.
    ///
    /// ```
    /// use mcvideo_stats::data::Table;
    /// let table = Table::from_reader("dose,sex\n0.3,F\nNA,M\n".as_bytes(), "demo.csv").unwrap();
    /// assert_eq!(table.column_names(), &["dose".to_string(), "sex".to_string()]);
    /// assert_eq!(table.numeric("dose").unwrap(), vec![Some(0.3), None]);
    /// let err = Table::from_reader("a,b\n1\n".as_bytes(), "bad.csv").unwrap_err();
    /// assert_eq!(err.to_string(), "bad.csv: row 1 has 1 fields, the header has 2");
    /// ```
    pub fn from_reader<R: Read>(reader: R, name: &str) -> Result<Table, StatsError> {
        let file = name.to_string();
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true) // ragged rows are reported below with their row number
            .from_reader(reader);
        let csv_error = |e: csv::Error| StatsError::Csv {
            file: file.clone(),
            message: e.to_string(),
        };
        let header = csv.headers().map_err(csv_error)?.clone();
        let columns: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        if columns.is_empty() || (columns.len() == 1 && columns[0].is_empty()) {
            return Err(StatsError::EmptyFile { file });
        }
        for (i, column) in columns.iter().enumerate() {
            if column.is_empty() {
                return Err(StatsError::EmptyColumnName {
                    file,
                    column: i + 1,
                });
            }
            if columns[..i].contains(column) {
                return Err(StatsError::DuplicateColumn {
                    file,
                    name: column.clone(),
                });
            }
        }
        let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); columns.len()];
        let mut rows = 0;
        for (index, record) in csv.records().enumerate() {
            let record = record.map_err(csv_error)?;
            if record.len() != columns.len() {
                return Err(StatsError::RaggedRow {
                    file,
                    row: index + 1,
                    found: record.len(),
                    expected: columns.len(),
                });
            }
            for (column, cell) in cells.iter_mut().zip(record.iter()) {
                let cell = cell.trim();
                column.push((!is_missing(cell)).then(|| cell.to_string()));
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(StatsError::NoRows { file });
        }
        Ok(Table {
            name: file,
            columns,
            cells,
            rows,
        })
    }

    /// The name given at loading (the file path for [`Table::from_path`]).
    ///
    /// ```
    /// let t = mcvideo_stats::data::Table::from_reader("a\n1\n".as_bytes(), "x.csv").unwrap();
    /// assert_eq!(t.name(), "x.csv");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column names, in file order.
    ///
    /// ```
    /// let t = mcvideo_stats::data::Table::from_reader(" a , b\n1,2\n".as_bytes(), "x.csv").unwrap();
    /// assert_eq!(t.column_names(), &["a".to_string(), "b".to_string()]);
    /// ```
    pub fn column_names(&self) -> &[String] {
        &self.columns
    }

    /// The number of data rows (the header not counted).
    ///
    /// ```
    /// let t = mcvideo_stats::data::Table::from_reader("a\n1\n\n2\n".as_bytes(), "x.csv").unwrap();
    /// assert_eq!(t.n_rows(), 2);
    /// ```
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    fn index(&self, name: &str) -> Result<usize, StatsError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| StatsError::UnknownColumn {
                file: self.name.clone(),
                name: name.to_string(),
                available: self.columns.join(", "),
            })
    }

    /// A column read as numbers; `None` where the cell is missing (empty or `NA`).
    ///
    /// ```
    /// use mcvideo_stats::data::Table;
    /// let t = Table::from_reader("a,b,c\n1.5,x,1\n,y,NaN\nNA,z,2\n".as_bytes(), "x.csv").unwrap();
    /// assert_eq!(t.numeric("a").unwrap(), vec![Some(1.5), None, None]);
    /// let err = t.numeric("b").unwrap_err();
    /// assert_eq!(err.to_string(), "x.csv: row 1, column `b`: `x` is not a number");
    /// let err = t.numeric("c").unwrap_err();
    /// assert!(err.to_string().starts_with("x.csv: row 2, column `c`: `NaN` is not a finite number"));
    /// ```
    pub fn numeric(&self, name: &str) -> Result<Vec<Option<f64>>, StatsError> {
        let index = self.index(name)?;
        self.cells[index]
            .iter()
            .enumerate()
            .map(|(row, cell)| match cell {
                None => Ok(None),
                Some(text) => match text.parse::<f64>() {
                    Ok(value) if value.is_finite() => Ok(Some(value)),
                    Ok(_) => Err(StatsError::NotFinite {
                        file: self.name.clone(),
                        row: row + 1,
                        column: name.to_string(),
                        value: text.clone(),
                    }),
                    Err(_) => Err(StatsError::NotNumeric {
                        file: self.name.clone(),
                        row: row + 1,
                        column: name.to_string(),
                        value: text.clone(),
                    }),
                },
            })
            .collect()
    }

    /// True when every non-missing cell of the column is a number (and one at least is
    /// present). A numeric column with a `NaN` or `Inf` cell counts as numeric, so that reading
    /// it ([`Table::numeric`]) refuses that cell rather than the column being taken for text.
    ///
    /// ```
    /// let t = mcvideo_stats::data::Table::from_reader("a,b,c\n1,x,1\n2,3,inf\n".as_bytes(), "x.csv").unwrap();
    /// assert!(t.is_numeric("a").unwrap());
    /// assert!(!t.is_numeric("b").unwrap());
    /// assert!(t.is_numeric("c").unwrap() && t.numeric("c").is_err());
    /// ```
    pub fn is_numeric(&self, name: &str) -> Result<bool, StatsError> {
        let index = self.index(name)?;
        let mut any = false;
        for text in self.cells[index].iter().flatten() {
            match text.parse::<f64>() {
                Ok(_) => any = true,
                Err(_) => return Ok(false),
            }
        }
        Ok(any)
    }

    /// A column as text; `None` where the cell is missing.
    ///
    /// ```
    /// let t = mcvideo_stats::data::Table::from_reader("sex\nF\nNA\n M \n".as_bytes(), "x.csv").unwrap();
    /// assert_eq!(t.text("sex").unwrap(), vec![Some("F".to_string()), None, Some("M".to_string())]);
    /// ```
    pub fn text(&self, name: &str) -> Result<Vec<Option<String>>, StatsError> {
        let index = self.index(name)?;
        Ok(self.cells[index].clone())
    }

    /// Complete cases of the named numeric columns: (columns in the order asked, rows dropped).
    ///
    /// A row is dropped when any of the named columns is missing in it.
    ///
    /// ```
    /// let t = mcvideo_stats::data::Table::from_reader("x,y,z\n1,2,a\n3,,b\n5,6,\n".as_bytes(), "x.csv").unwrap();
    /// let (cols, dropped) = t.complete_numeric(&["y", "x"]).unwrap();
    /// assert_eq!(cols, vec![vec![2.0, 6.0], vec![1.0, 5.0]]);
    /// assert_eq!(dropped, 1);
    /// ```
    pub fn complete_numeric(&self, names: &[&str]) -> Result<(Vec<Vec<f64>>, usize), StatsError> {
        let raw = names
            .iter()
            .map(|name| self.numeric(name))
            .collect::<Result<Vec<_>, _>>()?;
        let mut columns = vec![Vec::with_capacity(self.n_rows()); names.len()];
        let mut dropped = 0;
        for row in 0..self.n_rows() {
            if raw.iter().all(|column| column[row].is_some()) {
                for (out, column) in columns.iter_mut().zip(&raw) {
                    out.extend(column[row]);
                }
            } else {
                dropped += 1;
            }
        }
        Ok((columns, dropped))
    }
}
