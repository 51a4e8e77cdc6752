//! `string_enum!`: enums whose wire form is a string, with an `Unknown` fallback that round-trips;
//! `setters!`: builder setters of a request's optional fields.

/// Declares a `#[non_exhaustive]` enum of known string values plus
/// `Unknown(`[`UnknownValue`](crate::UnknownValue)`)`, with `as_str`, `Display`, `FromStr`,
/// `From<&str>`, `From<String>`, `Serialize` and `Deserialize`. Only those conversions build an
/// `Unknown`, and only for text that is not a known value (smithy's `Unknown` pattern).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as sent (see
            /// [`UnknownValue`](crate::UnknownValue)). Built only from text that is not a known
            /// value: `From<&str>`, `FromStr` or `Deserialize`.
            Unknown($crate::UnknownValue),
        }

        impl $name {
            /// The wire text of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(v) => v.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown($crate::UnknownValue::new(other.to_owned())),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $text => $name::$variant, )+
                    _ => $name::Unknown($crate::UnknownValue::new(s)),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(s.as_ref()))
            }
        }
    };
}

pub(crate) use string_enum;

/// Builder setters that set optional fields: `name: Type` gives `fn name(self, value: Type) -> Self`
/// setting `self.name = Some(value)`.
macro_rules! setters {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty ),+ $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value);
                self
            }
        )+
    };
}

pub(crate) use setters;
