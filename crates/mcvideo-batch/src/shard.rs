//! `--shard K/N`: the K-th of N disjoint parts of an archive, for cluster job arrays.

use crate::BatchError;

/// Part `index` (1-based, as SLURM array task ids `--array=1-N` give it) of `count` parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `K/N`.
    ///
    /// ```
    /// use mcvideo_batch::Shard;
    /// assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
    /// assert!(Shard::parse("0/4").is_err() && Shard::parse("5/4").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Shard, BatchError> {
        let bad = || BatchError::Shard(text.to_string());
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Keeps every N-th job of the sorted list, starting at position K−1. Round-robin over
    /// the sorted archive spreads patients (and so slow and fast clips) evenly over shards.
    ///
    /// ```
    /// use mcvideo_batch::Shard;
    /// let jobs: Vec<u32> = (0..10).collect();
    /// assert_eq!(Shard { index: 2, count: 3 }.select(&jobs), vec![1, 4, 7]);
    /// ```
    pub fn select<T: Clone>(&self, jobs: &[T]) -> Vec<T> {
        jobs.iter()
            .skip(self.index - 1)
            .step_by(self.count)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_jobs() {
        let jobs: Vec<u32> = (0..23).collect();
        let mut all: Vec<u32> = (1..=4)
            .flat_map(|k| Shard { index: k, count: 4 }.select(&jobs))
            .collect();
        all.sort();
        assert_eq!(all, jobs);
    }

    #[test]
    fn malformed_shards_are_rejected() {
        for bad in ["", "1", "a/b", "1/0", "3/2", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
