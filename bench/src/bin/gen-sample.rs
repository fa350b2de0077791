//! Writes the sample corpus: `gen-sample [--records N] [--seed S] OUT`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut records = 10_000usize;
    let mut seed = 2016u64;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "--records" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|v| records = v),
            "--seed" => args.next().and_then(|v| v.parse().ok()).map(|v| seed = v),
            "-h" | "--help" => None,
            _ if out.is_none() && !arg.starts_with('-') => {
                out = Some(arg);
                Some(())
            }
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("usage: gen-sample [--records N] [--seed S] OUT");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("usage: gen-sample [--records N] [--seed S] OUT");
        return ExitCode::from(2);
    };
    let bytes = mrrc_bench::sample_corpus(records, seed);
    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("gen-sample: cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    match mrrc_bench::stats::measure(&bytes) {
        Ok(s) => eprintln!(
            "{out}: {} records, {} bytes, {:.1} fields/record, record length mean {:.0} median {:.0}",
            s.records,
            bytes.len(),
            s.fields_per_record_mean,
            s.record_length_mean,
            s.record_length_median
        ),
        Err(e) => {
            eprintln!("gen-sample: the generated corpus is malformed: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
