//! The `mrrc` command: count, dump, list titles, validate and convert MARC
//! files. All reading, writing and conversion is `mrrc-core`'s; this crate
//! parses arguments, shows progress and reports errors.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use mrrc_core::format::{Format, RecordWriter};
use mrrc_core::iso2709::{WriteCharset, WriteOptions};
use mrrc_core::mrk::MrkWriter;
use mrrc_core::{Charset, Error, ReadOptions, Record};

#[derive(Parser)]
#[command(
    name = "mrrc",
    version,
    about = "Read, check and convert MARC 21 records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct ReadArgs {
    /// Repair what can be repaired and skip bad records instead of stopping.
    #[arg(long)]
    lenient: bool,
    /// Input format (default: from the file name; ISO 2709 otherwise).
    #[arg(long = "format", short = 'f', value_name = "FMT")]
    format: Option<Format>,
    /// Character set of records whose leader/09 is not `a`: marc8 (default),
    /// utf-8, or a legacy set such as cp1251, koi8-r, cp866, iso-8859-1.
    #[arg(long = "input-encoding", value_name = "CHARSET")]
    input_encoding: Option<String>,
    /// Parse with this many threads (ISO 2709 only; 0 = one per core).
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(Subcommand)]
enum Command {
    /// Count the records in each file.
    Count {
        #[command(flatten)]
        read: ReadArgs,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print each record in pymarc's `str(record)` layout (or another format).
    Dump {
        #[command(flatten)]
        read: ReadArgs,
        /// Output format (default: mrk, pymarc's text layout).
        #[arg(long = "to", value_name = "FMT", default_value = "mrk")]
        to: Format,
        file: PathBuf,
    },
    /// Print each record's title (245 $a $b) as pymarc's `record.title` does.
    Titles {
        #[command(flatten)]
        read: ReadArgs,
        file: PathBuf,
    },
    /// Parse strictly and report every defect with record index and offset.
    Validate {
        #[arg(long = "format", short = 'f', value_name = "FMT")]
        format: Option<Format>,
        #[arg(long = "input-encoding", value_name = "CHARSET")]
        input_encoding: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Convert between formats and character sets.
    Convert {
        #[command(flatten)]
        read: ReadArgs,
        /// Output format: iso2709, marcxml, json, ndjson, msgpack, mrk.
        #[arg(long = "to", value_name = "FMT")]
        to: Format,
        /// Write text as UTF-8 and set leader/09 to `a` (the default).
        #[arg(long = "to-utf8", conflicts_with = "to_marc8")]
        to_utf8: bool,
        /// Write ISO 2709 text as MARC-8 and set leader/09 blank.
        #[arg(long = "to-marc8")]
        to_marc8: bool,
        input: PathBuf,
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("mrrc: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Count { read, files } => count(&read, &files),
        Command::Dump { read, to, file } => dump(&read, to, &file),
        Command::Titles { read, file } => titles(&read, &file),
        Command::Validate {
            format,
            input_encoding,
            files,
        } => {
            let read = ReadArgs {
                lenient: false,
                format,
                input_encoding,
                threads: 1,
            };
            validate(&read, &files)
        }
        Command::Convert {
            read,
            to,
            to_utf8: _,
            to_marc8,
            input,
            output,
        } => convert(&read, to, to_marc8, &input, &output),
    }
}

fn read_options(args: &ReadArgs) -> Result<ReadOptions, String> {
    let mut options = if args.lenient {
        ReadOptions::lenient()
    } else {
        ReadOptions::strict()
    };
    if let Some(label) = &args.input_encoding {
        options.charset =
            Charset::legacy(label).ok_or_else(|| format!("unknown character set '{label}'"))?;
    }
    Ok(options)
}

fn input_format(args: &ReadArgs, path: &Path) -> Format {
    args.format
        .or_else(|| Format::from_path(path))
        .unwrap_or(Format::Iso2709)
}

/// Reads a file, counting bytes into a progress bar shown only on a terminal.
struct ProgressRead<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for ProgressRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

fn open_input(path: &Path) -> Result<(Box<dyn BufRead + Send>, Option<ProgressBar>), String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    // Only long files on a terminal get a bar: short runs and pipes stay quiet.
    let bar = (io::stderr().is_terminal() && len > 8 << 20).then(|| {
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template"),
        );
        bar
    });
    let reader = ProgressRead {
        inner: file,
        bar: bar.clone(),
    };
    Ok((Box::new(BufReader::with_capacity(1 << 20, reader)), bar))
}

type Records = Box<dyn Iterator<Item = Result<Record, Error>> + Send>;

fn open_records(args: &ReadArgs, path: &Path) -> Result<(Records, Option<ProgressBar>), String> {
    let options = read_options(args)?;
    let format = input_format(args, path);
    if args.threads != 1 && format == Format::Iso2709 {
        let reader = mrrc_core::parallel::ParallelReader::open(path, options, args.threads)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        return Ok((Box::new(reader), None));
    }
    let (input, bar) = open_input(path)?;
    Ok((format.reader(input, options), bar))
}

fn count(args: &ReadArgs, files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut total = 0u64;
    let mut failed = false;
    for path in files {
        let (records, bar) = open_records(args, path)?;
        let mut n = 0u64;
        for item in records {
            match item {
                Ok(_) => n += 1,
                Err(e) => {
                    failed = true;
                    eprintln!("{}: {e}", path.display());
                    if args.lenient {
                        continue;
                    }
                    break;
                }
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if files.len() > 1 {
            println!("{n}\t{}", path.display());
        } else {
            println!("{n}");
        }
        total += n;
    }
    if files.len() > 1 {
        println!("{total}\ttotal");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `each` over the records of one file, stopping at the first error
/// unless lenient, and reports errors on stderr.
fn for_each_record(
    args: &ReadArgs,
    path: &Path,
    mut each: impl FnMut(&Record) -> io::Result<()>,
) -> Result<ExitCode, String> {
    let (records, bar) = open_records(args, path)?;
    let mut failed = false;
    for item in records {
        match item {
            Ok(record) => {
                if let Err(e) = each(&record) {
                    if e.kind() == io::ErrorKind::BrokenPipe {
                        break;
                    }
                    return Err(e.to_string());
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{}: {e}", path.display());
                if !args.lenient {
                    break;
                }
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn dump(args: &ReadArgs, to: Format, path: &Path) -> Result<ExitCode, String> {
    let stdout = BufWriter::new(io::stdout());
    // `dump` prints pymarc's `str(record)`: `$` in values as it is, not as
    // the `{dollar}` that `convert --to mrk` writes so that it reads back.
    let mut writer: Box<dyn RecordWriter> = if to == Format::Mrk {
        Box::new(MrkWriter::new(stdout))
    } else {
        to.writer(stdout, Default::default())
            .map_err(|e| e.to_string())?
    };
    let code = for_each_record(args, path, |record| {
        writer.write_record(record).map_err(io::Error::other)
    })?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(code)
}

fn titles(args: &ReadArgs, path: &Path) -> Result<ExitCode, String> {
    let mut out = BufWriter::new(io::stdout().lock());
    let code = for_each_record(args, path, |record| match record.title() {
        Some(t) => writeln!(out, "{t}"),
        None => writeln!(out, "None"),
    })?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(code)
}

fn validate(args: &ReadArgs, files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut defects = 0u64;
    let mut records = 0u64;
    for path in files {
        let (items, bar) = open_records(args, path)?;
        for item in items {
            records += 1;
            if let Err(e) = item {
                defects += 1;
                println!("{}: {e}", path.display());
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
    eprintln!("{records} records, {defects} with defects");
    Ok(if defects > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn convert(
    args: &ReadArgs,
    to: Format,
    to_marc8: bool,
    input: &Path,
    output: &Path,
) -> Result<ExitCode, String> {
    let write_options = WriteOptions {
        charset: if to_marc8 {
            WriteCharset::Marc8
        } else {
            WriteCharset::Utf8
        },
    };
    // Write beside the target and rename at the end, so a failed conversion
    // never leaves a half-written file under the final name.
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = output
        .file_name()
        .ok_or_else(|| format!("{} is not a file name", output.display()))?;
    let temp = dir.join(format!(".{}.mrrc-partial", file_name.to_string_lossy()));
    let file = File::create(&temp).map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
    let mut writer = to
        .writer(BufWriter::with_capacity(1 << 20, file), write_options)
        .map_err(|e| e.to_string())?;
    let mut written = 0u64;
    let result = for_each_record(args, input, |record| {
        written += 1;
        writer.write_record(record).map_err(io::Error::other)
    });
    let finished = writer.finish().map_err(|e| e.to_string());
    match (result, finished) {
        (Ok(code), Ok(())) if code == ExitCode::SUCCESS || args.lenient => {
            std::fs::rename(&temp, output)
                .map_err(|e| format!("cannot rename to {}: {e}", output.display()))?;
            eprintln!("{written} records written to {}", output.display());
            Ok(code)
        }
        (Ok(code), Ok(())) => {
            let _ = std::fs::remove_file(&temp);
            eprintln!(
                "conversion stopped at the first error; {} not written",
                output.display()
            );
            Ok(code)
        }
        (Err(e), _) | (_, Err(e)) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}
