//! `nib model pull` and `nib model list`.

use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::Subcommand;

use nib::model::{self, PullProgress};

#[derive(Subcommand)]
pub(crate) enum ModelCommand {
    /// Download a model into the cache and verify it (a no-op when present); a trimmed model
    /// (the default) is written from the model it trims, which is downloaded.
    Pull {
        /// A manifest name from `nib model list`; the default model when left out.
        name: Option<String>,
    },
    /// Show the known models, which are cached, and cached model files no model uses.
    List,
}

pub(crate) fn pull(name: Option<&str>) -> Result<()> {
    let manifest = match name {
        Some(name) => model::find_manifest(name)
            .with_context(|| format!("no model named {name}: see `nib model list`"))?,
        None => model::default_manifest(),
    };
    let started = Instant::now();
    let mut last_percent = u64::MAX;
    let path = model::pull(&manifest, &mut |progress| match progress {
        PullProgress::AlreadyPresent => eprintln!("{} is already in the cache", manifest.name),
        PullProgress::Downloading {
            part,
            parts,
            done,
            total,
        } => {
            let percent = (done * 100).checked_div(total).unwrap_or(0);
            if percent / 10 != last_percent / 10 || percent == 100 {
                eprintln!(
                    "downloading {} part {part}/{parts}: {percent}%",
                    manifest.name
                );
            }
            last_percent = percent;
        }
        PullProgress::Verifying => eprintln!("verifying sha256"),
        PullProgress::Trimming { tokens } => {
            eprintln!(
                "writing {} with a vocabulary of {tokens} tokens",
                manifest.name
            )
        }
        PullProgress::Done => eprintln!("done in {:.1} s", started.elapsed().as_secs_f64()),
    })?;
    println!("{}", path.display());
    Ok(())
}

pub(crate) fn list() -> Result<()> {
    let manifests = model::builtin_manifests();
    let width = manifests.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for manifest in manifests {
        let path = model::model_path(&manifest);
        let state = if path.exists() {
            format!("cached at {}", path.display())
        } else {
            "not pulled".into()
        };
        println!(
            "{:<width$} {:>7.1} MB  {}  ({state})",
            manifest.name,
            manifest.size as f64 / 1e6,
            manifest.description
        );
    }
    for (path, size) in model::unused_cache_files() {
        println!(
            "{:<width$} {:>7.1} MB  no model uses it; delete it to free the space  ({})",
            "(unused)",
            size as f64 / 1e6,
            path.display()
        );
    }
    if let Ok(path) = std::env::var("NIB_MODEL") {
        println!("NIB_MODEL={path} overrides the model");
    }
    Ok(())
}
