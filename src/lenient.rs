//! Serde helpers that decode what the service sends without failing on what it sends oddly:
//! `null` where a value was expected, a code as a number or a string, an annotation in a shape
//! this version of the crate does not know.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// `null` (or an absent field, with `#[serde(default)]`) becomes the type's default.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A code sent as a string (`"content_filter"`, `"429"`) or a number (`429`), as text.
pub(crate) fn string_or_number<'de, D>(d: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        S(String),
        I(i64),
        F(f64),
    }
    Ok(match Option::<Code>::deserialize(d)? {
        Some(Code::S(s)) => Some(s),
        Some(Code::I(i)) => Some(i.to_string()),
        Some(Code::F(f)) => Some(f.to_string()),
        None => None,
    })
}

/// An optional annotation that must never fail the value around it: any JSON is accepted, and
/// a shape `T` cannot read becomes `None`. For small side-data only (content-filter results,
/// error details), never for audio: the value goes through a `serde_json::Value`.
pub(crate) fn best_effort<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Inner {
        n: u32,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Outer {
        #[serde(default, deserialize_with = "null_as_default")]
        name: String,
        #[serde(default, deserialize_with = "string_or_number")]
        code: Option<String>,
        #[serde(default, deserialize_with = "best_effort")]
        inner: Option<Inner>,
    }

    #[test]
    fn odd_values_do_not_fail_the_whole() {
        let o: Outer = serde_json::from_str(r#"{"name":null,"code":429,"inner":[1,2]}"#).unwrap();
        assert_eq!(
            o,
            Outer {
                name: String::new(),
                code: Some("429".into()),
                inner: None
            }
        );
        let o: Outer = serde_json::from_str(r#"{"code":"x","inner":{"n":3}}"#).unwrap();
        assert_eq!(o.inner, Some(Inner { n: 3 }));
        assert_eq!(o.code.as_deref(), Some("x"));
        let o: Outer = serde_json::from_str(r#"{"inner":null}"#).unwrap();
        assert_eq!(o.inner, None);
    }
}
