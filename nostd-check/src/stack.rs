//! Stack high-water of one call: paint a region below the caller's frame, run the call
//! from the same frame, then count from the deep end how much is still painted.

const REGION: usize = 256 * 1024;
const PAINT: u8 = 0xa5;

/// Paints a local array and returns its lowest address.
#[inline(never)]
fn paint() -> usize {
    let mut region = [0u8; REGION];
    for b in region.iter_mut() {
        // SAFETY: a volatile write to our own local array, so the compiler keeps the
        // painting that the later scan reads back.
        unsafe { core::ptr::write_volatile(b, PAINT) };
    }
    core::hint::black_box(&region);
    region.as_ptr() as usize
}

/// Counts the painted bytes from `low` upwards.
#[inline(never)]
fn untouched(low: usize) -> usize {
    // This frame is small on purpose: a large one would be probed page by page, and the
    // probes write. The painted addresses lie below it, in stack pages `paint` mapped,
    // and nothing else runs on this thread's stack meanwhile (no signal handlers).
    let mut n = 0;
    while n < REGION {
        // SAFETY: `low + n` is a stack address `paint` wrote moments ago, inside this
        // thread's mapped stack (see above); a volatile byte read whose value is only
        // counted, never used as data. This is a measurement tool, not logic.
        let b = unsafe { core::ptr::read_volatile((low + n) as *const u8) };
        if b != PAINT {
            break;
        }
        n += 1;
    }
    n
}

/// Runs `f` and returns its result with the stack it used, in bytes (to within the
/// few words of `paint`'s own frame).
#[inline(never)]
pub(crate) fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let low = paint();
    let r = f();
    (r, REGION - untouched(low))
}
