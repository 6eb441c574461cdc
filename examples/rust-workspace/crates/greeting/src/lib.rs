//! The page the server answers with, built from the visit count.

/// The body of `GET /`: a greeting that names the visit number (formatted with itoa).
pub fn page(visit: u64) -> String {
    let mut buf = itoa::Buffer::new();
    format!("Hello from the rust-workspace server, visit #{}\n", buf.format(visit))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_visit() {
        assert_eq!(super::page(7), "Hello from the rust-workspace server, visit #7\n");
    }
}
