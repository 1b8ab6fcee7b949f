//! A counting global allocator over libc's malloc that tags each block with the side that
//! allocated it, so the client's live and peak heap are measured apart from the server's
//! and the harness's. The program is single-threaded; atomics keep it sound anyway.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

/// Who is allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Other = 0,
    Client = 1,
}

static CURRENT: AtomicUsize = AtomicUsize::new(Side::Other as usize);
static LIVE: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
static PEAK: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Every block starts with this header (16 bytes keeps malloc's 16-byte alignment).
const HEADER: usize = 16;

/// Runs `f` with its allocations counted for `side`.
pub(crate) fn as_side<T>(side: Side, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.swap(side as usize, Ordering::SeqCst);
    let r = f();
    CURRENT.store(previous, Ordering::SeqCst);
    r
}

/// Bytes `side` has allocated and not yet freed (whoever frees them).
pub(crate) fn live(side: Side) -> usize {
    LIVE[side as usize].load(Ordering::SeqCst)
}

/// Highest `live(side)` since the last reset.
pub(crate) fn peak(side: Side) -> usize {
    PEAK[side as usize].load(Ordering::SeqCst)
}

pub(crate) fn reset_peak(side: Side) {
    PEAK[side as usize].store(live(side), Ordering::SeqCst);
}

fn add(side: usize, size: usize) {
    let now = LIVE[side].fetch_add(size, Ordering::SeqCst) + size;
    PEAK[side].fetch_max(now, Ordering::SeqCst);
}

fn sub(side: usize, size: usize) {
    LIVE[side].fetch_sub(size, Ordering::SeqCst);
}

struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// SAFETY: blocks come from malloc/realloc with room for a 16-byte header in front; the
// pointer handed out is 16 bytes past malloc's, so it keeps malloc's 16-byte alignment, and
// layouts asking for more than 16 are refused (null) rather than misaligned. The header
// holds the side and the size, read back on free and realloc from the same offset.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > HEADER {
            return core::ptr::null_mut();
        }
        // SAFETY: malloc with a non-zero size; null is passed on as allocation failure.
        let base = unsafe { libc::malloc(layout.size() + HEADER) } as *mut usize;
        if base.is_null() {
            return core::ptr::null_mut();
        }
        let side = CURRENT.load(Ordering::SeqCst);
        // SAFETY: base points to at least HEADER writable, malloc-aligned bytes.
        unsafe {
            base.write(side);
            base.add(1).write(layout.size());
        }
        add(side, layout.size());
        // SAFETY: HEADER bytes past base are inside the block.
        unsafe { (base as *mut u8).add(HEADER) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: ptr came from alloc/realloc above, so the header is HEADER bytes before.
        unsafe {
            let base = ptr.sub(HEADER) as *mut usize;
            sub(base.read(), base.add(1).read());
            libc::free(base as *mut libc::c_void);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as in dealloc; the block keeps the side that first allocated it.
        unsafe {
            let base = ptr.sub(HEADER) as *mut usize;
            let side = base.read();
            let old = base.add(1).read();
            let grown = libc::realloc(base as *mut libc::c_void, new_size + HEADER) as *mut usize;
            if grown.is_null() {
                return core::ptr::null_mut();
            }
            grown.add(1).write(new_size);
            sub(side, old);
            add(side, new_size);
            let _ = layout;
            (grown as *mut u8).add(HEADER)
        }
    }
}
