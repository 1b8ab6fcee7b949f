//! A small JSON writer for the reports (objects, arrays, strings, numbers, booleans,
//! null): enough for one object per line, with no dependency.

use alloc::string::String;
use core::fmt::Write;

/// Appends `s` as a JSON string literal (RFC 8259 §7 escapes).
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes one JSON object: `field` calls add `"key": value` pairs.
#[derive(Debug)]
pub struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    /// Opens an object at the end of `out`.
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        Object { out, first: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, key);
        self.out.push(':');
        self.out
    }

    /// A string value.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        let out = self.key(key);
        string(out, value);
        self
    }

    /// A string or null.
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    /// A number (integer or finite float; a non-finite float is null).
    pub fn num(&mut self, key: &str, value: impl Into<f64>) -> &mut Self {
        let v: f64 = value.into();
        let out = self.key(key);
        if !v.is_finite() {
            out.push_str("null");
        } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
            let _ = write!(out, "{}", v as i64);
        } else {
            let _ = write!(out, "{v:.3}");
        }
        self
    }

    /// A boolean.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// Already-encoded JSON (a nested object or array).
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

/// `[a,b,...]` of already-encoded items.
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_shapes() {
        let mut s = String::new();
        let mut o = Object::new(&mut s);
        o.str("a\"", "x\\y\n\u{1}é")
            .num("n", 3u32)
            .num("f", 1.5f64)
            .bool("b", false)
            .opt_str("z", None)
            .raw("l", &array(["1".into(), "{}".into()]));
        o.end();
        assert_eq!(
            s,
            r#"{"a\"":"x\\y\n\u0001é","n":3,"f":1.500,"b":false,"z":null,"l":[1,{}]}"#
        );
    }
}
