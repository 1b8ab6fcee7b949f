//! Text helpers that the `Display` of several layers share (the TLS layer's certificate,
//! the diagnosis's sentences, the events), so that a list reads the same everywhere. A
//! leaf: it imports nothing of the crate.

use core::fmt::{self, Display, Formatter};

/// Writes `items` separated by ", ", or "nothing" when there are none.
pub(crate) fn write_list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    if items.is_empty() {
        return f.write_str("nothing");
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}
