//! `drlint lsp` driven over stdio as an editor drives it: initialize, didOpen, the published
//! diagnostics, codeAction, hover, didChange (in another file of the module, a broken buffer,
//! the fix typed in), shutdown and exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const RDS: &str = r#"module "rds" {
  source              = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection = var.protect
}
"#;

const VARIABLES: &str = "variable \"protect\" {\n  default = false\n}\n";

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_drlint"))
            .arg("lsp")
            .current_dir(root)
            .env("DRLINT_TODAY", "2026-01-15")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start drlint lsp");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            loop {
                // `Content-Length: N`, a blank line, N bytes of JSON
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                stdout.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result, answering nothing else meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let reply = self.wait_for(|m| m["id"] == id && m.get("method").is_none());
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    fn wait_for(&mut self, mut wanted: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("no such message within 30 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server stopped"),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }
}

fn of_rule<'a>(diagnostics: &'a [Value], rule: &str) -> Option<&'a Value> {
    diagnostics.iter().find(|d| d["code"] == rule)
}

/// `text` with LSP text edits (UTF-16 positions; ASCII here) applied.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            (
                offset(&r["start"]),
                offset(&r["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn an_editor_session_gets_diagnostics_hovers_and_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("rds.tf"), RDS).unwrap();
    std::fs::write(root.join("variables.tf"), VARIABLES).unwrap();
    let uri = |name: &str| format!("file://{}/{name}", root.display());
    let (rds, variables) = (uri("rds.tf"), uri("variables.tf"));

    let mut client = Client::start(&root);
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": format!("file://{}", root.display()),
            "capabilities": {},
            "initializationOptions": { "debounceMs": 5 },
        }),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "drlint");
    client.notify("initialized", json!({}));

    // opened: the finding of the module call, its origin in the other file as related information
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": rds, "languageId": "terraform", "version": 1, "text": RDS } }),
    );
    let diagnostics = client.diagnostics(&rds);
    let found = of_rule(&diagnostics, "deletion-protection-disabled").expect("the diagnostic");
    assert_eq!(
        found["range"]["start"],
        json!({ "line": 2, "character": 2 })
    );
    assert_eq!(found["severity"], 1);
    assert_eq!(found["source"], "drlint");
    assert!(
        found["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#deletion-protection-disabled")
    );
    let related = &found["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], variables);
    assert_eq!(related["location"]["range"]["start"]["line"], 1);

    // hover on the argument: the value and where it comes from
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": rds }, "position": { "line": 2, "character": 5 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains(
            "deletion_protection = false ← default of variable `protect` at variables.tf:2"
        ),
        "{text}"
    );
    assert!(text.contains("module.rds"), "{text}");
    // on the block's header: every attribute, module defaults named
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": rds }, "position": { "line": 0, "character": 3 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("backup_retention = \"7\" ← module rds-instance 9.2.0 default"),
        "{text}"
    );

    // code actions: the fix (with its edit), a suppression a month ahead, the documentation
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": rds },
            "range": found["range"],
            "context": { "diagnostics": [found] },
        }),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    insta::assert_yaml_snapshot!("lsp_code_action_titles", titles);
    let fix = &actions[0];
    let edits = fix["edit"]["changes"][&rds].as_array().unwrap().clone();
    assert_eq!(edits[0]["newText"], "true");
    let ignore = &actions[1]["edit"]["changes"][&rds][0];
    assert_eq!(
        ignore["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    assert_eq!(
        ignore["newText"],
        "# drlint:ignore deletion-protection-disabled until=2026-02-14 -- <reason>\n"
    );
    assert_eq!(actions[2]["command"], "drlint.openDocs");

    // an edit to variables.tf changes the diagnostics of rds.tf, and back
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": variables, "languageId": "terraform", "version": 1, "text": VARIABLES } }),
    );
    client.change(&variables, 2, &VARIABLES.replace("false", "true"));
    let after = loop {
        let d = client.diagnostics(&rds);
        if of_rule(&d, "deletion-protection-disabled").is_none() {
            break d;
        }
    };
    assert!(of_rule(&after, "deletion-protection-disabled").is_none());
    client.change(&variables, 3, VARIABLES);
    while of_rule(&client.diagnostics(&rds), "deletion-protection-disabled").is_none() {}

    // a broken buffer: its parse error, and the server carries on
    client.change(&rds, 2, "module \"rds\" {\n  source = \n");
    let broken = loop {
        let d = client.diagnostics(&rds);
        if of_rule(&d, "parse-error").is_some() {
            break d;
        }
    };
    assert_eq!(broken.len(), 1, "{broken:?}");

    // the fix typed in: the diagnostic is gone
    let fixed = apply_edits(RDS, &edits);
    assert!(fixed.contains("deletion_protection = true"), "{fixed}");
    client.change(&rds, 3, &fixed);
    let cleared = loop {
        let d = client.diagnostics(&rds);
        if of_rule(&d, "parse-error").is_none() {
            break d;
        }
    };
    assert!(
        of_rule(&cleared, "deletion-protection-disabled").is_none(),
        "{cleared:?}"
    );

    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown.is_null());
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn a_broken_configuration_falls_back_and_a_saved_one_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("rds.tf"), RDS).unwrap();
    std::fs::write(root.join("variables.tf"), VARIABLES).unwrap();
    std::fs::write(root.join(".drlint.yaml"), "rules: [not a map\n").unwrap();
    let rds = format!("file://{}/rds.tf", root.display());
    let mut client = Client::start(&root);
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    let message = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("configuration is not loaded"),
        "{message}"
    );
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": rds, "languageId": "terraform", "version": 1, "text": RDS } }),
    );
    assert!(of_rule(&client.diagnostics(&rds), "deletion-protection-disabled").is_some());

    // a file not open changes on disk, the editor's watcher says so: rds.tf's diagnostics follow
    let watched = |client: &mut Client, text: &str| {
        std::fs::write(root.join("variables.tf"), text).unwrap();
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": format!("file://{}/variables.tf", root.display()), "type": 2 }] }),
        );
    };
    watched(&mut client, &VARIABLES.replace("false", "true"));
    while of_rule(&client.diagnostics(&rds), "deletion-protection-disabled").is_some() {}
    watched(&mut client, VARIABLES);
    while of_rule(&client.diagnostics(&rds), "deletion-protection-disabled").is_none() {}

    // the rule turned off, saved: the configuration is reloaded and the diagnostic goes
    let config = root.join(".drlint.yaml");
    std::fs::write(
        &config,
        "rules:\n  deletion-protection-disabled:\n    enabled: false\n",
    )
    .unwrap();
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": format!("file://{}", config.display()) } }),
    );
    while of_rule(&client.diagnostics(&rds), "deletion-protection-disabled").is_some() {}

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

#[test]
fn a_rename_since_the_last_commit_gets_its_moved_block_as_a_code_action() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let db = |name: &str| {
        format!(
            "resource \"aws_db_instance\" \"{name}\" {{\n  engine              = \"postgres\"\n  deletion_protection = true\n}}\n"
        )
    };
    std::fs::write(root.join("rds.tf"), db("orders")).unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "."],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "-m",
            "base",
        ],
    ] {
        let ok = Command::new("git")
            .args(args)
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(ok.success(), "git {args:?}");
    }
    let rds = format!("file://{}/rds.tf", root.display());
    let mut client = Client::start(&root);
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    // renamed in the buffer, not saved
    let renamed = db("orders_v2");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": rds, "languageId": "terraform", "version": 1, "text": renamed } }),
    );
    client.diagnostics(&rds);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": rds },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] },
        }),
    );
    let moved = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("moved"))
        .expect("a moved-block action");
    let edits = moved["edit"]["changes"][&rds].as_array().unwrap();
    insta::assert_snapshot!("lsp_moved_block", apply_edits(&renamed, edits));
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}
