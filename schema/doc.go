// Package schema exports the registered versions of transmute models for
// the systems that do not read Go: JSON Schema (draft 2020-12), Avro,
// Protocol Buffers (proto3) and TypeScript (interfaces, type aliases or
// Zod). It also compares two versions of a model field by field, with the
// changes that break existing records, and draws each model's migration
// graph in Mermaid or Graphviz DOT.
//
// Every exporter works from [core.Manager.Schema], the description that
// validation itself uses, so an exported schema accepts what the manager
// accepts. Each document is self-contained: the nested models it uses are
// defined inside it. Output is deterministic: the same registry gives
// byte-identical files, which can be committed and reviewed.
//
// docs/schemas.md has the mapping of each kind to each format, and what is
// not supported and why.
package schema
