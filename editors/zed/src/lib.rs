//! Zed extension for nib: starts `nib serve` as a language server for Python,
//! JavaScript, TypeScript, TSX, Rust and Go, and passes Zed's `lsp.nib` settings to it.

use zed_extension_api::{
    self as zed, serde_json, settings::LspSettings, LanguageServerId, Result, Worktree,
};

/// The language server's name in extension.toml and in Zed's `lsp` settings.
const SERVER: &str = "nib";

/// What nib is started with unless the user's settings say otherwise.
const DEFAULT_ARGS: [&str; 1] = ["serve"];

/// How to start nib.
#[derive(Debug, PartialEq, Eq)]
pub struct Launch {
    pub command: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// The user's `lsp.nib.binary` setting, as plain values.
#[derive(Debug, Default)]
pub struct Configured {
    pub path: Option<String>,
    pub arguments: Option<Vec<String>>,
    pub env: Vec<(String, String)>,
}

/// Decides how to start nib: a configured path wins over `nib` found on the PATH;
/// arguments default to `serve`; the configured environment is laid over the shell's.
pub fn launch(
    configured: Configured,
    found_on_path: Option<String>,
    shell_env: Vec<(String, String)>,
) -> std::result::Result<Launch, String> {
    let command = configured.path.or(found_on_path).ok_or_else(|| {
        "nib was not found on PATH. Install it from the nib repository with \
         `cargo install --path .`, fetch its model with `nib model pull`, then restart Zed \
         (or set \"lsp\": { \"nib\": { \"binary\": { \"path\": \"/path/to/nib\" } } } in your settings)."
            .to_string()
    })?;
    let args = configured
        .arguments
        .unwrap_or_else(|| DEFAULT_ARGS.iter().map(|a| a.to_string()).collect());
    let mut env = shell_env;
    for (key, value) in configured.env {
        env.retain(|(k, _)| *k != key);
        env.push((key, value));
    }
    Ok(Launch { command, args, env })
}

/// nib reads its settings from the `nib` section of the workspace configuration.
pub fn workspace_configuration(settings: Option<serde_json::Value>) -> Option<serde_json::Value> {
    settings.map(|settings| serde_json::json!({ SERVER: settings }))
}

struct NibExtension;

impl zed::Extension for NibExtension {
    fn new() -> Self {
        NibExtension
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let configured = binary
            .map(|binary| Configured {
                path: binary.path,
                arguments: binary.arguments,
                env: binary.env.unwrap_or_default().into_iter().collect(),
            })
            .unwrap_or_default();
        let launch = launch(configured, worktree.which(SERVER), worktree.shell_env())?;
        Ok(zed::Command {
            command: launch.command,
            args: launch.args,
            env: launch.env,
        })
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        let settings = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.settings);
        Ok(workspace_configuration(settings))
    }
}

zed::register_extension!(NibExtension);

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nib_on_path_is_started_with_serve_and_the_shell_environment() {
        let shell = env(&[("PATH", "/usr/bin:/home/u/.cargo/bin"), ("HOME", "/home/u")]);
        let launch = launch(
            Configured::default(),
            Some("/home/u/.cargo/bin/nib".into()),
            shell.clone(),
        )
        .unwrap();
        assert_eq!(
            launch,
            Launch {
                command: "/home/u/.cargo/bin/nib".into(),
                args: vec!["serve".into()],
                env: shell,
            }
        );
    }

    #[test]
    fn a_configured_binary_wins_and_its_environment_overrides_the_shells() {
        let configured = Configured {
            path: Some("/opt/nib/bin/nib".into()),
            arguments: Some(vec!["serve".into(), "--stdio".into()]),
            env: env(&[("NIB_HOME", "/data/nib"), ("HOME", "/elsewhere")]),
        };
        let shell = env(&[("HOME", "/home/u"), ("PATH", "/usr/bin")]);
        let launch = launch(configured, Some("/usr/bin/nib".into()), shell).unwrap();
        assert_eq!(launch.command, "/opt/nib/bin/nib");
        assert_eq!(launch.args, ["serve", "--stdio"]);
        assert_eq!(
            launch.env,
            env(&[
                ("PATH", "/usr/bin"),
                ("NIB_HOME", "/data/nib"),
                ("HOME", "/elsewhere")
            ])
        );
    }

    #[test]
    fn a_missing_nib_is_a_clear_error_saying_how_to_install_it() {
        let error = launch(Configured::default(), None, Vec::new()).unwrap_err();
        assert!(error.starts_with("nib was not found on PATH"), "{error}");
        assert!(error.contains("cargo install --path ."), "{error}");
        assert!(error.contains("nib model pull"), "{error}");
    }

    #[test]
    fn settings_reach_nib_under_its_section() {
        let settings = serde_json::json!({ "max_tokens": 32 });
        assert_eq!(
            workspace_configuration(Some(settings)),
            Some(serde_json::json!({ "nib": { "max_tokens": 32 } }))
        );
        assert_eq!(workspace_configuration(None), None);
    }
}
