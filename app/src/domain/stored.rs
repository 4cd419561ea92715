//! `stored_enum!`: an enum kept in a text column as its snake_case code.
//!
//! On the server the enum also derives SeaORM's `DeriveActiveEnum`, so a
//! column typed with it reads and writes the code, and an unknown code fails
//! the read (see `stored_codes` in `domain/mod.rs`). The browser build sees a
//! plain enum.

macro_rules! stored_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[cfg_attr(
            feature = "ssr",
            derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
            sea_orm(
                rs_type = "String",
                db_type = "String(sea_orm::sea_query::StringLen::None)",
                rename_all = "snake_case"
            )
        )]
        $vis enum $name { $($body)* }
    };
}

/// `code_enum!`: a `stored_enum!` whose codes are given one by one (they
/// override the snake_case names), with `ALL`, `as_str`, `parse` and a French
/// `label` read from the locale under `$prefix`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, [$($variant:ident => $code:literal),+ $(,)?]) => {
        $crate::domain::stored::stored_enum! {
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
            pub enum $name {
                // The code is given: it overrides the snake_case name.
                $(
                    #[cfg_attr(feature = "ssr", sea_orm(string_value = $code))]
                    #[serde(rename = $code)]
                    $variant
                ),+
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The French label.
            pub fn label(self) -> String {
                rust_i18n::t!(format!("{}.{}", $prefix, self.as_str())).into_owned()
            }
        }
    };
}

pub(crate) use {code_enum, stored_enum};
