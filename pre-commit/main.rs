//! `drlint-pre-commit`: the `drlint` program under the name the pre-commit hook
//! runs (`.pre-commit-hooks.yaml`). It is the root package's only binary, so
//! that pre-commit's `cargo install --bins --path .` installs it; a second
//! binary called `drlint` in the workspace would collide with the CLI's.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    drlint_cli::main()
}
