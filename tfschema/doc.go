// Package tfschema validates CDK for Terraform synthesized stacks
// (cdk.tf.json) against real provider schemas, as written by
// `terraform providers schema -json`, and against Terraform's own rules for
// the constructs it defines (terraform, variable, output, locals, backends,
// meta-arguments).
//
// Load reads the schema file once; Validate checks one stack and returns
// every problem found, sorted by address, path and reason:
//
//	schemas, err := tfschema.Load("providers-schema.json")
//	...
//	for _, e := range schemas.Validate("ollama", stackJSON) {
//		fmt.Println(e) // ollama: resource.helm_release.ollama: set[2].value: string required, got object
//	}
//
// # How the JSON is read
//
// The stack is read as Terraform reads *.tf.json files (HCL's JSON syntax):
//
//   - "//" properties are comments and are ignored everywhere.
//   - Every JSON string is a template. A string that is exactly one "${...}"
//     produces a value of any type; a string that mixes literal text with
//     interpolations (or uses %{...} directives) always produces a string;
//     "$${" and "%%{" are escapes for literal "${" and "%{".
//   - A block type's value is one JSON object (one block) or an array of
//     objects (one block each); null means no block. This holds for nesting
//     modes list and set, and for single and group (where more than one block
//     is an error). A map-mode block is an object keyed by label. A block can
//     never be set from an expression: that needs a "dynamic" block.
//   - A nested attribute (schema "nested_type") is an attribute, so its JSON
//     must match its type exactly: an object for nesting mode single, an
//     array of objects for list and set (a bare object is an error, although
//     it would be accepted for a block), an object of objects for map. A
//     dynamic block cannot generate a nested attribute.
//
// # Type conversions
//
// Values are checked against the attribute's cty type the way Terraform
// converts them:
//
//   - null is accepted for any optional attribute and means "not set"; for a
//     required attribute it counts as missing.
//   - A template that is exactly one "${...}" is accepted for any type.
//     A mixed template is accepted for string, number and bool (its content
//     is unknown) and rejected for collection and object types.
//   - string: a JSON string, bool ("true"/"false") or number. A number is
//     accepted only when Terraform's string form of it equals its JSON text:
//     1.10 would silently become "1.1" and 1e3 "1000", which is reported.
//   - number: a JSON number, or a literal string that parses as a number
//     ("5", "1.5", "1e3"). A bool is never a number.
//   - bool: a JSON bool, or one of the literal strings "true", "false", "1",
//     "0" (cty's conversion). A number is never a bool.
//   - list, set: a JSON array; map: a JSON object; tuple: an array of the same
//     length; object: a JSON object that has every non-optional attribute.
//     An attribute that the object type (or a nested attribute) does not
//     declare is reported, although Terraform would silently discard it
//     (hashicorp/terraform#33570).
//   - dynamic: anything; only the templates inside are checked.
//
// # Checks
//
//  1. Unknown top-level properties, arguments and blocks; meta-arguments
//     outside the blocks Terraform allows them in (connection and
//     provisioner only in resources; only precondition and postcondition in
//     the lifecycle of data sources).
//  2. Missing required arguments (absent or null); missing required blocks
//     (min_items > 0); too few or too many blocks or nested attribute
//     elements against min_items/max_items (not checked for block types that
//     also have a dynamic block, whose count is unknown).
//  3. Types, per the conversions above; arguments that are computed-only
//     (computed, neither optional nor required) must not be set; count must
//     be a whole number ≥ 0; for_each must be a map, an object or an
//     expression (a JSON array is a tuple, which Terraform rejects).
//  4. Nesting modes of blocks and nested attributes, as described above.
//  5. Write-only attributes: reading one in a reference (to any depth,
//     including attributes inside a write-only nested attribute) is an error,
//     because Terraform never stores them. Ephemeral values (ephemeral
//     variables, ephemeral resources) may only be used in write-only
//     attributes, provider configuration, provisioners, connections, locals,
//     variable validations and ephemeral resources; not in other resource or
//     data source arguments, meta-arguments or outputs.
//  6. References in templates: var, local, module, resource, data source and
//     ephemeral resource references must name something declared in the
//     stack; the attribute path after TYPE.NAME is checked against the schema
//     as Terraform's static validation does (names exist, list blocks are
//     indexed, set blocks are not, the rest applies to the attribute's type),
//     and a numeric index into an object is rejected too (Terraform only
//     notices once the value is known: helm 3's helm_release.x.metadata is an
//     object, so helm 2's metadata[0] no longer works);
//     instance keys are required for resources with count or for_each and
//     rejected otherwise; count.*, each.* and self.* are only valid where
//     Terraform defines them; dynamic block iterators are in scope in their
//     content; for expression variables are local to the expression;
//     provider functions (provider::NAME::FUNC) must exist in the schema.
//     depends_on, provider and ignore_changes take bare references
//     ("kubernetes_secret_v1.jwt"): Terraform's JSON syntax rejects
//     "${...}" there. depends_on must name whole objects; ignore_changes
//     paths are checked against the resource schema.
//  7. Providers: every provider configuration is checked against its
//     provider's schema ("alias" and the deprecated "version" allowed);
//     default configurations and aliases must be unique; every provider used
//     by a provider block or a resource (its provider argument, or the type
//     name's prefix) must be declared in terraform.required_providers with a
//     source; every required_providers entry needs a source and a valid
//     version constraint; a source without a loaded schema is reported. The
//     built-in "terraform" provider (terraform_data, terraform_remote_state)
//     needs no declaration.
//  8. Variables allow type, default, description, sensitive, nullable,
//     validation and ephemeral; the type must be a valid type constraint and
//     the default must convert to it and contain no interpolation; a
//     non-nullable variable cannot default to null; validation is an object or
//     an array of objects with a bool condition and a string error_message.
//     Outputs allow value (required), description, sensitive, depends_on,
//     precondition and ephemeral; a stack is a root module, so an output
//     cannot be ephemeral, and an output that references a sensitive variable
//     or a sensitive attribute must set "sensitive": true (unless it unwraps
//     the value with nonsensitive()).
//  9. Backend: terraform.backend must hold exactly one backend and allows no
//     interpolation. The local, kubernetes and s3 backends of Terraform 1.11
//     are checked against built-in schemas (s3 region is required here,
//     although Terraform can also take it from AWS_REGION); the other
//     backends Terraform ships are accepted unchecked; any other type is an
//     error.
//
// # Limits
//
// Only what can be known statically is checked: the values of expressions,
// transitive sensitivity and ephemerality through locals, function names
// other than provider functions, duplicate JSON properties, and the moved,
// removed, import and check blocks are not checked.
package tfschema
