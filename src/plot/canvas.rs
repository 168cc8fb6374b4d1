//! Drawing helpers shared by every chart: the figure frame (title, subtitle, a legend
//! strip that never covers data, footer notes), panels with axes and horizontal axis
//! titles (rotated text is avoided: see TECH_NOTES on PNG text), grids of panels, and
//! rendering to PNG bytes and SVG text.

use super::style::{self, Axis, Theme, AXIS, GRID, WHITE};
use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;
pub type DResult<DB> = Result<(), DrawError<DB>>;
pub type Area<DB> = DrawingArea<DB, Shift>;
pub type Coord = Cartesian2d<Ticked, Ticked>;
pub type Panel<'a, DB> = ChartContext<'a, DB, Coord>;

/// A linear f64 axis whose grid lines and labels are exactly the given ticks (plotters
/// would choose its own otherwise).
#[derive(Debug, Clone)]
pub struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl From<&Axis> for Ticked {
    fn from(a: &Axis) -> Ticked {
        let ticks = a.ticks.iter().copied().filter(|t| *t >= a.lo.min(a.hi) - 1e-9 && *t <= a.hi.max(a.lo) + 1e-9).collect();
        Ticked { lo: a.lo, hi: a.hi, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.lo) / (self.hi - self.lo);
        let len = (limit.1 - limit.0) as f64;
        if !t.is_finite() {
            return limit.0;
        }
        limit.0 + (len * t + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone)]
pub enum Swatch {
    /// A line, optionally over a shaded band.
    Line { colour: RGBColor, band: bool },
    /// A filled box (stacked areas).
    Fill(RGBColor),
    /// A marker of a given radius.
    Point { colour: RGBColor, shape: Shape, radius: f64 },
    /// Bold text that starts a group of entries.
    Heading,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Filled,
    Hollow,
    Cross,
}

#[derive(Debug, Clone)]
pub struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        LegendItem { label: label.into(), swatch }
    }
}

/// The parts of a figure around its panels.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub title: String,
    pub subtitle: String,
    pub legend: Vec<LegendItem>,
    pub footer: Vec<String>,
}

fn text_w<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle) -> Result<i32, DrawError<DB>> {
    if text.is_empty() {
        return Ok(0);
    }
    Ok(area.estimate_text_size(text, style)?.0 as i32)
}

fn top_left(style: &TextStyle<'static>) -> TextStyle<'static> {
    style.clone().pos(Pos::new(HPos::Left, VPos::Top))
}

/// `text` cut with an ellipsis to fit in `max_w` pixels (panel headings in narrow panels).
fn elide<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle, max_w: i32) -> Result<String, DrawError<DB>> {
    if text_w(area, text, style)? <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let cand: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "\u{2026}";
        if text_w(area, &cand, style)? <= max_w {
            return Ok(cand);
        }
    }
    Ok("\u{2026}".into())
}

/// Break text into lines no wider than `max_w`, at `sep` when possible, else at spaces.
fn wrap<DB: DrawingBackend>(area: &Area<DB>, text: &str, style: &TextStyle, max_w: i32) -> Result<Vec<String>, DrawError<DB>> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for (i, word) in text.split(' ').enumerate() {
        let cand = if i == 0 || cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if !cur.is_empty() && text_w(area, &cand, style)? > max_w {
            lines.push(std::mem::take(&mut cur).trim_end_matches(" \u{b7}").to_string());
            cur = word.to_string();
        } else {
            cur = cand;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    Ok(lines)
}

/// Draw the frame on a white figure and return the area left for the panels.
pub fn frame<DB: DrawingBackend>(root: &Area<DB>, th: &Theme, f: &Frame) -> Result<Area<DB>, DrawError<DB>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let pad = th.pad();
    let inner = w - 2 * pad;
    let mut y = pad;
    let title = top_left(&th.title());
    for line in wrap(root, &f.title, &title, inner)? {
        root.draw_text(&line, &title, (pad, y))?;
        y += th.line_height(&title);
    }
    y += th.px(4.0);
    let sub = top_left(&th.subtitle());
    for line in wrap(root, &f.subtitle, &sub, inner)? {
        root.draw_text(&line, &sub, (pad, y))?;
        y += th.line_height(&sub);
    }
    y += th.px(10.0);
    if !f.legend.is_empty() {
        y = legend(root, th, &f.legend, pad, y, inner)?;
        y += th.px(8.0);
    }
    // Footer notes from the bottom up.
    let foot = top_left(&th.footer());
    let mut foot_lines = Vec::new();
    for note in &f.footer {
        foot_lines.extend(wrap(root, note, &foot, inner)?);
    }
    let fh = th.line_height(&foot);
    let mut bottom = h - pad + th.px(8.0) - fh * foot_lines.len() as i32;
    for (i, line) in foot_lines.iter().enumerate() {
        root.draw_text(line, &foot, (pad, bottom + fh * i as i32))?;
    }
    if !foot_lines.is_empty() {
        bottom -= th.px(12.0);
    } else {
        bottom = h - pad;
    }
    let body_h = (bottom - y).max(10);
    Ok(root.clone().shrink((pad, y), (inner.max(10) as u32, body_h as u32)))
}

/// Lay legend entries out in rows across `width`, starting at (`x`, `y`); returns the
/// y below the legend.
fn legend<DB: DrawingBackend>(root: &Area<DB>, th: &Theme, items: &[LegendItem], x: i32, y: i32, width: i32) -> Result<i32, DrawError<DB>> {
    let text = top_left(&th.legend());
    let heading = top_left(&th.legend_heading());
    let biggest = items.iter().map(|i| if let Swatch::Point { radius, .. } = i.swatch { th.px(radius * 2.0 + 6.0) } else { 0 }).max().unwrap_or(0);
    let lh = th.line_height(&text).max(th.px(26.0)).max(biggest);
    let sw = th.px(34.0);
    let gap = th.px(8.0);
    let spacing = th.px(30.0);
    let (mut cx, mut cy) = (x, y);
    for item in items {
        let is_heading = matches!(item.swatch, Swatch::Heading);
        let style = if is_heading { &heading } else { &text };
        let tw = text_w(root, &item.label, style)?;
        let sww = match &item.swatch {
            Swatch::Heading => 0,
            Swatch::Point { radius, .. } => (th.px(*radius * 2.0) + gap).max(sw / 2),
            _ => sw,
        };
        let iw = sww + if sww > 0 { gap } else { 0 } + tw;
        if cx > x && cx + iw > x + width {
            cx = x;
            cy += lh;
        }
        let mid = cy + lh / 2 - th.px(3.0);
        match &item.swatch {
            Swatch::Line { colour, band } => {
                if *band {
                    root.draw(&Rectangle::new([(cx, mid - th.px(9.0)), (cx + sw, mid + th.px(9.0))], colour.mix(style::BAND_ALPHA).filled()))?;
                }
                if let Some(dark) = style::casing(*colour) {
                    root.draw(&PathElement::new(vec![(cx, mid), (cx + sw, mid)], dark.stroke_width(th.line_width() + th.pxu(2.0))))?;
                }
                root.draw(&PathElement::new(vec![(cx, mid), (cx + sw, mid)], colour.stroke_width(th.line_width())))?;
            }
            Swatch::Fill(c) => {
                root.draw(&Rectangle::new([(cx, mid - th.px(9.0)), (cx + sw, mid + th.px(9.0))], c.filled()))?;
            }
            Swatch::Point { colour, shape, radius } => {
                let r = th.px(*radius);
                marker(root, (cx + sww / 2 - gap / 2, mid), r, *colour, *shape, th)?;
            }
            Swatch::Heading => {}
        }
        let tx = cx + sww + if sww > 0 { gap } else { 0 };
        root.draw_text(&item.label, style, (tx, mid - th.line_height(style) / 2 + th.px(3.0)))?;
        cx += iw + if is_heading { gap } else { spacing };
    }
    Ok(cy + lh)
}

/// A marker centred on a position of an area (pixels for the figure, data for a panel).
pub fn marker<DB: DrawingBackend, CT: CoordTranslate>(area: &DrawingArea<DB, CT>, at: CT::From, r: i32, colour: RGBColor, shape: Shape, th: &Theme) -> DResult<DB>
where
    CT::From: Clone,
{
    match shape {
        Shape::Filled => {
            area.draw(&(EmptyElement::at(at.clone()) + Circle::new((0, 0), r, colour.mix(0.8).filled())))?;
            area.draw(&(EmptyElement::at(at) + Circle::new((0, 0), r, style::darker(colour, 0.7).stroke_width(th.pxu(1.0)))))?;
        }
        Shape::Hollow => {
            area.draw(&(EmptyElement::at(at) + Circle::new((0, 0), r, colour.stroke_width(th.pxu(2.5)))))?;
        }
        Shape::Cross => {
            let d = ((r as f64) * 0.75).round() as i32;
            let st = colour.stroke_width(th.pxu(2.5));
            area.draw(&(EmptyElement::at(at.clone()) + PathElement::new(vec![(-d, -d), (d, d)], st)))?;
            area.draw(&(EmptyElement::at(at) + PathElement::new(vec![(-d, d), (d, -d)], st)))?;
        }
    }
    Ok(())
}

/// Rows and columns for `n` panels in a landscape figure.
pub fn grid_shape(n: usize) -> (usize, usize) {
    if n <= 1 {
        return (1, 1);
    }
    let cols = ((n as f64 * 1.6).sqrt().ceil() as usize).clamp(1, n);
    let rows = n.div_ceil(cols);
    let cols = n.div_ceil(rows);
    (rows, cols)
}

/// Split the body into a grid of panel areas with gutters between them.
pub fn grid<DB: DrawingBackend>(body: &Area<DB>, th: &Theme, n: usize, cols_hint: Option<usize>) -> Vec<Area<DB>> {
    let (rows, cols) = match cols_hint {
        Some(c) => (n.div_ceil(c.max(1)), c.max(1)),
        None => grid_shape(n),
    };
    let (w, h) = body.dim_in_pixel();
    let gx = if cols > 1 { th.px(36.0) } else { 0 };
    let gy = if rows > 1 { th.px(26.0) } else { 0 };
    let cw = ((w as i32 - gx * (cols as i32 - 1)) / cols as i32).max(10);
    let ch = ((h as i32 - gy * (rows as i32 - 1)) / rows as i32).max(10);
    (0..n)
        .map(|k| {
            let (r, c) = ((k / cols) as i32, (k % cols) as i32);
            body.clone().shrink((c * (cw + gx), r * (ch + gy)), (cw as u32, ch as u32))
        })
        .collect()
}

/// An axis's ticks and how to write them.
pub struct AxisSpec<'f> {
    pub axis: Axis,
    pub title: String,
    pub text: &'f dyn Fn(f64) -> String,
}

/// What goes on a panel besides its data.
pub struct PanelSpec<'f> {
    /// Panel heading, with an optional colour swatch before it (the scenario's colour).
    pub title: Option<(String, Option<RGBColor>)>,
    pub x: AxisSpec<'f>,
    pub y: AxisSpec<'f>,
    /// Draw the vertical grid lines.
    pub x_grid: bool,
}

/// How many tick labels of a given typical text fit along `len` pixels.
pub fn fit_ticks<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, sample: &str, len: i32, spacing: f64) -> usize {
    let w = text_w(area, sample, &th.tick()).unwrap_or(th.px(40.0)).max(1);
    ((len as f64) / (w as f64 * spacing)).floor().max(2.0) as usize
}

/// Lay out a panel: heading, horizontal y-axis title above the plot area, axes, grid
/// and tick labels. Returns the chart to draw data into.
pub fn panel<'a, DB: DrawingBackend>(area: &'a Area<DB>, th: &Theme, spec: &PanelSpec) -> Result<Panel<'a, DB>, DrawError<DB>> {
    let tick = th.tick();
    let mut top = 0;
    if let Some((title, swatch)) = &spec.title {
        let st = top_left(&th.panel_title());
        let mut x = 0;
        if let Some(c) = swatch {
            let sz = th.px(14.0);
            area.draw(&Rectangle::new([(0, th.px(3.0)), (sz, th.px(3.0) + sz)], c.filled()))?;
            x = sz + th.px(8.0);
        }
        let room = area.dim_in_pixel().0 as i32 - x;
        area.draw_text(&elide(area, title, &st, room)?, &st, (x, 0))?;
        top += th.line_height(&st) + th.px(2.0);
    }
    if !spec.y.title.is_empty() {
        let st = top_left(&th.axis_title());
        area.draw_text(&spec.y.title, &st, (0, top))?;
        top += th.line_height(&st) + th.px(6.0);
    } else {
        top += th.px(8.0);
    }
    let ylab_w = spec.y.axis.ticks.iter().map(|v| text_w(area, &(spec.y.text)(*v), &tick)).collect::<Result<Vec<_>, _>>()?.into_iter().max().unwrap_or(0);
    let xlab_w = spec.x.axis.ticks.iter().map(|v| text_w(area, &(spec.x.text)(*v), &tick)).collect::<Result<Vec<_>, _>>()?.into_iter().max().unwrap_or(0);
    let tick_h = th.line_height(&tick);
    let mut x_area = tick_h + th.px(8.0);
    if !spec.x.title.is_empty() {
        x_area += th.line_height(&th.axis_title()) + th.px(4.0);
    }
    let y_area = ylab_w + th.px(12.0);
    let right = (xlab_w / 2 + th.px(4.0)).max(th.px(12.0));
    let x_range = Ticked::from(&spec.x.axis);
    let y_range = Ticked::from(&spec.y.axis);
    let mut chart = ChartBuilder::on(area)
        .margin_top(top.max(0) as u32)
        .margin_right(right.max(0) as u32)
        .margin_bottom(th.px(2.0) as u32)
        .x_label_area_size(x_area.max(0) as u32)
        .y_label_area_size(y_area.max(0) as u32)
        .build_cartesian_2d(x_range, y_range)?;
    let xf = |v: &f64| (spec.x.text)(*v);
    let yf = |v: &f64| (spec.y.text)(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .label_style(tick.clone())
        .bold_line_style(GRID.stroke_width(th.pxu(1.0)))
        .light_line_style(WHITE.mix(0.0))
        .axis_style(AXIS.stroke_width(th.pxu(1.0)))
        .set_all_tick_mark_size(th.px(5.0))
        .axis_desc_style(th.axis_title());
    if !spec.x.title.is_empty() {
        mesh.x_desc(spec.x.title.clone());
    }
    if !spec.x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// A standard year axis for a panel of the given pixel width.
pub fn years<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, first: f64, last: f64) -> Axis {
    let (w, _) = area.dim_in_pixel();
    let n = fit_ticks(area, th, "2020", w as i32 - th.px(80.0), 1.7);
    style::year_axis(first, last, n.min(12))
}

/// How many y ticks suit a panel of the given pixel height.
pub fn y_tick_count(th: &Theme, height: u32) -> usize {
    ((height as f64 / (th.s * 70.0)).floor() as usize).clamp(2, 8)
}

/// Draw a polyline in data coordinates, with a dark casing under light colours.
pub fn line<DB: DrawingBackend>(chart: &mut Panel<DB>, pts: Vec<(f64, f64)>, colour: RGBColor, width: u32, th: &Theme) -> DResult<DB> {
    if let Some(dark) = style::casing(colour) {
        chart.draw_series(std::iter::once(PathElement::new(pts.clone(), dark.stroke_width(width + th.pxu(2.0)))))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(pts, colour.stroke_width(width))))?;
    Ok(())
}

/// Draw a filled polygon given by its outline in data coordinates.
pub fn polygon<DB: DrawingBackend>(chart: &mut Panel<DB>, pts: Vec<(f64, f64)>, style: ShapeStyle) -> DResult<DB> {
    if pts.len() >= 3 {
        chart.draw_series(std::iter::once(Polygon::new(pts, style)))?;
    }
    Ok(())
}

/// Contiguous runs of points whose values are all defined (undefined values are gaps,
/// never zeros).
pub fn runs<T: Clone>(pts: &[T], defined: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut cur = Vec::new();
    for p in pts {
        if defined(p) {
            cur.push(p.clone());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A centred note in an empty panel.
pub fn empty_note<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, text: &str) -> DResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let st = th.axis_title().pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &st, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// Something that draws a whole figure on any backend.
pub trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, th: &Theme) -> DResult<DB>;
}

/// Render a figure to PNG bytes of the theme's size.
pub fn png<F: Figure>(th: &Theme, fig: &F) -> Result<Vec<u8>> {
    let (w, h) = (th.width, th.height);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = super::text::GoodText(BitMapBackend::with_buffer(&mut buf, (w, h))).into_drawing_area();
        fig.draw(&root, th).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = enc.write_header().map_err(|e| anyhow!("encoding PNG: {e}"))?;
        writer.write_image_data(&buf).map_err(|e| anyhow!("encoding PNG: {e}"))?;
        writer.finish().map_err(|e| anyhow!("encoding PNG: {e}"))?;
    }
    Ok(out)
}

/// Render a figure to SVG text (text stays text).
pub fn svg<F: Figure>(th: &Theme, fig: &F) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (th.width, th.height)).into_drawing_area();
        fig.draw(&root, th).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    Ok(out)
}
