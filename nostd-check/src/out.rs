//! Lines on stdout through libc's `write` (there is no `println!` without std).

/// Writes `text` and a newline to stdout.
pub(crate) fn line(text: &str) {
    write_all(text.as_bytes());
    write_all(b"\n");
}

fn write_all(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length come from a live slice; fd 1 is stdout.
        let n = unsafe { libc::write(1, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}
