// Package hclexport turns a synthesized stack (cdk.tf.json, Terraform's JSON
// syntax) into a plain Terraform module in the native syntax, and proves
// that the module is the same configuration.
//
//	m, err := hclexport.Export(hclexport.Config{Stack: "base-dev", JSON: data, Schemas: schemas})
//	// m["versions.tf"], m["providers.tf"], m["variables.tf"], m["main.tf"], m["outputs.tf"]
//	err = hclexport.Verify(hclexport.Config{…}, m) // nil: same blocks, values and references
//
// # How the JSON is read
//
// Both syntaxes are decoded as Terraform decodes them, with HCL's own
// parsers (hclparse) and one body schema per block: Terraform's own blocks
// (terraform, required_providers, backend, provider, variable, validation,
// locals, resource, data, lifecycle, precondition, postcondition, output)
// from Terraform's configs package, and the bodies of providers, resources
// and data sources from the real provider schemas (Config.Schemas), which
// alone tell a nested block (metadata { … }) from an attribute that takes an
// object (labels = { … }; helm 3's kubernetes = { … }). Every JSON string in
// an expression is a template: "${var.x}" becomes var.x, and a multi-line
// string (the helm releases' values, LibreChat's librechat.yaml) becomes an
// indented heredoc. Strings Terraform reads without templates (a variable's
// default and description, the terraform block) stay literal;
// depends_on, provider and lifecycle's ignore_changes are references.
// "//" comments (cdktf's metadata) are dropped.
//
// # The module
//
// versions.tf holds the terraform block (required_version,
// required_providers, backend), providers.tf the provider blocks,
// variables.tf the variables, main.tf the locals, data sources and
// resources, outputs.tf the outputs; a file with nothing to hold is left out.
// Resources come in dependency order, by level: those that refer to no
// other first (the namespaces), then those that refer only to them, and so
// on, by type and name within a level; variables and outputs by name.
// Inside a block: meta-arguments (count, for_each, provider), then name and
// namespace, the other arguments by name (a variable's type, description
// and default first), nested blocks as in the JSON (required_providers
// before the backend), depends_on, and lifecycle last. An empty block is
// written on one line (pod_selector {}). The text is what terraform fmt
// writes (hclwrite.Format).
//
// # The proof
//
// Verify parses the module (hclparse, all files as one module) and the JSON
// with the same schemas and compares them: the same blocks with the same
// labels, in the same order where order matters (nested blocks); the same
// arguments; for each argument the same value: literals compared after
// evaluation (600 = 600, "a" = "a"), lists and objects element by element,
// templates part by part (literal text after unescaping, each
// interpolation), references and other expressions token by token. Any
// value dropped, added or changed is a difference, reported with the stack,
// the block address and the argument path.
//
// Constructs lists the language constructs a module uses (blocks,
// meta-arguments, variable and output arguments, functions, write-only
// attributes), so that a test can hold them to the set that both
// Terraform ≥ 1.11 and OpenTofu ≥ 1.11 support (Portable).
package hclexport
