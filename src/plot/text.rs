//! Text in PNG charts. plotters' own ab_glyph text drawing places each glyph at the pen
//! position without its side bearing (uneven letter spacing: "b and") and puts the
//! baseline by guesswork; this wrapper around the bitmap backend lays glyphs out with
//! ab_glyph directly (advances, kerning, bearings) from the same embedded DejaVu Sans.
//! Widths match plotters' estimates (same font, same scale), so layouts computed with
//! `estimate_text_size` hold. Everything but text is passed through.

use ab_glyph::{point, Font, FontRef, Glyph, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontStyle, FontTransform};
use std::sync::OnceLock;

fn font(style: FontStyle) -> &'static FontRef<'static> {
    static REGULAR: OnceLock<FontRef<'static>> = OnceLock::new();
    static BOLD: OnceLock<FontRef<'static>> = OnceLock::new();
    match style {
        FontStyle::Bold => BOLD.get_or_init(|| FontRef::try_from_slice(dejavu::sans::bold()).expect("DejaVu Sans Bold parses")),
        _ => REGULAR.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).expect("DejaVu Sans parses")),
    }
}

/// A drawing backend whose unrotated text is drawn with proper glyph placement.
pub struct GoodText<B: DrawingBackend>(pub B);

impl<B: DrawingBackend> DrawingBackend for GoodText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }
    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        if !matches!(style.transform(), FontTransform::None) {
            return self.0.draw_text(text, style, pos);
        }
        let f = font(style.style());
        let scale = PxScale::from(style.size() as f32);
        let sf = f.as_scaled(scale);
        let mut glyphs: Vec<Glyph> = Vec::with_capacity(text.len());
        let mut x = 0.0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                x += sf.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(x, 0.0)));
            x += sf.h_advance(id);
            prev = Some(id);
        }
        let width = x;
        // Capital height of DejaVu Sans (1493 of 2048 units per em), in pixels.
        let em = scale.y / (f.ascent_unscaled() - f.descent_unscaled()) * f.units_per_em().unwrap_or(2048.0);
        let cap = 0.729 * em;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => cap,
            VPos::Center => cap / 2.0,
            VPos::Bottom => sf.descent(),
        };
        let (ox, oy) = (pos.0 as f32 + dx, pos.1 as f32 + baseline);
        let (w, h) = self.get_size();
        for g in glyphs {
            let Some(outline) = f.outline_glyph(g) else { continue };
            let b = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|gx, gy, cov| {
                if cov > 0.0 {
                    pixels.push(((ox + b.min.x).round() as i32 + gx as i32, (oy + b.min.y).round() as i32 + gy as i32, cov));
                }
            });
            for (px, py, cov) in pixels {
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let c = BackendColor { alpha: color.alpha * cov.min(1.0) as f64, rgb: color.rgb };
                    self.0.draw_pixel((px, py), c)?;
                }
            }
        }
        Ok(())
    }
}
