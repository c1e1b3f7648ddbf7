//! Reading and writing files safely (GitHub issue 11 §2).
//!
//! Inputs are regular files inside the checked tree, within a size limit:
//!
//! - The tree ([`Roots`]): for each checked path, the top of the git work tree holding it
//!   (the nearest folder above with a `.git`), else the path itself (its folder, for a
//!   file); in PR mode the repository's top. A file whose real path (symbolic links
//!   resolved) is outside every root is not read; nor is a module folder that
//!   `.terraform/modules/modules.json` names outside them. The values files of the
//!   configuration's `helm.releases` may also be anywhere in the configuration's folder.
//! - Only regular files are opened: a named pipe, socket or device (or a link to one) is
//!   refused from its metadata, before any `open`; the open itself is non-blocking, and
//!   the opened file is checked again, so a file swapped for a pipe meanwhile cannot hang
//!   the run.
//! - At most `limit` bytes are read ([`DEFAULT_MAX_FILE_SIZE`], `--max-file-size`,
//!   `max_file_size` in `.drlint.yaml`): a larger file is refused from its size, and the
//!   read is bounded in case it grows.
//!
//! A file refused so is an [`crate::Input`] whose content is the reason: the checker
//! reports it as `input-skipped`, in every format, and checks the rest.
//!
//! Outputs ([`create_output`], [`create_new_output`]) are never written through a
//! symbolic link: a link at the path is an error, and the file is opened with
//! `O_NOFOLLOW` (or `O_EXCL`), so that a link planted meanwhile is not followed either.
//! Paths under `/dev/` (`/dev/stdout`, `/dev/fd/3`) are opened as they are.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file read by default: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, Clone)]
pub struct Unread {
    /// The file does not exist (a `modules.json` that is absent is no news).
    pub missing: bool,
    pub reason: String,
}

impl Unread {
    fn skip(reason: String) -> Unread {
        Unread {
            missing: false,
            reason,
        }
    }

    fn io(e: &std::io::Error) -> Unread {
        Unread {
            missing: e.kind() == std::io::ErrorKind::NotFound,
            reason: e.to_string(),
        }
    }
}

/// The folders inputs may be read from, as canonical paths.
#[derive(Debug, Clone, Default)]
pub struct Roots(Vec<PathBuf>);

/// The root of one checked path: the top of the git work tree holding it, else the
/// folder itself (the file's folder, for a file). Found by the path as written (with `..`
/// taken lexically), so that a link to elsewhere does not move the root with it.
pub fn root_of(path: &Path) -> Option<PathBuf> {
    // `absolute` keeps `..`: the ancestors of `/cwd/../tree` would include `/cwd`
    let absolute = lexically_normal(&std::path::absolute(path).ok()?);
    let is_dir = absolute.is_dir();
    let start = if is_dir {
        absolute.as_path()
    } else {
        absolute.parent()?
    };
    for dir in start.ancestors() {
        if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
            return dir.canonicalize().ok();
        }
    }
    start.canonicalize().ok()
}

/// `path` with `.` dropped and each `..` taking away the name before it.
pub(crate) fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

impl Roots {
    /// The roots of the checked paths (see [`root_of`]).
    pub fn of_paths(paths: &[PathBuf]) -> Roots {
        let mut roots: Vec<PathBuf> = paths.iter().filter_map(|p| root_of(p)).collect();
        roots.sort();
        roots.dedup();
        Roots(roots)
    }

    /// One folder (canonicalised).
    pub fn of_dir(dir: &Path) -> Roots {
        Roots(dir.canonicalize().into_iter().collect())
    }

    /// These roots and `dir` too.
    pub fn with(&self, dir: &Path) -> Roots {
        let mut roots = self.0.clone();
        roots.extend(dir.canonicalize());
        Roots(roots)
    }

    pub fn contains(&self, canonical: &Path) -> bool {
        self.0.iter().any(|r| canonical.starts_with(r))
    }

    /// The roots as a message names them.
    pub fn describe(&self) -> String {
        let shown: Vec<String> = self
            .0
            .iter()
            .map(|r| format!("`{}`", r.display()))
            .collect();
        if shown.is_empty() {
            "none could be found".to_owned()
        } else {
            shown.join(", ")
        }
    }
}

/// What a file that is not a regular file is, as a message names it.
fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    "a special file"
}

fn too_large(size: u64, limit: u64) -> Unread {
    Unread::skip(format!(
        "it is larger than the size limit ({size} bytes, over {limit}; `--max-file-size BYTES` or `max_file_size` in .drlint.yaml raise it)"
    ))
}

/// Bytes read another way (git objects), refused when over the limit.
pub fn check_size(bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, String> {
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit).reason);
    }
    Ok(bytes)
}

/// Opens a file for reading without blocking on a pipe or a device.
fn open_for_reading(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads `path` if it is a regular file (links followed) of at most `limit` bytes,
/// never opening anything else: for files named on the command line
/// (`--baseline`, `--var-file`) and the configuration's.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, Unread> {
    let meta = std::fs::metadata(path).map_err(|e| Unread::io(&e))?;
    if !meta.is_file() {
        return Err(Unread::skip(format!(
            "it is not a regular file ({})",
            kind(&meta)
        )));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    let file = open_for_reading(path).map_err(|e| Unread::io(&e))?;
    // the file it opened: a regular file still (not swapped for a pipe meanwhile)
    let opened = file.metadata().map_err(|e| Unread::io(&e))?;
    if !opened.is_file() {
        return Err(Unread::skip(format!(
            "it is not a regular file ({})",
            kind(&opened)
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Unread::io(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// [`read_regular`] as text, with the path in the message: the configuration,
/// rule and profile files, a baseline.
pub fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    let bytes =
        read_regular(path, limit).map_err(|e| format!("{}: {}", path.display(), e.reason))?;
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

/// Reads input files: regular files inside the roots, within the size limit.
#[derive(Debug, Clone)]
pub struct Reader {
    pub roots: Roots,
    pub limit: u64,
}

impl Reader {
    /// The file's real path, if it is inside the roots; else why not.
    pub fn inside(&self, path: &Path) -> Result<PathBuf, Unread> {
        let link = std::fs::symlink_metadata(path).map_err(|e| Unread::io(&e))?;
        let canonical = match path.canonicalize() {
            Ok(c) => c,
            Err(e) if link.file_type().is_symlink() => {
                let target = std::fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(Unread::skip(format!(
                    "it is a symbolic link to `{target}`, which cannot be followed ({e})"
                )));
            }
            Err(e) => return Err(Unread::io(&e)),
        };
        if !self.roots.contains(&canonical) {
            let what = if link.file_type().is_symlink() {
                "it is a symbolic link to"
            } else {
                "its real path is"
            };
            return Err(Unread::skip(format!(
                "{what} `{}`, outside the checked tree ({}): not followed",
                canonical.display(),
                self.roots.describe()
            )));
        }
        Ok(canonical)
    }

    /// The bytes of an input file, or why it is not read.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, Unread> {
        let canonical = self.inside(path)?;
        read_regular(&canonical, self.limit)
    }
}

/// An error for writing `path` through a symbolic link, if it is one.
fn refuse_link(path: &Path) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(format!(
            "{} is a symbolic link: drlint does not write through one (remove it, or name the file itself)",
            path.display()
        )),
        _ => Ok(()),
    }
}

fn is_device_path(path: &Path) -> bool {
    cfg!(unix) && path.starts_with("/dev/")
}

/// Creates or truncates an output file (`--format F=FILE`, `baseline create --output`),
/// never through a symbolic link.
pub fn create_output(path: &Path) -> Result<File, String> {
    let mut options = OpenOptions::new();
    options.write(true).truncate(true);
    if is_device_path(path) {
        // `/dev/stdout` and the like are links by nature, named on purpose
        return options
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()));
    }
    refuse_link(path)?;
    options.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path).map_err(|e| match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => format!(
            "{} is a symbolic link: drlint does not write through one",
            path.display()
        ),
        _ => format!("{}: {e}", path.display()),
    })
}

/// Creates a new file (`drlint init`), never through a symbolic link and never over
/// an existing file.
pub fn create_new_output(path: &Path) -> Result<File, String> {
    refuse_link(path)?;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} already exists; not overwriting it", path.display())
            }
            _ => format!("{}: {e}", path.display()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_hold_their_folders_only() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("inner");
        std::fs::create_dir(&inner).unwrap();
        let roots = Roots::of_paths(std::slice::from_ref(&inner));
        let inner = inner.canonicalize().unwrap();
        assert!(roots.contains(&inner.join("x.tf")));
        assert!(!roots.contains(&dir.path().canonicalize().unwrap().join("x.tf")));
        // a git work tree: its top
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let roots = Roots::of_paths(std::slice::from_ref(&inner));
        assert!(roots.contains(&dir.path().canonicalize().unwrap().join("x.tf")));
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.tf");
        std::fs::write(&file, "0123456789").unwrap();
        assert_eq!(read_regular(&file, 10).unwrap(), b"0123456789");
        assert!(
            read_regular(&file, 9)
                .unwrap_err()
                .reason
                .contains("size limit")
        );
        assert!(
            read_regular(dir.path(), 10)
                .unwrap_err()
                .reason
                .contains("a folder")
        );
        assert!(
            read_regular(&dir.path().join("none"), 10)
                .unwrap_err()
                .missing
        );
    }
}
