use super::*;

fn doc(text: &str) -> Node {
    let yaml = parse(text);
    assert!(
        yaml.problems.iter().all(|p| !p.is_fatal()),
        "{:?}",
        yaml.problems
    );
    yaml.documents.into_iter().next().expect("a document")
}

fn at<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
    path.iter().fold(node, |n, k| {
        n.get(k).unwrap_or_else(|| panic!("no `{k}` in {n:?}"))
    })
}

#[test]
fn scalars_resolve_as_yaml_1_1_and_quoted_ones_stay_strings() {
    let root = doc(
        "a: yes\nb: \"yes\"\nc: off\nd: 'on'\ne: y\nf: N\ng: ~\nh: 0755\ni: 0x1F\nj: 1_000\nk: 1.5\nl: .inf\nm: 190:20:30\nnn: 1e3\no: 08\np: true\nq: !!str yes\nr:\ns: 3.0.1\n",
    );
    let v = |k: &str| at(&root, &[k]).value.clone();
    assert_eq!(v("a"), Value::Bool(true));
    assert_eq!(v("b"), Value::Str("yes".into()));
    assert_eq!(v("c"), Value::Bool(false));
    assert_eq!(v("d"), Value::Str("on".into()));
    assert_eq!(v("e"), Value::Bool(true));
    assert_eq!(v("f"), Value::Bool(false));
    assert_eq!(v("g"), Value::Null);
    assert_eq!(v("h"), Value::Int(0o755));
    assert_eq!(v("i"), Value::Int(31));
    assert_eq!(v("j"), Value::Int(1000));
    assert_eq!(v("k"), Value::Float(1.5));
    assert_eq!(v("l"), Value::Float(f64::INFINITY));
    assert_eq!(v("m"), Value::Int(190 * 3600 + 20 * 60 + 30));
    assert_eq!(v("nn"), Value::Float(1000.0));
    assert_eq!(v("o"), Value::Str("08".into()), "not octal, not decimal");
    assert_eq!(v("p"), Value::Bool(true));
    assert_eq!(v("q"), Value::Str("yes".into()));
    assert_eq!(v("r"), Value::Null);
    assert_eq!(v("s"), Value::Str("3.0.1".into()));
}

#[test]
fn plain_yaml_1_1_words_are_recorded_with_their_spans_keys_included() {
    let text = "on: push\nenabled: yes\nquoted: \"no\"\nlist: [y, n]\n";
    let yaml = parse(text);
    let words: Vec<(&str, bool, &str)> = yaml
        .ambiguous
        .iter()
        .map(|w| (w.word.as_str(), w.is_key, &text[w.span.clone()]))
        .collect();
    assert_eq!(
        words,
        [
            ("on", true, "on"),
            ("yes", false, "yes"),
            ("y", false, "y"),
            ("n", false, "n")
        ]
    );
    // Helm reads the key `on` as the boolean true, so as the key "true"
    assert_eq!(
        at(&yaml.documents[0], &["true"]).value,
        Value::Str("push".into())
    );
}

#[test]
fn keys_and_values_keep_their_byte_spans_after_multibyte_text() {
    let text = "# café €\nname: \"Zoë\"\nnested:\n  key: value\n";
    let root = doc(text);
    let entry = &root.entries()[0];
    assert_eq!(&text[entry.key_span.clone()], "name");
    assert_eq!(&text[entry.value.span.clone()], "\"Zoë\"");
    let nested = at(&root, &["nested"]);
    let inner = &nested.entries()[0];
    assert_eq!(&text[inner.key_span.clone()], "key");
    assert_eq!(&text[inner.value.span.clone()], "value");
    let yaml = parse(text);
    assert_eq!(yaml.comments.len(), 1);
    assert_eq!(&text[yaml.comments[0].span.clone()], "# café €");
    assert_eq!(yaml.comments[0].text, " café €");
}

#[test]
fn anchors_aliases_and_merge_keys_resolve() {
    let text = "base: &base\n  runAsNonRoot: true\n  user: 1000\nother: &other\n  fsGroup: 1\napp:\n  <<: [*base, *other]\n  user: 2000\ncopy: *base\n";
    let root = doc(text);
    let app = at(&root, &["app"]);
    assert_eq!(
        at(app, &["user"]).value,
        Value::Int(2000),
        "explicit keys win"
    );
    assert_eq!(at(app, &["runAsNonRoot"]).value, Value::Bool(true));
    assert_eq!(at(app, &["fsGroup"]).value, Value::Int(1));
    let merged = app
        .entries()
        .iter()
        .find(|e| e.key == "runAsNonRoot")
        .unwrap();
    assert_eq!(
        &text[merged.key_span.clone()],
        "runAsNonRoot",
        "the anchor's own key"
    );
    assert_eq!(&text[merged.merged_from.clone().unwrap()], "<<");
    assert!(app.get("<<").is_none());
    let copy = at(&root, &["copy"]);
    assert_eq!(&text[copy.alias.clone().unwrap()], "*base");
    assert_eq!(at(copy, &["user"]).value, Value::Int(1000));
}

#[test]
fn every_document_is_read() {
    let yaml = parse("a: 1\n---\nb: 2\n---\n- x\n");
    assert_eq!(yaml.documents.len(), 3);
    assert_eq!(at(&yaml.documents[1], &["b"]).value, Value::Int(2));
}

#[test]
fn a_repeated_key_keeps_the_last_value_and_says_so() {
    let text = "a: 1\nb: 2\na: 3\n";
    let yaml = parse(text);
    assert_eq!(at(&yaml.documents[0], &["a"]).value, Value::Int(3));
    assert_eq!(yaml.documents[0].entries().len(), 2);
    let [
        Problem::DuplicateKey {
            key,
            first,
            repeated,
        },
    ] = yaml.problems.as_slice()
    else {
        panic!("{:?}", yaml.problems)
    };
    assert_eq!(key, "a");
    assert_eq!((first.start, repeated.start), (0, 10));
}

#[test]
fn malformed_yaml_is_a_problem_at_its_offset() {
    let text = "a: é\nb: [1, 2\nc: 3\n";
    let yaml = parse(text);
    let Some(Problem::Syntax { offset, message }) = yaml.problems.first() else {
        panic!("{:?}", yaml.problems)
    };
    assert!(text.is_char_boundary(*offset));
    assert!(*offset > 5, "after the first line: {offset} {message}");
    assert!(yaml.documents.is_empty());
}

#[test]
fn an_alias_bomb_stops_at_the_budget_before_copying() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
        text.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    let started = std::time::Instant::now();
    let yaml = parse(&text);
    assert!(
        matches!(yaml.problems.as_slice(), [Problem::AliasBudget { .. }]),
        "{:?}",
        yaml.problems
    );
    assert!(yaml.documents.is_empty());
    // a correctness bound, not a benchmark: ten billion nodes were never built
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn deep_nesting_and_large_files_are_refused_with_a_reason() {
    let deep: String = (0..150)
        .map(|i| format!("{}a:\n", "  ".repeat(i)))
        .collect();
    let yaml = parse(&deep);
    assert!(
        matches!(
            yaml.problems.as_slice(),
            [Problem::TooDeep { limit: 100, .. }]
        ),
        "{:?}",
        yaml.problems
    );
    // flow nesting: the parser's own recursion limit may come first; either way a fatal problem
    let flow = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let yaml = parse(&flow);
    assert!(
        yaml.problems.iter().any(Problem::is_fatal),
        "{:?}",
        yaml.problems
    );
    assert!(yaml.documents.is_empty());
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    let yaml = parse_with("a: 1\nb: 2\nc: 3\n", limits);
    assert_eq!(
        yaml.problems,
        [Problem::TooLarge {
            size: 15,
            limit: 10
        }]
    );
}

#[test]
fn many_distinct_keys_are_read_in_linear_time() {
    let text: String = (0..50_000).map(|i| format!("k{i}: {i}\n")).collect();
    let root = doc(&text);
    assert_eq!(root.entries().len(), 50_000);
    assert_eq!(at(&root, &["k49999"]).value, Value::Int(49_999));
}
