package schema_test

import (
	"strings"
	"testing"

	"github.com/transmute-go/transmute/schema"
)

func TestMermaid(t *testing.T) {
	got := schema.Mermaid(newManager(), schema.WithModels("User", "Address"))
	want := `flowchart LR
  subgraph User["User"]
    User_v1_0_0["1.0.0"]
    User_v2_0_0["2.0.0"]
    User_v3_0_0["3.0.0"]
    User_v1_0_0 --> User_v2_0_0
    User_v2_0_0 --> User_v1_0_0
    User_v2_0_0 --> User_v3_0_0
  end
  subgraph Address["Address"]
    Address_v1_0_0["1.0.0"]
    Address_v2_0_0["2.0.0"]
    Address_v1_0_0 -. auto .-> Address_v2_0_0
  end
`
	if got != want {
		t.Fatalf("Mermaid:\n%s\nwant:\n%s", got, want)
	}
	if all := schema.Mermaid(newManager()); !strings.Contains(all, "subgraph Address") || strings.Index(all, "Address") > strings.Index(all, "User") {
		t.Fatalf("every model, sorted:\n%s", all)
	}
	if none := schema.Mermaid(newManager(), schema.WithModels("Nope")); none != "flowchart LR\n" {
		t.Fatalf("an unknown model: %q", none)
	}
}

func TestDOT(t *testing.T) {
	got := schema.DOT(newManager(), schema.WithModels("Address"))
	want := `digraph migrations {
  rankdir=LR;
  subgraph "cluster_Address" {
    label="Address";
    "Address 1.0.0" [label="1.0.0"];
    "Address 2.0.0" [label="2.0.0"];
    "Address 1.0.0" -> "Address 2.0.0" [style=dashed, label="auto"];
  }
}
`
	if got != want {
		t.Fatalf("DOT:\n%s\nwant:\n%s", got, want)
	}
}
