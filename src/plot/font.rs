//! The embedded font. plotters' `ttf` feature (fontconfig and freetype) stays off, so
//! text is drawn with DejaVu Sans compiled into the binary and charts look the same on
//! a machine with no font packages at all.

use super::style::FAMILY;
use anyhow::{anyhow, Result};
use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Register DejaVu Sans (regular and bold) under [`FAMILY`], once.
pub fn ensure() -> Result<()> {
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).map_err(|_| "DejaVu Sans is not a valid font".to_string())?;
            register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).map_err(|_| "DejaVu Sans Bold is not a valid font".to_string())?;
            Ok(())
        })
        .clone()
        .map_err(|e| anyhow!("registering the embedded font: {e}"))
}
