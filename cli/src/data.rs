//! The data file a command reads, possibly more than once: a path, or standard input (`-`)
//! buffered to a temporary file so that it too can be read pass after pass.

use qinglian::{Chunk, Diagnostic, ReadOptions, RecordFormat, RecordReader, Ruleset};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A record file that can be opened as often as the command needs.
pub struct Data {
    path: PathBuf,
    /// The name the user gave (`-` for standard input).
    name: String,
    format: RecordFormat,
    options: ReadOptions,
    /// The copy of standard input, removed when the command ends.
    _copy: Option<Copy>,
}

struct Copy(PathBuf);

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Data {
    /// A file, or `-`: standard input, copied to a temporary file; its format is sniffed from
    /// its first bytes (a zip or OLE signature a workbook, `[` a JSON array, `{` JSON Lines,
    /// anything else CSV).
    pub fn open(arg: &Path, encoding: Option<&str>, sheet: Option<&str>) -> Result<Data, String> {
        let options = ReadOptions {
            encoding: encoding.map(str::to_string),
            sheet: sheet.map(str::to_string),
            ..Default::default()
        };
        if let Some(label) = encoding {
            qinglian::encoding_for_label(label)?;
        }
        if arg != Path::new("-") {
            return Ok(Data {
                path: arg.to_path_buf(),
                name: arg.display().to_string(),
                format: RecordFormat::of_path(arg),
                options,
                _copy: None,
            });
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("qinglian-stdin-{}-{nanos}", std::process::id()));
        let fail = |e: std::io::Error| format!("cannot buffer standard input: {e}");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(fail)?;
        let copy = Copy(path.clone());
        let mut head = Vec::new();
        let mut stdin = std::io::stdin().lock();
        // The first bytes tell the format.
        (&mut stdin)
            .take(4096)
            .read_to_end(&mut head)
            .map_err(fail)?;
        file.write_all(&head).map_err(fail)?;
        std::io::copy(&mut stdin, &mut file).map_err(fail)?;
        file.flush().map_err(fail)?;
        // Past any byte order mark and, for UTF-16, the zero bytes beside ASCII characters.
        let first = head
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&head)
            .iter()
            .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0 | 0xFE | 0xFF));
        let workbook = head.starts_with(b"PK\x03\x04")
            || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        let format = match first {
            _ if workbook => RecordFormat::Workbook,
            Some(b'[') => RecordFormat::Json,
            Some(b'{') => RecordFormat::JsonLines,
            _ => RecordFormat::Csv,
        };
        Ok(Data {
            path,
            name: "-".to_string(),
            format,
            options,
            _copy: Some(copy),
        })
    }

    /// The name the user gave.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A reader from the first row, keeping the fields `keep` of every row.
    pub fn reader<'r>(
        &self,
        ruleset: &'r Ruleset,
        chunk_rows: usize,
        keep: &[String],
    ) -> Result<RecordReader<'r>, String> {
        let file = std::fs::File::open(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.name))?;
        Ok(
            RecordReader::with_options(ruleset, file, self.format, &self.name, &self.options)
                .map_err(|e| e.to_string())?
                .with_chunk_rows(chunk_rows)
                .keep(keep),
        )
    }
}

/// Calls `f` with every chunk of `reader` in order, reading the next chunk on another thread
/// meanwhile; `f` returns whether to go on. Returns the reader's notes on the file as a whole
/// (unknown columns, absent inputs), once the chunks were read.
pub fn each_chunk<'r>(
    reader: RecordReader<'r>,
    mut f: impl FnMut(Chunk<'r>) -> Result<bool, String>,
) -> Result<Vec<Diagnostic>, String> {
    std::thread::scope(|scope| {
        // One chunk waits while the next is read: at most three are alive.
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let reading = scope.spawn(move || {
            let mut reader = reader;
            loop {
                let next = reader.next_chunk();
                let last = !matches!(next, Ok(Some(_)));
                if send.send(next).is_err() || last {
                    break;
                }
            }
            reader.notes()
        });
        for next in receive {
            match next.map_err(|e| e.to_string())? {
                Some(chunk) => {
                    if !f(chunk)? {
                        break;
                    }
                }
                None => break,
            }
        }
        reading
            .join()
            .map_err(|_| "the file could not be read to its end".to_string())
    })
}

/// The rows of a data file for a command that reads it whole (an analysis of the whole file):
/// standard input is refused, since these commands name the file they read.
pub fn whole_file(
    command: &str,
    data: &Path,
    encoding: Option<&str>,
    sheet: Option<&str>,
) -> Result<Vec<Result<qinglian::Record, qinglian::RecordError>>, String> {
    if data == Path::new("-") {
        return Err(format!(
            "{command} reads a data file (.csv, .json, .jsonl or a workbook), not standard input"
        ));
    }
    let options = ReadOptions {
        encoding: encoding.map(str::to_string),
        sheet: sheet.map(str::to_string),
        ..ReadOptions::default()
    };
    qinglian::read_records_with(data, &options).map_err(|e| e.to_string())
}
