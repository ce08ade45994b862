//! Ports of the name helpers buf's lint rules use (`stringutil.ToPascalCase`, `ToLowerSnakeCase`,
//! `ToUpperSnakeCase` without digit splitting, and `protoversion.NewPackageVersionForPackage`), byte for byte,
//! so that the expected names in findings are the ones buf suggests. Pure functions; nothing else lives here.

fn is_delimiter(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | ' ' | '\t' | '\n' | '\r')
}

/// buf's `ToPascalCase`: delimiters dropped, the first letter and letters after a delimiter upper-cased,
/// upper-case letters kept, everything else lower-cased.
pub(crate) fn to_pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous: Option<char> = None;
    for (i, c) in s.trim().char_indices() {
        if !is_delimiter(c) {
            if i == 0 || previous.is_some_and(is_delimiter) || c.is_uppercase() {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
        previous = Some(c);
    }
    out
}

/// buf's `toSnakeCase` (no new word on digits). Indexes bytes like the Go original does.
fn to_snake_case(s: &str) -> String {
    let s = s.trim_matches(is_delimiter);
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.char_indices() {
        let c = if is_delimiter(c) { '_' } else { c };
        let last_is_underscore = out.ends_with('_');
        if i == 0 {
            out.push(c);
        } else if c.is_uppercase()
            && !last_is_underscore
            && ((i + 1 < b.len() && {
                let next = char::from(b[i + 1]);
                !(next.is_uppercase() || next.is_ascii_digit() || is_delimiter(next))
            }) || char::from(b[i - 1]).is_lowercase())
        {
            out.push('_');
            out.push(c);
        } else if !(c == '_' && last_is_underscore) {
            out.push(c);
        }
    }
    out
}

pub(crate) fn to_lower_snake_case(s: &str) -> String {
    to_snake_case(s).to_lowercase()
}

pub(crate) fn to_upper_snake_case(s: &str) -> String {
    to_snake_case(s).to_uppercase()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stability {
    Stable,
    Alpha,
    Beta,
    Test,
}

fn positive_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    // Go's strconv.ParseInt(s, 10, 32) accepts a sign.
    let v: i64 = s.parse().ok()?;
    if v < 1 || v > i64::from(i32::MAX) {
        return None;
    }
    u32::try_from(v).ok()
}

/// The stability of a package's version suffix (`v1`, `v1beta2`, `v1p1alpha1`, `v2test…`), or `None` when the
/// last component is not a version (buf's `protoversion.NewPackageVersionForPackage`).
pub(crate) fn package_version(pkg: &str) -> Option<Stability> {
    let parts: Vec<&str> = pkg.split('.').collect();
    if pkg.is_empty() || parts.len() < 2 {
        return None;
    }
    let last = parts[parts.len() - 1];
    if last.len() < 2 || !last.starts_with('v') {
        return None;
    }
    let version = &last[1..];
    if let Some((major, _suffix)) = version.split_once("test") {
        positive_number(major)?;
        return Some(Stability::Test);
    }
    let alpha = version.contains("alpha");
    let beta = version.contains("beta");
    let level = match (alpha, beta) {
        (false, false) => {
            positive_number(version)?;
            return Some(Stability::Stable);
        }
        (true, false) => ("alpha", Stability::Alpha),
        (false, true) => ("beta", Stability::Beta),
        (true, true) => return None,
    };
    let (head, minor) = version.split_once(level.0)?;
    if !minor.is_empty() {
        positive_number(minor)?;
    }
    match head.split_once('p') {
        Some((major, patch)) => {
            positive_number(major)?;
            positive_number(patch)?;
        }
        None => {
            positive_number(head)?;
        }
    }
    Some(level.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_match_buf() {
        assert_eq!(to_pascal_case("order_item"), "OrderItem");
        assert_eq!(to_pascal_case("HTTPRule"), "HTTPRule");
        assert_eq!(to_pascal_case("fooBar"), "FooBar");
        assert_eq!(to_lower_snake_case("ItemId"), "item_id");
        assert_eq!(to_lower_snake_case("HTTPServer"), "http_server");
        assert_eq!(to_lower_snake_case("foo_bar1"), "foo_bar1");
        assert_eq!(to_lower_snake_case("k8s.min"), "k8s_min");
        assert_eq!(to_upper_snake_case("OrderStatus"), "ORDER_STATUS");
        assert_eq!(
            to_upper_snake_case("EnumUser2faStatus"),
            "ENUM_USER2FA_STATUS"
        );
        assert_eq!(to_lower_snake_case("__a__b"), "a_b");
    }

    #[test]
    fn versions() {
        assert_eq!(package_version("foo.v1"), Some(Stability::Stable));
        assert_eq!(package_version("foo.v1beta1"), Some(Stability::Beta));
        assert_eq!(package_version("foo.v1alpha"), Some(Stability::Alpha));
        assert_eq!(package_version("foo.v1p1alpha1"), Some(Stability::Alpha));
        assert_eq!(package_version("foo.v2test"), Some(Stability::Test));
        assert_eq!(package_version("foo.v0"), None);
        assert_eq!(package_version("v1"), None);
        assert_eq!(package_version("foo"), None);
        assert_eq!(package_version("foo.v1alphabeta1"), None);
    }
}
