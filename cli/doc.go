// Package cli is the transmute command, built into your own binary:
// models and migrations are Go code, so the command is a package you give
// your manager to.
//
//	func main() { cli.Main(models.NewManager()) }
//
// [Command] returns the command as a *cobra.Command, to add as a
// subcommand of your own program; [Main] runs it with os.Args and exits
// with its code. The commands: models, validate, migrate, diff, export,
// graph and check (the CI gate that proves every version migrates).
//
// Exit codes: 0 success; 1 a finding (an invalid record, a failed
// migration, a breaking change with --fail-on-breaking, a failed check);
// 2 a usage or I/O error. [ExitCode] maps an error of the command to its
// code. docs/cli.md shows every command with its output.
package cli
