//! The output-folder lock: one `batch` or `merge` writes into a folder at a time.
//!
//! The lock is the file `mcvideo.lock`, created with `create_new` (atomic on local file systems
//! and NFS v3+) and holding who took it: pid, host, start time and command. The holder also
//! keeps an OS file lock (`flock`) on it, which the kernel drops when the process dies, so that
//! two runs that both find a stale lock cannot both take it over. A lock is stale only when it
//! was taken on this host and its process is gone (a different boot, no such pid, or a pid
//! reused by a process that started at another time); a lock from another host is never
//! broken, the error says how to remove it by hand. The file is removed when the holder drops
//! the [`OutputLock`], on success and on error alike.

use crate::BatchError;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The lock file's name inside the output folder.
pub const LOCK_FILE: &str = "mcvideo.lock";

/// Who holds a lock: the content of the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    pub host: String,
    /// When the holder took the lock (RFC 3339, UTC).
    pub started: String,
    /// The holder's command line.
    pub command: String,
    /// Linux boot id of the holder's machine, to tell a lock left before a reboot.
    #[serde(default)]
    pub boot_id: Option<String>,
    /// Start time of the holder's process in clock ticks since boot (Linux), to tell a pid
    /// reused by another process.
    #[serde(default)]
    pub process_start: Option<u64>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on host {} since {} ({})",
            self.pid, self.host, self.started, self.command
        )
    }
}

/// This machine's host name.
pub fn host_name() -> String {
    #[cfg(unix)]
    {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
    #[cfg(not(unix))]
    {
        std::env::var("COMPUTERNAME").unwrap_or_else(|_| "unknown".to_string())
    }
}

fn boot_id() -> Option<String> {
    fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_string())
}

/// Field 22 of `/proc/<pid>/stat`: the process's start time in clock ticks since boot.
fn process_start(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces or parentheses.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

impl LockHolder {
    /// The holder record of this process.
    pub fn this_process(command: &str) -> LockHolder {
        let pid = std::process::id();
        LockHolder {
            pid,
            host: host_name(),
            started: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            command: command.to_string(),
            boot_id: boot_id(),
            process_start: process_start(pid),
        }
    }

    /// Whether the holder, taken on this host, is still running.
    fn is_alive_here(&self) -> bool {
        if let (Some(then), Some(now)) = (&self.boot_id, boot_id()) {
            if *then != now {
                return false;
            }
            if let Some(start) = self.process_start {
                return process_start(self.pid) == Some(start);
            }
        }
        pid_exists(self.pid)
    }
}

fn pid_exists(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        match rustix::process::test_kill_process(pid) {
            Ok(()) => true,
            // It exists, it is only not ours to signal.
            Err(e) => e == rustix::io::Errno::PERM,
        }
    }
    #[cfg(not(unix))]
    {
        // Without a way to ask, a lock is never taken for stale.
        let _ = pid;
        true
    }
}

/// A held output-folder lock; dropping it removes the lock file.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    file: File,
    /// The stale lock this one replaced, if any.
    pub taken_over: Option<LockHolder>,
}

/// What the OS file lock said.
enum FileLock {
    Held,
    Busy,
    /// The file system has no advisory locks; the pid check alone decides.
    Unsupported,
}

fn try_file_lock(file: &File) -> FileLock {
    match file.try_lock() {
        Ok(()) => FileLock::Held,
        Err(fs::TryLockError::WouldBlock) => FileLock::Busy,
        Err(fs::TryLockError::Error(_)) => FileLock::Unsupported,
    }
}

fn read_holder(file: &mut File) -> Option<LockHolder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_holder(file: &mut File, holder: &LockHolder) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(holder).map_err(std::io::Error::other)?;
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(&text)?;
    file.sync_all()
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

fn locked_error(path: &Path, holder: Option<&LockHolder>, here: &str) -> BatchError {
    let remove = format!(
        "if you are sure that no mcvideo run writes there, remove {} and start again",
        path.display()
    );
    let message = match holder {
        Some(h) if h.host != here => format!(
            "locked by {h}, another host: a lock from another host is never taken over; {remove}"
        ),
        Some(h) => format!("locked by {h}, which is still running; {remove}"),
        None => format!("the lock file is empty or unreadable; {remove}"),
    };
    BatchError::Locked {
        path: path.to_path_buf(),
        message,
    }
}

impl OutputLock {
    /// Takes the lock of folder `dir` (which must exist) for `command`, taking over a stale
    /// lock of this host. Fails with [`BatchError::Locked`] naming the holder otherwise.
    pub fn acquire(dir: &Path, command: &str) -> Result<OutputLock, BatchError> {
        let path = dir.join(LOCK_FILE);
        let me = LockHolder::this_process(command);
        let io = |e| BatchError::io(&path, e);
        // A lock file is written just after it is created: give a writer a moment before an
        // empty file counts as unreadable.
        let mut empty_since: Option<std::time::Instant> = None;
        for _ in 0..200 {
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    if let FileLock::Busy = try_file_lock(&file) {
                        // Another run judged this fresh file stale and took it: look again.
                        continue;
                    }
                    write_holder(&mut file, &me).map_err(io)?;
                    return Ok(OutputLock {
                        path,
                        file,
                        taken_over: None,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io(e)),
            }
            let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
                Ok(file) => file,
                // Released in between: try to create it again.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(e)),
            };
            let Some(holder) = read_holder(&mut file) else {
                let since = *empty_since.get_or_insert_with(std::time::Instant::now);
                if since.elapsed() < Duration::from_secs(2) {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                return Err(locked_error(&path, None, &me.host));
            };
            if holder.host != me.host || holder.is_alive_here() {
                return Err(locked_error(&path, Some(&holder), &me.host));
            }
            match try_file_lock(&file) {
                FileLock::Busy => {
                    // Someone holds it after all (a racing takeover, or a holder whose pid this
                    // host cannot see): decide again on what the file says now.
                    std::thread::sleep(Duration::from_millis(20));
                    let now = read_holder(&mut file);
                    if now.as_ref() == Some(&holder) {
                        return Err(locked_error(&path, Some(&holder), &me.host));
                    }
                    continue;
                }
                FileLock::Held => {
                    // The file may have been released and replaced while we waited.
                    if !same_file(&file, &path) || read_holder(&mut file).as_ref() != Some(&holder)
                    {
                        continue;
                    }
                    write_holder(&mut file, &me).map_err(io)?;
                    return Ok(OutputLock {
                        path,
                        file,
                        taken_over: Some(holder),
                    });
                }
                FileLock::Unsupported => {
                    drop(file);
                    match fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io(e)),
                    }
                    empty_since = None;
                    continue;
                }
            }
        }
        Err(locked_error(&path, None, &me.host))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while the file lock is still held, so that no one takes over the old file;
        // and only if it is still ours (a user may have removed it and another run taken it).
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The holder of the lock in `dir`, if the folder is locked (for `merge`, which refuses
/// shards that are still being written).
pub fn lock_holder(dir: &Path) -> Option<Result<LockHolder, String>> {
    let path = dir.join(LOCK_FILE);
    let mut file = File::open(&path).ok()?;
    Some(read_holder(&mut file).ok_or_else(|| "unreadable lock file".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire(dir.path(), "first").unwrap();
        let err = OutputLock::acquire(dir.path(), "second")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains("first"), "{err}");
        assert!(err.contains(LOCK_FILE), "{err}");
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        let again = OutputLock::acquire(dir.path(), "third").unwrap();
        assert!(again.taken_over.is_none());
    }

    #[test]
    fn stale_lock_of_this_host_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let mut dead = LockHolder::this_process("killed run");
        // A pid that the kernel never hands out (above pid_max's 2^22 ceiling).
        dead.pid = 4_999_999;
        dead.process_start = None;
        fs::write(
            dir.path().join(LOCK_FILE),
            serde_json::to_vec(&dead).unwrap(),
        )
        .unwrap();
        let lock = OutputLock::acquire(dir.path(), "new run").unwrap();
        assert_eq!(lock.taken_over, Some(dead));
        let text = fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert!(text.contains("new run"), "{text}");
    }

    #[test]
    fn reused_pid_does_not_keep_a_lock_alive() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = LockHolder::this_process("before a reboot");
        // This pid is alive (it is ours), but it started at another time.
        old.process_start = old.process_start.map(|t| t + 1);
        if old.boot_id.is_none() {
            return; // Not Linux: pids are checked with kill(0) only.
        }
        fs::write(
            dir.path().join(LOCK_FILE),
            serde_json::to_vec(&old).unwrap(),
        )
        .unwrap();
        assert!(OutputLock::acquire(dir.path(), "new").is_ok());
    }

    #[test]
    fn lock_of_another_host_is_never_broken() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = LockHolder::this_process("on the cluster");
        other.host = format!("{}-elsewhere", other.host);
        other.pid = 4_999_999;
        fs::write(
            dir.path().join(LOCK_FILE),
            serde_json::to_vec(&other).unwrap(),
        )
        .unwrap();
        let err = OutputLock::acquire(dir.path(), "here")
            .unwrap_err()
            .to_string();
        assert!(err.contains("another host"), "{err}");
        assert!(err.contains("remove"), "{err}");
        assert!(dir.path().join(LOCK_FILE).exists());
    }
}
