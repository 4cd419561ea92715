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

pub(crate) use stored_enum;
