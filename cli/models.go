package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/core"
)

// modelInfo is a model as `models --json` prints it.
type modelInfo struct {
	Name       string          `json:"name"`
	Versions   []core.Version  `json:"versions"`
	Latest     core.Version    `json:"latest"`
	Migrations []migrationInfo `json:"migrations"`
}

type migrationInfo struct {
	From core.Version `json:"from"`
	To   core.Version `json:"to"`
	Auto bool         `json:"auto"`
}

func (a *app) modelsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the models with their versions and migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			infos, err := a.modelInfos()
			if err != nil {
				return err
			}
			if asJSON {
				b, err := json.MarshalIndent(struct {
					VersionKey string      `json:"version_key,omitempty"`
					Models     []modelInfo `json:"models"`
				}{a.m.VersionKey(), infos}, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.out(), "%s\n", b)
				return err
			}
			return a.printModels(infos)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	return cmd
}

func (a *app) modelInfos() ([]modelInfo, error) {
	var out []modelInfo
	for _, name := range a.m.Models() {
		versions, err := a.m.Versions(name)
		if err != nil {
			continue // a model with migrations but no version yet
		}
		steps, err := a.m.Migrations(name)
		if err != nil {
			return nil, err
		}
		info := modelInfo{Name: name, Versions: versions, Latest: versions[len(versions)-1], Migrations: []migrationInfo{}}
		for _, s := range steps {
			info.Migrations = append(info.Migrations, migrationInfo{From: s.From, To: s.To, Auto: s.Auto})
		}
		out = append(out, info)
	}
	return out, nil
}

func (a *app) printModels(infos []modelInfo) error {
	var b strings.Builder
	if key := a.m.VersionKey(); key != "" {
		fmt.Fprintf(&b, "version key: %s\n\n", key)
	}
	for _, info := range infos {
		vs := make([]string, len(info.Versions))
		for i, v := range info.Versions {
			vs[i] = v.String()
		}
		fmt.Fprintf(&b, "%s\n  versions:   %s (latest %s)\n", info.Name, strings.Join(vs, ", "), info.Latest)
		for i, s := range info.Migrations {
			label := "  migrations: "
			if i > 0 {
				label = "              "
			}
			kind := "function"
			if s.Auto {
				kind = "auto"
			}
			fmt.Fprintf(&b, "%s%s → %s (%s)\n", label, s.From, s.To, kind)
		}
	}
	_, err := fmt.Fprint(a.out(), b.String())
	return err
}
