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
    fn alternatives_read_as_a_list() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(alternatives(&s(&["a"])), "a");
        assert_eq!(alternatives(&s(&["a", "b", "c"])), "a、b 或 c");
    }
}
