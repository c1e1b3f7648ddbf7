//! `drlint lsp`: a language server over stdio (`lsp-server`, the synchronous scaffold
//! rust-analyzer runs on: the check is CPU-bound and takes milliseconds, so one thread that
//! drains its messages between checks is all it needs).
//!
//! - Diagnostics for `.tf`, `.tfvars`, namespace and Helm values files, on open and change,
//!   debounced (`initializationOptions.debounceMs`, default 20 ms), per group of files checked
//!   together (workspace.rs); positions in UTF-16 code units.
//! - Hover: the effective value of the attribute or module input under the cursor and its chain.
//! - Code actions: the rule's fix, a `# drlint:ignore` comment, the rule's documentation, and,
//!   in a git repository, the `moved` block of a data store renamed since `HEAD` (pr.rs).
//! - `.drlint.yaml` changed (saved, or reported by the editor's file watcher): reloaded.

mod actions;
mod convert;
mod pr;
mod workspace;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, ExecuteCommand, HoverRequest, Request as _};
use lsp_types::{
    CodeActionProviderCapability, ExecuteCommandOptions, HoverProviderCapability, InitializeParams,
    PositionEncodingKind, PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo,
    ShowDocumentParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};

use workspace::{Document, Workspace, is_config};

/// How long changes may keep coming before a check runs anyway: a multiple of the debounce.
const MAX_DEBOUNCES: u32 = 5;

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run() -> Result<u8, String> {
    let (connection, io) = Connection::stdio();
    let result = serve(&connection);
    drop(connection);
    io.join().map_err(|e| format!("lsp: {e}"))?;
    result
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::OPEN_DOCS.to_owned()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

fn serve(connection: &Connection) -> Result<u8, String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("lsp: {e}"))?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("lsp: initialize: {e}"))?;
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "drlint".to_owned(), version: Some(env!("CARGO_PKG_VERSION").to_owned()) },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("lsp: {e}"))?;
    let debounce = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
        .map_or(Duration::from_millis(20), Duration::from_millis);
    let root = workspace_root(&params);
    let mut server = Server {
        connection,
        workspace: Workspace::new(root),
        debounce,
        last_change: None,
        next_id: 0,
        bases: pr::Bases::default(),
    };
    server.report_config_error();
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if watch {
        server.watch_files();
    }
    server.main_loop()
}

/// The workspace folder: the first the client names, else its root, else the current folder.
#[allow(deprecated)] // root_uri and root_path: older clients send nothing else
fn workspace_root(params: &InitializeParams) -> PathBuf {
    let from_uri = |uri: &Url| convert::path_of(uri);
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| from_uri(&f.uri))
        .or_else(|| params.root_uri.as_ref().and_then(from_uri))
        .or_else(|| params.root_path.as_ref().map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    root.canonicalize().unwrap_or(root)
}

struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    debounce: Duration,
    /// When the last change came, while a check is due.
    last_change: Option<Instant>,
    next_id: i32,
    /// The groups' files at git's `HEAD`, for the `moved` block of a rename.
    bases: pr::Bases,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<u8, String> {
        loop {
            if self.due_in().is_some_and(|wait| wait.is_zero()) {
                // due, with more messages queued: check now, then read them
                self.check_dirty();
                continue;
            }
            let message = match self.due_in() {
                None => self
                    .connection
                    .receiver
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
                Some(wait) => self.connection.receiver.recv_timeout(wait),
            };
            match message {
                Ok(Message::Request(req)) => {
                    if self
                        .connection
                        .handle_shutdown(&req)
                        .map_err(|e| format!("lsp: {e}"))?
                    {
                        return Ok(0);
                    }
                    self.request(req);
                }
                Ok(Message::Notification(n)) => {
                    if n.method == "exit" {
                        return Ok(1);
                    }
                    self.notification(n);
                }
                Ok(Message::Response(_)) => {}
                Err(RecvTimeoutError::Timeout) => self.check_dirty(),
                Err(RecvTimeoutError::Disconnected) => return Ok(1),
            }
        }
    }

    /// How long until the due checks run: the debounce after the last change, at most
    /// `MAX_DEBOUNCES` of them after the first; `None` when nothing is due.
    fn due_in(&self) -> Option<Duration> {
        let first = self.workspace.dirty.values().min()?;
        let last = self.last_change.unwrap_or(*first);
        let due = (last + self.debounce).min(*first + self.debounce * MAX_DEBOUNCES);
        Some(due.saturating_duration_since(Instant::now()))
    }

    /// Asks the client to report changes on disk to inputs and the configuration (a file not
    /// open changes a group's diagnostics too; `.drlint.yaml` reloads).
    fn watch_files(&mut self) {
        let watchers = [
            "**/*.tf",
            "**/*.tfvars",
            "**/*.tfvars.json",
            "**/*.yaml",
            "**/*.yml",
        ]
        .into_iter()
        .map(|glob| lsp_types::FileSystemWatcher {
            glob_pattern: lsp_types::GlobPattern::String(glob.to_owned()),
            kind: None,
        })
        .collect();
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = lsp_types::Registration {
            id: "drlint-watch".to_owned(),
            method: DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.next_id += 1;
        self.send(Message::Request(Request::new(
            RequestId::from(self.next_id),
            "client/registerCapability".to_owned(),
            lsp_types::RegistrationParams {
                registrations: vec![registration],
            },
        )));
    }

    fn send(&self, message: Message) {
        // a client gone away ends the loop at the next receive
        let _ = self.connection.sender.send(message);
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Message::Notification(Notification::new(
            method.to_owned(),
            params,
        )));
    }

    fn show_message(&self, kind: lsp_types::MessageType, message: String) {
        self.notify(
            "window/showMessage",
            lsp_types::ShowMessageParams { typ: kind, message },
        );
    }

    fn report_config_error(&self) {
        if let Some(error) = &self.workspace.config_error {
            self.show_message(
                lsp_types::MessageType::ERROR,
                format!("drlint: the configuration is not loaded ({error}); built-in rules in use"),
            );
        }
    }

    fn changed(&mut self, path: &std::path::Path) {
        self.workspace.touch(path);
        self.last_change = Some(Instant::now());
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    self.open(&p.text_document.uri, p.text_document.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    // full synchronisation: each change is the whole text
                    self.open(&p.text_document.uri, change.text);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    && let Some(path) = convert::path_of(&p.text_document.uri)
                {
                    self.workspace.documents.remove(&path);
                    self.changed(&path);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                    && let Some(path) = convert::path_of(&p.text_document.uri)
                    && is_config(&path)
                {
                    self.reload();
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params)
                {
                    let paths: Vec<PathBuf> = p
                        .changes
                        .iter()
                        .filter_map(|c| convert::path_of(&c.uri))
                        .collect();
                    if paths.iter().any(|p| is_config(p)) {
                        self.reload();
                    }
                    for path in paths {
                        self.changed(&path);
                    }
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, uri: &Url, text: String) {
        let Some(path) = convert::path_of(uri) else {
            return;
        };
        if is_config(&path) {
            // checked when saved: a half-typed configuration is no reason to reload
            return;
        }
        self.workspace
            .documents
            .insert(path.clone(), Document { text });
        self.changed(&path);
    }

    fn reload(&mut self) {
        self.workspace.reload();
        self.last_change = Some(Instant::now());
        self.report_config_error();
    }

    /// Checks the groups that are due and publishes their diagnostics.
    fn check_dirty(&mut self) {
        let groups: Vec<PathBuf> = self.workspace.dirty.keys().cloned().collect();
        for group in groups {
            self.workspace.analyse(&group);
            self.publish(&group);
        }
        self.last_change = None;
    }

    /// Publishes a group's diagnostics: every file with findings, and an empty list for each
    /// file that had some before.
    fn publish(&mut self, group: &std::path::Path) {
        let root = self.workspace.root.clone();
        let Some(analysis) = self.workspace.analyses.get(group) else {
            return;
        };
        let mut by_file: std::collections::BTreeMap<String, Vec<lsp_types::Diagnostic>> =
            std::collections::BTreeMap::new();
        for f in analysis.report.findings() {
            let docs = convert::docs_of(&self.workspace.linter, f);
            by_file
                .entry(f.path().to_owned())
                .or_default()
                .push(convert::diagnostic(&root, f, docs.as_deref()));
        }
        let before = self.workspace.published.remove(group).unwrap_or_default();
        for path in before.iter().chain(analysis.files.iter()) {
            by_file.entry(path.clone()).or_default();
        }
        let mut now = std::collections::BTreeSet::new();
        for (path, diagnostics) in by_file {
            let Some(uri) = convert::uri_of(&root, &path) else {
                continue;
            };
            if !diagnostics.is_empty() {
                now.insert(path.clone());
            }
            let version = None;
            self.notify(
                PublishDiagnostics::METHOD,
                PublishDiagnosticsParams::new(uri, diagnostics, version),
            );
        }
        self.workspace.published.insert(group.to_path_buf(), now);
    }

    fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        self.send(Message::Response(Response::new_ok(id, result)));
    }

    fn request(&mut self, req: Request) {
        let root = self.workspace.root.clone();
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::HoverParams>(req.params) else {
                    return self.respond(req.id, serde_json::Value::Null);
                };
                let doc = p.text_document_position_params;
                let hover = convert::path_of(&doc.text_document.uri).and_then(|path| {
                    let analysis = self.workspace.analysis_of(&path)?;
                    actions::hover(&root, analysis, &path.display().to_string(), doc.position)
                });
                self.respond(req.id, hover);
            }
            CodeActionRequest::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::CodeActionParams>(req.params)
                else {
                    return self.respond(req.id, serde_json::Value::Null);
                };
                let today = actions::today();
                let found = convert::path_of(&p.text_document.uri).and_then(|path| {
                    self.workspace.analysis_of(&path)?;
                    let group = self.workspace.group_of(&path)?;
                    let analysis = self.workspace.analyses.get(&group)?;
                    let linter = &self.workspace.linter;
                    let changes = self
                        .bases
                        .change_findings(linter, &group, &analysis.sources);
                    Some(actions::code_actions(
                        linter,
                        &root,
                        analysis,
                        &changes,
                        &path.display().to_string(),
                        &p.range,
                        &today,
                    ))
                });
                self.respond(req.id, found.unwrap_or_default());
            }
            ExecuteCommand::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::ExecuteCommandParams>(req.params)
                else {
                    return self.respond(req.id, serde_json::Value::Null);
                };
                let docs = p
                    .arguments
                    .first()
                    .and_then(|a| a.as_str())
                    .and_then(|d| Url::parse(d).ok());
                if let (actions::OPEN_DOCS, Some(uri)) = (p.command.as_str(), docs) {
                    self.next_id += 1;
                    let show = ShowDocumentParams {
                        uri,
                        external: Some(true),
                        take_focus: Some(true),
                        selection: None,
                    };
                    self.send(Message::Request(Request::new(
                        RequestId::from(self.next_id),
                        "window/showDocument".to_owned(),
                        show,
                    )));
                }
                self.respond(req.id, serde_json::Value::Null);
            }
            _ => self.send(Message::Response(Response::new_err(
                req.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("drlint does not handle {}", req.method),
            ))),
        }
    }
}
