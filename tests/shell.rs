//! `schemaguard completions SHELL` and `schemaguard man`: generated from the clap definitions, so every
//! subcommand and flag appears, and each script is one the shell can load.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn completions_name_every_subcommand_and_flag() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, script) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for word in [
            "check",
            "compat",
            "explain",
            "against",
            "fail-on",
            "completions",
        ] {
            assert!(script.contains(word), "{shell} completion names {word}");
        }
    }
    let (code, _) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error");
}

#[test]
fn bash_completion_loads_and_completes_subcommands() {
    let (_, script) = run(&["completions", "bash"]);
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("schemaguard.bash");
    std::fs::write(&file, script).expect("write");
    // Load the script and ask for the completions of `schemaguard ch`.
    let probe = format!(
        "source '{}' && COMP_WORDS=(schemaguard ch) && COMP_CWORD=1 && COMP_LINE='schemaguard ch' && COMP_POINT=14 && _schemaguard schemaguard ch schemaguard && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(probe)
        .output()
        .expect("bash runs");
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(
        got.lines().any(|l| l == "check"),
        "completes `check`: {got} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let (code, page) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        page.contains(".TH schemaguard 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    for word in ["check", "compat", "explain", "completions"] {
        assert!(page.contains(word), "the page names {word}");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("man1");
    let out = Command::new(env!("CARGO_BIN_EXE_schemaguard"))
        .args(["man", "--dir"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    for page in [
        "schemaguard.1",
        "schemaguard-check.1",
        "schemaguard-compat.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page} written");
    }
    let check = std::fs::read_to_string(dir.join("schemaguard-check.1")).unwrap_or_default();
    assert!(
        check.contains("against"),
        "the check page documents --against"
    );
}
