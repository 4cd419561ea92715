//! French plurals by the CLDR rules (ICU4X): 0 and 1 take the singular,
//! « 1 000 000 de projets » its own form. A message with a count has the
//! keys `<key>.one`, `<key>.many` and `<key>.other` in the locale file.
use icu_locale_core::locale;
use icu_plurals::{PluralCategory, PluralRules};
use rust_i18n::t;

thread_local! {
    static FRENCH: PluralRules = PluralRules::try_new(locale!("fr").into(), Default::default())
        .expect("French plural rules are compiled into icu_plurals");
}

/// The form of `key` for `count`, with `%{count}` filled in (grouped by
/// thousands, as every figure on the screens).
pub fn plural(key: &str, count: i64) -> String {
    let category = FRENCH.with(|rules| rules.category_for(count.unsigned_abs()));
    let form = match category {
        PluralCategory::One => "one",
        PluralCategory::Many => "many",
        _ => "other",
    };
    let shown = crate::domain::format_count(count);
    t!(format!("{key}.{form}"), count = shown).into_owned()
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn zero_and_one_are_singular_in_french() {
        assert_eq!(plural("plural.projects", 0), "0 projet");
        assert_eq!(plural("plural.projects", 1), "1 projet");
        assert_eq!(plural("plural.projects", 2), "2 projets");
        assert_eq!(plural("plural.projects", 1_500), "1\u{202f}500 projets");
        assert_eq!(
            plural("plural.projects", 1_000_000),
            "1\u{202f}000\u{202f}000 de projets"
        );
        assert_eq!(plural("plural.new_projects", 1), "1 nouveau projet");
        assert_eq!(plural("plural.new_projects", 3), "3 nouveaux projets");
    }
}
