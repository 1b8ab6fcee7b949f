//! The firmware build's port layer: what the firmware defines and this archive calls.
//!
//! ```c
//! void *eap_port_alloc(size_t size, size_t align); /* NULL when out of memory */
//! void eap_port_free(void *ptr, size_t size, size_t align);
//! void eap_port_abort(void);                       /* must not return */
//! ```
//!
//! `eap_port_alloc` returns a block of at least `size` octets aligned to `align` (a power
//! of two; at most 16 in practice), or NULL; `eap_port_free` gets the same size and
//! alignment back (a port over `free` may ignore them; a counting port uses them). A NULL
//! from `eap_port_alloc` ends in `eap_port_abort` (Rust's allocation failure handler),
//! as does any panic: nothing unwinds into C.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

unsafe extern "C" {
    fn eap_port_alloc(size: usize, align: usize) -> *mut c_void;
    fn eap_port_free(ptr: *mut c_void, size: usize, align: usize);
    fn eap_port_abort() -> !;
}

/// The global allocator over the port layer.
struct PortAllocator;

// SAFETY: GlobalAlloc's contract is handed to the port layer, whose documented contract
// (header and README) is the same: a block of `size` octets aligned to `align`, or NULL;
// freed with the same size and alignment, exactly once.
unsafe impl GlobalAlloc for PortAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the port's eap_port_alloc takes any size and power-of-two alignment.
        unsafe { eap_port_alloc(layout.size(), layout.align()).cast() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from eap_port_alloc with this layout (GlobalAlloc contract).
        unsafe { eap_port_free(ptr.cast(), layout.size(), layout.align()) }
    }
}

#[global_allocator]
static ALLOCATOR: PortAllocator = PortAllocator;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: the port's eap_port_abort takes no arguments and does not return (its
    // documented contract); the declaration says `-> !`.
    unsafe { eap_port_abort() }
}

/// The unwinding personality that the landing pads of Rust's precompiled `core` name.
/// Nothing unwinds in this build (`panic = "abort"`, and C must not unwind through Rust
/// frames), so it is never called; it is defined so that the firmware links no Rust
/// unwinder. If it were ever reached, it aborts through the port.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {
    // SAFETY: as in the panic handler: eap_port_abort takes nothing and never returns.
    unsafe { eap_port_abort() }
}

/// The unwinder's entry that the landing pads of Rust's precompiled `core` and `alloc`
/// call on targets whose standard library is built to unwind (the x86_64 Linux build of
/// this archive; on `target_os = "none"` it is built with `panic = "abort"` and names
/// nothing). Nothing unwinds here (see [`rust_eh_personality`]), so it is never called; it
/// is defined so that a firmware links no unwinder (libgcc_eh) for a path that cannot run.
#[cfg(not(target_os = "none"))]
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() {
    // SAFETY: as in the panic handler: eap_port_abort takes nothing and never returns.
    unsafe { eap_port_abort() }
}
