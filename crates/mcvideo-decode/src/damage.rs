//! Errors a decoder reports while it conceals damage, counted per decoder.
//!
//! Some decoders repair what they cannot decode and return a frame as if nothing happened:
//! FFV1 copies a slice whose CRC does not match from the previous frame, MJPEG leaves the
//! blocks after a broken entropy code as they were. The only sign is an error-level message
//! in FFmpeg's log (FFV1 of FFmpeg 5 sets no error flag on the frame). So FFmpeg's log goes
//! through [`log_callback`], which prints nothing (this library reports problems in its own
//! errors) and counts error-level messages of each registered decoder: the decoder's
//! `opaque` field holds a key of [`REGISTRY`]. Frame-threaded decoding copies `opaque` into
//! each worker's context, so the workers' messages count too.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Error-message counters of the open decoders, by key.
static REGISTRY: OnceLock<Mutex<HashMap<usize, Arc<AtomicU64>>>> = OnceLock::new();

/// Keys start far from small integers and null, which other users of `opaque` might store.
static NEXT_KEY: AtomicUsize = AtomicUsize::new(0x6d63_7600);

fn registry() -> &'static Mutex<HashMap<usize, Arc<AtomicU64>>> {
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The error-message counter of one decoder; unregistered on drop.
pub(crate) struct ErrorCounter {
    key: usize,
    count: Arc<AtomicU64>,
}

impl ErrorCounter {
    /// A new counter and the key to store in the decoder context's `opaque`.
    pub(crate) fn register() -> Self {
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let count = Arc::new(AtomicU64::new(0));
        if let Ok(mut map) = registry().lock() {
            map.insert(key, Arc::clone(&count));
        }
        ErrorCounter { key, count }
    }

    pub(crate) fn key(&self) -> usize {
        self.key
    }

    /// Error-level messages the decoder has logged so far.
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

impl Drop for ErrorCounter {
    fn drop(&mut self) {
        if let Ok(mut map) = registry().lock() {
            map.remove(&self.key);
        }
    }
}

/// FFmpeg's log callback: silent; counts error-level messages of registered decoders. The
/// fourth argument (the message's `va_list`, whose type differs between platforms) is not
/// read, so its type is left to the callback's signature.
///
/// # Safety
/// Called by FFmpeg with `avcl` null or pointing to a struct whose first field is an
/// `AVClass` pointer, as `av_log` requires of its context argument.
pub(crate) unsafe extern "C" fn log_callback<V>(
    avcl: *mut c_void,
    level: c_int,
    _format: *const c_char,
    _args: V,
) {
    if level > ffmpeg_next::ffi::AV_LOG_ERROR as c_int || avcl.is_null() {
        return;
    }
    // SAFETY: `avcl` is not null and, as `av_log` requires of its context, starts with an
    // `AVClass` pointer; the class name, when set, is a C string; a context of class
    // "AVCodecContext" is an `AVCodecContext`.
    let key = unsafe {
        let class = *(avcl as *const *const ffmpeg_next::ffi::AVClass);
        if class.is_null() || (*class).class_name.is_null() {
            return;
        }
        if CStr::from_ptr((*class).class_name).to_bytes() != b"AVCodecContext" {
            return;
        }
        (*(avcl as *const ffmpeg_next::ffi::AVCodecContext)).opaque as usize
    };
    if let Ok(map) = registry().lock()
        && let Some(count) = map.get(&key)
    {
        count.fetch_add(1, Ordering::Relaxed);
    }
}
