//! Loading the clinical table, joining the batch `patients.csv` by patient and day, and cutting
//! the joined data into the main-day table and the Day-to-Day change table.

use crate::error::{Result, StudyError};
use mcvideo_stats::data::Table;
use std::collections::HashMap;
use std::path::Path;

/// Joined rows, one per patient and day; every cell kept as text (`None` = missing).
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The files the rows came from, for messages (`a.csv + b.csv`).
    pub source: String,
    /// Column names (patient and day first).
    pub columns: Vec<String>,
    /// Patient id of each row.
    pub patients: Vec<String>,
    /// Day of each row.
    pub days: Vec<i64>,
    /// `cells[column][row]`.
    cells: Vec<Vec<Option<String>>>,
    /// Names of the clinical and the batch table (empty without one), for messages.
    table_names: [String; 2],
    /// Per cell column: whether the clinical and the batch table hold it.
    column_in: Vec<[bool; 2]>,
    /// Per row: its 0-based row in the clinical and in the batch table.
    row_in: Vec<[Option<usize>; 2]>,
}

fn stats_err(e: mcvideo_stats::error::StatsError) -> StudyError {
    StudyError::Data {
        file: String::new(),
        problem: e.to_string(),
    }
    .trim_file()
}

impl StudyError {
    /// A `Data` error whose message already names the file keeps it once.
    fn trim_file(self) -> StudyError {
        match self {
            StudyError::Data { file, problem } if file.is_empty() => match problem.split_once(": ")
            {
                Some((f, p)) => StudyError::Data {
                    file: f.to_string(),
                    problem: p.to_string(),
                },
                None => StudyError::Data {
                    file: "data".to_string(),
                    problem,
                },
            },
            other => other,
        }
    }
}

/// Parses a day cell: integers (`1`, `1.0`) or `D1`/`day1`.
fn parse_day(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let v: f64 = digits.parse().ok()?;
    (v.fract() == 0.0 && v.abs() < 1e9).then_some(v as i64)
}

/// Rows of one table keyed by patient and day.
fn keyed_rows(
    table: &Table,
    patient_column: &str,
    day_column: &str,
    default_day: Option<i64>,
) -> Result<(Vec<String>, Vec<i64>)> {
    let file = table.name().to_string();
    let patients = table.text(patient_column).map_err(stats_err)?;
    let patients: Vec<String> = patients
        .into_iter()
        .enumerate()
        .map(|(row, p)| {
            p.ok_or_else(|| StudyError::Data {
                file: file.clone(),
                problem: format!(
                    "row {}: the patient column `{patient_column}` is empty",
                    row + 1
                ),
            })
        })
        .collect::<Result<_>>()?;
    let has_day = table.column_names().iter().any(|c| c == day_column);
    let days: Vec<i64> = if has_day {
        table
            .text(day_column)
            .map_err(stats_err)?
            .into_iter()
            .enumerate()
            .map(|(row, d)| {
                d.as_deref()
                    .and_then(parse_day)
                    .ok_or_else(|| StudyError::Data {
                        file: file.clone(),
                        problem: format!(
                            "row {}: the day column `{day_column}` holds {:?}, not a day number",
                            row + 1,
                            d.unwrap_or_default()
                        ),
                    })
            })
            .collect::<Result<_>>()?
    } else {
        match default_day {
            Some(day) => vec![day; patients.len()],
            None => {
                return Err(StudyError::Data {
                    file,
                    problem: format!("has no day column `{day_column}` to join on"),
                })
            }
        }
    };
    let mut seen = HashMap::new();
    for (row, key) in patients.iter().zip(&days).enumerate() {
        if let Some(first) = seen.insert(key, row) {
            return Err(StudyError::Data {
                file,
                problem: format!(
                    "patient `{}` day {} appears twice (rows {} and {})",
                    key.0,
                    key.1,
                    first + 1,
                    row + 1
                ),
            });
        }
    }
    Ok((patients, days))
}

fn cells_equal(a: &str, b: &str) -> bool {
    a == b
        || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0))
}

impl Dataset {
    /// Loads the clinical table (without a day column it holds `main_day`) and joins the optional
    /// batch table by patient and day. A cell present in both tables must agree.
    pub fn load(
        clinical: &Path,
        batch: Option<&Path>,
        patient_column: &str,
        day_column: &str,
        main_day: i64,
    ) -> Result<Dataset> {
        let clinical_table = Table::from_path(clinical).map_err(stats_err)?;
        let batch_table = batch
            .map(|p| Table::from_path(p).map_err(stats_err))
            .transpose()?;
        Dataset::join(
            &clinical_table,
            batch_table.as_ref(),
            patient_column,
            day_column,
            main_day,
        )
    }

    /// Joins already loaded tables (see [`Dataset::load`]).
    ///
    /// ```
    /// use mcvideo_stats::data::Table;
    /// use mcvideo_study::data::Dataset;
    /// let clinical = Table::from_reader("patient,dose\nA,0.3\nB,0.9\n".as_bytes(), "clinical.csv").unwrap();
    /// let batch = Table::from_reader("patient,day,mfi\nA,1,2.9\nA,3,2.8\nB,1,2.5\n".as_bytes(), "patients.csv").unwrap();
    /// let data = Dataset::join(&clinical, Some(&batch), "patient", "day", 1).unwrap();
    /// assert_eq!(data.patients, vec!["A", "B", "A"]);
    /// assert_eq!(data.days, vec![1, 1, 3]);
    /// assert_eq!(data.column("mfi").unwrap(), &[Some("2.9".to_string()), Some("2.5".to_string()), Some("2.8".to_string())]);
    /// assert_eq!(data.column("dose").unwrap()[2], None);
    /// ```
    pub fn join(
        clinical: &Table,
        batch: Option<&Table>,
        patient_column: &str,
        day_column: &str,
        main_day: i64,
    ) -> Result<Dataset> {
        let (mut patients, mut days) =
            keyed_rows(clinical, patient_column, day_column, Some(main_day))?;
        let mut columns = vec![patient_column.to_string(), day_column.to_string()];
        let mut cells: Vec<Vec<Option<String>>> = Vec::new();
        let mut column_in: Vec<[bool; 2]> = Vec::new();
        let mut row_in: Vec<[Option<usize>; 2]> =
            (0..patients.len()).map(|r| [Some(r), None]).collect();
        let mut table_names = [clinical.name().to_string(), String::new()];
        let mut index: HashMap<String, usize> = HashMap::new();
        for name in clinical.column_names() {
            if name == patient_column || name == day_column {
                continue;
            }
            index.insert(name.clone(), columns.len() - 2);
            columns.push(name.clone());
            cells.push(clinical.text(name).map_err(stats_err)?);
            column_in.push([true, false]);
        }
        let mut source = clinical.name().to_string();
        if let Some(batch) = batch {
            source = format!("{source} + {}", batch.name());
            table_names[1] = batch.name().to_string();
            let (b_patients, b_days) = keyed_rows(batch, patient_column, day_column, None)?;
            let mut row_of: HashMap<(String, i64), usize> = patients
                .iter()
                .cloned()
                .zip(days.iter().copied())
                .enumerate()
                .map(|(row, key)| (key, row))
                .collect();
            // Rows of the batch table that are not in the clinical table are appended.
            let mut target = Vec::with_capacity(b_patients.len());
            for (b_row, key) in b_patients.into_iter().zip(b_days).enumerate() {
                let row = match row_of.get(&key) {
                    Some(&row) => row,
                    None => {
                        let row = patients.len();
                        patients.push(key.0.clone());
                        days.push(key.1);
                        row_in.push([None, None]);
                        row_of.insert(key, row);
                        row
                    }
                };
                row_in[row][1] = Some(b_row);
                target.push(row);
            }
            let n_rows = patients.len();
            for column in cells.iter_mut() {
                column.resize(n_rows, None);
            }
            for name in batch.column_names() {
                if name == patient_column || name == day_column {
                    continue;
                }
                let values = batch.text(name).map_err(stats_err)?;
                let col = match index.get(name) {
                    Some(&c) => c,
                    None => {
                        index.insert(name.clone(), cells.len());
                        columns.push(name.clone());
                        cells.push(vec![None; n_rows]);
                        column_in.push([false, false]);
                        cells.len() - 1
                    }
                };
                column_in[col][1] = true;
                for (b_row, value) in values.into_iter().enumerate() {
                    let Some(value) = value else { continue };
                    let row = target[b_row];
                    match &cells[col][row] {
                        Some(existing) if !cells_equal(existing, &value) => {
                            return Err(StudyError::Data {
                                file: source,
                                problem: format!(
                                    "column `{name}`, patient `{}` day {}: {} has {existing:?}, {} has {value:?}",
                                    patients[row],
                                    days[row],
                                    clinical.name(),
                                    batch.name()
                                ),
                            });
                        }
                        _ => cells[col][row] = Some(value),
                    }
                }
            }
        }
        Ok(Dataset {
            source,
            columns,
            patients,
            days,
            cells,
            table_names,
            column_in,
            row_in,
        })
    }

    /// Where the cell of `column` in dataset row `row` was read, for messages:
    /// `clinical.csv: row 3 (patient `P3`, day 1), column `time28``, the row counted as
    /// [`Table`] counts it (1-based, header not counted). The clinical table is named when it
    /// holds the column and the row, else the batch table.
    ///
    /// ```
    /// use mcvideo_stats::data::Table;
    /// use mcvideo_study::data::Dataset;
    /// let clinical = Table::from_reader("patient,dose\nA,0.3\nB,0.9\n".as_bytes(), "c.csv").unwrap();
    /// let batch = Table::from_reader("patient,day,mfi\nB,1,2.5\nA,3,2.8\n".as_bytes(), "p.csv").unwrap();
    /// let d = Dataset::join(&clinical, Some(&batch), "patient", "day", 1).unwrap();
    /// assert_eq!(d.cell_origin("dose", 1), "c.csv: row 2 (patient `B`, day 1), column `dose`");
    /// assert_eq!(d.cell_origin("mfi", 2), "p.csv: row 2 (patient `A`, day 3), column `mfi`");
    /// ```
    pub fn cell_origin(&self, column: &str, row: usize) -> String {
        let holds = self
            .columns
            .iter()
            .skip(2)
            .position(|c| c == column)
            .map_or([false, false], |i| self.column_in[i]);
        let rows = self.row_in.get(row).copied().unwrap_or([None, None]);
        let (table, table_row) = match (holds, rows) {
            ([true, _], [Some(r), _]) => (0, Some(r)),
            ([_, true], [_, Some(r)]) => (1, Some(r)),
            (_, [Some(r), _]) => (0, Some(r)),
            (_, [_, r]) => (1, r),
        };
        let at = table_row.map_or(String::new(), |r| format!(" row {}", r + 1));
        format!(
            "{}:{at} (patient `{}`, day {}), column `{column}`",
            self.table_names[table],
            self.patients.get(row).map_or("", String::as_str),
            self.days.get(row).copied().unwrap_or_default()
        )
    }

    /// The cells of a column (`None` if the column is absent; the patient and day columns are not stored as cells).
    pub fn column(&self, name: &str) -> Option<&[Option<String>]> {
        let i = self.columns.iter().skip(2).position(|c| c == name)?;
        Some(&self.cells[i])
    }

    /// Checks that a column exists; the error names the column, the config key and the files.
    ///
    /// ```
    /// use mcvideo_stats::data::Table;
    /// use mcvideo_study::data::Dataset;
    /// let t = Table::from_reader("patient,dose\nA,0.3\n".as_bytes(), "c.csv").unwrap();
    /// let d = Dataset::join(&t, None, "patient", "day", 1).unwrap();
    /// assert!(d.require("dose", "dose").is_ok());
    /// assert_eq!(d.require("mfi", "outcomes").unwrap_err().to_string(),
    ///            "column `mfi` (config key `outcomes`) is not in c.csv (columns: patient, day, dose)");
    /// ```
    pub fn require(&self, column: &str, key: &str) -> Result<()> {
        if self.columns.iter().any(|c| c == column) {
            Ok(())
        } else {
            Err(StudyError::MissingColumn {
                column: column.to_string(),
                key: key.to_string(),
                files: self.source.clone(),
                available: self.columns.join(", "),
            })
        }
    }

    /// The rows of one day as a [`Table`] (named after the source and the day).
    ///
    /// ```
    /// use mcvideo_stats::data::Table;
    /// use mcvideo_study::data::Dataset;
    /// let t = Table::from_reader("patient,day,dose\nA,D1,0.3\nA,D3,0.6\n".as_bytes(), "c.csv").unwrap();
    /// let d = Dataset::join(&t, None, "patient", "day", 1).unwrap();
    /// assert_eq!(d.day_table(3).unwrap().numeric("dose").unwrap(), vec![Some(0.6)]);
    /// assert!(d.day_table(2).is_err());
    /// ```
    pub fn day_table(&self, day: i64) -> Result<Table> {
        let rows: Vec<usize> = (0..self.days.len())
            .filter(|&r| self.days[r] == day)
            .collect();
        self.rows_table(&rows, &format!("day {day}"))
    }

    /// Every row (all days) as one table, patient and day first.
    pub fn all_days_table(&self) -> Result<Table> {
        let rows: Vec<usize> = (0..self.days.len()).collect();
        self.rows_table(&rows, "all days")
    }

    fn rows_table(&self, rows: &[usize], which: &str) -> Result<Table> {
        if rows.is_empty() {
            return Err(StudyError::Data {
                file: self.source.clone(),
                problem: format!("no rows for {which}"),
            });
        }
        let mut csv = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| StudyError::Data {
            file: self.source.clone(),
            problem: e.to_string(),
        };
        csv.write_record(&self.columns).map_err(io)?;
        for &r in rows {
            let mut record = vec![self.patients[r].clone(), self.days[r].to_string()];
            record.extend(self.cells.iter().map(|c| c[r].clone().unwrap_or_default()));
            csv.write_record(&record).map_err(io)?;
        }
        let bytes = csv.into_inner().map_err(|e| StudyError::Data {
            file: self.source.clone(),
            problem: e.to_string(),
        })?;
        Table::from_reader(bytes.as_slice(), &format!("{} ({which})", self.source))
            .map_err(stats_err)
    }

    /// Per patient with both days: `patient`, then for each variable `delta_<v>` = value on
    /// `day_to` − value on `day_from`, then each `carry` column's value on `day_from`.
    /// Patients missing either day are left out.
    pub fn change_table(
        &self,
        day_from: i64,
        day_to: i64,
        variables: &[String],
        carry: &[String],
    ) -> Result<(Table, usize)> {
        let from = self.day_table(day_from)?;
        let to = self.day_table(day_to)?;
        let p_from = from.text(&self.columns[0]).map_err(stats_err)?;
        let p_to = to.text(&self.columns[0]).map_err(stats_err)?;
        let row_to: HashMap<String, usize> = p_to
            .into_iter()
            .enumerate()
            .filter_map(|(r, p)| p.map(|p| (p, r)))
            .collect();
        let num = |t: &Table, v: &str| t.numeric(v).map_err(stats_err);
        let from_cols: Vec<Vec<Option<f64>>> = variables
            .iter()
            .map(|v| num(&from, v))
            .collect::<Result<_>>()?;
        let to_cols: Vec<Vec<Option<f64>>> = variables
            .iter()
            .map(|v| num(&to, v))
            .collect::<Result<_>>()?;
        let carry_cols: Vec<Vec<Option<f64>>> =
            carry.iter().map(|v| num(&from, v)).collect::<Result<_>>()?;
        let mut header = vec![self.columns[0].clone()];
        header.extend(variables.iter().map(|v| format!("delta_{v}")));
        header.extend(carry.iter().cloned());
        let mut csv = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| StudyError::Data {
            file: self.source.clone(),
            problem: e.to_string(),
        };
        csv.write_record(&header).map_err(io)?;
        let mut paired = 0;
        for (r, patient) in p_from.iter().enumerate() {
            let Some(patient) = patient else { continue };
            let Some(&r2) = row_to.get(patient) else {
                continue;
            };
            paired += 1;
            let mut record = vec![patient.clone()];
            for (a, b) in from_cols.iter().zip(&to_cols) {
                record.push(match (a[r], b[r2]) {
                    (Some(a), Some(b)) => format!("{}", b - a),
                    _ => String::new(),
                });
            }
            for c in &carry_cols {
                record.push(c[r].map(|v| v.to_string()).unwrap_or_default());
            }
            csv.write_record(&record).map_err(io)?;
        }
        if paired == 0 {
            return Err(StudyError::Data {
                file: self.source.clone(),
                problem: format!("no patient has rows for both day {day_from} and day {day_to}"),
            });
        }
        let bytes = csv.into_inner().map_err(|e| StudyError::Data {
            file: self.source.clone(),
            problem: e.to_string(),
        })?;
        let table = Table::from_reader(
            bytes.as_slice(),
            &format!("{} (day {day_to} - day {day_from})", self.source),
        )
        .map_err(stats_err)?;
        Ok((table, paired))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicting_cells_are_an_error_naming_the_column() {
        let a = Table::from_reader("patient,mfi\nA,2.9\n".as_bytes(), "a.csv").unwrap();
        let b = Table::from_reader("patient,day,mfi\nA,1,2.5\n".as_bytes(), "b.csv").unwrap();
        let err = Dataset::join(&a, Some(&b), "patient", "day", 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column `mfi`") && err.contains("patient `A`"),
            "{err}"
        );
    }

    #[test]
    fn change_table_pairs_patients() {
        let a = Table::from_reader(
            "patient,day,dose,mfi,age\nA,1,0.2,3,50\nA,3,0.5,2.5,50\nB,1,1,2,60\n".as_bytes(),
            "a.csv",
        )
        .unwrap();
        let d = Dataset::join(&a, None, "patient", "day", 1).unwrap();
        let (t, paired) = d
            .change_table(1, 3, &["dose".into(), "mfi".into()], &["age".into()])
            .unwrap();
        assert_eq!(paired, 1);
        assert_eq!(t.numeric("delta_mfi").unwrap(), vec![Some(-0.5)]);
        assert_eq!(t.numeric("delta_dose").unwrap(), vec![Some(0.3)]);
        assert_eq!(t.numeric("age").unwrap(), vec![Some(50.0)]);
    }
}
