//! The segments of a stacked bar drawn in an SVG 1000 units wide (the
//! dashboard's money bar, a project's funding bar).
use leptos::prelude::*;

/// Where each non-empty segment starts and how wide it is, in turn, as its
/// share of `total` (nothing when `total` is not positive).
pub fn spans(segments: &[(&'static str, i64)], total: i64) -> Vec<(&'static str, i64, i64)> {
    if total <= 0 {
        return Vec::new();
    }
    let mut x = 0_i64;
    segments
        .iter()
        .filter(|(_, v)| *v > 0)
        .map(|&(name, v)| {
            let start = x * 1000 / total;
            x += v;
            (name, start, x * 1000 / total - start)
        })
        .collect()
}

/// The `<rect class="seg-NAME">` of each segment, 24 units high.
pub fn rects(segments: &[(&'static str, i64)], total: i64) -> Vec<AnyView> {
    spans(segments, total)
        .into_iter()
        .map(|(name, x, width)| {
            view! { <rect class=format!("seg-{name}") x=x y="0" width=width height="24" /> }
                .into_any()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::spans;

    #[test]
    fn segments_share_the_width_and_skip_the_empty_ones() {
        let segments = [
            ("paid", 1),
            ("granted", 0),
            ("requested", 2),
            ("to_find", 1),
        ];
        assert_eq!(
            spans(&segments, 4),
            [
                ("paid", 0, 250),
                ("requested", 250, 500),
                ("to_find", 750, 250)
            ]
        );
        // A total above the sum (the cost) leaves the end of the bar empty.
        assert_eq!(spans(&[("paid", 1)], 4), [("paid", 0, 250)]);
        assert!(spans(&segments, 0).is_empty());
    }
}
