//! The library's public surface, from outside: `public-api.txt` lists every public item, and
//! a change to it must be deliberate (`DRLINT_UPDATE_API=1 cargo test -p drlint --test api`
//! rewrites it); and the embedding entry points behave as documented.
//!
//! The listing is read from the source with `syn`: the crate root's public modules and
//! re-exports, followed to their definitions, with each public type's fields, variants,
//! derives, inherent methods and trait impls (wherever in the crate they are written).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quote::ToTokens;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Tokens as one line of Rust, spaced the way it is written.
fn tidy(tokens: impl ToTokens) -> String {
    let mut s = tokens.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ::", "::"),
        ("& '", "&'"),
        ("& ", "&"),
        (" ,", ","),
        (" ;", ";"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (" ?", "?"),
        ("# [", "#["),
        ("mut self", "mut self"),
        ("' ", "'"),
        (" . ", "."),
    ] {
        s = s.replace(from, to);
    }
    s = s
        .replace(" (", "(")
        .replace(" : ", ": ")
        .replace(",)", ")")
        .replace(", )", ")");
    s.replace("->", " -> ").replace("  ", " ")
}

/// A module's file: `a/b` is `a/b.rs` or `a/b/mod.rs`.
fn module_file(module: &[String]) -> Option<PathBuf> {
    if module.is_empty() {
        return Some(src().join("lib.rs"));
    }
    let joined = module.join("/");
    [
        src().join(format!("{joined}.rs")),
        src().join(format!("{joined}/mod.rs")),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn derives(attrs: &[syn::Attribute]) -> String {
    let mut names = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = attr.parse_nested_meta(|meta| {
            names.push(tidy(&meta.path));
            Ok(())
        });
    }
    if names.is_empty() {
        String::new()
    } else {
        format!("#[derive({})] ", names.join(", "))
    }
}

/// Items of a module by name (its own definitions, `pub use` re-exports resolved), and the
/// inline modules it declares.
struct Walker {
    lines: BTreeSet<String>,
    /// Public type name → its public path.
    types: BTreeMap<String, String>,
    /// Public type name → the file defining it, for names the crate defines more than once.
    homes: BTreeMap<String, PathBuf>,
    /// The file being read.
    file: PathBuf,
}

impl Walker {
    /// Lists what `module` (public as `shown`) makes public.
    fn module(&mut self, module: &[String], items: &[syn::Item], shown: &str) {
        for item in items {
            match item {
                syn::Item::Mod(m) if is_pub(&m.vis) => {
                    let name = m.ident.to_string();
                    let path = format!("{shown}::{name}");
                    self.lines.insert(format!("pub mod {path}"));
                    let mut inner = module.to_vec();
                    inner.push(name);
                    match &m.content {
                        Some((_, items)) => self.module(&inner, items, &path),
                        None => {
                            let file = module_file(&inner).expect("module file");
                            self.module(&inner, &parse(&file).items, &path);
                        }
                    }
                }
                syn::Item::Use(u) if is_pub(&u.vis) => {
                    assert!(
                        !u.to_token_stream().to_string().contains('*'),
                        "a glob re-export hides what is public: name the items ({shown})"
                    );
                    let mut leaves = Vec::new();
                    use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                    for (from, name, alias) in leaves {
                        self.resolve(module, &from, &name, &format!("{shown}::{alias}"));
                    }
                }
                item => self.item(item, shown),
            }
        }
    }

    /// Follows `from::name` (relative to `module`, or `crate::...`) to its definition.
    fn resolve(&mut self, module: &[String], from: &[String], name: &str, shown: &str) {
        let mut target: Vec<String> = if from.first().map(String::as_str) == Some("crate") {
            from[1..].to_vec()
        } else if from.first().map(String::as_str) == Some("super") {
            let mut m = module[..module.len() - 1].to_vec();
            m.extend(from[1..].iter().cloned());
            m
        } else {
            let mut m = module.to_vec();
            m.extend(from.iter().cloned());
            m
        };
        // `use terraform::{eval}` at the root names a module; `eval::Budget` then lives there
        let file = loop {
            if let Some(file) = module_file(&target) {
                break file;
            }
            // a re-exported module at the root (`use terraform::{eval, ...}`)
            let Some(first) = target.first().cloned() else {
                panic!("no module for {from:?}::{name}");
            };
            let root = parse(&src().join("lib.rs"));
            let via = root.items.iter().find_map(|i| match i {
                syn::Item::Use(u) => {
                    let mut leaves = Vec::new();
                    use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                    leaves
                        .into_iter()
                        .find(|(_, n, alias)| *alias == first && n == &first)
                        .map(|(from, n, _)| (from, n))
                }
                _ => None,
            });
            let Some((mut path, n)) = via else {
                panic!("no module for {from:?}::{name}");
            };
            path.push(n);
            path.extend(target[1..].iter().cloned());
            target = path;
        };
        let items = parse(&file).items;
        for item in &items {
            if item_name(item).as_deref() == Some(name) {
                self.homes.insert(name.to_owned(), file.clone());
                self.item(item, shown.rsplit_once("::").map_or(shown, |(p, _)| p));
                return;
            }
            if let syn::Item::Use(u) = item {
                let mut leaves = Vec::new();
                use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                for (from, n, alias) in leaves {
                    if alias == name {
                        self.resolve(&target, &from, &n, shown);
                        return;
                    }
                }
            }
            if let syn::Item::Mod(m) = item
                && m.ident == name
            {
                let mut inner = target.clone();
                inner.push(name.to_owned());
                self.lines.insert(format!("pub mod {shown}"));
                let file = module_file(&inner).expect("module file");
                self.module(&inner, &parse(&file).items, shown);
                return;
            }
        }
        panic!("{name} not found in {}", file.display());
    }

    /// One public item, listed under the module path `at`.
    fn item(&mut self, item: &syn::Item, at: &str) {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let path = format!("{at}::{}", s.ident);
                self.types.insert(s.ident.to_string(), path.clone());
                self.lines.insert(format!(
                    "{}pub struct {path}{}",
                    derives(&s.attrs),
                    tidy(&s.generics)
                ));
                for field in s.fields.iter().filter(|f| is_pub(&f.vis)) {
                    let name = field.ident.as_ref().map(ToString::to_string);
                    self.lines.insert(format!(
                        "pub struct {path}: pub {}: {}",
                        name.unwrap_or_default(),
                        tidy(&field.ty)
                    ));
                }
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let path = format!("{at}::{}", e.ident);
                self.types.insert(e.ident.to_string(), path.clone());
                self.lines.insert(format!(
                    "{}pub enum {path}{}",
                    derives(&e.attrs),
                    tidy(&e.generics)
                ));
                for v in &e.variants {
                    self.lines
                        .insert(format!("pub enum {path}: {}{}", v.ident, tidy(&v.fields)));
                }
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => {
                let path = format!("{at}::{}", t.ident);
                self.types.insert(t.ident.to_string(), path.clone());
                self.lines.insert(format!("pub trait {path}"));
                for i in &t.items {
                    if let syn::TraitItem::Fn(f) = i {
                        self.lines
                            .insert(format!("pub trait {path}: {}", tidy(&f.sig)));
                    }
                }
            }
            syn::Item::Fn(f) if is_pub(&f.vis) => {
                self.lines.insert(format!(
                    "pub fn {at}::{}",
                    tidy(&f.sig).trim_start_matches("fn ")
                ));
            }
            syn::Item::Const(c) if is_pub(&c.vis) => {
                self.lines
                    .insert(format!("pub const {at}::{}: {}", c.ident, tidy(&c.ty)));
            }
            _ => {}
        }
    }

    /// Inherent methods and trait impls of the public types, from every file of the crate.
    fn impls(&mut self, dir: &Path) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                // the crate's own tests are not its surface
                if path.file_name().is_some_and(|n| n != "tests") {
                    self.impls(&path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let file = parse(&path);
            self.file = path.clone();
            self.impls_in(&file.items);
        }
    }

    fn impls_in(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Impl(i) => self.impl_block(i),
                // `#[cfg(test)] mod tests { ... }` is not the surface
                syn::Item::Mod(m) if !is_test(&m.attrs) => {
                    if let Some((_, items)) = &m.content {
                        self.impls_in(items);
                    }
                }
                _ => {}
            }
        }
    }

    fn impl_block(&mut self, i: &syn::ItemImpl) {
        if is_test(&i.attrs) {
            return;
        }
        let syn::Type::Path(self_ty) = &*i.self_ty else {
            return;
        };
        let Some(last) = self_ty.path.segments.last() else {
            return;
        };
        let name = last.ident.to_string();
        let Some(path) = self.types.get(&name).cloned() else {
            return;
        };
        // another type of the same name, private, elsewhere
        if self.homes.get(&name).is_some_and(|home| *home != self.file)
            && defined_in(&self.file, &name)
        {
            return;
        }
        match &i.trait_ {
            Some((_, trait_path, _)) => {
                let name = tidy(trait_path);
                // derived and auto traits are in the derive list
                self.lines.insert(format!("impl {name} for {path}"));
            }
            None => {
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item
                        && is_pub(&f.vis)
                        && !is_test(&f.attrs)
                    {
                        self.lines
                            .insert(format!("impl {path}: pub {}", tidy(&f.sig)));
                    }
                    if let syn::ImplItem::Const(c) = item
                        && is_pub(&c.vis)
                    {
                        self.lines.insert(format!(
                            "impl {path}: pub const {}: {}",
                            c.ident,
                            tidy(&c.ty)
                        ));
                    }
                }
            }
        }
    }
}

/// Whether `file` defines a type called `name` (at any depth of inline modules).
fn defined_in(file: &Path, name: &str) -> bool {
    fn any(items: &[syn::Item], name: &str) -> bool {
        items.iter().any(|i| match i {
            syn::Item::Mod(m) => m
                .content
                .as_ref()
                .is_some_and(|(_, items)| any(items, name)),
            i => item_name(i).as_deref() == Some(name),
        })
    }
    any(&parse(file).items, name)
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.to_token_stream().to_string().contains("test"))
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Trait(t) => Some(t.ident.to_string()),
        syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
        syn::Item::Const(c) => Some(c.ident.to_string()),
        _ => None,
    }
}

/// The leaves of a `use` tree: (path before, name, name as re-exported).
fn use_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String, String)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            out.push((prefix.clone(), n.ident.to_string(), n.ident.to_string()))
        }
        syn::UseTree::Rename(r) => {
            out.push((prefix.clone(), r.ident.to_string(), r.rename.to_string()))
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_leaves(t, prefix, out);
            }
        }
        // a private `use super::*`; a public glob is refused in `Walker::module`
        syn::UseTree::Glob(_) => {}
    }
}

fn listing() -> String {
    let mut walker = Walker {
        lines: BTreeSet::new(),
        types: BTreeMap::new(),
        homes: BTreeMap::new(),
        file: PathBuf::new(),
    };
    let root = parse(&src().join("lib.rs"));
    walker.module(&[], &root.items, "drlint");
    walker.impls(&src());
    let mut out = String::from(
        "# drlint's public API, checked by crates/drlint/tests/api.rs\n\
         # (DRLINT_UPDATE_API=1 cargo test -p drlint --test api rewrites it)\n",
    );
    for line in &walker.lines {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn public_api_is_the_committed_listing() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("public-api.txt");
    let want = listing();
    if std::env::var_os("DRLINT_UPDATE_API").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let old: BTreeSet<&str> = have.lines().collect();
        let new: BTreeSet<&str> = want.lines().collect();
        let mut diff = String::new();
        for gone in old.difference(&new) {
            diff.push_str(&format!("- {gone}\n"));
        }
        for added in new.difference(&old) {
            diff.push_str(&format!("+ {added}\n"));
        }
        panic!(
            "the public API changed; if that is deliberate, run \
             `DRLINT_UPDATE_API=1 cargo test -p drlint --test api` and commit \
             crates/drlint/public-api.txt:\n{diff}"
        );
    }
}

#[test]
fn the_listing_sees_the_entry_points() {
    let listing = listing();
    for needle in [
        "pub struct drlint::Linter",
        "impl drlint::Linter: pub fn builder() -> LinterBuilder",
        "impl drlint::LinterBuilder: pub fn build(self) -> Result<Linter, Error>",
        "pub trait drlint::report::Render",
        "impl Render for drlint::report::Json",
    ] {
        assert!(listing.contains(needle), "missing `{needle}`:\n{listing}");
    }
    // nothing of the engine leaks
    for hidden in ["Checker", "Settings", "ProfileSet", "parse_hcl", "Select"] {
        assert!(
            !listing.lines().any(|l| l.contains(&format!("::{hidden}"))),
            "`{hidden}` is public:\n{listing}"
        );
    }
}

// The entry points, used as an embedder would.

use drlint::{Change, Linter, NoticeKind, Severity, Source, Status};

fn linter() -> Linter {
    Linter::builder()
        .no_config()
        .today("2026-12-01")
        .build()
        .unwrap()
}

const UNPROTECTED: &str = "resource \"aws_db_instance\" \"orders\" {\n  engine              = \"postgres\"\n  deletion_protection = false\n}\n";

#[test]
fn sources_in_memory_are_checked_as_one_tree() {
    let report = linter().check_sources([
        Source::new("orders-prod/rds.tf", UNPROTECTED),
        Source::new("orders-prod/broken.tf", "resource \"x\" {"),
        Source::unreadable("orders-prod/big.tf", "larger than the limit"),
    ]);
    let rules: Vec<(&str, &str)> = report
        .findings()
        .iter()
        .map(|f| (f.path(), f.rule.as_str()))
        .collect();
    assert!(
        rules.contains(&("orders-prod/rds.tf", "deletion-protection-disabled")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("orders-prod/broken.tf", "parse-error")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("orders-prod/big.tf", "input-skipped")),
        "{rules:?}"
    );
    // files read: the unreadable one is a finding, not a file
    assert_eq!(report.summary().files, 2);
    let f = report
        .findings()
        .iter()
        .find(|f| f.rule == "deletion-protection-disabled")
        .unwrap();
    assert_eq!(&f.file.text[f.span.clone()], "deletion_protection = false");
    assert_eq!(f.start().line, 3);
    assert_eq!(f.fingerprint.len(), 16);
}

#[test]
fn compare_marks_new_and_fixed_findings() {
    let fixed = UNPROTECTED.replace("false", "true");
    let report = linter().compare(
        [Source::new("orders-prod/rds.tf", UNPROTECTED)],
        [Source::new("orders-prod/rds.tf", fixed)],
    );
    assert!(report.is_comparison());
    assert!(
        report
            .fixed()
            .iter()
            .any(|f| f.rule == "deletion-protection-disabled"),
        "{:?}",
        report.fixed()
    );
    let again = linter().compare(
        [Source::new("orders-prod/rds.tf", "")],
        [Source::new("orders-prod/rds.tf", UNPROTECTED)],
    );
    let new = again
        .findings()
        .iter()
        .find(|f| f.rule == "deletion-protection-disabled")
        .unwrap();
    assert_eq!(new.status, Some(Status::New));
}

#[test]
fn paths_on_disk_with_a_configuration_given_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let ns = dir.path().join("orders-prod");
    std::fs::create_dir(&ns).unwrap();
    std::fs::write(ns.join("rds.tf"), UNPROTECTED).unwrap();
    let linter = Linter::builder()
        .config_text(
            "rules:\n  deletion-protection-disabled:\n    severity: note\n",
            dir.path(),
        )
        .today("2026-12-01")
        .build()
        .unwrap();
    let report = linter.check_paths(&[dir.path()]).unwrap();
    let f = report
        .findings()
        .iter()
        .find(|f| f.rule == "deletion-protection-disabled")
        .unwrap();
    assert_eq!(f.severity, Severity::Note);
    assert!(report.timings().iter().any(|(phase, _)| *phase == "check"));

    let empty = tempfile::tempdir().unwrap();
    let report = linter.check_paths(&[empty.path()]).unwrap();
    assert!(report.findings().is_empty());
    assert!(
        report
            .notices()
            .iter()
            .any(|n| n.kind == NoticeKind::Notice && n.message.starts_with("no input files found")),
        "{:?}",
        report.notices()
    );
}

#[test]
fn bad_settings_are_errors_that_say_what_is_wrong() {
    let unknown = Linter::builder()
        .no_config()
        .only_rules(["deletion-protection-disable"])
        .build()
        .err()
        .unwrap();
    assert_eq!(
        unknown.message(),
        "unknown rule `deletion-protection-disable` (did you mean `deletion-protection-disabled`?); `drlint rules` lists them"
    );
    let pattern = Linter::builder()
        .no_config()
        .production_pattern("(")
        .build()
        .err()
        .unwrap();
    assert!(
        pattern.message().starts_with("production pattern `(`"),
        "{pattern}"
    );
    let rule = Linter::builder()
        .no_config()
        .rule_yaml("team.yaml", "id: [")
        .build()
        .err()
        .unwrap();
    assert!(rule.message().contains("team.yaml"), "{rule}");
    let var_file = Linter::builder()
        .no_config()
        .var_file("/nonexistent/x.tfvars")
        .build()
        .err()
        .unwrap();
    assert_eq!(
        var_file.message(),
        "--var-file /nonexistent/x.tfvars: no such file"
    );
}

#[test]
fn a_change_outside_a_repository_is_an_error() {
    // the test runs in the crate's folder, inside the drlint repository; a path outside it
    // cannot be compared
    let outside = tempfile::tempdir().unwrap();
    let err = linter()
        .check_change(&Change::Staged, &[outside.path()])
        .err();
    assert!(err.is_some());
}

#[test]
fn the_configuration_sets_the_evaluation_budget() {
    let doubling = "locals {\n  a = [1, 1]\n  b = concat(local.a, local.a)\n  c = concat(local.b, local.b)\n  d = concat(local.c, local.c)\n}\n\nresource \"aws_db_instance\" \"db\" {\n  engine              = \"postgres\"\n  deletion_protection = length(local.d) > 100\n}\n";
    let check = |config: &str| {
        let dir = tempfile::tempdir().unwrap();
        Linter::builder()
            .config_text(config, dir.path())
            .build()
            .unwrap()
            .check_sources([Source::new("db/main.tf", doubling)])
    };
    let generous = check("");
    assert_eq!(generous.summary().budget_exceeded, 0);
    assert!(
        generous
            .findings()
            .iter()
            .any(|f| f.rule == "deletion-protection-disabled"),
        "16 elements are not more than 100: protection is off"
    );
    let tight = check("budget:\n  value_elements: 4\n");
    assert!(tight.summary().budget_exceeded > 0);
    // past the budget the value is unknown: no finding is guessed
    assert!(
        !tight
            .findings()
            .iter()
            .any(|f| f.rule == "deletion-protection-disabled")
    );
    let unknown_key = Linter::builder()
        .config_text("budget:\n  stepz: 4\n", ".")
        .build()
        .err()
        .unwrap();
    assert!(unknown_key.message().contains("steps"), "{unknown_key}");
}
