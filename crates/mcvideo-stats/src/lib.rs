//! Statistics I: data tables, descriptive tables with group tests, correlations with FDR, linear regression.
