//! Name resolution over the lint model, the way buf's compiler (protocompile) does it: a reference is looked up
//! in the enclosing message and service scopes of its own file, then under each prefix of the file's package;
//! a name is visible when it is declared in the file itself or in an import (through public imports
//! transitively). Every lookup that finds a declaration (or a package namespace) through a direct, non-public
//! import marks that import used, which is what `IMPORT_USED` reports on. Reads the model, never prints.

use std::collections::HashMap;

use super::model::{LFile, LRef, RefKind, SymKind};

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// A declaration: its full name and kind.
    Decl(String, SymKind),
    /// A package namespace, or a qualified name whose first part matched but whose rest is not declared.
    Sentinel,
}

impl Found {
    fn is_aggregate(&self) -> bool {
        match self {
            Found::Sentinel => true,
            Found::Decl(_, k) => matches!(k, SymKind::Message | SymKind::Enum | SymKind::Service),
        }
    }
    fn is_type(&self) -> bool {
        matches!(self, Found::Decl(_, SymKind::Message | SymKind::Enum))
    }
}

/// All files of a run (linted ones and import-only ones such as the well-known types) and where every full name
/// is declared.
pub(crate) struct Universe<'a> {
    pub files: Vec<&'a LFile>,
    by_path: HashMap<&'a str, usize>,
    symbols: HashMap<&'a str, Vec<(usize, SymKind)>>,
    /// Resolved import indices per file (`None` for an import that is not among the files).
    imports: Vec<Vec<Option<usize>>>,
}

impl<'a> Universe<'a> {
    pub fn new(files: Vec<&'a LFile>) -> Self {
        let mut by_path = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            by_path.entry(f.path.as_str()).or_insert(i);
        }
        let mut symbols: HashMap<&str, Vec<(usize, SymKind)>> = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            for (name, kind) in &f.symbols {
                symbols.entry(name.as_str()).or_default().push((i, *kind));
            }
        }
        let imports = files
            .iter()
            .map(|f| {
                f.imports
                    .iter()
                    .map(|imp| by_path.get(imp.path.as_str()).copied())
                    .collect()
            })
            .collect();
        Universe {
            files,
            by_path,
            symbols,
            imports,
        }
    }

    pub fn index_of(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// What file `f` itself holds under `name`: a declaration, or its package namespace.
    fn in_file(&self, f: usize, name: &str) -> Option<Found> {
        if let Some(v) = self.symbols.get(name) {
            if let Some((_, k)) = v.iter().find(|(i, _)| *i == f) {
                return Some(Found::Decl(name.to_string(), *k));
            }
        }
        let pkg = self.files[f].package.as_str();
        if !pkg.is_empty()
            && (pkg == name
                || (pkg.len() > name.len()
                    && pkg.starts_with(name)
                    && pkg.as_bytes()[name.len()] == b'.'))
        {
            return Some(Found::Sentinel);
        }
        None
    }

    /// protocompile's `resolveInFile`: the file itself, then its imports (only public ones below the top level).
    fn in_file_or_imports(
        &self,
        f: usize,
        name: &str,
        public_only: bool,
        checked: &mut Vec<usize>,
        used: &mut Vec<bool>,
        top: bool,
    ) -> Option<Found> {
        if checked.contains(&f) {
            return None;
        }
        checked.push(f);
        let result = self.in_file(f, name).or_else(|| {
            let file = self.files[f];
            for (k, imp) in file.imports.iter().enumerate() {
                if public_only && !imp.public {
                    continue;
                }
                let Some(dep) = self.imports[f][k] else {
                    continue;
                };
                if let Some(found) = self.in_file_or_imports(dep, name, true, checked, used, false)
                {
                    if top && !imp.public {
                        if let Some(u) = used.get_mut(k) {
                            *u = true;
                        }
                    }
                    return Some(found);
                }
            }
            None
        });
        checked.pop();
        result
    }

    fn query_global(&self, f: usize, name: &str, used: &mut Vec<bool>) -> Option<Found> {
        let name = name.strip_prefix('.').unwrap_or(name);
        let mut checked = Vec::new();
        self.in_file_or_imports(f, name, false, &mut checked, used, true)
    }

    /// Resolves one reference of file `f`, marking the imports it goes through in `used`.
    pub fn resolve(&self, f: usize, r: &LRef, used: &mut Vec<bool>) -> Option<Found> {
        let name = r.name.as_str();
        if let Some(abs) = name.strip_prefix('.') {
            return self.query_global(f, abs, used);
        }
        let first = name.split('.').next().unwrap_or(name);
        let only_types = r.kind == RefKind::Type;
        let mut best: Option<Found> = None;
        let accept = |d: &Found| !only_types || d.is_type() || first != name;
        if !r.file_scope_only {
            for scope in r.scopes.iter().rev() {
                let n1 = format!("{scope}.{first}");
                let n = format!("{scope}.{name}");
                let d = self.relative(&n1, &n, |q| self.in_file(f, q));
                if let Some(d) = d {
                    if accept(&d) {
                        return Some(d);
                    }
                    best.get_or_insert(d);
                }
            }
        }
        let pkg = self.files[f].package.as_str();
        let mut prefixes: Vec<&str> = Vec::new();
        if !pkg.is_empty() {
            let mut p = pkg;
            loop {
                prefixes.push(p);
                match p.rfind('.') {
                    Some(i) => p = &p[..i],
                    None => break,
                }
            }
        }
        prefixes.push("");
        let mut found = None;
        for prefix in prefixes {
            let (n1, n) = if prefix.is_empty() {
                (name.to_string(), name.to_string())
            } else {
                (format!("{prefix}.{first}"), format!("{prefix}.{name}"))
            };
            if let Some(d) = self.relative(&n1, &n, |q| self.query_global(f, q, used)) {
                found = Some(d);
                break;
            }
        }
        if let Some(d) = found {
            if accept(&d) {
                return Some(d);
            }
            best.get_or_insert(d);
        }
        best
    }

    fn relative(
        &self,
        first: &str,
        full: &str,
        mut query: impl FnMut(&str) -> Option<Found>,
    ) -> Option<Found> {
        let d = query(first)?;
        if first == full {
            return Some(d);
        }
        if !d.is_aggregate() {
            return None;
        }
        Some(query(full).unwrap_or(Found::Sentinel))
    }
}

/// For file `f`: which of its imports are used, and the resolved full name of every reference (or `None`).
pub(crate) fn resolve_file(u: &Universe, f: usize) -> (Vec<bool>, Vec<Option<String>>) {
    let file = u.files[f];
    let mut used = vec![false; file.imports.len()];
    let names = file
        .refs
        .iter()
        .map(|r| match u.resolve(f, r, &mut used) {
            Some(Found::Decl(n, _)) => Some(n),
            _ => None,
        })
        .collect();
    (used, names)
}
