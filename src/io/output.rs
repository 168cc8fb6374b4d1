//! Output folders. The guarantee: a folder with `manifest.json` is complete and every
//! file listed in it matches its checksum; a folder without one is visibly partial
//! (it holds `_INCOMPLETE`). Files are written under a temporary name and renamed when
//! complete; the manifest is written last; an existing folder is never overwritten
//! unless asked.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "manifest.json";
pub const INCOMPLETE: &str = "_INCOMPLETE";

/// A file listed in a manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A chart listed in a manifest (derived, may be redrawn).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChartEntry {
    pub name: String,
    pub sha256: String,
}

/// A writer that hashes and counts what passes through it.
pub struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Hex SHA-256 of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 and size of a file on disk.
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok((sha256_hex(&bytes), bytes.len() as u64))
}

/// A file being written into an output folder.
pub struct OutFile {
    pub name: String,
    tmp: PathBuf,
    dest: PathBuf,
    w: Hashing<BufWriter<File>>,
}

impl OutFile {
    pub fn writer(&mut self) -> &mut Hashing<BufWriter<File>> {
        &mut self.w
    }
}

/// Why `path` may not be used as a new output folder, if it may not: it exists and
/// `force` is off; it is not a folder; or it holds files csmarket did not write (an
/// output folder has `manifest.json` or `_INCOMPLETE`), which `--force` must never delete.
pub fn refusal(path: &Path, force: bool) -> Option<String> {
    if !path.exists() {
        return None;
    }
    let p = path.display();
    if !path.is_dir() {
        return Some(format!("--out {p}: exists and is not a folder; --force replaces only folders"));
    }
    if !force {
        return Some(format!("{p} already exists; choose another --out, or pass --force to replace it"));
    }
    let ours = path.join(MANIFEST).is_file() || path.join(INCOMPLETE).is_file();
    let empty = fs::read_dir(path).map(|mut d| d.next().is_none()).unwrap_or(false);
    if ours || empty {
        return None;
    }
    Some(format!(
        "{p} is not a csmarket output folder (it has neither {MANIFEST} nor {INCOMPLETE}) and is not empty; \
         --force only replaces csmarket output, so choose another --out"
    ))
}

/// An output folder being filled.
pub struct OutputDir {
    pub path: PathBuf,
    pub files: Vec<FileEntry>,
    pub charts: Vec<ChartEntry>,
}

/// A fresh default folder name under `base`: `<scenario>_<UTC time>`, with a suffix if taken.
pub fn default_path(base: &Path, label: &str) -> PathBuf {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let stamp: String = stamp.chars().filter(|c| c.is_ascii_digit() || *c == 'T').collect::<String>().replace('T', "-");
    let safe: String = label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    let first = base.join(format!("{safe}_{stamp}"));
    if !first.exists() {
        return first;
    }
    (2..).map(|k| base.join(format!("{safe}_{stamp}_{k}"))).find(|p| !p.exists()).expect("a free name")
}

impl OutputDir {
    /// Create the folder. An existing folder is refused unless `force`, in which case
    /// its manifest is removed first (so it is visibly partial) and its files after.
    pub fn create(path: &Path, force: bool) -> Result<OutputDir> {
        if let Some(why) = refusal(path, force) {
            bail!(why);
        }
        if path.exists() {
            let _ = fs::remove_file(path.join(MANIFEST));
            fs::remove_dir_all(path).with_context(|| format!("removing {}", path.display()))?;
        }
        fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
        let dir = OutputDir { path: path.to_path_buf(), files: Vec::new(), charts: Vec::new() };
        dir.mark_incomplete()?;
        Ok(dir)
    }

    /// Reopen a partial folder to resume it (the manifest must be absent).
    pub fn reopen(path: &Path) -> Result<OutputDir> {
        if !path.is_dir() {
            bail!("{} is not a folder", path.display());
        }
        if path.join(MANIFEST).exists() {
            bail!("{} is complete (it has a manifest); nothing to resume", path.display());
        }
        let dir = OutputDir { path: path.to_path_buf(), files: Vec::new(), charts: Vec::new() };
        dir.mark_incomplete()?;
        Ok(dir)
    }

    fn mark_incomplete(&self) -> Result<()> {
        let p = self.path.join(INCOMPLETE);
        fs::write(&p, "This folder is incomplete: the run writing it has not finished or was stopped.\nA complete folder has manifest.json.\n")
            .with_context(|| format!("writing {}", p.display()))
    }

    /// Start a file (written as `name.tmp`, renamed on `finish`).
    pub fn file(&self, name: &str) -> Result<OutFile> {
        let dest = self.path.join(name);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let tmp = self.path.join(format!("{name}.tmp"));
        let f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        Ok(OutFile { name: name.to_string(), tmp, dest, w: Hashing { inner: BufWriter::with_capacity(1 << 16, f), hasher: Sha256::new(), bytes: 0 } })
    }

    /// Finish a data file: flush, sync, rename, record its checksum.
    pub fn finish(&mut self, f: OutFile) -> Result<()> {
        let entry = self.close(f)?;
        self.files.retain(|e| e.name != entry.name);
        self.files.push(entry);
        Ok(())
    }

    /// Finish a chart or other derived file (listed apart from the data files).
    pub fn finish_chart(&mut self, f: OutFile) -> Result<()> {
        let entry = self.close(f)?;
        self.charts.retain(|e| e.name != entry.name);
        self.charts.push(ChartEntry { name: entry.name, sha256: entry.sha256 });
        Ok(())
    }

    fn close(&self, f: OutFile) -> Result<FileEntry> {
        let OutFile { name, tmp, dest, w } = f;
        let Hashing { inner, hasher, bytes } = w;
        let file = inner.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", tmp.display()))?;
        file.sync_all().with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, &dest).with_context(|| format!("renaming {} to {}", tmp.display(), dest.display()))?;
        Ok(FileEntry { name, bytes, sha256: hex(&hasher.finalize()) })
    }

    /// Write a whole data file at once.
    pub fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut f = self.file(name)?;
        f.writer().write_all(bytes).with_context(|| format!("writing {}", self.path.join(name).display()))?;
        self.finish(f)
    }

    /// Write the manifest (listing every finished file) and mark the folder complete.
    pub fn seal(&mut self, mut manifest: serde_json::Value) -> Result<()> {
        self.files.sort_by(|a, b| a.name.cmp(&b.name));
        self.charts.sort_by(|a, b| a.name.cmp(&b.name));
        manifest["files"] = serde_json::to_value(&self.files)?;
        manifest["charts"] = serde_json::to_value(&self.charts)?;
        let text = serde_json::to_string_pretty(&manifest)? + "\n";
        let tmp = self.path.join(format!("{MANIFEST}.tmp"));
        let mut f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, self.path.join(MANIFEST)).with_context(|| format!("writing {}", self.path.join(MANIFEST).display()))?;
        let _ = fs::remove_file(self.path.join(INCOMPLETE));
        Ok(())
    }
}

/// A number as CSV text: shortest form that reads back exactly; undefined (NaN or
/// infinite) is an empty cell.
pub fn num(x: f64) -> String {
    if x.is_finite() {
        let s = format!("{x}");
        if s == "-0" {
            "0".into()
        } else {
            s
        }
    } else {
        String::new()
    }
}
