//! Enums with a stable code (what databases and files store) and a Chinese name (what people
//! read), parsed from either: written once by [`coded_enum!`] instead of by hand per enum.

/// "a、b 或 c": the alternatives an error message offers.
pub fn alternatives(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} 或 {last}", rest.join("、")),
    }
}

/// An enum of unit variants, each with a code, a Chinese name and other accepted spellings:
/// `ALL`, `code()`, `label_zh()` and `FromStr` (code, name or alias; an error names the
/// kind and the names it accepts).
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code databases and files store.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese name people read.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::DomainError;

            /// The code, the Chinese name or another accepted spelling.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($code | $label $(| $alias)* => Ok($name::$variant),)+
                    other => {
                        let names: Vec<String> = Self::ALL.iter().map(|v| format!("{}（{}）", v.label_zh(), v.code())).collect();
                        Err($crate::error::DomainError::Invalid(format!(
                            "{}“{}”无法识别：应为 {}",
                            $kind,
                            other,
                            $crate::codes::alternatives(&names)
                        )))
                    }
                }
            }
        }
    };
}

/// The longest code a record may have.
pub const MAX_CODE_CHARS: usize = 64;

macro_rules! code_newtype {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(String);

        impl $name {
            /// A code as typed (trimmed): not empty, at most [`MAX_CODE_CHARS`] characters,
            /// no spaces or control characters inside.
            pub fn parse(text: &str) -> Result<Self, $crate::error::DomainError> {
                let code = text.trim();
                let bad = |why: &str| {
                    $crate::error::DomainError::Invalid(format!(concat!($what, "“{}”{}"), code, why))
                };
                if code.is_empty() {
                    return Err(bad("为空"));
                }
                if code.chars().count() > MAX_CODE_CHARS {
                    return Err(bad(&format!("超过{MAX_CODE_CHARS}个字符")));
                }
                if code.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(bad("含有空格或控制字符"));
                }
                Ok(Self(code.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }

        impl From<&$name> for String {
            fn from(code: &$name) -> String {
                code.0.clone()
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_newtype!(
    /// An org unit's code (`erqi-zjj`).
    UnitCode,
    "单位编码"
);
code_newtype!(
    /// A key project's code (`ZD2018-001`).
    ProjectCode,
    "项目编码"
);
code_newtype!(
    /// An indicator's code (`GDP`).
    IndicatorCode,
    "指标编码"
);

#[cfg(test)]
mod tests {
    use super::*;

    coded_enum! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Colour ("颜色") { Red = "red" / "红" | "赤", Blue = "blue" / "蓝" }
    }

    #[test]
    fn a_coded_enum_parses_its_code_name_and_aliases_and_names_what_it_accepts() {
        for (text, colour) in [("red", Colour::Red), (" 红 ", Colour::Red), ("赤", Colour::Red), ("蓝", Colour::Blue)]
        {
            assert_eq!(text.parse::<Colour>().unwrap(), colour, "{text}");
        }
        assert_eq!(Colour::ALL, [Colour::Red, Colour::Blue]);
        assert_eq!((Colour::Blue.code(), Colour::Blue.label_zh()), ("blue", "蓝"));
        let err = "绿".parse::<Colour>().unwrap_err().to_string();
        assert_eq!(err, "颜色“绿”无法识别：应为 红（red） 或 蓝（blue）");
    }

    #[test]
    fn codes_are_parsed_at_the_edge_and_refused_with_the_reason() {
        assert_eq!(ProjectCode::parse(" ZD2018-001 ").unwrap().as_str(), "ZD2018-001");
        for (text, why) in [("", "为空"), ("ZD 2018", "含有空格或控制字符"), (&"X".repeat(65)[..], "超过64个字符")]
        {
            let err = ProjectCode::parse(text).unwrap_err().to_string();
            assert!(err.starts_with("项目编码“") && err.ends_with(why), "{text:?}: {err}");
        }
        let unit: UnitCode = "erqi-zjj".parse().unwrap();
        assert!(unit == "erqi-zjj" && unit.len() == 8, "a code reads as the text it is");
    }

    #[test]
    fn alternatives_read_as_a_list() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(alternatives(&s(&["a"])), "a");
        assert_eq!(alternatives(&s(&["a", "b", "c"])), "a、b 或 c");
    }
}
