//! The look shared by every chart: the Okabe-Ito palette (scenario k always gets
//! colour k), font sizes and strokes scaled together, tick positions and tick text.

use plotters::style::{Color, FontStyle, RGBColor, TextStyle};

/// Okabe-Ito: a palette colour-blind readers can tell apart.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x00, 0x00, 0x00), // black
];

/// The colour of the k-th scenario (or sweep point) of a folder, the same in every chart.
pub fn scenario_colour(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

pub const ORANGE: RGBColor = PALETTE[0];
pub const SKY: RGBColor = PALETTE[1];
pub const GREEN: RGBColor = PALETTE[2];
pub const YELLOW: RGBColor = PALETTE[3];
pub const BLUE: RGBColor = PALETTE[4];
pub const VERMILLION: RGBColor = PALETTE[5];
pub const PURPLE: RGBColor = PALETTE[6];
pub const BLACK: RGBColor = PALETTE[7];

pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Opacity of confidence bands.
pub const BAND_ALPHA: f64 = 0.22;

/// The family name the embedded DejaVu Sans is registered under. It is written as it is
/// into SVG `font-family` attributes, so it is a CSS font list: a viewer uses DejaVu Sans
/// when it has it (the metrics the layout was measured with) and a sans-serif otherwise.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Sizes in pixels for one figure. Fonts, strokes and gaps are designed for 1600x1000
/// and multiplied by the scale; a smaller figure shrinks them in proportion (down to
/// half) so that its layout stays that of the default, only smaller.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub s: f64,
    pub width: u32,
    pub height: u32,
}

impl Theme {
    /// `width` and `height` before scaling, and the scale.
    pub fn new(width: u32, height: u32, scale: f64) -> Theme {
        let fit = (width as f64 / 1600.0).min(height as f64 / 1000.0).clamp(0.5, 1.0);
        Theme { s: scale * fit, width: (width as f64 * scale).round() as u32, height: (height as f64 * scale).round() as u32 }
    }
    /// A length scaled to the figure.
    pub fn px(&self, x: f64) -> i32 {
        (x * self.s).round() as i32
    }
    pub fn pxu(&self, x: f64) -> u32 {
        (x * self.s).round().max(1.0) as u32
    }
    pub fn pad(&self) -> i32 {
        self.px(28.0)
    }

    fn font(&self, size: f64, colour: RGBColor, bold: bool) -> TextStyle<'static> {
        let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
        let mut t = TextStyle::from((FAMILY, size * self.s, style));
        t.color = colour.to_backend_color();
        t
    }
    pub fn title(&self) -> TextStyle<'static> {
        self.font(34.0, INK, true)
    }
    pub fn subtitle(&self) -> TextStyle<'static> {
        self.font(20.0, MUTED, false)
    }
    pub fn legend(&self) -> TextStyle<'static> {
        self.font(19.0, INK, false)
    }
    pub fn legend_heading(&self) -> TextStyle<'static> {
        self.font(19.0, INK, true)
    }
    pub fn panel_title(&self) -> TextStyle<'static> {
        self.font(20.0, INK, true)
    }
    pub fn axis_title(&self) -> TextStyle<'static> {
        self.font(17.0, MUTED, false)
    }
    pub fn tick(&self) -> TextStyle<'static> {
        self.font(16.0, MUTED, false)
    }
    pub fn footer(&self) -> TextStyle<'static> {
        self.font(15.0, MUTED, false)
    }
    /// Values written in heat-map cells.
    pub fn cell(&self, colour: RGBColor) -> TextStyle<'static> {
        self.font(18.0, colour, false)
    }
    /// Line height of a text style (its size plus leading).
    pub fn line_height(&self, style: &TextStyle) -> i32 {
        (style.font.get_size() * 1.3).round() as i32
    }
    pub fn line_width(&self) -> u32 {
        self.pxu(3.0)
    }
}

/// Tick positions: at most about `max_n` round values covering `[lo, hi]`, and the
/// step between them.
pub fn nice_ticks(lo: f64, hi: f64, max_n: usize) -> (Vec<f64>, f64) {
    let step = nice_step(lo, hi, max_n);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|k| clean(k as f64 * step)).collect();
    (ticks, step)
}

fn nice_step(lo: f64, hi: f64, max_n: usize) -> f64 {
    let span = (hi - lo).abs();
    let span = if span > 0.0 { span } else { lo.abs().max(1.0) };
    let max_n = max_n.max(2);
    let raw = span / max_n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    // the smallest round step that puts at most `max_n` ticks in the range
    let count = |s: f64| ((hi.max(lo) / s + 1e-9).floor() - (lo.min(hi) / s - 1e-9).ceil() + 1.0) as usize;
    [1.0, 2.0, 2.5, 5.0, 10.0, 20.0].iter().map(|m| m * mag).find(|s| count(*s) <= max_n).unwrap_or(20.0 * mag)
}

/// Remove float noise from a tick value (0.30000000000000004 -> 0.3).
fn clean(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let digits = 12 - x.abs().log10().floor() as i32;
    if !(0..=300).contains(&digits) {
        return x;
    }
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// An axis range padded a little and widened to whole ticks, with its ticks.
pub fn axis(lo: f64, hi: f64, max_n: usize, include_zero: bool) -> Axis {
    let (mut lo, mut hi) = (lo, hi);
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if lo.is_nan() || hi.is_nan() || hi <= lo {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= d;
        hi += d;
    }
    let pad = (hi - lo) * 0.04;
    let (plo, phi) = (if include_zero && lo == 0.0 { 0.0 } else { lo - pad }, if include_zero && hi == 0.0 { 0.0 } else { hi + pad });
    let step = nice_step(plo, phi, max_n);
    let lo2 = clean((plo / step).floor() * step);
    let hi2 = clean((phi / step).ceil() * step);
    // Widen to whole ticks only when that adds little empty space.
    let span = phi - plo;
    // Never widen across zero (no negative tick for non-negative data).
    let lo = if plo - lo2 <= span * 0.12 && !(lo >= 0.0 && lo2 < 0.0) { lo2 } else { plo };
    let hi = if hi2 - phi <= span * 0.12 && !(hi <= 0.0 && hi2 > 0.0) { hi2 } else { phi };
    let (ticks, step) = nice_ticks(lo, hi, max_n);
    Axis { lo, hi, ticks, step }
}

/// A numeric axis: its range, tick positions and tick step.
#[derive(Debug, Clone)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub step: f64,
}

/// The time axis: calendar years, ticks on whole years (every 1, 2, 5 or 10).
pub fn year_axis(first: f64, last: f64, max_n: usize) -> Axis {
    let (lo, hi) = if last > first { (first, last) } else { (first - 0.5, first + 0.5) };
    let span = hi - lo;
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0].into_iter().find(|s| span / s <= max_n.max(1) as f64).unwrap_or(100.0);
    let start = (lo / step).ceil() as i64;
    let end = (hi / step).floor() as i64;
    let ticks = (start..=end).map(|k| k as f64 * step).collect();
    Axis { lo, hi, ticks, step }
}

/// Tick text for a value on an axis with ticks `step` apart: as few decimals as the
/// step needs; thousands as k, millions as m, billions as bn.
pub fn tick_text(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs().max(step.abs());
    let (div, suffix) = if a >= 1e9 {
        (1e9, "bn")
    } else if a >= 1e6 {
        (1e6, "m")
    } else if a >= 1e5 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let st = step.abs() / div;
    // the fewest decimals that write the step exactly (2.5 -> 1, 0.25 -> 2, 5 -> 0)
    let decimals = (0..8usize)
        .find(|d| {
            let x = st * 10f64.powi(*d as i32);
            st > 0.0 && (x.round() - x).abs() < 1e-6 * x.max(1.0)
        })
        .unwrap_or(8);
    let x = v / div;
    let s = format!("{x:.decimals$}");
    let s = if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() { s[1..].to_string() } else { s };
    format!("{s}{suffix}").replace('-', "\u{2212}")
}

/// A value in running text (captions, cell labels): three significant figures.
pub fn value_text(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "bn")
    } else if a >= 1e6 {
        (v / 1e6, "m")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let ax = x.abs();
    let d = if ax == 0.0 || ax >= 100.0 {
        0
    } else if ax >= 10.0 {
        1
    } else if ax >= 1.0 {
        2
    } else {
        (2 - ax.log10().floor() as i32).clamp(2, 8) as usize
    };
    let s = format!("{x:.d$}");
    let s = if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() { s[1..].to_string() } else { s };
    format!("{s}{suffix}").replace('-', "\u{2212}")
}

/// Viridis (colour-blind safe, readable in grey) at `t` in [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (0x44, 0x01, 0x54),
        (0x47, 0x2d, 0x7b),
        (0x3b, 0x52, 0x8b),
        (0x2c, 0x72, 0x8e),
        (0x21, 0x91, 0x8c),
        (0x28, 0xae, 0x80),
        (0x5e, 0xc9, 0x62),
        (0xad, 0xdc, 0x30),
        (0xfd, 0xe7, 0x25),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `bg`.
pub fn text_on(bg: RGBColor) -> RGBColor {
    let l = 0.2126 * bg.0 as f64 + 0.7152 * bg.1 as f64 + 0.0722 * bg.2 as f64;
    if l > 140.0 {
        INK
    } else {
        WHITE
    }
}

/// A thin darker outline for colours too light to stand on white (the palette's
/// yellow), drawn under lines and whiskers so that they stay visible.
pub fn casing(c: RGBColor) -> Option<RGBColor> {
    let l = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    (l > 180.0).then(|| darker(c, 0.72))
}

/// A darker shade of a colour (outlines of filled markers).
pub fn darker(c: RGBColor, f: f64) -> RGBColor {
    RGBColor((c.0 as f64 * f) as u8, (c.1 as f64 * f) as u8, (c.2 as f64 * f) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        let (t, s) = nice_ticks(0.0, 1.0, 6);
        assert_eq!(s, 0.2);
        assert_eq!(t, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let (t, _) = nice_ticks(0.381, 0.69, 6);
        assert_eq!(t, vec![0.4, 0.45, 0.5, 0.55, 0.6, 0.65]);
    }

    #[test]
    fn tick_text_uses_the_step() {
        assert_eq!(tick_text(0.4, 0.05), "0.40");
        assert_eq!(tick_text(2.5, 2.5), "2.5");
        assert_eq!(tick_text(600e6, 50e6), "600m");
        assert_eq!(tick_text(-12e6, 5e6), "\u{2212}12m");
        assert_eq!(tick_text(2015.0, 1.0), "2015");
        assert_eq!(tick_text(-0.0, 0.1), "0");
        assert_eq!(tick_text(22.5, 2.5), "22.5");
        assert_eq!(tick_text(20.0, 2.5), "20.0");
        assert_eq!(tick_text(0.25, 0.25), "0.25");
    }

    #[test]
    fn year_ticks_are_whole_years() {
        let a = year_axis(2013.0, 2023.0, 11);
        assert_eq!(a.ticks.len(), 11);
        let a = year_axis(2013.0, 2023.0, 5);
        assert_eq!(a.ticks, vec![2014.0, 2016.0, 2018.0, 2020.0, 2022.0]);
    }

    #[test]
    fn values_read_well() {
        assert_eq!(value_text(0.6812), "0.681");
        assert_eq!(value_text(-27_500_000.0), "\u{2212}27.5m");
        assert_eq!(value_text(12.0), "12.0");
    }
}
