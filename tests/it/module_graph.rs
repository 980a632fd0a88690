//! The layers stay one-way: no two modules of `src/` depend on each other, directly or
//! through others.
//!
//! Reads every source file, collects the paths it names (`use crate::a::b`, grouped
//! imports, inline `crate::a::b::f()` and `super::` paths), and looks for cycles at two
//! sizes: the top-level modules (`domain`, `auth`, `web`, ...) and the modules one level
//! below (`domain::proposals`, `web::api`, ...), where a module's children count as the
//! module. Unit tests inside a file (`#[cfg(test)] mod tests`) are not part of its graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One module per source file: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut name: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if name.last().is_some_and(|n| n == "mod") {
                name.pop();
            }
            if name == ["lib"] || name == ["main"] {
                name.clear();
            }
            out.insert(name, path);
        }
    }
    out
}

/// The code of a file without comments and without its unit tests.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands the path starting at `s[i..]` (after `prefix::`) into full paths, following
/// groups (`a::{b, c::{d, e}}`). Returns where the path ends.
fn expand(s: &[char], mut i: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut segs = prefix.to_vec();
    loop {
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        if i == start {
            if s.get(i) == Some(&'{') {
                i += 1;
                loop {
                    while i < s.len() && (s[i].is_whitespace() || s[i] == ',') {
                        i += 1;
                    }
                    if i >= s.len() || s[i] == '}' {
                        return i + 1;
                    }
                    i = expand(s, i, &segs, out);
                }
            }
            out.push(segs);
            return i;
        }
        segs.push(s[start..i].iter().collect());
        if s.get(i) == Some(&':') && s.get(i + 1) == Some(&':') {
            i += 2;
            continue;
        }
        out.push(segs);
        return i;
    }
}

/// Every path the module's code names, absolute from the crate root.
fn named_paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let s: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let starts_word = i == 0 || !is_ident(s[i - 1]) && s[i - 1] != ':';
        let rest: String = s[i..(i + 7).min(s.len())].iter().collect();
        if starts_word && rest.starts_with("crate::") {
            i = expand(&s, i + 7, &[], &mut out);
        } else if starts_word && rest.starts_with("super::") {
            // `super` of `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
            let parent = &module[..module.len().saturating_sub(1)];
            i = expand(&s, i + 7, parent, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// The edges between modules cut to `depth` path segments.
fn graph(depth: usize) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    let node = |path: &[String]| -> Option<String> {
        (1..=path.len())
            .rev()
            .find(|n| mods.contains_key(&path[..*n]))
            .map(|n| path[..n.min(depth)].join("::"))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &mods {
        let Some(me) = node(module) else { continue };
        for path in named_paths(module, &code_of(file)) {
            if let Some(to) = node(&path) {
                if to != me {
                    edges.entry(me.clone()).or_default().insert(to);
                }
            }
        }
    }
    edges
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(st: &mut State<'a>, v: &'a str) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        let edges = st.edges;
        for w in edges.get(v).into_iter().flatten() {
            if !st.index.contains_key(w.as_str()) {
                visit(st, w);
                let lw = st.low[w.as_str()];
                let lv = st.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if st.stack.contains(&w.as_str()) {
                let iw = st.index[w.as_str()];
                let lv = st.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if st.low[v] == st.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = st.stack.pop() {
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                st.found.push(comp);
            }
        }
    }
    let mut st = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !st.index.contains_key(v.as_str()) {
            visit(&mut st, v);
        }
    }
    st.found
}

fn describe(edges: &BTreeMap<String, BTreeSet<String>>, found: &[Vec<String>]) -> String {
    let mut text = String::new();
    for comp in found {
        text.push_str(&format!("cycle among {comp:?}:\n"));
        for a in comp {
            let inside: Vec<_> = edges[a].iter().filter(|b| comp.contains(b)).collect();
            text.push_str(&format!("  {a} -> {inside:?}\n"));
        }
    }
    text
}

#[test]
fn no_module_depends_on_itself_through_others() {
    for depth in [1, 2] {
        let edges = graph(depth);
        // The reader itself must see the graph, or the check proves nothing.
        assert!(
            edges.get("web").is_some_and(|to| to.contains("domain"))
                || edges.keys().any(|k| k.starts_with("web::")),
            "the module graph was not read"
        );
        let found = cycles(&edges);
        assert!(
            found.is_empty(),
            "depth {depth}:\n{}",
            describe(&edges, &found)
        );
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    edges.entry("c".into()).or_default().insert("d".into());
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c"]]);
    let paths = named_paths(
        &["web".into(), "pages".into()],
        "use crate::domain::{proposals::{self, answers}, time};\nlet x = super::api::f();",
    );
    assert!(paths.contains(&vec!["domain".into(), "proposals".into(), "answers".into()]));
    assert!(paths.contains(&vec!["domain".into(), "time".into()]));
    assert!(paths.contains(&vec!["web".into(), "api".into(), "f".into()]));
}
