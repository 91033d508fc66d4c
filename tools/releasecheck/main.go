// Command releasecheck proves that the modules of versions.yaml can be used
// as a user outside the repository uses them: with go get, at their
// release version, without a replace line.
//
// It builds a module proxy directory from the working tree (a zip, .info
// and .mod per module, made with golang.org/x/mod/zip, and the list
// files), then, for each released module, in a temporary module outside
// the repository, go gets the module at its version through that proxy
// (falling back to the module cache and the configured proxy for the
// third-party modules), builds a small program that uses it and runs it.
// It fails when a module requires a sibling at another version than the
// one versions.yaml gives (a pseudo-version, say), when a module does not
// resolve, when go get leaves a go.sum line out, or when a program does not
// print what it should.
//
// Usage, from the repository's root: go run ./tools/releasecheck (make
// release-check).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// versionsFile is the format of opentelemetry-go's multimod tool.
type versionsFile struct {
	ModuleSets map[string]struct {
		Version string   `yaml:"version"`
		Modules []string `yaml:"modules"`
	} `yaml:"module-sets"`
	ExcludedModules []string `yaml:"excluded-modules"`
}

// mod is one module of the repository.
type mod struct {
	path, dir, version string // version "" for an excluded module
	file               *modfile.File
	data               []byte
}

func main() {
	repo := flag.String("repo", ".", "the repository's root")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	flag.Parse()
	if err := run(*repo, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "release-check:", err)
		os.Exit(1)
	}
	fmt.Println("release-check: every module resolves with go get at its release version, without replace lines")
}

func run(repo string, keep bool) error {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	mods, err := loadModules(repo)
	if err != nil {
		return err
	}
	if err := checkRequirements(mods); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "transmute-release-check-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("release-check: keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	proxy := filepath.Join(tmp, "proxy")
	files, err := gitFiles(repo)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if m.version != "" {
			if err := publish(proxy, repo, m, mods, files); err != nil {
				return fmt.Errorf("%s: %w", m.path, err)
			}
		}
	}
	env, err := consumerEnv(tmp, proxy)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if m.version == "" {
			continue
		}
		p, ok := programs[m.path]
		if !ok {
			return fmt.Errorf("%s: no program to check it with (tools/releasecheck/programs.go)", m.path)
		}
		if err := consume(filepath.Join(tmp, "use", path.Base(m.path)), env, m, p); err != nil {
			return fmt.Errorf("%s@%s: %w", m.path, m.version, err)
		}
		fmt.Printf("release-check: %s@%s ok\n", m.path, m.version)
	}
	return nil
}

// loadModules reads versions.yaml and every go.mod of the repository; a
// module in no set and not excluded is an error.
func loadModules(repo string) ([]*mod, error) {
	raw, err := os.ReadFile(filepath.Join(repo, "versions.yaml"))
	if err != nil {
		return nil, err
	}
	var vf versionsFile
	if err := yaml.Unmarshal(raw, &vf); err != nil {
		return nil, fmt.Errorf("versions.yaml: %w", err)
	}
	version := map[string]string{}
	for name, set := range vf.ModuleSets {
		if !strings.HasPrefix(set.Version, "v") || module.CheckPathMajor(set.Version, "") != nil {
			return nil, fmt.Errorf("versions.yaml: set %s: version %q is not a v0/v1 semantic version", name, set.Version)
		}
		for _, p := range set.Modules {
			version[p] = set.Version
		}
	}
	out, err := git(repo, "ls-files", "--cached", "--others", "--exclude-standard", "go.mod", "*/go.mod")
	if err != nil {
		return nil, err
	}
	var mods []*mod
	for _, f := range strings.Fields(out) {
		data, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			return nil, err
		}
		mf, err := modfile.Parse(f, data, nil)
		if err != nil {
			return nil, err
		}
		m := &mod{path: mf.Module.Mod.Path, dir: path.Dir(f), version: version[mf.Module.Mod.Path], file: mf, data: data}
		if m.version == "" && !slices.Contains(vf.ExcludedModules, m.path) {
			return nil, fmt.Errorf("%s (%s) is in no module set of versions.yaml and not excluded", m.path, f)
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// checkRequirements fails when a module requires a released sibling at
// another version than the sibling's.
func checkRequirements(mods []*mod) error {
	version := map[string]string{}
	for _, m := range mods {
		version[m.path] = m.version
	}
	var errs []error
	for _, m := range mods {
		for _, r := range m.file.Require {
			want, ok := version[r.Mod.Path]
			switch {
			case !ok:
			case want == "":
				errs = append(errs, fmt.Errorf("%s/go.mod requires %s, which is not released (versions.yaml excludes it)", m.dir, r.Mod.Path))
			case r.Mod.Version != want:
				errs = append(errs, fmt.Errorf("%s/go.mod requires %s %s, want %s (versions.yaml)", m.dir, r.Mod.Path, r.Mod.Version, want))
			}
		}
	}
	return errors.Join(errs...)
}

// gitFiles lists the files of the working tree that git does not ignore.
func gitFiles(repo string) ([]string, error) {
	out, err := git(repo, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f == "" {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(repo, f)); err == nil && fi.Mode().IsRegular() {
			files = append(files, f) // a deleted file still in the index is left out
		}
	}
	return files, nil
}

// publish writes m's zip, .info, .mod and list into the proxy directory.
func publish(proxy, repo string, m *mod, mods []*mod, files []string) error {
	ep, err := module.EscapePath(m.path)
	if err != nil {
		return err
	}
	dir := filepath.Join(proxy, filepath.FromSlash(ep), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var zf []zip.File
	for _, f := range files {
		if rel, ok := within(m, mods, f); ok {
			zf = append(zf, zipFile{name: rel, abs: filepath.Join(repo, f)})
		}
	}
	var buf bytes.Buffer
	mv := module.Version{Path: m.path, Version: m.version}
	if err := zip.Create(&buf, mv, zf); err != nil {
		return err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.version, time.Now().UTC().Truncate(time.Second)})
	for name, data := range map[string][]byte{
		m.version + ".zip":  buf.Bytes(),
		m.version + ".info": info,
		m.version + ".mod":  m.data,
		"list":              []byte(m.version + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// within reports whether the repository file f belongs to m (not to a
// module nested in m's directory), and its path inside m.
func within(m *mod, mods []*mod, f string) (string, bool) {
	owner := ""
	for _, o := range mods {
		if (o.dir == "." || strings.HasPrefix(f, o.dir+"/")) && len(o.dir) >= len(owner) {
			owner = o.dir
		}
	}
	if owner != m.dir {
		return "", false
	}
	if m.dir == "." {
		return f, true
	}
	return strings.TrimPrefix(f, m.dir+"/"), true
}

type zipFile struct{ name, abs string }

func (f zipFile) Path() string                 { return f.name }
func (f zipFile) Lstat() (os.FileInfo, error)  { return os.Lstat(f.abs) }
func (f zipFile) Open() (io.ReadCloser, error) { return os.Open(f.abs) }

// consumerEnv is the environment of a user outside the repository: the
// proxy directory first, then the module cache's download directory and
// the configured proxy for everything else; a module cache of its own
// (so that no earlier run's zips are used); no checksum database for the
// unpublished modules; no workspace.
func consumerEnv(tmp, proxy string) ([]string, error) {
	goenv := func(k string) (string, error) {
		out, err := exec.Command("go", "env", k).Output()
		return strings.TrimSpace(string(out)), err
	}
	cache, err := goenv("GOMODCACHE")
	if err != nil {
		return nil, err
	}
	upstream, err := goenv("GOPROXY")
	if err != nil {
		return nil, err
	}
	proxies := "file://" + filepath.ToSlash(proxy) + ",file://" + filepath.ToSlash(filepath.Join(cache, "cache", "download")) + "," + upstream
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"GOPROXY", "GOMODCACHE", "GONOSUMDB", "GOFLAGS", "GOWORK", "GOPRIVATE", "GONOPROXY"}, k)
	})
	return append(env,
		"GOPROXY="+proxies,
		"GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GONOSUMDB=github.com/transmute-go/transmute",
		"GOFLAGS=-modcacherw",
		"GOWORK=off",
	), nil
}

// consume does what a new user does: go mod init, write a program, go get
// the module at its version, go build (go.sum must then be complete), run.
func consume(dir string, env []string, m *mod, p program) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(p.source), 0o644); err != nil {
		return err
	}
	steps := [][]string{
		{"go", "mod", "init", "example.com/uses/" + path.Base(m.path)},
		{"go", "get", m.path + "@" + m.version},
		{"go", "build", "-o", "prog", "."},
	}
	for _, s := range steps {
		if _, err := command(dir, env, "", s...); err != nil {
			return err
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	mf, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return err
	}
	if len(mf.Replace) > 0 {
		return errors.New("the consumer's go.mod has a replace line")
	}
	out, err := command(dir, env, p.stdin, append([]string{"./prog"}, p.args...)...)
	if err != nil {
		return err
	}
	if !strings.Contains(out, p.want) {
		return fmt.Errorf("the program printed %q, want it to contain %q", out, p.want)
	}
	return nil
}

func command(dir string, env []string, stdin string, args ...string) (string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, env, strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

func git(repo string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}
